"""GET /api/v1/inventory: the asset database as Ansible dynamic-inventory JSON (CONTRACT 9), for AWX.

Groups and ``_meta.hostvars`` exactly as the inventory builder makes them (connection settings, never a
secret), every string marked as data (``{"__ansible_unsafe": ...}``, which Ansible's inventory loader turns
into untrusted strings). ``?plan_id=ID`` limits it to the hosts of that plan's current revision;
``?host=NAME`` answers one host's vars. A viewer token is enough (read-only).
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.api.openapi import doc
from app.api.schemas import InventoryOut, InventoryQuery
from app.auth import require
from app.context import db_session
from app.db.models import Role
from app.services import plans as plan_svc
from inventory.builder import build_inventory, host_vars, unsafe_data, unsafe_json

bp = Blueprint("inventory", __name__, url_prefix="/api/v1")


@bp.get("/inventory")
@doc(query=InventoryQuery, resp={200: InventoryOut}, tags=("assets",), errors=(404,))
@require(Role.VIEWER)
def inventory():
    """Ansible dynamic-inventory JSON of the enabled assets (or of one plan's hosts); no secrets."""
    plan_id = request.args.get("plan_id") or None
    host = request.args.get("host")
    with db_session() as s:
        names = None
        if plan_id is not None:
            row = plan_svc.get_plan(s, plan_id)  # 404 for an unknown plan
            names = list(plan_svc.current_revision(row).body.get("hosts") or [])
        if host is not None:
            data = unsafe_data(host_vars(s, host)) if names is None or host in names else {}
            return jsonify(data)
        return jsonify(unsafe_json(build_inventory(s, names)))
