"""Which messages are follow-ups (checked before a message is planned as a new request), and what is left of
them for the planner."""
from __future__ import annotations

import pytest

from app.services.chat_followups import FAILED, INSTEAD_WORD, _without, kind_of

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("message,kind", [
    ("cancel that", "cancel"), ("Cancel it please.", "cancel"), ("stop", "cancel"), ("never mind", "cancel"),
    ("abort the run", "cancel"),
    ("only on the ones that failed", "failed"), ("retry the failed hosts", "failed"),
    ("restart nginx on the hosts that didn't succeed", "failed"), ("and the unreachable ones", "failed"),
    ("what about db-02?", "about"), ("And how about the staging ones", "about"),
    ("now the same on staging", "same"), ("same for db-01 and db-02", "same"), ("do it on web-03 too", "same"),
    ("restart it instead", "instead"), ("no, stop nginx instead", "instead"), ("instead, reload it", "instead"),
    ("stop nginx on web-01", None), ("restart nginx", None), ("check disk space on web-01", None),
    ("cancel the nginx maintenance on web-01", None), ("on web-01", None),
])
def test_kind_of(message, kind):
    assert kind_of(message) == kind


@pytest.mark.parametrize("rx,message,rest", [
    (FAILED, "only on the ones that failed", ""),
    (FAILED, "restart nginx on the ones that failed", "restart nginx"),
    (FAILED, "retry the failed hosts", "retry the"),
    (INSTEAD_WORD, "no, stop nginx instead", "stop nginx"),
    (INSTEAD_WORD, "instead, restart it", "restart it"),
])
def test_without(rx, message, rest):
    assert _without(rx, message) == rest
