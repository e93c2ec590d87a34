"""The depth-limited JSON loader behind every request body (app.json)."""
from __future__ import annotations

import json

import pytest

from app import defaults
from app.errors import BadRequest
from app.json_provider import LimitedJSONProvider, depth_exceeds, loads

pytestmark = pytest.mark.unit


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_is_counted_outside_strings_only():
    assert not depth_exceeds(nested(3), 3) and depth_exceeds(nested(4), 3)
    assert not depth_exceeds('{"a": {"b": [1, {"c": 2}]}}', 4) and depth_exceeds('{"a": {"b": [1, {"c": 2}]}}', 3)
    assert not depth_exceeds(json.dumps({"text": "[{" * 500 + '\\"[[[ "'}), 1)
    assert not depth_exceeds(json.dumps(["]]]", "\\", "[[[[", '"[[[['] * 3), 1)
    assert depth_exceeds("[" * 100_000, 64)  # unclosed: refused before the parser sees it


def test_loads_refuses_too_deep_documents_with_a_400_and_parses_the_rest():
    for bad in (nested(100_000), '{"a":' * 100_000 + "1" + "}" * 100_000, nested(defaults.MAX_JSON_DEPTH + 1)):
        with pytest.raises(BadRequest) as info:
            loads(bad)
        assert info.value.status == 400 and not isinstance(info.value, ValueError)
        assert info.value.message == f"the JSON document is nested deeper than {defaults.MAX_JSON_DEPTH} levels"
    assert loads(nested(defaults.MAX_JSON_DEPTH)) == json.loads(nested(defaults.MAX_JSON_DEPTH))
    with pytest.raises(BadRequest):
        loads(nested(5), max_depth=4)


def test_loads_takes_bytes_in_any_json_encoding_and_passes_options_on():
    doc = {"name": "wéb-01", "tags": ["[x]"]}
    for encoding in ("utf-8", "utf-16", "utf-32"):
        assert loads(json.dumps(doc, ensure_ascii=False).encode(encoding)) == doc
    assert loads(b'{"a": 1}', object_hook=lambda d: sorted(d)) == ["a"]
    with pytest.raises(ValueError):
        loads(b"{nope")
    with pytest.raises(BadRequest):
        loads(nested(200).encode("utf-16"))


def test_the_provider_is_what_flask_parses_request_bodies_with(app):
    assert isinstance(app.json, LimitedJSONProvider)
    with app.test_request_context(method="POST", data=nested(10_000), content_type="application/json"):
        from flask import request

        with pytest.raises(BadRequest):
            request.get_json(silent=True)  # silent=True only hides malformed JSON, not a hostile one
