"""`opsplan serve` runs the configured number of gunicorn worker processes, and concurrent plan requests
across them all succeed (SQLite in WAL mode with a busy timeout; PostgreSQL)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.config import Settings, SettingsError, default_web_workers
from app.db import session_scope
from tests.app.planner.helpers import load_fleet_into_db
from tests.harness.services import free_port
from tests.harness.waiting import wait_for


def test_worker_settings_default_from_the_cores_and_are_typed(tmp_path):
    s = Settings.from_env({"OPSPLAN_VAR_DIR": str(tmp_path)})
    assert s.web_workers == default_web_workers() == min(2 * (os.cpu_count() or 1) + 1, 9) and s.web_threads == 32
    s = Settings.from_env({"OPSPLAN_WEB_WORKERS": "3", "OPSPLAN_WEB_THREADS": "8"})
    assert (s.web_workers, s.web_threads) == (3, 8)
    with pytest.raises(SettingsError, match="OPSPLAN_WEB_WORKERS must be"):
        Settings.from_env({"OPSPLAN_WEB_WORKERS": "many"})
    with pytest.raises(SettingsError, match="OPSPLAN_WEB_THREADS must be positive"):
        Settings.from_env({"OPSPLAN_WEB_THREADS": "0"})


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return out


def test_serve_runs_the_configured_workers_and_concurrent_plans_succeed(db_url, redis_url, tmp_path):
    from app.auth import create_token, create_user

    with session_scope(db_url) as s:
        load_fleet_into_db(s)
        create_user(s, "op", "operator")
        token = create_token(s, "op")[1]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "OPSPLAN_SECRET_KEY"}
    env.update({"DATABASE_URL": db_url, "REDIS_URL": redis_url, "OPSPLAN_VAR_DIR": str(tmp_path / "var"),
                "OPSPLAN_WEB_WORKERS": "2", "OPSPLAN_WEB_THREADS": "4"})
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert proc.poll() is None, log.read_text()[-2000:]
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def post_plan(i: int) -> int:
        body = json.dumps({"request": f"ping web-0{1 + i % 4}"}).encode()
        req = urllib.request.Request(base + "/api/v1/plans", data=body, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status

    try:
        wait_for("the web service to answer /health", healthy, timeout=60)
        wait_for("two gunicorn workers", lambda: len(_children(proc.pid)) == 2, timeout=30)
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(post_plan, range(24)))
        assert statuses == [201] * 24, log.read_text()[-2000:]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
