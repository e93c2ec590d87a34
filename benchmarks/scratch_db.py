"""A throw-away PostgreSQL database for a benchmark run (created on the server of TEST_POSTGRES_URL, dropped after)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def scratch_postgres(base: str, prefix: str = "opsplan_bench_") -> Iterator[str]:
    """Yield the URL of a new, empty database beside ``base``; drop it (closing Opsplan's engines first) after."""
    name = prefix + uuid.uuid4().hex[:8]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        from app.db import dispose_all

        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
