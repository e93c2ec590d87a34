"""Append-only audit log: a keyed hash chain plus an anchor of its head kept outside the database.

Each entry's ``hash`` is HMAC-SHA256, under the audit key, of its canonical fields (which include
``prev_hash``), so rewriting the chain needs the key, which never enters the database
(``OPSPLAN_AUDIT_KEY``, else ``var/audit.key``, generated once). Entries written before the chain was
keyed carry a plain sha256 and verify as "legacy", only as a prefix of the chain.

After each committed append the newest entry's id and hash go to ``var/audit-head.json`` (the anchor)
and to one ``audit.head`` log line, so deleting the newest rows, or rewriting the whole table, is caught.

The audit key and anchor path come from the Flask app's settings inside a request, else from
``Settings.from_env()``; ``configure(settings)`` loads the key up front (a worker calls it before it
scrubs ``OPSPLAN_AUDIT_KEY`` from its environment).
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import AuditEntry
from app.errors import OpsplanError

GENESIS = "0" * 64
KEY_ENV = "OPSPLAN_AUDIT_KEY"
MIN_KEY_CHARS = 16
_PENDING = "opsplan_audit_head"  # session.info key: the head to anchor once the transaction commits
log = logging.getLogger("opsplan.audit")
_keys: dict[Path, bytes] = {}  # var dir -> audit key, filled on first use or by configure()


class AuditKeyError(OpsplanError):
    """The audit key is unusable (too short, unreadable); the message names where it came from, never it."""

    status, code = 500, "audit_key"


# --- the key --------------------------------------------------------------------------------------


def _check_key(raw: str | bytes, origin: str) -> bytes:
    key = (raw.encode() if isinstance(raw, str) else bytes(raw)).strip()
    if len(key) < MIN_KEY_CHARS:
        raise AuditKeyError(f"the audit key from {origin} is shorter than {MIN_KEY_CHARS} characters; "
                            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return key


def _read_key_file(path: Path) -> bytes | None:
    try:
        return _check_key(path.read_bytes(), str(path))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit key file {path}: {exc.strerror}") from None


def load_key(settings: Settings) -> bytes | None:
    """The audit key: ``OPSPLAN_AUDIT_KEY``, else the contents of ``settings.audit_key_file``, else None."""
    if settings.audit_key:
        return _check_key(settings.audit_key, KEY_ENV)
    return _read_key_file(Path(settings.audit_key_file))


def ensure_key(settings: Settings) -> bytes:
    """``load_key``, creating ``settings.audit_key_file`` when there is no key yet.

    The new key is written atomically with mode 0600: processes racing to create it all end with the same key.
    """
    key = load_key(settings)
    if key is not None:
        return key
    path = Path(settings.audit_key_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_urlsafe(32).encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process won the race: then use its key
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    key = _read_key_file(path)
    if key is None:
        raise AuditKeyError(f"the audit key file {path} disappeared while it was created")
    return key


def configure(settings: Settings) -> None:
    """Load (or create) this process's audit key now: a bad key fails at start-up rather than at an append,
    and a worker keeps the key after it drops ``OPSPLAN_AUDIT_KEY`` from its environment."""
    _keys[settings.var_dir] = ensure_key(settings)


def _key_for(settings: Settings) -> bytes:
    if settings.audit_key:
        return _check_key(settings.audit_key, KEY_ENV)
    key = _keys.get(settings.var_dir)
    if key is None:
        key = _keys[settings.var_dir] = ensure_key(settings)
    return key


def _settings() -> Settings:
    from flask import current_app, has_app_context

    if has_app_context():
        configured = current_app.config.get("OPSPLAN_SETTINGS")
        if isinstance(configured, Settings):
            return configured
    return Settings.from_env()


# --- hashing --------------------------------------------------------------------------------------


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at
    if at.tzinfo is None:  # SQLite returns naive datetimes; they were stored as UTC
        at = at.replace(tzinfo=UTC)
    body = {
        "id": entry.id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
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


def entry_hash(entry: AuditEntry, key: bytes) -> str:
    """The keyed hash an entry carries: HMAC-SHA256 of its canonical fields under the audit key."""
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


def legacy_hash(entry: AuditEntry) -> str:
    """The unkeyed sha256 that entries written before the chain was keyed carry."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _same(a: str | None, b: str | None) -> bool:
    return hmac.compare_digest((a or "").encode(), (b or "").encode())  # any text a row may hold, never a crash


# --- the anchor -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    database: str
    at: str = ""


def _database(session: Session) -> str:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    return engine.url.render_as_string(hide_password=True)


