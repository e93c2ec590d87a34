"""POST /api/v1/chat {"message": TEXT, "conversation_id": optional}
-> {"conversation_id", "reply", "plan"[, "plan_id"]}."""
from __future__ import annotations

from flask import Blueprint, jsonify

from app.api import API_PREFIX, json_body
from app.api.openapi import doc
from app.api.schemas import ChatIn, ChatOut
from app.auth import current_user, require
from app.context import db_session, settings
from app.db.models import Role
from app.errors import BadRequest
from app.services.chat import handle_message

bp = Blueprint("chat", __name__, url_prefix=API_PREFIX)


@bp.post("/chat")
@doc(json=ChatIn, resp={200: ChatOut}, tags=("chat",), errors=(404,))
@require(Role.OPERATOR)
def chat():
    """One chat turn: plan the message, or complete the pending request with it (an answer to a question)."""
    data = json_body()
    message = data.get("message")
    conversation_id = data.get("conversation_id")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest("'message' must be a non-empty string")
    if conversation_id is not None and not isinstance(conversation_id, str):
        raise BadRequest("'conversation_id' must be a string")
    actor = current_user()["name"]
    with db_session() as session:
        out = handle_message(session, message, conversation_id, settings(), actor)
    return jsonify(out), 200
