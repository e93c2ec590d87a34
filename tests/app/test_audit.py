import pytest
from sqlalchemy import select, update

from app import audit
from app.db import session_scope
from app.db.models import AuditEntry


def _entries(url):
    with session_scope(url) as s:
        return s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()


def _seed(url, n=5):
    with session_scope(url) as s:
        for i in range(n):
            audit.record(s, "plan.created", actor=f"user{i}", plan_id=f"p{i}", outcome="ready", details={"i": i})


@pytest.mark.unit
def test_chain_is_intact_and_linked(db_url):
    _seed(db_url)
    entries = _entries(db_url)
    assert len(entries) == 5
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))
    assert audit.verify(entries) == []


@pytest.mark.unit
def test_edited_entry_is_detected(db_url):
    _seed(db_url)
    with session_scope(db_url) as s:
        s.execute(update(AuditEntry).where(AuditEntry.id == 3).values(actor="mallory"))
    problems = audit.verify(_entries(db_url))
    assert any("entry 3" in p and "edited" in p for p in problems)


@pytest.mark.unit
def test_deleted_entry_is_detected(db_url):
    _seed(db_url)
    with session_scope(db_url) as s:
        s.delete(s.get(AuditEntry, 2))
    problems = audit.verify(_entries(db_url))
    assert any("entry 3" in p and "chain broken" in p for p in problems)


@pytest.mark.unit
def test_rehashing_an_edit_still_breaks_the_chain(db_url):
    _seed(db_url)
    with session_scope(db_url) as s:
        e = s.get(AuditEntry, 2)
        e.outcome = "rejected"
        s.flush()
        e.hash = audit.entry_hash(e)
    problems = audit.verify(_entries(db_url))
    assert any("entry 3" in p and "chain broken" in p for p in problems)