def read_anchor(path: Path) -> Anchor | None:
    """The anchor in ``path``, None if there is none; ValueError if it exists but cannot be used."""
    try:
        raw = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
        return Anchor(id=int(doc["id"]), hash=str(doc["hash"]), database=str(doc["database"]),
                      at=str(doc.get("at", "")))
    except (ValueError, KeyError, TypeError):
        raise ValueError("it is not a JSON object with id, hash and database") from None


def _write_anchor(path: Path, head: Anchor) -> None:
    """Replace the anchor atomically (0600), unless it already names a newer entry of the same database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)  # appenders sharing this var dir: the anchor only moves forward
        try:
            current = read_anchor(path)
        except ValueError:
            current = None
        if current and current.database == head.database and current.id >= head.id:
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps({"id": head.id, "hash": head.hash, "database": head.database,
                                     "at": head.at}).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        os.close(lock_fd)


def _anchor_problem(anchor: Anchor, path: Path, head: tuple[int, str] | None,
                    anchored_hash: Callable[[], str | None]) -> str | None:
    """What is wrong with the log ``head`` (id, hash of the newest entry) given the anchor, or None."""
    if head is None or head[0] < anchor.id:
        newest = str(head[0]) if head else "none (the log is empty)"
        return (f"truncated: the anchor in {path} names entry {anchor.id} but the newest entry is {newest} "
                "(entries were deleted from the end)")
    found = head[1] if head[0] == anchor.id else anchored_hash()
    if found is None:
        return f"entry {anchor.id}: missing, but the anchor in {path} names it (deleted)"
    if not _same(found, anchor.hash):
        return f"entry {anchor.id}: its hash differs from the one the anchor in {path} recorded (rewritten)"
    return None


class _GroupAnchor:
    """Group commit of the anchor within a process: each committer takes a ticket and waits until a write that
    started after its ticket is done; one of the waiting committers writes (and fsyncs) the newest waiting head
    for all of them. Concurrent appends then cost one anchor write per burst instead of one each, serialized
    on the anchor's file lock."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: dict[Path, Anchor] = {}  # the newest head waiting to be written, per anchor file
        self._tickets: dict[Path, int] = {}  # tickets handed out, per anchor file
        self._flushed: dict[Path, int] = {}  # every ticket up to this one is written (or given up on)
        self._writing: set[Path] = set()

    def write(self, path: Path, head: Anchor) -> None:
        with self._cond:
            waiting = self._pending.get(path)
            if waiting is None or waiting.database != head.database or waiting.id < head.id:
                self._pending[path] = head
            ticket = self._tickets[path] = self._tickets.get(path, 0) + 1
            while self._flushed.get(path, 0) < ticket:
                if path not in self._writing:
                    self._writing.add(path)
                    target, upto = self._pending.pop(path), self._tickets[path]
                    break
                self._cond.wait()
            else:
                return
        try:
            _write_anchor(path, target)
        finally:  # written or failed (the caller logs it): the tickets it covered stop waiting either way
            with self._cond:
                self._writing.discard(path)
                self._flushed[path] = max(self._flushed.get(path, 0), upto)
                self._cond.notify_all()


_group_anchor = _GroupAnchor()


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the entry is not committed yet
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    head, path, hold = pending
    log.info("audit.head", extra={"id": head.id, "hash": head.hash})
    if hold:
        return  # the log disagreed with the anchor at append time: keep the anchor as evidence
    try:
        _group_anchor.write(path, head)
    except Exception:  # noqa: BLE001 - the entry is committed; the anchor is best effort and must not fail the caller
        log.exception("audit.anchor_failed", extra={"path": str(path), "id": head.id})


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)  # the entry may be gone with it; the anchor then lags, never leads


@event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


# --- appending ------------------------------------------------------------------------------------


