"""Request-side access to settings, the database and Redis (for blueprints)."""
from __future__ import annotations

from contextlib import AbstractContextManager

from flask import current_app
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.session import session_scope


def settings() -> Settings:
    return current_app.config["OPSPLAN_SETTINGS"]


def db_session() -> AbstractContextManager[Session]:
    """A transaction on the configured database: commit on success, roll back on error."""
    return session_scope(settings().database_url)


def redis_conn():
    from app.queue import redis_connection

    return redis_connection(settings().redis_url)
