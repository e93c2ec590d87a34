from __future__ import annotations

import pytest

from app.db.models import Conversation
from app.errors import NotFound
from app.services.chat import handle_message, next_request
from tests.app.planner.helpers import fleet_vocab, load_fleet_into_db

V = fleet_vocab()


@pytest.mark.unit
@pytest.mark.parametrize("pending,answer,expected", [
    ("restart nginx", "on web-01", "restart nginx on web-01"),
    ("restart nginx", "the staging ones", "restart nginx the staging ones"),
    ("restart nginx on web-09", "web-01", "restart nginx web-01"),
    (r"update sc.exe on the cis servers", r"from \\file-01\x.exe",
     r"update sc.exe on the cis servers from \\file-01\x.exe"),
    ("restart nginx", "ping db-01", "ping db-01"),  # a new request replaces the pending one
    (None, "on web-01", "on web-01"),
])
def test_next_request(pending, answer, expected):
    assert next_request(pending, answer, V) == expected


@pytest.mark.unit
def test_conversation_completes_the_pending_request(session, settings):
    load_fleet_into_db(session)
    first = handle_message(session, "restart nginx", None, settings, "op")
    assert first["plan"]["status"] == "needs_clarification"
    assert first["reply"] == "Which hosts should I restart nginx on?"
    conv = session.get(Conversation, first["conversation_id"])
    assert conv.pending_request == "restart nginx"
    second = handle_message(session, "on the staging web servers", first["conversation_id"], settings, "op")
    assert second["conversation_id"] == first["conversation_id"]
    assert second["plan"]["status"] == "ready" and second["plan"]["hosts"] == ["iis-02", "web-03", "web-04"]
    assert second["plan"]["request"] == "restart nginx on the staging web servers"
    assert "service.restart" in second["reply"]
    assert conv.pending_request is None and len(conv.messages) == 4
    assert conv.messages[-1]["plan"]["status"] == "ready"


@pytest.mark.unit
def test_missing_source_then_source(session, settings):
    load_fleet_into_db(session)
    first = handle_message(session, "update stationcontroller.exe on the cis servers in production", None, settings,
                           "op")
    assert "Where should I get the new stationcontroller from?" in first["reply"]
    second = handle_message(session, r"from \\file-01\releases\stationcontroller.exe", first["conversation_id"],
                            settings, "op")
    step = second["plan"]["steps"][0]
    assert step["action"] == "app.update" and step["params"]["source"] == r"\\file-01\releases\stationcontroller.exe"
    assert second["plan"]["hosts"] == ["cis-01", "cis-02"]


@pytest.mark.unit
def test_unknown_conversation(session, settings):
    with pytest.raises(NotFound):
        handle_message(session, "ping web-01", "nope", settings, "op")