def record(session: Session, action: str, *, actor: str = "", plan_id: str | None = None,
           run_id: str | None = None, bundle_sha256: str | None = None, outcome: str = "",
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry inside the caller's transaction (never commits), so it lands with the change it
    records; the anchor is written once that transaction commits."""
    settings = _settings()
    key = _key_for(settings)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))  # one appender at a time
    entry = AuditEntry(
        at=datetime.now(UTC), actor=actor, action=action, plan_id=plan_id, run_id=run_id,
        bundle_sha256=bundle_sha256, outcome=outcome, details=details or {}, prev_hash="", hash="",
    )
    session.add(entry)
    session.flush()  # assigns the id (which the hash covers); on SQLite this takes the write lock first
    last = session.execute(select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.id < entry.id)
                           .order_by(AuditEntry.id.desc()).limit(1)).one_or_none()
    entry.prev_hash = last.hash if last else GENESIS
    entry.hash = entry_hash(entry, key)
    session.flush()
    database = _database(session)
    path = settings.audit_head_file
    hold = _check_anchor_on_append(session, path, database, (last.id, last.hash) if last else None)
    head = Anchor(id=entry.id, hash=entry.hash, database=database, at=entry.at.isoformat())
    previous = session.info.get(_PENDING)
    session.info[_PENDING] = (head, path, hold or bool(previous and previous[2]))
    return entry


def _check_anchor_on_append(session: Session, path: Path, database: str, head: tuple[int, str] | None) -> bool:
    """True (and an error log) when the log before this append disagrees with the anchor."""
    try:
        anchor = read_anchor(path)
    except ValueError as exc:  # keep the file as it is (evidence); verify reports it
        log.error("audit.anchor_unusable", extra={"path": str(path), "reason": str(exc)})
        return True
    if anchor is None or anchor.database != database:
        return False  # no anchor yet, or one left by another database: this append replaces it
    problem = _anchor_problem(anchor, path, head, lambda: session.execute(
        select(AuditEntry.hash).where(AuditEntry.id == anchor.id)).scalar_one_or_none())
    if problem:
        log.error("audit.anchor_mismatch", extra={"problem": problem})
    return problem is not None


# --- verifying ------------------------------------------------------------------------------------


@dataclass
class Report:
    """The outcome of ``verify``: counts, problems (the log is not intact), warnings and the anchor used."""

    entries: int = 0
    keyed: int = 0
    legacy: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    anchor: str = ""
    anchor_entry: int | None = None

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        state = "intact" if self.intact else "NOT intact"
        return (f"audit log {state}: {self.entries} entries ({self.keyed} keyed, {self.legacy} legacy); "
                f"anchor: {self.anchor}")

    def to_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "entries": self.entries, "keyed": self.keyed, "legacy": self.legacy,
                "problems": self.problems, "warnings": self.warnings, "anchor": self.anchor,
                "anchor_entry": self.anchor_entry}


def verify(session: Session, settings: Settings | None = None) -> Report:
    """Check the whole log: every link and keyed hash, the legacy prefix, and the head against the anchor."""
    settings = settings or _settings()
    report = Report()
    key = load_key(settings)
    if key is None:
        report.warnings.append(f"no audit key ({KEY_ENV} is unset and {settings.audit_key_file} does not exist): "
                               "keyed entries cannot be checked")
    path = settings.audit_head_file
    anchor = _load_anchor_for(report, path, _database(session))
    prev, head, anchored_hash, first_keyed, edited = GENESIS, None, None, None, False
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=500)).scalars()
    for e in rows:
        report.entries += 1
        if e.prev_hash != prev:
            report.problems.append(f"entry {e.id}: chain broken (an entry before it was deleted or edited)")
        if key is not None and _same(entry_hash(e, key), e.hash):
            report.keyed += 1
            first_keyed = e.id if first_keyed is None else first_keyed
        elif _same(legacy_hash(e), e.hash):
            report.legacy += 1
            if first_keyed is not None:
                report.problems.append(f"entry {e.id}: unkeyed (legacy) hash after keyed entry {first_keyed} "
                                       "(written or rewritten without the audit key)")
        else:
            report.problems.append(f"entry {e.id}: contents do not match its hash (edited)")
            edited = True
        if anchor is not None and e.id == anchor.id:
            anchored_hash = e.hash
        prev, head = e.hash, (e.id, e.hash)
    if edited and key is not None and not settings.audit_key:
        report.warnings.append(f"entries keyed by a process with another key look edited too: the web service and "
                               f"every worker must share one key ({KEY_ENV}, or the same {settings.audit_key_file})")
    if anchor is not None:
        problem = _anchor_problem(anchor, path, head, lambda: anchored_hash)
        if problem:
            report.problems.append(problem)
            report.anchor = f"entry {anchor.id} in {path} (does not match the log)"
        else:
            report.anchor = f"entry {anchor.id} in {path} (matches)"
    return report


def _load_anchor_for(report: Report, path: Path, database: str) -> Anchor | None:
    """The anchor to check against, with the report's anchor line and any warning or problem it implies."""
    try:
        anchor = read_anchor(path)
    except ValueError as exc:
        report.problems.append(f"the anchor {path} is unusable: {exc}")
        report.anchor = f"{path} (unusable)"
        return None
    if anchor is None:
        report.warnings.append(f"no anchor: {path} does not exist, so deleting the newest entries or rewriting "
                               "the whole log cannot be detected here")
        report.anchor = f"none ({path} does not exist)"
        return None
    if anchor.database != database:
        report.warnings.append(f"the anchor {path} is for another database ({anchor.database}); it was not used")
        report.anchor = f"none ({path} is for another database)"
        return None
    report.anchor_entry = anchor.id
    return anchor


def to_json(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "plan_id": e.plan_id,
        "run_id": e.run_id, "bundle_sha256": e.bundle_sha256, "outcome": e.outcome, "details": e.details,
        "prev_hash": e.prev_hash, "hash": e.hash,
    }
