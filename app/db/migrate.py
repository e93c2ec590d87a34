"""Alembic migrations, run programmatically (no alembic.ini needed), serialized between processes.

Several processes starting at once on a fresh database (``docker compose up``, a worker beside ``opsplan
serve``) would race the migration; ``upgrade`` holds a lock while it runs: a transaction-level advisory
lock on PostgreSQL, an exclusive ``fcntl`` lock on a file beside the database on SQLite. The loser waits,
then finds the schema current and does nothing.

``schema_status`` / ``require_current`` tell whether a database is at the newest revision (the web refuses
to start otherwise, with the ``opsplan db upgrade`` hint); ``missing_sqlite_file`` lets commands that need
existing data refuse instead of silently creating an empty database.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db.session import get_engine
from app.errors import OpsplanError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
PG_LOCK_KEY = 0x6F7073706C616E  # "opsplan": the advisory lock every Opsplan process migrates under
UPGRADE_HINT = "run `opsplan db upgrade` (with this DATABASE_URL) to migrate it"
_done: set[str] = set()
_lock = threading.Lock()


class SchemaNotCurrent(OpsplanError):
    status, code = 503, "schema_not_current"


@dataclass(frozen=True)
class SchemaStatus:
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return set(self.current) == set(self.heads)

    def describe(self) -> str:
        if self.up_to_date:
            return f"at the newest revision {', '.join(self.heads)}"
        if not self.current:
            return f"not migrated (no schema; newest revision {', '.join(self.heads)})"
        return f"at revision {', '.join(self.current)}, the newest is {', '.join(self.heads)}"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).resolve()


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist (a command would create an empty database)."""
    path = sqlite_path(url)
    return path if path is not None and not path.exists() else None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks until the migrating process is done
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (idempotent, once per process, one process at a time)."""
    with _lock:
        if url in _done:
            return
        engine = get_engine(url)
        cfg = alembic_config(url)
        path = sqlite_path(url)
        guard = _file_lock(path.with_name(path.name + ".migrate.lock")) if path else contextlib.nullcontext()
        with guard, engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        _done.add(url)


def head_revisions() -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))


def schema_status(url: str) -> SchemaStatus:
    """Where the database stands against the migrations (never creates or changes anything)."""
    missing = missing_sqlite_file(url)
    if missing is not None:
        return SchemaStatus((), head_revisions())
    with get_engine(url).connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return SchemaStatus(tuple(sorted(current)), head_revisions())


def require_current(url: str) -> None:
    """SchemaNotCurrent (with the upgrade hint) unless the database is at the newest revision."""
    status = schema_status(url)
    if not status.up_to_date:
        where = sqlite_path(url) or make_url(url).render_as_string(hide_password=True)
        raise SchemaNotCurrent(f"the database {where} is {status.describe()}; {UPGRADE_HINT}")
