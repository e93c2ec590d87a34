"""Hostile request bodies: deep nesting is a 400 and an oversized body a 413, both with the JSON error body."""
from __future__ import annotations

import pytest

from app import defaults

pytestmark = pytest.mark.integration

DEEP = 100_000
LIMIT = defaults.MAX_JSON_DEPTH
DEEP_BODIES = {
    "arrays": "[" * DEEP + "]" * DEEP,
    "objects": '{"a":' * DEEP + "1" + "}" * DEEP,
    "arrays in a field": '{"request": ' + "[" * DEEP + "]" * DEEP + "}",
    "one level too deep": '{"request": ' + "[" * LIMIT + "]" * LIMIT + "}",
    "unclosed": "[" * DEEP,
}
ENDPOINTS = ("/api/v1/plans", "/api/v1/chat", "/api/v1/assets", "/api/v1/users", "/api/v1/webhooks")


def _error(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    body = r.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"} and body["error"]["message"]
    return body["error"]


def test_deeply_nested_json_is_a_400_on_every_json_endpoint(api):
    admin = api.as_("admin1")
    for path in ENDPOINTS:
        for name, body in DEEP_BODIES.items():
            err = _error(admin.post(path, data=body, content_type="application/json"), 400)
            assert err["code"] == "bad_request", (path, name, err)
            assert err["message"] == f"the JSON document is nested deeper than {LIMIT} levels", (path, name)
    # at the limit the body is parsed and validated as usual
    at_limit = '{"request": ' + "[" * (LIMIT - 1) + "]" * (LIMIT - 1) + "}"
    err = _error(admin.post("/api/v1/plans", data=at_limit, content_type="application/json"), 400)
    assert err["message"].startswith("invalid input at request")


def test_an_oversized_body_is_a_413_with_the_json_error(api):
    assert api.client.application.config["MAX_CONTENT_LENGTH"] == defaults.MAX_BODY_BYTES
    big = b'{"request": "' + b"x" * defaults.MAX_BODY_BYTES + b'"}'
    for path in ("/api/v1/plans", "/api/v1/assets"):
        err = _error(api.as_("admin1").post(path, data=big, content_type="application/json"), 413)
        assert err == {"code": "request_entity_too_large",
                       "message": f"the request body is larger than the limit of {defaults.MAX_BODY_BYTES} bytes"}
