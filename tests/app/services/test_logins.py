"""The failed-login throttle on its own: explicit "now", no Flask, no sleeping."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import defaults
from app.db.models import LoginFailure
from app.services import logins

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=defaults.LOGIN_WINDOW_SECONDS)
PER_USER, PER_ADDRESS = defaults.LOGIN_FAILURES_PER_USER, defaults.LOGIN_FAILURES_PER_ADDRESS


def rows(session) -> int:
    return session.scalar(select(func.count()).select_from(LoginFailure))


def test_a_user_name_waits_until_its_oldest_counted_failure_leaves_the_window(session):
    for i in range(PER_USER - 1):
        logins.record_failure(session, "alice", "10.0.0.1", T0 + timedelta(seconds=i))
    assert logins.retry_at(session, "alice", "10.0.0.1", T0 + timedelta(seconds=10)) is None
    logins.record_failure(session, "alice", "10.0.0.2", T0 + timedelta(seconds=10))
    until = T0 + WINDOW  # the first of the five
    for now in (T0 + timedelta(seconds=11), until - timedelta(microseconds=1)):
        assert logins.retry_at(session, "alice", "10.0.0.3", now) == until
    assert logins.retry_at(session, "alice", "10.0.0.3", until) is None
    assert logins.retry_at(session, "bob", "10.0.0.3", T0 + timedelta(seconds=11)) is None


def test_an_address_waits_after_its_own_limit_whatever_the_names(session):
    for i in range(PER_ADDRESS):
        logins.record_failure(session, f"user{i}", "10.0.0.9", T0 + timedelta(seconds=i))
    now = T0 + timedelta(seconds=PER_ADDRESS)
    assert logins.retry_at(session, "carol", "10.0.0.9", now) == T0 + WINDOW
    assert logins.retry_at(session, "carol", "10.0.0.8", now) is None
    assert logins.retry_at(session, "user1", "10.0.0.8", now) is None  # one failure for that name only


def test_success_clears_the_users_failures_and_old_rows_are_pruned(session):
    for i in range(PER_USER):
        logins.record_failure(session, "alice", "10.0.0.1", T0 + timedelta(seconds=i))
    logins.record_failure(session, "bob", "10.0.0.1", T0)
    logins.clear_failures(session, "alice")
    assert rows(session) == 1 and logins.retry_at(session, "alice", "10.0.0.1", T0 + timedelta(seconds=9)) is None
    logins.record_failure(session, "dave", "10.0.0.1", T0 + WINDOW)  # bob's failure has just left the window
    assert rows(session) == 1
    assert logins.prune(session, T0 + 2 * WINDOW) == 1 and rows(session) == 0


def test_names_and_addresses_the_columns_cannot_hold_are_cut_not_refused(session):
    long_name, long_address = "n" * 300, "a" * 100
    for i in range(PER_USER):
        logins.record_failure(session, long_name, long_address, T0 + timedelta(seconds=i))
        logins.record_failure(session, "nul\x00name", "::1", T0 + timedelta(seconds=i))
    now = T0 + timedelta(seconds=PER_USER)
    assert logins.retry_at(session, long_name, "10.0.0.1", now) == T0 + WINDOW
    assert logins.retry_at(session, "nul\x00name", "10.0.0.1", now) == T0 + WINDOW
    logins.clear_failures(session, "nul\x00name")
    assert rows(session) == PER_USER
