"""pytest fixtures for integration tests: Redis, SSH hosts, workers and an API user per role."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import yaml

from tests.harness.services import PrivateRedis, WorkerProcess, redis_reachable, redis_url_for_tests
from tests.harness.sshd import SshFleet


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = redis_url_for_tests()
    if redis_reachable(url):
        yield url
        return
    private = PrivateRedis(tmp_path_factory.mktemp("redis")).start()
    yield private.url
    private.stop()


@pytest.fixture(scope="session")
def ssh_fleet(tmp_path_factory):
    """Four real sshd hosts on 127.0.0.2-5 (same machine, so tests write under per-test paths)."""
    fleet = SshFleet(tmp_path_factory.mktemp("sshd"), int(os.environ.get("OPSPLAN_TEST_SSH_HOSTS", "4"))).start()
    yield fleet
    fleet.stop()


@pytest.fixture
def stack_env(db_url, redis_url, tmp_path, monkeypatch):
    """Environment shared by the web app under test and its worker subprocesses."""
    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "OPSPLAN_VAR_DIR": str(var),
        "OPSPLAN_QUEUE": "opsplan-test-" + uuid.uuid4().hex[:8],
        "OPSPLAN_SECRET_KEY": _fernet_key(),
        "OPSPLAN_RUN_TIMEOUT": "300",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


@pytest.fixture
def worker(stack_env, tmp_path):
    """A real RQ worker subprocess on the test's queue; stopped at teardown."""
    workers: list[WorkerProcess] = []

    def start(extra: dict[str, str] | None = None, zones: tuple[str, ...] = ()) -> WorkerProcess:
        """``zones``: the execution zones it serves (``--zone`` each); none: the default zone."""
        env = dict(stack_env)
        env.update(extra or {})
        w = WorkerProcess(env, tmp_path / f"worker{len(workers)}.log", zones=tuple(zones)).start()
        workers.append(w)
        return w

    start.all = workers
    yield start
    for w in workers:
        w.stop()


@pytest.fixture
def fleet_assets(ssh_fleet, stack_env, tmp_path):
    """Import the SSH test hosts as assets (web group, staging) through the real import path."""
    from app.assets.cli import import_path
    from app.config import Settings

    doc = ssh_fleet.assets_yaml()
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(doc))
    import_path(Settings.from_env(stack_env), path)
    return doc


@pytest.fixture
def api(stack_env):
    """A Flask test client plus one bearer token per role: api.as_('approver').post(...)."""
    from app import create_app
    from app.auth import create_token, create_user
    from app.config import Settings
    from app.db import session_scope

    settings = Settings.from_env(stack_env)
    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    tokens: dict[str, str] = {}
    with session_scope(settings.database_url) as s:
        for name, role in [("viewer1", "viewer"), ("operator1", "operator"), ("approver1", "approver"),
                           ("approver2", "approver"), ("admin1", "admin")]:
            create_user(s, name, role)
            tokens[name] = create_token(s, name)[1]
    return ApiClient(flask_app.test_client(), tokens, settings)


class ApiClient:
    def __init__(self, client, tokens: dict[str, str], settings):
        self.client = client
        self.tokens = tokens
        self.settings = settings
        self.user = "operator1"

    def as_(self, user: str) -> ApiClient:
        other = ApiClient(self.client, self.tokens, self.settings)
        other.user = user
        return other

    def with_settings(self, settings) -> ApiClient:
        """The same users and database behind an app built with other settings (e.g. an unreachable Redis)."""
        from app import create_app

        flask_app = create_app(settings)
        flask_app.config["TESTING"] = True
        other = ApiClient(flask_app.test_client(), self.tokens, settings)
        other.user = self.user
        return other

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[self.user]}"}

    def get(self, path: str, **kw):
        return self.client.get(path, headers=self._headers(), **kw)

    def post(self, path: str, json=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(), **kw)

    def put(self, path: str, json=None, **kw):
        return self.client.put(path, json=json, headers=self._headers(), **kw)

    def wait_run(self, run_id: str, timeout: float = 120.0) -> dict:
        import time

        deadline = time.monotonic() + timeout
        while True:
            body = self.get(f"/api/v1/runs/{run_id}").get_json()
            if body["status"] not in ("queued", "running"):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"run {run_id} still {body['status']} after {timeout}s")
            time.sleep(0.3)


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""
