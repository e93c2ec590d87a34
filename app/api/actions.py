"""The action catalog, as the planner, compiler and docs see it."""
from flask import Blueprint, jsonify

from app.api import API_PREFIX
from app.auth import require
from app.db.models import Role
from compiler import CATALOG

bp = Blueprint("actions", __name__, url_prefix=API_PREFIX)


@bp.get("/actions")
@require(Role.VIEWER)
def list_actions():
    return jsonify({"actions": [a.to_json() for a in CATALOG.values()]})
