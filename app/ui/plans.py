"""Plan history and the plan page (the approval card) with its actions: preview, approve & run, reject, edit."""
from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.auth import current_user
from app.context import db_session, settings
from app.db.models import Approval, Asset, Plan, PlanRevision, Run
from app.errors import BadRequest, Conflict, Forbidden, OpsplanError
from app.json_provider import loads as limited_loads
from app.services import approvals, launch
from app.services import plans as svc
from app.services.catalog import current_catalog
from app.services.history import plan_history
from app.services.planning import plan_from_structure
from app.services.runs import answers_at_once, run_json, run_view
from app.statuses import ACTIVE_RUN, Decision, PlanState, PlanStatus, Role
from app.ui import ui_blueprint, user_can
from compiler import Catalog
from inventory.builder import build_inventory, insecure_transport

bp = ui_blueprint("ui_plans", __name__)
PAGE_SIZE = 20
PLAN_STATUSES = tuple(PlanStatus)


def page_arg() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/plans")
def plan_list():
    state = request.args.get("state", "")
    status = request.args.get("status", "")
    page = page_arg()
    with db_session() as s:
        q = select(Plan).join(PlanRevision, (PlanRevision.plan_id == Plan.id)
                              & (PlanRevision.number == Plan.current_revision))
        if state in {p.value for p in PlanState}:
            q = q.where(Plan.state == state)
        if status in PLAN_STATUSES:
            q = q.where(PlanRevision.status == status)
        total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
        rows = s.execute(q.order_by(Plan.created_at.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
                         ).scalars().all()
        plans = svc.plans_json(s, list(rows))
    return render_template("plans.html", plans=plans, state=state, status=status, page=page, total=total,
                           pages=max(1, -(-total // PAGE_SIZE)), states=[p.value for p in PlanState],
                           statuses=PLAN_STATUSES)


def _host_facts(session, names: list[str]) -> dict[str, dict]:
    if not names:
        return {}
    rows = session.execute(select(Asset).where(Asset.name.in_(names))).scalars().all()
    hostvars = build_inventory(session, names)["_meta"]["hostvars"]  # effective connection settings
    return {a.name: {"os": a.os, "environment": a.environment, "address": a.address,
                     "transport_warning": insecure_transport(hostvars.get(a.name, {}))} for a in rows}


def _step_views(plan: dict, facts: dict[str, dict], catalog: Catalog) -> list[dict]:
    views = []
    for n, step in enumerate(plan.get("steps") or [], 1):
        spec = catalog.get(step.get("action", ""))
        oses = sorted({facts[h]["os"] for h in step.get("hosts") or [] if h in facts})
        modules = {}
        if spec is not None:
            modules = {os_: list(mods) for os_, mods in spec.modules.items() if not oses or os_ in oses}
        views.append({"n": n, "action": step.get("action"), "params": step.get("params") or {},
                      "targets": step.get("targets") or {}, "hosts": step.get("hosts") or [],
                      "modules": modules, "description": spec.description if spec else "",
                      "previewable": spec.previewable if spec else True,
                      "not_previewable_reason": spec.not_previewable_reason if spec else ""})
    return views


def _edit_text(plan: dict) -> str:
    steps = [{"action": st.get("action"), "params": st.get("params") or {}, "targets": st.get("targets") or {}}
             for st in plan.get("steps") or []]
    return json.dumps({"steps": steps}, indent=2)


@bp.get("/plans/<plan_id>")
def plan_page(plan_id: str):
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        plan = svc.plan_json(s, row)
        facts = _host_facts(s, plan.get("hosts") or [])
        policy, policy_error, live_sha, at_once = None, "", None, False
        if plan["status"] == "ready":
            try:
                _rev, bundle = svc.ready_bundle(s, row)
                policy = json.loads(bundle.files["policy.json"])
                live_sha = bundle.sha256
                at_once = answers_at_once(bundle)
            except OpsplanError as exc:
                policy_error = exc.message
        preview = run_json(s, plan["preview_run_id"]) if plan["preview_run_id"] else None
        runs = [run_view(r) for r in s.execute(
            select(Run).where(Run.plan_id == plan_id).order_by(Run.created_at.desc()).limit(10)).scalars()]
        rejected = s.execute(select(Approval).where(
            Approval.plan_id == plan_id, Approval.revision == row.current_revision,
            Approval.decision == Decision.REJECTED).order_by(Approval.id.desc()).limit(1)).scalar_one_or_none()
        rejection = {"by": rejected.decided_by, "reason": rejected.reason} if rejected else None
        catalog = current_catalog(s)
        history = plan_history(s, row, plan) if plan["status"] == "ready" else None
    steps = _step_views(plan, facts, catalog)
    stale_preview = bool(preview and live_sha and preview["bundle_sha256"] != live_sha)
    return render_template("plan.html", at_once=at_once, history=history, plan=plan, steps=steps, facts=facts,
                           policy=policy,
                           policy_error=policy_error, preview=preview, runs=runs, rejection=rejection,
                           stale_preview=stale_preview, edit_text=_edit_text(plan),
                           active_run=next((r for r in runs if r["mode"] == "run"
                                            and r["status"] in ACTIVE_RUN), None))


def _need(role: Role, what: str) -> None:
    if not user_can(role.value):
        raise Forbidden(f"{what} requires the {role.value} role or higher (you are {current_user()['role']})")


@bp.post("/plans/<plan_id>/preview")
def preview(plan_id: str):
    _need(Role.OPERATOR, "previewing")
    launch.preview(settings(), plan_id, current_user()["name"])
    flash("Check-mode preview queued: nothing will be changed on the hosts.", "info")
    return redirect(url_for("ui_plans.plan_page", plan_id=plan_id, _anchor="preview"), code=303)


@bp.post("/plans/<plan_id>/approve-run")
def approve_run(plan_id: str):
    """Approve the previewed bundle the page showed (bound by its hash), then start the real run."""
    user = current_user()["name"]
    shown_sha = request.form.get("bundle_sha256", "")
    shown_rev = request.form.get("revision", "")
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        rev = svc.current_revision(row)
        if str(rev.number) != shown_rev or (shown_sha and shown_sha != rev.bundle_sha256):
            raise Conflict("the plan changed since you opened this page; review the new revision first")
        appr = approvals.current_approval(s, row)
        usable = appr is not None and appr.run_id is None
        read_only = bool(rev.body.get("read_only"))
        at_once = rev.status == "ready" and answers_at_once(svc.ready_bundle(s, row)[1])
    if at_once:  # a question: no preview, no approval (CONTRACT 8)
        _need(Role.OPERATOR, "running")
    elif not usable:
        _need(Role.APPROVER, "approving")
        if not read_only and request.form.get("confirm") != "yes":
            raise BadRequest("tick “I reviewed the preview” to approve a plan that changes hosts")
        with db_session() as s:
            appr = approvals.approve(s, plan_id, user, (request.form.get("reason") or "").strip())
            flash(f"Approved revision {appr.revision} (bundle {appr.bundle_sha256[:12]}).", "info")
    else:
        _need(Role.OPERATOR, "running")
    run_id = launch.run(settings(), plan_id, user).run_id
    return redirect(url_for("ui_runs.run_page", run_id=run_id), code=303)


@bp.post("/plans/<plan_id>/reject")
def reject(plan_id: str):
    _need(Role.APPROVER, "rejecting")
    with db_session() as s:
        approvals.reject(s, plan_id, current_user()["name"], request.form.get("reason") or "")
    flash("Plan rejected.", "info")
    return redirect(url_for("ui_plans.plan_page", plan_id=plan_id), code=303)


@bp.post("/plans/<plan_id>/edit")
def edit(plan_id: str):
    _need(Role.OPERATOR, "editing")
    raw = request.form.get("plan") or ""
    try:
        data = limited_loads(raw)
    except ValueError as exc:
        raise BadRequest(f"the edited plan is not valid JSON: {exc}") from None
    if isinstance(data, list):
        data = {"steps": data}
    with db_session() as s:
        row = svc.get_plan(s, plan_id)
        plan = plan_from_structure(s, data, request_text=row.request)
        row = svc.revise_plan(s, plan_id, plan, current_user()["name"])
        number = row.current_revision
    flash(f"Saved as revision {number}; any earlier approval is void. Preview it again before approving.", "info")
    return redirect(url_for("ui_plans.plan_page", plan_id=plan_id), code=303)
