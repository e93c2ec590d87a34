"""Plans: create (from text or structure), read, revise, preview, approve, reject, run, playbook."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from app.api import API_PREFIX, json_body
from app.api.openapi import doc, parse
from app.api.schemas import (
    ApprovalOut,
    ListQuery,
    PlanCreateIn,
    PlanListOut,
    PlanOut,
    PlanReviseIn,
    PlaybookQuery,
    ReasonIn,
    RejectIn,
    RejectionOut,
    RunCreateIn,
    RunOut,
)
from app.auth import current_user, require
from app.context import db_session, settings
from app.db.models import Plan, Role
from app.errors import BadRequest
from app.services import approvals, launch
from app.services import plans as svc
from app.services.history import plan_history
from app.services.planning import plan_from_request, plan_from_structure
from app.services.runs import run_json
from compiler.archive import EXEC_MODE, FILE_MODE, deterministic_tar_gz

bp = Blueprint("plans", __name__, url_prefix=API_PREFIX)


@bp.post("/plans")
@doc(json=PlanCreateIn, resp={201: PlanOut}, tags=("plans",))
@require(Role.OPERATOR)
def create_plan():
    """Plan a request (text) or validate a structured plan; stores revision 1."""
    data = parse(PlanCreateIn, json_body())
    user = current_user()
    with db_session() as s:
        if data.plan is not None:
            plan = plan_from_structure(s, data.plan.model_dump(), request_text=data.request or "")
        elif data.request and data.request.strip():
            plan = plan_from_request(s, data.request, settings())
        else:
            raise BadRequest("give either 'request' (text) or 'plan' (structured steps)")
        row = svc.create_plan(s, plan, user["name"])
        body = svc.plan_json(s, row)
    return jsonify(body), 201


@bp.get("/plans")
@doc(query=ListQuery, resp={200: PlanListOut}, tags=("plans",))
@require(Role.VIEWER)
def list_plans():
    """Newest plans first, optionally filtered by lifecycle state."""
    query = parse(ListQuery, request.args.to_dict())
    with db_session() as s:
        q = select(Plan).order_by(Plan.created_at.desc()).limit(query.limit)
        if query.state:
            q = q.where(Plan.state == query.state)
        rows = s.execute(q).scalars().all()
        out = svc.plans_json(s, list(rows))
    return jsonify({"plans": out})


@bp.get("/plans/<plan_id>")
@doc(resp={200: PlanOut}, tags=("plans",), errors=(404,))
@require(Role.VIEWER)
def get_plan(plan_id: str):
    """One plan at its current revision."""
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        body = svc.plan_json(s, row)
        body["history"] = plan_history(s, row, body)
        return jsonify(body)


@bp.put("/plans/<plan_id>")
@doc(json=PlanReviseIn, resp={200: PlanOut}, tags=("plans",), errors=(404, 409))
@require(Role.OPERATOR)
def revise_plan(plan_id: str):
    """Edit: a new revision, which voids any approval."""
    data = parse(PlanReviseIn, json_body())
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        plan = plan_from_structure(s, data.plan.model_dump(), request_text=row.request)
        row = svc.revise_plan(s, plan_id, plan, current_user()["name"])
        return jsonify(svc.plan_json(s, row))


@bp.post("/plans/<plan_id>/preview")
@doc(resp={202: RunOut}, tags=("plans",), errors=(404, 409))
@require(Role.OPERATOR)
def preview(plan_id: str):
    """Queue a check-mode (--check --diff) run of the current revision's bundle."""
    run_id = launch.preview(settings(), plan_id, current_user()["name"]).run_id
    with db_session() as s:
        return jsonify(run_json(s, run_id)), 202


@bp.post("/plans/<plan_id>/approve")
@doc(json=ReasonIn, resp={200: ApprovalOut}, tags=("plans",), errors=(404, 409))
@require(Role.APPROVER)
def approve(plan_id: str):
    """Approve the previewed bundle; high/critical risk needs someone other than the requester."""
    data = parse(ReasonIn, request.get_json(silent=True) or {})
    user = current_user()
    with db_session() as s:
        appr = approvals.approve(s, plan_id, user["name"], data.reason)
        return jsonify({"plan_id": plan_id, "revision": appr.revision, "bundle_sha256": appr.bundle_sha256,
                        "approved_by": appr.decided_by, "preview_run_id": appr.preview_run_id})


@bp.post("/plans/<plan_id>/reject")
@doc(json=RejectIn, resp={200: RejectionOut}, tags=("plans",), errors=(404,))
@require(Role.APPROVER)
def reject(plan_id: str):
    """Reject a plan, with a reason; voids any approval."""
    data = parse(RejectIn, json_body())
    with db_session() as s:
        rej = approvals.reject(s, plan_id, current_user()["name"], data.reason)
        return jsonify({"plan_id": plan_id, "revision": rej.revision, "rejected_by": rej.decided_by,
                        "reason": rej.reason})


@bp.post("/plans/<plan_id>/runs")
@doc(json=RunCreateIn, resp={202: RunOut}, tags=("plans", "runs"), errors=(404, 409))
@require(Role.OPERATOR)
def start_run(plan_id: str):
    """Run the approved bundle for real (optionally limited to some of its hosts)."""
    limit = parse(RunCreateIn, request.get_json(silent=True) or {}).limit
    run_id = launch.run(settings(), plan_id, current_user()["name"], limit_hosts=limit).run_id
    with db_session() as s:
        return jsonify(run_json(s, run_id)), 202


@bp.get("/plans/<plan_id>/export/awx")
@doc(resp={200: None}, tags=("plans",), errors=(404, 409),
     content={200: {"application/gzip": {"type": "string", "format": "binary"}}})
@require(Role.VIEWER)
def export_awx(plan_id: str):
    """The plan as an AWX project archive (tar.gz): playbook, roles, inventory script, README."""
    from app.awx.export import export_response

    with db_session() as s:
        return export_response(s, plan_id)


@bp.get("/plans/<plan_id>/playbook")
@doc(query=PlaybookQuery, resp={200: None}, tags=("plans",), errors=(404, 409),
     content={200: {"application/yaml": {"type": "array", "items": {"type": "object"},
                                         "description": "site.yml: the plays"},
                    "application/gzip": {"type": "string", "format": "binary", "description": "?format=tar"}}})
@require(Role.VIEWER)
def playbook(plan_id: str):
    """The compiled bundle: site.yml as YAML, or the whole bundle with ?format=tar."""
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        rev, bundle = svc.ready_bundle(s, row)
    if request.args.get("format") == "tar":
        files = {rel: (data, EXEC_MODE if rel in bundle.executables else FILE_MODE)
                 for rel, data in bundle.files.items()}
        return Response(deterministic_tar_gz(files, prefix=f"plan-{plan_id}"), mimetype="application/gzip",
                        headers={"Content-Disposition": f"attachment; filename=plan-{plan_id}.tar.gz",
                                 "X-Bundle-Sha256": bundle.sha256})
    return Response(bundle.files[bundle.playbook], mimetype="application/yaml",
                    headers={"X-Bundle-Sha256": bundle.sha256})
