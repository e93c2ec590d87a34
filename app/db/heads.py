"""Is a database at the newest schema? Answered without alembic: the migration files' revision ids are read
as text and compared with the database's ``alembic_version`` rows (one SELECT). Commands use it to skip
loading alembic when there is nothing to migrate; anything else (no file, no table, an older or unknown
revision) answers False, and the caller then runs the real ``app.db.migrate.upgrade``."""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.exc import SQLAlchemyError

from app.db.session import get_engine

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
_ASSIGN = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.M)


@functools.lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """Revisions no other migration names as its down_revision."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        values = dict(_ASSIGN.findall(path.read_text(encoding="utf-8")))
        if "revision" not in values:
            continue
        revisions.add(str(ast.literal_eval(values["revision"].strip())))
        down = ast.literal_eval(values.get("down_revision", "None").strip())
        parents.update([down] if isinstance(down, str) else list(down or ()))
    return frozenset(revisions - parents)


def schema_is_current(url: str) -> bool:
    """True when the database exists and is at the newest revision (never creates or changes anything)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        db = parsed.database
        if not db or db == ":memory:" or db.startswith("file:") or not Path(db).exists():
            return False
    heads = head_revisions()
    try:
        with get_engine(url).connect() as conn:
            current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except SQLAlchemyError:
        return False
    return bool(heads) and current == heads
