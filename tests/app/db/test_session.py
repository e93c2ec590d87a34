"""State files are private: the SQLite database (and its -wal/-shm files) is created 0600."""
from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from app.db import dispose_all, session_scope, upgrade

pytestmark = pytest.mark.unit


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_sqlite_files_are_created_0600(tmp_path):
    old = os.umask(0o022)  # a usual umask: files would be 0644 without the explicit mode
    try:
        db = tmp_path / "var" / "opsplan.db"
        url = f"sqlite:///{db}"
        upgrade(url)
        with session_scope(url) as s:
            s.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
            s.execute(text("INSERT INTO probe VALUES (1)"))
            s.flush()
            files = sorted(p.name for p in db.parent.iterdir())
            assert {"opsplan.db", "opsplan.db-wal", "opsplan.db-shm"} <= set(files), files
            for name in ("opsplan.db", "opsplan.db-wal", "opsplan.db-shm"):
                assert _mode(db.parent / name) == 0o600, name
        assert _mode(db.parent) == 0o700
    finally:
        os.umask(old)
        dispose_all()


def test_an_existing_database_is_tightened(tmp_path):
    db = tmp_path / "old.db"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    try:
        with session_scope(f"sqlite:///{db}") as s:
            s.execute(text("SELECT 1"))
        assert _mode(db) == 0o600
    finally:
        dispose_all()
