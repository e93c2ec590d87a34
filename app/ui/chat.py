"""The chat page (chat.js over /api/v1/chat) and the list of the user's conversations to reopen."""
from __future__ import annotations

from flask import render_template

from app.auth import current_user
from app.context import settings
from app.services.chat import conversations_of
from app.ui import ui_blueprint

bp = ui_blueprint("ui_chat", __name__)


@bp.get("/chat")
def chat_page():
    return render_template("chat.html")


@bp.get("/chat/history")
def history_page():
    return render_template("chat_history.html", conversations=conversations_of(settings(), current_user()["name"]))
