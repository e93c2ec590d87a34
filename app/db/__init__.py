"""Database facade: models, engine/session helpers and migrations (alembic is imported on first use of
``upgrade``: commands that find the schema current never load it)."""
from typing import TYPE_CHECKING, Any

from app.db.session import dispose_all, get_engine, session_factory, session_scope

if TYPE_CHECKING:
    from app.db.migrate import upgrade


def __getattr__(name: str) -> Any:
    if name == "upgrade":
        from app.db.migrate import upgrade

        return upgrade
    raise AttributeError(name)


__all__ = ["upgrade", "get_engine", "session_factory", "session_scope", "dispose_all"]
