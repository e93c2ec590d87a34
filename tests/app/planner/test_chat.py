from __future__ import annotations

import pytest

from app.db import session_scope
from app.db.models import Conversation
from app.errors import NotFound
from app.services.chat import handle_message, next_request
from app.services.chat_cards import Viewer
from tests.app.planner.helpers import fleet_vocab, load_fleet_into_db

V = fleet_vocab()
OP = Viewer("op", "operator")


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
def test_conversation_completes_the_pending_request(settings):
    with session_scope(settings.database_url) as session:
        load_fleet_into_db(session)
    first = handle_message(settings, "restart nginx", None, OP)
    assert first["plan"]["status"] == "needs_clarification"
    assert first["reply"] == "Which hosts should I restart nginx on?"
    with session_scope(settings.database_url) as session:
        assert session.get(Conversation, first["conversation_id"]).pending_request == "restart nginx"
    second = handle_message(settings, "on the staging web servers", first["conversation_id"], OP)
    assert second["conversation_id"] == first["conversation_id"]
    assert second["plan"]["status"] == "ready" and second["plan"]["hosts"] == ["web-03", "web-04"]
    assert second["plan"]["request"] == "restart nginx on the staging web servers"
    assert "service.restart" in second["reply"]
    assert second["cards"][0]["type"] == "plan" and second["cards"][0]["plan_id"] == second["plan"]["id"]
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, first["conversation_id"])
        assert conv.pending_request is None and len(conv.messages) == 4
        assert conv.messages[-1]["plan"]["status"] == "ready"


@pytest.mark.unit
def test_missing_source_then_source(settings):
    with session_scope(settings.database_url) as session:
        load_fleet_into_db(session)
    first = handle_message(settings, "update stationcontroller.exe on the cis servers in production", None, OP)
    assert "Where should I get the new stationcontroller from?" in first["reply"]
    second = handle_message(settings, r"from \\file-01\releases\stationcontroller.exe", first["conversation_id"], OP)
    step = second["plan"]["steps"][0]
    assert step["action"] == "app.update" and step["params"]["source"] == r"\\file-01\releases\stationcontroller.exe"
    assert second["plan"]["hosts"] == ["cis-01", "cis-02"]


@pytest.mark.unit
def test_unknown_conversation(settings):
    with pytest.raises(NotFound):
        handle_message(settings, "ping web-01", "nope", OP)
