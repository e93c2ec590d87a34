"""The chat page: a conversation with the planner through POST /api/v1/chat (chat.js)."""
from __future__ import annotations

from flask import render_template

from app.ui import ui_blueprint

bp = ui_blueprint("ui_chat", __name__)


@bp.get("/chat")
def chat_page():
    return render_template("chat.html")
