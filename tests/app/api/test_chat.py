from __future__ import annotations

import pytest
from flask import Flask

from app.api.chat import bp
from app.auth import create_token, create_user, load_request_user
from app.db import session_scope
from app.errors import register_error_handlers
from tests.app.planner.helpers import load_fleet_into_db

pytestmark = pytest.mark.unit


@pytest.fixture
def api(settings):
    flask_app = Flask(__name__)
    flask_app.config.update(OPSPLAN_SETTINGS=settings, TESTING=True, SECRET_KEY="test")
    register_error_handlers(flask_app)
    flask_app.before_request(load_request_user)
    flask_app.register_blueprint(bp)
    with session_scope(settings.database_url) as s:
        load_fleet_into_db(s)
        create_user(s, "op", "operator")
        create_user(s, "view", "viewer")
        tokens = {"op": create_token(s, "op")[1], "view": create_token(s, "view")[1]}
    client = flask_app.test_client()

    def post(body, user="op"):
        return client.post("/api/v1/chat", json=body, headers={"Authorization": f"Bearer {tokens[user]}"})

    post.client = client
    return post


def test_chat_round_trip(api):
    r1 = api({"message": "restart nginx"})
    assert r1.status_code == 200
    b1 = r1.get_json()
    assert b1["plan"]["status"] == "needs_clarification" and b1["plan"]["questions"]
    assert b1["reply"] == "Which hosts should I restart nginx on?"
    r2 = api({"message": "on web-01", "conversation_id": b1["conversation_id"]})
    b2 = r2.get_json()
    assert r2.status_code == 200 and b2["conversation_id"] == b1["conversation_id"]
    plan = b2["plan"]
    assert plan["status"] == "ready" and plan["hosts"] == ["web-01"]
    for key in ("status", "questions", "reason", "steps", "hosts", "risk", "read_only"):
        assert key in plan
    assert plan["id"] == b2["plan_id"]  # stored through the plans service
    card = next(c for c in b2["cards"] if c["type"] == "plan")  # the card carries the planner's reading
    assert any("service.restart chosen by the words 'restart'" in n for n in card["plan"]["interpretation"])


def test_refusal_is_a_200_with_a_reason(api):
    body = api({"message": "write me a poem"}).get_json()
    assert body["plan"]["status"] == "rejected" and body["reply"] == body["plan"]["reason"]


@pytest.mark.parametrize("body,status", [
    ({}, 400), ({"message": ""}, 400), ({"message": 5}, 400), ({"message": "x" * 5000}, 400),
    ({"message": "ping web-01", "conversation_id": 3}, 400),
    ({"message": "ping web-01", "conversation_id": "nope"}, 404),
])
def test_bad_requests(api, body, status):
    r = api(body)
    assert r.status_code == status and "error" in r.get_json()


def test_authentication_and_role(api):
    assert api.client.post("/api/v1/chat", json={"message": "ping web-01"}).status_code == 401
    assert api({"message": "ping web-01"}, user="view").status_code == 403
