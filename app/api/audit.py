"""The keyed, hash-chained audit log: list with filters (approver, admin) and verify it."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from app import audit
from app.api import API_PREFIX
from app.api.openapi import doc, parse
from app.api.schemas import AuditListOut, AuditQuery, AuditVerifyOut
from app.auth import require
from app.context import db_session, settings
from app.db.models import AuditEntry, Role

bp = Blueprint("audit", __name__, url_prefix=API_PREFIX)


@bp.get("/audit")
@doc(query=AuditQuery, resp={200: AuditListOut}, tags=("audit",))
@require(Role.APPROVER)
def list_audit():
    """Newest entries first: who did what, when, to which plan/run and bundle, with what outcome."""
    query = parse(AuditQuery, request.args.to_dict())
    with db_session() as s:
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(query.limit)
        for field in ("plan_id", "run_id", "action"):
            value = getattr(query, field)
            if value:
                q = q.where(getattr(AuditEntry, field) == value)
        if query.before:
            q = q.where(AuditEntry.id < query.before)
        rows = s.execute(q).scalars().all()
        return jsonify({"entries": [audit.to_json(e) for e in rows]})


@bp.get("/audit/verify")
@doc(resp={200: AuditVerifyOut}, tags=("audit",))
@require(Role.APPROVER)
def verify_audit():
    """Check the whole log: an edited, deleted, reordered or unkeyed entry, or entries deleted from the end
    (against the head anchor outside the database), is reported (``intact`` false)."""
    with db_session() as s:
        return jsonify(audit.verify(s, settings()).to_json())
