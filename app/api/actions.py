"""The action catalog, as the planner, compiler and docs see it."""
from flask import Blueprint, jsonify

from app.api import API_PREFIX
from app.api.openapi import doc
from app.api.schemas import ActionListOut
from app.auth import require
from app.db.models import Role
from compiler import CATALOG

bp = Blueprint("actions", __name__, url_prefix=API_PREFIX)


@bp.get("/actions")
@doc(resp={200: ActionListOut}, tags=("actions",))
@require(Role.VIEWER)
def list_actions():
    """The allow-listed action catalog."""
    return jsonify({"actions": [a.to_json() for a in CATALOG.values()]})
