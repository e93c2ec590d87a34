"""The action catalog, as the planner, compiler and docs see it; admins add and remove actions (CONTRACT 7)."""
from flask import Blueprint, Response, jsonify, request

from app.api import API_PREFIX
from app.api.openapi import doc
from app.api.schemas import ActionListOut, ActionRoleOut
from app.auth import current_user, require
from app.context import db_session
from app.db.models import Role
from app.errors import BadRequest
from app.services import actions as svc
from app.services.catalog import current_catalog
from compiler.archive import read_tar_gz

bp = Blueprint("actions", __name__, url_prefix=API_PREFIX)
ARCHIVE_TYPES = ("application/gzip", "application/x-gzip", "application/x-tar+gzip")


@bp.get("/actions")
@doc(resp={200: ActionListOut}, tags=("actions",))
@require(Role.VIEWER)
def list_actions():
    """The allow-listed action catalog."""
    with db_session() as s:
        return jsonify({"actions": current_catalog(s).to_json()})


@bp.post("/actions")
@doc(resp={201: ActionRoleOut}, tags=("actions",), errors=(409, 413))
@require(Role.ADMIN)
def add_actions():
    """Add a role's actions: the request body is the role as a tar.gz (``Content-Type: application/gzip``)
    holding one directory ``<role>/`` with ``meta/opsplan.yml``, ``meta/argument_specs.yml`` and its tasks.

    The role is validated (definitions, plain role content only, ``ansible-playbook --syntax-check``, no
    name clash) and stored content-hashed; a bad role is a 400 (a clash a 409) and adds nothing."""
    if request.mimetype not in ARCHIVE_TYPES:
        got = request.mimetype or "no Content-Type"
        raise BadRequest(f"send the role directory as a tar.gz archive body with Content-Type: application/gzip "
                         f"(got {got}); JSON is not accepted here", code="archive_required")
    data = request.get_data(cache=False)
    if not data:
        raise BadRequest("the request body is empty; send the role directory as a tar.gz archive",
                         code="archive_required")
    try:
        files = read_tar_gz(data)
    except ValueError as exc:
        raise BadRequest(f"the role archive cannot be used: {exc}", code="invalid_archive") from None
    with db_session() as s:
        svc.add_role(s, files, current_user()["name"])
        body = svc.added_actions_json(s, svc.role_name(files))
    return jsonify(body), 201


@bp.delete("/actions/<name>")
@doc(resp={204: None}, tags=("actions",), errors=(404,))
@require(Role.ADMIN)
def remove_action(name: str):
    """Remove an added action: the whole role that defines it (or the role by its name). Built-in actions
    cannot be removed (400); plans that use a removed action can no longer be approved or run (409)."""
    with db_session() as s:
        svc.remove_action_role(s, name, current_user()["name"])
    return Response(status=204)
