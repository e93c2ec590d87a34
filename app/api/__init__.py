"""REST blueprints, one per resource, all under /api/v1 (health probes at the root)."""
from flask import request

from app.errors import BadRequest

API_PREFIX = "/api/v1"


def json_body() -> dict:
    """The request's JSON object, or a 400 with a clear message.

    ``silent`` only hides malformed JSON; a body nested deeper than ``MAX_JSON_DEPTH`` is refused by the
    app's JSON provider (app.json_provider) with its own 400, and an oversized body is a 413.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object (Content-Type: application/json)")
    return data
