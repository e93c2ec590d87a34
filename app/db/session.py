"""Engine and session handling; one engine per database URL per process."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

_engines: dict[str, Engine] = {}
_factories: dict[str, sessionmaker] = {}


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes, no fsync per commit
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def _private_sqlite_file(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (its -wal/-shm files take the same mode).

    A file that already exists and that this process owns is tightened to 0600 as well.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)
    except OSError:
        pass  # not ours, or gone: SQLite reports what matters


def get_engine(url: str) -> Engine:
    engine = _engines.get(url)
    if engine is None:
        from app.assets import version  # the asset version counter follows every ORM session's fleet changes

        version.install()
        if url.startswith("sqlite"):
            path = make_url(url).database  # None or "" or ":memory:" for an in-memory database
            if path and path != ":memory:" and not path.startswith("file:"):
                _private_sqlite_file(Path(path))
            engine = create_engine(url, connect_args={"timeout": 15})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _engines[url] = engine
        _factories[url] = sessionmaker(engine, expire_on_commit=False)
    return engine


def session_factory(url: str) -> sessionmaker:
    get_engine(url)
    return _factories[url]


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_all() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _factories.clear()


_pid = os.getpid()


def after_fork() -> None:
    """In a forked child (an RQ work horse): drop the pooled connections inherited from the parent without
    closing them (they stay the parent's), so the child never shares a database connection with it."""
    global _pid
    if os.getpid() == _pid:
        return
    _pid = os.getpid()
    for engine in _engines.values():
        engine.dispose(close=False)
