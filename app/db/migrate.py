"""Alembic migrations, run programmatically (no alembic.ini needed)."""
from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

from app.db.session import get_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_done: set[str] = set()
_lock = threading.Lock()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (idempotent, once per process)."""
    with _lock:
        if url in _done:
            return
        engine = get_engine(url)
        cfg = alembic_config(url)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        _done.add(url)
