"""Append-only, hash-chained audit log: each entry's hash covers its fields and the previous hash."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db.models import AuditEntry

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at
    if at.tzinfo is None:  # SQLite returns naive datetimes; they were stored as UTC
        at = at.replace(tzinfo=timezone.utc)
    body = {
        "id": entry.id,
        "at": at.astimezone(timezone.utc).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "plan_id": entry.plan_id,
        "run_id": entry.run_id,
        "bundle_sha256": entry.bundle_sha256,
        "outcome": entry.outcome,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record(session: Session, action: str, *, actor: str = "", plan_id: str | None = None,
           run_id: str | None = None, bundle_sha256: str | None = None, outcome: str = "",
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry (inside the caller's transaction, so it lands with the change it records)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))  # one appender at a time
    last = session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()
    entry = AuditEntry(
        at=datetime.now(timezone.utc),
        actor=actor, action=action, plan_id=plan_id, run_id=run_id, bundle_sha256=bundle_sha256,
        outcome=outcome, details=details or {}, prev_hash=last.hash if last else GENESIS,
    )
    session.add(entry)
    session.flush()  # assigns the id, which the hash covers
    entry.hash = entry_hash(entry)
    session.flush()
    return entry


def verify(entries: Iterable[AuditEntry]) -> list[str]:
    """Problems found in the chain (empty when intact): edited, deleted or reordered entries."""
    problems: list[str] = []
    prev = GENESIS
    for e in entries:
        if e.prev_hash != prev:
            problems.append(f"entry {e.id}: chain broken (an entry before it was deleted or edited)")
        if entry_hash(e) != e.hash:
            problems.append(f"entry {e.id}: contents do not match its hash (edited)")
        prev = e.hash
    return problems


def to_json(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "plan_id": e.plan_id,
        "run_id": e.run_id, "bundle_sha256": e.bundle_sha256, "outcome": e.outcome, "details": e.details,
        "prev_hash": e.prev_hash, "hash": e.hash,
    }
