"""The chat API (CONTRACT 6).

``POST /api/v1/chat {"message": TEXT, "conversation_id": optional}`` -> ``{"conversation_id", "reply", "cards",
"plan"[, "plan_id"]}``; ``POST /api/v1/chat {"conversation_id", "action", "plan_id" | "run_id"}`` presses a card
button; ``GET /api/v1/chat/conversations`` lists the caller's conversations; ``GET /api/v1/chat/<id>`` reopens one.
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from app.api import API_PREFIX, json_body
from app.api.openapi import doc, parse
from app.api.schemas import ChatIn, ChatOut, ConversationOut, ConversationsOut
from app.auth import current_user, require
from app.context import settings
from app.db.models import Role
from app.errors import BadRequest
from app.services import chat as svc
from app.services.chat_cards import Viewer

bp = Blueprint("chat", __name__, url_prefix=API_PREFIX)


def viewer() -> Viewer:
    user = current_user()
    return Viewer(user["name"], str(user["role"]))


@bp.post("/chat")
@doc(json=ChatIn, resp={200: ChatOut}, tags=("chat",), errors=(403, 404, 409))
@require(Role.OPERATOR)
def chat():
    """One chat turn (plan the message, complete the pending request, or follow up), or a card action."""
    data = json_body()
    for key in ("message", "conversation_id", "action", "plan_id", "run_id", "reason"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise BadRequest(f"'{key}' must be a string")
    body = parse(ChatIn, {k: v for k, v in data.items() if k != "message"})
    if body.action is not None:
        if not body.conversation_id:
            raise BadRequest("an 'action' needs the 'conversation_id' it belongs to")
        out = svc.handle_action(settings(), body.conversation_id, body.action, viewer(), plan_id=body.plan_id,
                                run_id=body.run_id, reason=body.reason or "")
        return jsonify(out), 200
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest("'message' must be a non-empty string")
    return jsonify(svc.handle_message(settings(), message, body.conversation_id, viewer())), 200


@bp.get("/chat/conversations")
@doc(resp={200: ConversationsOut}, tags=("chat",))
@require(Role.VIEWER)
def conversations():
    """The caller's conversations, newest first (to reopen one)."""
    return jsonify({"conversations": svc.conversations_of(settings(), current_user()["name"])})


@bp.get("/chat/<conversation_id>")
@doc(resp={200: ConversationOut}, tags=("chat",), errors=(404,))
@require(Role.VIEWER)
def conversation(conversation_id: str):
    """A whole conversation, its cards rendered as they are now and with the caller's actions."""
    return jsonify(svc.conversation_json(settings(), conversation_id, viewer()))
