"""Database facade: models, engine/session helpers and migrations."""
from app.db.migrate import upgrade
from app.db.session import dispose_all, get_engine, session_factory, session_scope

__all__ = ["upgrade", "get_engine", "session_factory", "session_scope", "dispose_all"]
