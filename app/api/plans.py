"""Plans: create (from text or structure), read, revise, preview, approve, reject, run, playbook."""
from __future__ import annotations

import io
import tarfile

from flask import Blueprint, Response, jsonify, request

from app.api import API_PREFIX, json_body
from app.auth import current_user, require
from app.context import db_session, settings
from app.db.models import Plan, Role
from app.errors import BadRequest
from app.queue import enqueue_run
from app.services import plans as svc
from app.services.planning import plan_from_request, plan_from_structure
from app.services.runs import run_json
from sqlalchemy import select

bp = Blueprint("plans", __name__, url_prefix=API_PREFIX)


@bp.post("/plans")
@require(Role.OPERATOR)
def create_plan():
    data = json_body()
    user = current_user()
    with db_session() as s:
        if "plan" in data:
            plan = plan_from_structure(s, data["plan"], request_text=str(data.get("request") or ""))
        elif isinstance(data.get("request"), str) and data["request"].strip():
            plan = plan_from_request(s, data["request"], settings())
        else:
            raise BadRequest("give either 'request' (text) or 'plan' (structured steps)")
        row = svc.create_plan(s, plan, user["name"])
        body = svc.plan_json(s, row)
    return jsonify(body), 201


@bp.get("/plans")
@require(Role.VIEWER)
def list_plans():
    limit = min(int(request.args.get("limit", 50) or 50), 500)
    with db_session() as s:
        q = select(Plan).order_by(Plan.created_at.desc()).limit(limit)
        if request.args.get("state"):
            q = q.where(Plan.state == request.args["state"])
        rows = s.execute(q).scalars().all()
        out = [svc.plan_json(s, r) for r in rows]
    return jsonify({"plans": out})


@bp.get("/plans/<plan_id>")
@require(Role.VIEWER)
def get_plan(plan_id: str):
    with db_session() as s:
        return jsonify(svc.plan_json(s, svc.get_plan(s, plan_id)))


@bp.put("/plans/<plan_id>")
@require(Role.OPERATOR)
def revise_plan(plan_id: str):
    data = json_body()
    if "plan" not in data:
        raise BadRequest("give 'plan' with the edited steps")
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        plan = plan_from_structure(s, data["plan"], request_text=row.request)
        row = svc.revise_plan(s, plan_id, plan, current_user()["name"])
        return jsonify(svc.plan_json(s, row))


@bp.post("/plans/<plan_id>/preview")
@require(Role.OPERATOR)
def preview(plan_id: str):
    with db_session() as s:
        run = svc.start_preview(s, plan_id, current_user()["name"])
        run_id = run.id
    enqueue_run(settings(), run_id)
    with db_session() as s:
        return jsonify(run_json(s, run_id)), 202


@bp.post("/plans/<plan_id>/approve")
@require(Role.APPROVER)
def approve(plan_id: str):
    """Approvers approve; the requester may approve their own low/medium plan, not high/critical (four-eyes)."""
    data = request.get_json(silent=True) or {}
    user = current_user()
    with db_session() as s:
        appr = svc.approve(s, plan_id, user["name"], str(data.get("reason") or ""))
        return jsonify({"plan_id": plan_id, "revision": appr.revision, "bundle_sha256": appr.bundle_sha256,
                        "approved_by": appr.decided_by, "preview_run_id": appr.preview_run_id})


@bp.post("/plans/<plan_id>/reject")
@require(Role.OPERATOR)
def reject(plan_id: str):
    data = json_body()
    with db_session() as s:
        rej = svc.reject(s, plan_id, current_user()["name"], str(data.get("reason") or ""))
        return jsonify({"plan_id": plan_id, "revision": rej.revision, "rejected_by": rej.decided_by,
                        "reason": rej.reason})


@bp.post("/plans/<plan_id>/runs")
@require(Role.OPERATOR)
def start_run(plan_id: str):
    data = request.get_json(silent=True) or {}
    limit = data.get("limit")
    if limit is not None and (not isinstance(limit, list) or not all(isinstance(h, str) for h in limit)):
        raise BadRequest("'limit' must be a list of host names")
    with db_session() as s:
        run = svc.start_run(s, plan_id, current_user()["name"], limit_hosts=limit)
        run_id = run.id
    enqueue_run(settings(), run_id)
    with db_session() as s:
        return jsonify(run_json(s, run_id)), 202


@bp.get("/plans/<plan_id>/playbook")
@require(Role.VIEWER)
def playbook(plan_id: str):
    """The compiled bundle: site.yml as YAML, or the whole bundle with ?format=tar."""
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        rev, bundle = svc._ready_bundle(s, row)
    if request.args.get("format") == "tar":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for path, content in sorted(bundle.files.items()):
                info = tarfile.TarInfo(f"plan-{plan_id}/{path}")
                info.size, info.mtime, info.mode = len(content), 0, 0o644
                tar.addfile(info, io.BytesIO(content))
        return Response(buf.getvalue(), mimetype="application/gzip",
                        headers={"Content-Disposition": f"attachment; filename=plan-{plan_id}.tar.gz",
                                 "X-Bundle-Sha256": bundle.sha256})
    return Response(bundle.files[bundle.playbook], mimetype="application/yaml",
                    headers={"X-Bundle-Sha256": bundle.sha256})
