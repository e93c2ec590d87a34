"""The audit log's keyed hash chain and its head anchor (var/audit-head.json), on SQLite and PostgreSQL.

An attacker here has write access to the database but not to var/ (the audit key and the anchor live there):
they can edit, delete, insert and re-hash rows with plain sha256, but cannot compute the keyed hash.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import stat
import threading
from dataclasses import replace
from itertools import pairwise

import pytest
from sqlalchemy import delete, select, update

from app import audit
from app.config import Settings
from app.db import session_scope
from app.db.models import AuditEntry, Base

pytestmark = pytest.mark.unit


def _entries(url):
    with session_scope(url) as s:
        return s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()


def _seed(url, n=5):
    for i in range(n):
        with session_scope(url) as s:  # one transaction per entry, like the services
            audit.record(s, "plan.created", actor=f"user{i}", plan_id=f"p{i}", outcome="ready", details={"i": i})


def _verify(settings) -> audit.Report:
    with session_scope(settings.database_url) as s:
        return audit.verify(s, settings)


def _key(settings) -> bytes:
    return settings.audit_key_file.read_bytes().strip()


def _rewrite_with_sha256(url, first_id=1):
    """What an attacker without the key can do: re-hash entries from ``first_id`` on, re-linking the chain."""
    with session_scope(url) as s:
        prev = None
        for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
            if e.id >= first_id:
                e.prev_hash = prev.hash if prev else audit.GENESIS
                e.hash = audit.legacy_hash(e)
                s.flush()
            prev = e


def _problems_with(report, *needles):
    return [p for p in report.problems if all(n in p for n in needles)]


def test_chain_is_keyed_linked_and_anchored(settings):
    _seed(settings.database_url)
    entries = _entries(settings.database_url)
    key = _key(settings)
    assert len(entries) == 5 and entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
    assert all(e.hash == audit.entry_hash(e, key) != audit.legacy_hash(e) for e in entries)
    report = _verify(settings)
    assert report.intact and (report.entries, report.keyed, report.legacy) == (5, 5, 0)
    assert report.warnings == [] and report.anchor_entry == entries[-1].id
    assert report.summary() == (f"audit log intact: 5 entries (5 keyed, 0 legacy); "
                                f"anchor: entry {entries[-1].id} in {settings.audit_head_file} (matches)")
    head = json.loads(settings.audit_head_file.read_text())
    assert (head["id"], head["hash"]) == (entries[-1].id, entries[-1].hash)
    assert stat.S_IMODE(settings.audit_head_file.stat().st_mode) == 0o600


def test_key_file_is_private_and_never_in_the_database(settings):
    assert not settings.audit_key_file.exists() and settings.audit_key is None
    _seed(settings.database_url, 3)
    assert stat.S_IMODE(settings.audit_key_file.stat().st_mode) == 0o600
    key = _key(settings).decode()
    assert len(key) >= audit.MIN_KEY_CHARS
    with session_scope(settings.database_url) as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)):
                assert key not in repr(tuple(row)), table.name
    assert key not in settings.audit_head_file.read_text()
    assert [p.name for p in settings.var_dir.iterdir() if key in p.read_text(errors="replace")] == ["audit.key"]


def test_a_key_from_the_environment_is_used_and_no_key_file_written(settings, monkeypatch):
    monkeypatch.setenv("OPSPLAN_AUDIT_KEY", "k" * 40)
    with_key = Settings.from_env()
    _seed(settings.database_url, 3)
    assert not settings.audit_key_file.exists()
    assert all(e.hash == audit.entry_hash(e, b"k" * 40) for e in _entries(settings.database_url))
    assert _verify(with_key).intact
    other = _verify(replace(with_key, audit_key="x" * 40))
    assert [p for p in other.problems if "(edited)" in p] == [f"entry {i}: contents do not match its hash (edited)"
                                                              for i in (1, 2, 3)]
    monkeypatch.setenv("OPSPLAN_AUDIT_KEY", "short")
    with pytest.raises(audit.AuditKeyError, match="shorter than 16") as err, session_scope(settings.database_url) as s:
        audit.record(s, "plan.created")
    assert "short" not in str(err.value).replace("shorter", "")
    assert len(_entries(settings.database_url)) == 3


def test_verifying_without_the_key_says_so(settings):
    _seed(settings.database_url, 2)
    settings.audit_key_file.unlink()
    report = _verify(settings)
    assert not report.intact and any("no audit key" in w for w in report.warnings)


def test_racing_creators_end_with_one_key(tmp_path):
    settings = Settings.from_env({"OPSPLAN_VAR_DIR": str(tmp_path / "var")})
    barrier = threading.Barrier(8)
    keys: list[bytes] = []

    def create():
        barrier.wait()
        keys.append(audit.ensure_key(settings))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and keys[0] == _key(settings)
    assert [p.name for p in settings.var_dir.iterdir()] == ["audit.key"]  # no temporary file left behind


def _create_key_in(var_dir: str, barrier, out) -> None:
    barrier.wait()
    out.put(audit.ensure_key(Settings.from_env({"OPSPLAN_VAR_DIR": var_dir})))


def test_racing_processes_end_with_one_key(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_create_key_in, args=(str(tmp_path / "var"), barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    keys = {out.get(timeout=120) for _ in procs}
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert keys == {(tmp_path / "var" / "audit.key").read_bytes().strip()}


def test_edited_entry_is_detected(settings):
    _seed(settings.database_url)
    with session_scope(settings.database_url) as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == 3).values(actor="mallory"))
    report = _verify(settings)
    assert report.problems == ["entry 3: contents do not match its hash (edited)"]


def test_garbage_in_a_hash_is_reported_not_a_crash(settings):
    _seed(settings.database_url, 2)
    with session_scope(settings.database_url) as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == 2).values(hash="\u00e9" * 64))
    report = _verify(settings)
    assert report.problems[0] == "entry 2: contents do not match its hash (edited)"
    assert any("(rewritten)" in p for p in report.problems)


def test_deleted_entry_is_detected(settings):
    _seed(settings.database_url)
    with session_scope(settings.database_url) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == 2))
    assert _problems_with(_verify(settings), "entry 3", "chain broken")


@pytest.mark.parametrize("n", [1, 2, 5])
def test_deleting_the_newest_entries_is_detected(settings, n):
    _seed(settings.database_url)
    with session_scope(settings.database_url) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id > 5 - n))
    report = _verify(settings)
    newest = str(5 - n) if n < 5 else "none (the log is empty)"
    assert report.problems == [f"truncated: the anchor in {settings.audit_head_file} names entry 5 but the newest "
                               f"entry is {newest} (entries were deleted from the end)"]
    assert report.anchor == f"entry 5 in {settings.audit_head_file} (does not match the log)"


def test_truncation_stays_detected_after_new_appends(settings, caplog):
    _seed(settings.database_url)
    anchored = settings.audit_head_file.read_text()
    with session_scope(settings.database_url) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id > 3))
    with caplog.at_level(logging.ERROR, logger="opsplan.audit"):
        _seed(settings.database_url, 3)  # SQLite reuses ids 4 and 5; PostgreSQL goes on with 6, 7, 8
    assert settings.audit_head_file.read_text() == anchored  # the evidence is kept
    assert any(r.getMessage() == "audit.anchor_mismatch" for r in caplog.records)
    report = _verify(settings)
    assert not report.intact
    assert _problems_with(report, "entry 5", "(rewritten)") or _problems_with(report, "entry 5", "(deleted)")


def test_rewriting_the_whole_log_with_sha256_is_detected(settings):
    _seed(settings.database_url)
    _rewrite_with_sha256(settings.database_url)
    report = _verify(settings)
    assert report.problems == [f"entry 5: its hash differs from the one the anchor in {settings.audit_head_file} "
                               "recorded (rewritten)"]
    # without the anchor such a log is indistinguishable from one written before the chain was keyed:
    # that is why a missing anchor is always reported
    settings.audit_head_file.unlink()
    report = _verify(settings)
    assert report.legacy == 5 and any(w.startswith("no anchor:") for w in report.warnings)


def test_rewriting_the_tail_with_sha256_is_detected_even_without_the_anchor(settings):
    _seed(settings.database_url)
    _rewrite_with_sha256(settings.database_url, first_id=3)
    settings.audit_head_file.unlink()
    report = _verify(settings)
    assert report.problems == [f"entry {i}: unkeyed (legacy) hash after keyed entry 1 (written or rewritten "
                               "without the audit key)" for i in (3, 4, 5)]


def test_rehashing_an_edit_with_sha256_is_detected(settings):
    _seed(settings.database_url)
    with session_scope(settings.database_url) as s:
        e = s.get(AuditEntry, 2)
        e.outcome = "rejected"
        s.flush()
        e.hash = audit.legacy_hash(e)
    report = _verify(settings)
    assert _problems_with(report, "entry 2", "unkeyed (legacy)") and _problems_with(report, "entry 3", "chain broken")


def test_a_legacy_prefix_then_keyed_entries_verifies(settings):
    _seed(settings.database_url, 3)
    _rewrite_with_sha256(settings.database_url)  # as written before the chain was keyed
    settings.audit_head_file.unlink()  # ... when there was no anchor either
    _seed(settings.database_url, 2)
    entries = _entries(settings.database_url)
    assert entries[3].prev_hash == entries[2].hash == audit.legacy_hash(entries[2])
    report = _verify(settings)
    assert report.intact and (report.entries, report.keyed, report.legacy) == (5, 2, 3)
    assert report.summary().startswith("audit log intact: 5 entries (2 keyed, 3 legacy); anchor: entry ")


def test_an_unkeyed_entry_after_keyed_ones_fails(settings):
    _seed(settings.database_url, 3)
    with session_scope(settings.database_url) as s:  # appended by someone without the key
        last = s.get(AuditEntry, 3)
        forged = AuditEntry(at=last.at, actor="mallory", action="plan.approved", outcome="approved", details={},
                            prev_hash=last.hash, hash="")
        s.add(forged)
        s.flush()
        forged.hash = audit.legacy_hash(forged)
    report = _verify(settings)
    assert report.problems == ["entry 4: unkeyed (legacy) hash after keyed entry 1 (written or rewritten without "
                               "the audit key)"]


def test_record_never_commits_and_a_rollback_leaves_the_anchor_alone(settings):
    _seed(settings.database_url, 2)
    anchored = settings.audit_head_file.read_text()
    with pytest.raises(RuntimeError), session_scope(settings.database_url) as s:
        audit.record(s, "plan.created", actor="someone")
        raise RuntimeError("the caller's change failed")
    assert len(_entries(settings.database_url)) == 2
    assert settings.audit_head_file.read_text() == anchored
    with session_scope(settings.database_url) as s:
        with s.begin_nested():
            entry = audit.record(s, "plan.created", actor="nested")
        assert settings.audit_head_file.read_text() == anchored  # a released savepoint is not a commit
    assert json.loads(settings.audit_head_file.read_text())["id"] == entry.id
    assert _verify(settings).intact


def test_the_head_is_logged_and_an_anchor_failure_never_fails_the_caller(settings, monkeypatch, caplog):
    def broken(path, head):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit, "_write_anchor", broken)
    with caplog.at_level(logging.INFO, logger="opsplan.audit"), session_scope(settings.database_url) as s:
        entry = audit.record(s, "plan.created", actor="someone")
    assert [e.id for e in _entries(settings.database_url)] == [entry.id]  # committed all the same
    head = [r for r in caplog.records if r.getMessage() == "audit.head"]
    assert [(r.id, r.hash) for r in head] == [(entry.id, entry.hash)]
    assert [r.levelname for r in caplog.records if r.getMessage() == "audit.anchor_failed"] == ["ERROR"]
    assert not settings.audit_head_file.exists()


def test_concurrent_appends_keep_one_chain(settings):
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def append(worker: int):
        try:
            barrier.wait()
            for i in range(5):
                with session_scope(settings.database_url) as s:
                    audit.record(s, "run.finished", actor=f"worker:{worker}", details={"i": i})
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(settings)
    assert report.intact and report.keyed == 20
    assert report.anchor_entry == max(e.id for e in _entries(settings.database_url))


def test_no_anchor_is_a_warning_not_a_failure(settings):
    _seed(settings.database_url, 2)
    settings.audit_head_file.unlink()
    report = _verify(settings)
    assert report.intact and report.anchor == f"none ({settings.audit_head_file} does not exist)"
    assert [w.split(":")[0] for w in report.warnings] == ["no anchor"]


def test_an_anchor_of_another_database_is_not_used_and_then_replaced(settings):
    _seed(settings.database_url, 2)
    settings.audit_head_file.write_text(json.dumps({"id": 99, "hash": "f" * 64, "database": "sqlite:///other.db"}))
    report = _verify(settings)
    assert report.intact and "another database (sqlite:///other.db)" in report.warnings[0]
    _seed(settings.database_url, 1)
    assert json.loads(settings.audit_head_file.read_text())["id"] == 3
    assert _verify(settings).anchor.endswith("(matches)")


def test_an_unusable_anchor_is_a_problem_and_kept(settings):
    _seed(settings.database_url, 2)
    settings.audit_head_file.write_text("not json")
    report = _verify(settings)
    assert report.problems == [f"the anchor {settings.audit_head_file} is unusable: it is not a JSON object with "
                               "id, hash and database"]
    _seed(settings.database_url, 1)
    assert settings.audit_head_file.read_text() == "not json"


def test_concurrent_committers_share_one_anchor_write(tmp_path, monkeypatch):
    """Group commit: while one anchor write is in progress, every committer that arrives waits, then one of
    them writes the newest head for all; nobody returns before an anchor covering its head is written."""
    from tests.harness.waiting import wait_for

    group = audit._GroupAnchor()
    path = tmp_path / "audit-head.json"
    written: list[int] = []
    release = threading.Event()

    def slow_write(p, head):
        if not written:
            release.wait(timeout=60)  # the first write blocks until the others queued up behind it
        written.append(head.id)

    monkeypatch.setattr(audit, "_write_anchor", slow_write)
    done: list[int] = []
    first = threading.Thread(target=lambda: (group.write(path, audit.Anchor(1, "h1", "db")), done.append(1)))
    first.start()
    wait_for("the first write to start", lambda: group._writing == {path}, timeout=30)
    others = [threading.Thread(target=lambda i=i: (group.write(path, audit.Anchor(i, f"h{i}", "db")), done.append(i)))
              for i in range(2, 7)]
    for t in others:
        t.start()
    wait_for("five committers waiting", lambda: group._tickets.get(path) == 6, timeout=30)
    assert done == []
    release.set()
    for t in (first, *others):
        t.join(timeout=60)
    assert written == [1, 6] and sorted(done) == [1, 2, 3, 4, 5, 6]
