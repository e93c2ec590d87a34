"""Throttling of failed web logins, per user name and per address.

Failures are rows of ``login_failures`` so that every web process sees the same counts. After
``LOGIN_FAILURES_PER_USER`` failures for one user name, or ``LOGIN_FAILURES_PER_ADDRESS`` from one address,
within ``LOGIN_WINDOW_SECONDS``, attempts wait until enough of those failures have left the window. Callers
pass "now", so the window is testable without sleeping.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, delete, select
from sqlalchemy.orm import Session

from app import defaults
from app.db.models import LoginFailure

USERNAME_CHARS = 128  # the columns' sizes
ADDRESS_CHARS = 64


def _window() -> timedelta:
    return timedelta(seconds=defaults.LOGIN_WINDOW_SECONDS)


def _clean(value: str, size: int) -> str:
    # PostgreSQL refuses NUL characters and longer strings than the column; the key only has to be stable
    return value.replace("\x00", "\ufffd")[:size]


def _blocked_until(session: Session, where: ColumnElement[bool], limit: int, now: datetime) -> datetime | None:
    """The end of the wait, if ``limit`` failures matching ``where`` lie within the window before ``now``."""
    # the limit-th most recent failure: once it leaves the window, fewer than limit remain in it
    nth = session.execute(
        select(LoginFailure.at).where(where, LoginFailure.at > now - _window())
        .order_by(LoginFailure.at.desc()).offset(limit - 1).limit(1)
    ).scalar_one_or_none()
    return None if nth is None else nth + _window()


def retry_at(session: Session, username: str, address: str, now: datetime) -> datetime | None:
    """When this user name and address may try again, or None when they may try now."""
    waits = [
        _blocked_until(session, LoginFailure.username == _clean(username, USERNAME_CHARS),
                       defaults.LOGIN_FAILURES_PER_USER, now),
        _blocked_until(session, LoginFailure.address == _clean(address, ADDRESS_CHARS),
                       defaults.LOGIN_FAILURES_PER_ADDRESS, now),
    ]
    return max((w for w in waits if w is not None), default=None)


def record_failure(session: Session, username: str, address: str, now: datetime) -> None:
    """Count a failed login; failures older than the window are pruned on the way."""
    prune(session, now)
    session.add(LoginFailure(username=_clean(username, USERNAME_CHARS), address=_clean(address, ADDRESS_CHARS),
                             at=now))
    session.flush()


def clear_failures(session: Session, username: str) -> None:
    """A successful login: that user name's failures no longer count (against it or its address)."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == _clean(username, USERNAME_CHARS)))


def prune(session: Session, now: datetime) -> int:
    """Delete failures that left the window; returns how many."""
    statement = delete(LoginFailure).where(LoginFailure.at <= now - _window())
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]  # a DELETE's result
    return result.rowcount or 0
