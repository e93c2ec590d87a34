"""First start: several processes migrating one fresh database at once all succeed (the migration is
serialized: an advisory lock on PostgreSQL, a file lock on SQLite), and a web refuses an unmigrated one."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import _postgres_url
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
RACER = """
import sys
from pathlib import Path
Path(sys.argv[2]).write_text("ready")
sys.stdin.readline()  # blocks until the parent releases every racer at once
from app.db.migrate import upgrade
upgrade(sys.argv[1])
"""
PROCESSES = 4


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """A database nobody has migrated: a new SQLite file path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'opsplan.db'}"
        return
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        pytest.skip("TEST_POSTGRES_URL is not set")
    url, name = _postgres_url(base)
    yield url
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_four_processes_migrate_a_fresh_database_at_once(fresh_url, tmp_path):
    (tmp_path / "fresh").mkdir(exist_ok=True)
    procs = []
    for i in range(PROCESSES):
        procs.append(subprocess.Popen([sys.executable, "-c", RACER, fresh_url, str(tmp_path / f"ready{i}")],
                                      cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    wait_for("every migrating process to be ready", lambda: all((tmp_path / f"ready{i}").exists()
                                                                 for i in range(PROCESSES)), timeout=60)
    for p in procs:  # all start migrating at the same moment
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [(p.wait(timeout=240), *p.communicate()) for p in procs]
    for code, _out, err in results:
        assert code == 0, err[-2000:]
    from app.db import dispose_all
    from app.db.migrate import schema_status

    status = schema_status(fresh_url)
    assert status.up_to_date, status
    engine = create_engine(fresh_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 0
    engine.dispose()
    dispose_all()


def test_serve_refuses_an_unmigrated_database_and_db_upgrade_migrates_it(tmp_path):
    import sqlite3

    db = tmp_path / "old.db"
    sqlite3.connect(db).close()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "OPSPLAN_VAR_DIR": str(tmp_path / "var")}
    serve = subprocess.run([sys.executable, "-m", "app", "serve", "--port", "0"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert serve.returncode == 1
    assert "not migrated" in serve.stderr and "opsplan db upgrade" in serve.stderr, serve.stderr
    assert len(serve.stderr.strip().splitlines()) == 1, serve.stderr  # one line, no traceback
    status = subprocess.run([sys.executable, "-m", "app", "db", "status"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert status.returncode == 1 and "not migrated" in status.stdout
    up = subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], env=env, cwd=ROOT, capture_output=True,
                        text=True, timeout=120)
    assert up.returncode == 0 and "migrated from nothing" in up.stdout, up.stdout + up.stderr
    status = subprocess.run([sys.executable, "-m", "app", "db", "status"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert status.returncode == 0 and "newest revision" in status.stdout
