"""REST resources of the asset database: /api/v1/assets, /groups, /credentials (secrets write-only)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from app import audit
from app.api.openapi import doc
from app.api.openapi import parse as parse_body
from app.api.schemas import (
    AssetListOut,
    AssetListQuery,
    AssetOut,
    CredentialListOut,
    CredentialOut,
    ForceQuery,
    GroupListOut,
    GroupOut,
    HostKeyAcceptIn,
)
from app.assets import service
from app.assets.schemas import AssetIn, AssetPatch, CredentialIn, CredentialPatch, GroupIn, GroupPatch, parse
from app.auth import current_user, require
from app.context import db_session
from app.db.models import Role
from app.errors import BadRequest

bp = Blueprint("assets", __name__, url_prefix="/api/v1")


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    return data


def _where(kind: str, data: dict[str, Any]) -> str:
    """'asset 'web-01'' when the body names it (so an error names the asset), else just the kind."""
    name = data.get("name")
    return f"{kind} {name!r}" if isinstance(name, str) and name else kind


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes")


# --- assets ----------------------------------------------------------------------------------------


@bp.get("/assets")
@doc(query=AssetListQuery, resp={200: AssetListOut}, tags=("assets",))
@require(Role.VIEWER)
def list_assets():
    enabled = request.args.get("enabled")
    with db_session() as s:
        items = service.list_assets(
            s,
            environment=request.args.get("environment") or None,
            group=request.args.get("group") or None,
            os=request.args.get("os") or None,
            zone=request.args.get("zone") or None,
            enabled=None if enabled in (None, "") else enabled.lower() in ("1", "true", "yes"),
        )
        return jsonify({"assets": [service.asset_dict(a) for a in items], "count": len(items)})


@bp.post("/assets")
@doc(json=AssetIn, resp={201: AssetOut}, tags=("assets",), errors=(409,))
@require(Role.ADMIN)
def create_asset():
    body = _body()
    data = parse(AssetIn, body, _where("asset", body))
    with db_session() as s:
        return jsonify(service.asset_dict(service.create_asset(s, data))), 201


@bp.get("/assets/<name>")
@doc(resp={200: AssetOut}, tags=("assets",), errors=(404,))
@require(Role.VIEWER)
def get_asset(name: str):
    with db_session() as s:
        return jsonify(service.asset_dict(service.get_asset(s, name)))


@bp.patch("/assets/<name>")
@doc(json=AssetPatch, resp={200: AssetOut}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def update_asset(name: str):
    patch = parse(AssetPatch, _body(), f"asset {name!r}")
    with db_session() as s:
        return jsonify(service.asset_dict(service.update_asset(s, name, patch)))


@bp.post("/assets/<name>/host-key/accept")
@doc(json=HostKeyAcceptIn, resp={200: AssetOut}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def accept_host_key(name: str):
    """Accept the changed SSH host key a run saw (or, if none was seen, pin whatever the next run finds).

    The web process never connects to a host: the worker scanned the key it reports here. To scan and
    accept in one step where SSH reaches the host, use ``opsplan assets accept-key NAME``.
    """
    raw = request.get_json(silent=True) if request.get_data() else {}
    body = parse_body(HostKeyAcceptIn, raw if raw is not None else "not a JSON object")
    with db_session() as s:
        details = service.accept_pending_host_key(s, name, body.fingerprint)
        audit.record(s, "asset.host_key_accepted", actor=current_user()["name"], outcome=details["mode"],
                     details=details)
        return jsonify(service.asset_dict(service.get_asset(s, name)))


@bp.delete("/assets/<name>")
@doc(resp={204: None}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def delete_asset(name: str):
    with db_session() as s:
        service.delete_asset(s, name)
    return "", 204


# --- groups ----------------------------------------------------------------------------------------


@bp.get("/groups")
@doc(resp={200: GroupListOut}, tags=("assets",))
@require(Role.VIEWER)
def list_groups():
    with db_session() as s:
        items = service.list_groups(s)
        return jsonify({"groups": [service.group_dict(g, n) for g, n in items], "count": len(items)})


@bp.post("/groups")
@doc(json=GroupIn, resp={201: GroupOut}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def create_group():
    body = _body()
    data = parse(GroupIn, body, _where("group", body))
    with db_session() as s:
        group = service.create_group(s, data)
        return jsonify(service.group_dict(group, 0)), 201


@bp.get("/groups/<name>")
@doc(resp={200: GroupOut}, tags=("assets",), errors=(404,))
@require(Role.VIEWER)
def get_group(name: str):
    with db_session() as s:
        group = service.get_group(s, name)
        return jsonify(service.group_dict(group, service.asset_count(s, group)))


@bp.patch("/groups/<name>")
@doc(json=GroupPatch, resp={200: GroupOut}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def update_group(name: str):
    patch = parse(GroupPatch, _body(), f"group {name!r}")
    with db_session() as s:
        group = service.update_group(s, name, patch)
        return jsonify(service.group_dict(group, service.asset_count(s, group)))


@bp.delete("/groups/<name>")
@doc(query=ForceQuery, resp={204: None}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def delete_group(name: str):
    with db_session() as s:
        service.delete_group(s, name, force=_flag("force"))
    return "", 204


# --- credentials (the secret is accepted, stored encrypted, and never returned) -----------------


@bp.get("/credentials")
@doc(resp={200: CredentialListOut}, tags=("assets",))
@require(Role.ADMIN)
def list_credentials():
    with db_session() as s:
        items = service.list_credentials(s)
        return jsonify({"credentials": [service.credential_dict(c) for c in items], "count": len(items)})


@bp.post("/credentials")
@doc(json=CredentialIn, resp={201: CredentialOut}, tags=("assets",), errors=(409,))
@require(Role.ADMIN)
def create_credential():
    data = parse(CredentialIn, _body(), "credential")
    with db_session() as s:
        cred = service.create_credential(s, data)
        return jsonify(service.credential_dict(cred)), 201


@bp.get("/credentials/<name>")
@doc(resp={200: CredentialOut}, tags=("assets",), errors=(404,))
@require(Role.ADMIN)
def get_credential(name: str):
    with db_session() as s:
        return jsonify(service.credential_dict(service.get_credential(s, name)))


@bp.patch("/credentials/<name>")
@doc(json=CredentialPatch, resp={200: CredentialOut}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def update_credential(name: str):
    patch = parse(CredentialPatch, _body(), f"credential {name!r}")
    with db_session() as s:
        return jsonify(service.credential_dict(service.update_credential(s, name, patch)))


@bp.delete("/credentials/<name>")
@doc(query=ForceQuery, resp={204: None}, tags=("assets",), errors=(404, 409))
@require(Role.ADMIN)
def delete_credential(name: str):
    with db_session() as s:
        service.delete_credential(s, name, force=_flag("force"))
    return "", 204
