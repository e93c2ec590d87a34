"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_POSTGRES_URL is set)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from app.config import Settings
from app.db import dispose_all, session_scope, upgrade
from tests.harness.services import redis_url_for_tests

pytest_plugins = ["tests.harness.fixtures"]

_DB_PARAMS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_POSTGRES_URL") else [])


def _postgres_url(base: str) -> tuple[str, str]:
    """Create a throw-away database on the server of ``base``; return (url, name)."""
    name = "opsplan_t_" + uuid.uuid4().hex[:10]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name, name


@pytest.fixture(autouse=True)
def _private_var_dir(tmp_path, monkeypatch):
    """Every test gets its own state directory (keys, audit anchor): nothing lands in the work tree."""
    monkeypatch.setenv("OPSPLAN_VAR_DIR", str(tmp_path / "var"))


@pytest.fixture(params=_DB_PARAMS)
def db_url(request, tmp_path):
    """A migrated, empty database: SQLite, and PostgreSQL too when TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'opsplan.db'}"
        upgrade(url)
        yield url
        dispose_all()
        return
    base = os.environ["TEST_POSTGRES_URL"]
    url, name = _postgres_url(base)
    upgrade(url)
    yield url
    dispose_all()
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def session(db_url):
    with session_scope(db_url) as s:
        yield s


@pytest.fixture
def settings(db_url, tmp_path, monkeypatch) -> Settings:
    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url_for_tests(),
        "OPSPLAN_VAR_DIR": str(var),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return Settings.from_env(env)


@pytest.fixture
def app(settings):
    from app import create_app

    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def client(app):
    return app.test_client()


# Heavy end-to-end tests whose subject is not the database run on SQLite only; the tests of SQL behaviour
# (claims, locks, audit chain, migrations, queries) and the worker's own tests run on both.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
