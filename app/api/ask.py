"""POST /api/v1/ask: plan a request and, when it is a read-only question, run it at once (CONTRACT 8)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from app.api import API_PREFIX, json_body
from app.api.openapi import doc, parse
from app.api.schemas import AskIn, AskOut
from app.auth import current_user, require
from app.context import settings
from app.db.models import Role
from app.errors import BadRequest
from app.services.ask import ask as ask_service

bp = Blueprint("ask", __name__, url_prefix=API_PREFIX)


@bp.post("/ask")
@doc(json=AskIn, resp={201: AskOut, 202: AskOut}, tags=("plans", "runs"), errors=(503,))
@require(Role.OPERATOR)
def ask():
    """Plan the request; a ready read-only plan starts its run at once (202 with plan and run), anything
    else comes back as the stored plan (201), to preview and approve the usual way."""
    data = parse(AskIn, json_body())
    if not data.request.strip():
        raise BadRequest("'request' must not be empty")
    asked = ask_service(settings(), data.request, current_user()["name"])
    if asked.run is None:
        return jsonify({"plan": asked.plan}), 201
    return jsonify({"plan": asked.plan, "run": asked.run}), 202
