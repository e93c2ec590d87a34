"""The asset version counter: one number that changes in the same transaction as every fleet change.

Caches of fleet-derived data (the planner's vocabulary in ``app.planner.fleet``) key on it, so a change
committed by any process is seen by the next request of every process, and an uncommitted one by none.

Bumped by ``bump`` (the bulk upsert calls it after its Core statements) and by a ``before_flush``
listener on every ORM session that adds, changes or deletes an asset, group or credential (changes to
an asset's SSH host keys alone do not count: they are not part of the inventory nor of the vocabulary).
"""
from __future__ import annotations

import threading

from sqlalchemy import Integer, String, cast, event, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.fleet_models import Asset, Credential, Group, Setting

KEY = "asset_version"
_settings = Setting.metadata.tables["settings"]
# Asset attributes whose change does not change the fleet as the planner and the inventory see it.
_NOT_FLEET = frozenset({"host_keys", "host_key_source", "host_keys_pinned_at", "host_keys_pending",
                        "host_keys_pending_at", "updated_at", "created_at"})
_installed = False
_install_lock = threading.Lock()


def current(session: Session) -> str:
    """The committed (or this transaction's) asset version; "0" before the first change."""
    return session.scalar(select(Setting.value).where(Setting.key == KEY)) or "0"


def bump(session: Session) -> None:
    """Increment the counter inside the caller's transaction (one UPDATE; the row is made by migration 0006)."""
    conn = session.connection()
    counter = _settings.c.value
    result = conn.execute(update(_settings).where(_settings.c.key == KEY)
                          .values(value=cast(cast(counter, Integer) + 1, String)))
    if result.rowcount != 0:
        return
    # A database made without the migration's row. SQLite holds its one write lock already; elsewhere a
    # concurrent first insert is possible: a savepoint keeps this transaction usable if it loses.
    if conn.dialect.name == "sqlite":
        conn.execute(insert(_settings).values(key=KEY, value="1"))
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(_settings).values(key=KEY, value="1"))
    except IntegrityError:
        conn.execute(update(_settings).where(_settings.c.key == KEY)
                     .values(value=cast(cast(counter, Integer) + 1, String)))


def _fleet_change(obj: object, deleted: bool) -> bool:
    if isinstance(obj, (Group, Credential)):
        return True
    if not isinstance(obj, Asset):
        return False
    state = inspect(obj)
    if deleted or state.pending or not state.has_identity:
        return True
    return any(attr.key not in _NOT_FLEET and attr.history.has_changes() for attr in state.attrs)


def _before_flush(session: Session, _context, _instances) -> None:
    if session.info.get("asset_version_bumping"):
        return
    changed = any(_fleet_change(o, False) for o in session.new) or \
        any(_fleet_change(o, True) for o in session.deleted) or \
        any(_fleet_change(o, False) for o in session.dirty if session.is_modified(o))
    if changed:
        session.info["asset_version_bumping"] = True
        try:
            bump(session)
        finally:
            session.info.pop("asset_version_bumping", None)


def install() -> None:
    """Listen on every ORM session (idempotent; ``app.db.session`` calls it when it makes an engine)."""
    global _installed
    with _install_lock:
        if not _installed:
            event.listen(Session, "before_flush", _before_flush)
            _installed = True
