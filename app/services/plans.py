"""Plan lifecycle: create, revise, preview, approve, reject, run. The database is the source of truth."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.db.models import Approval, Decision, Plan, PlanRevision, PlanState, Run, RunMode, RunStatus
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.services.hosts import host_specs
from compiler import Bundle, CompilerError, PlanStatus, Risk, compile_plan, load_policy
from compiler import Plan as PlanModel

FOUR_EYES = (Risk.HIGH, Risk.CRITICAL)


def policy():
    return load_policy(os.environ.get("OPSPLAN_POLICY_FILE") or None)


def compile_body(session: Session, body: dict[str, Any]) -> Bundle:
    """Compile a stored plan body against the current asset database."""
    plan = PlanModel.model_validate(body)
    return compile_plan(plan, host_specs(session, plan.hosts), policy())


def get_plan(session: Session, plan_id: str) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


def current_revision(plan: Plan) -> PlanRevision:
    return next(r for r in plan.revisions if r.number == plan.current_revision)


def _bundle_sha(session: Session, body: dict[str, Any], status: str) -> str | None:
    if status != PlanStatus.READY.value:
        return None
    try:
        return compile_body(session, body).sha256
    except CompilerError as exc:
        raise BadRequest(f"plan does not compile: {exc}", code="invalid_plan") from exc


def create_plan(session: Session, plan: PlanModel, actor: str) -> Plan:
    body = plan.contract_json()
    row = Plan(request=plan.request, created_by=actor, current_revision=1)
    session.add(row)
    session.flush()
    rev = PlanRevision(plan_id=row.id, number=1, status=plan.status.value, body=body, created_by=actor,
                       bundle_sha256=_bundle_sha(session, body, plan.status.value))
    session.add(rev)
    session.flush()
    audit.record(session, "plan.created", actor=actor, plan_id=row.id, bundle_sha256=rev.bundle_sha256,
                 outcome=plan.status.value, details={"request": plan.request, "revision": 1})
    session.refresh(row)
    return row


def revise_plan(session: Session, plan_id: str, plan: PlanModel, actor: str) -> Plan:
    """A new revision; any approval of an earlier revision is voided."""
    row = get_plan(session, plan_id)
    if row.state == PlanState.RUNNING.value:
        raise Conflict("plan has a run in progress; wait for it to finish before editing")
    body = plan.contract_json()
    number = row.current_revision + 1
    rev = PlanRevision(plan_id=row.id, number=number, status=plan.status.value, body=body, created_by=actor,
                       bundle_sha256=_bundle_sha(session, body, plan.status.value))
    session.add(rev)
    voided = 0
    for appr in session.execute(select(Approval).where(Approval.plan_id == row.id, Approval.voided.is_(False))).scalars():
        appr.voided = True
        voided += 1
    row.current_revision = number
    row.state = PlanState.DRAFT.value
    session.flush()
    audit.record(session, "plan.revised", actor=actor, plan_id=row.id, bundle_sha256=rev.bundle_sha256,
                 outcome=plan.status.value, details={"revision": number, "approvals_voided": voided})
    session.refresh(row)
    return row


def ready_bundle(session: Session, row: Plan) -> tuple[PlanRevision, Bundle]:
    rev = current_revision(row)
    if rev.status != PlanStatus.READY.value:
        raise Conflict(f"plan is {rev.status}, not ready; answer its questions or edit it first")
    try:
        bundle = compile_body(session, rev.body)
    except CompilerError as exc:
        raise Conflict(f"plan no longer compiles: {exc}", code="stale_plan") from exc
    return rev, bundle


def latest_preview(session: Session, plan_id: str, revision: int) -> Run | None:
    return session.execute(
        select(Run).where(Run.plan_id == plan_id, Run.revision == revision, Run.mode == RunMode.CHECK.value)
        .order_by(Run.created_at.desc()).limit(1)
    ).scalar_one_or_none()


def start_preview(session: Session, plan_id: str, actor: str) -> Run:
    row = get_plan(session, plan_id)
    rev, bundle = ready_bundle(session, row)
    if rev.bundle_sha256 != bundle.sha256:
        rev.bundle_sha256 = bundle.sha256  # the fleet changed since the plan was made: preview what runs now
    run = Run(plan_id=row.id, revision=rev.number, mode=RunMode.CHECK.value, bundle_sha256=bundle.sha256,
              created_by=actor, hosts=_pending_hosts(bundle))
    session.add(run)
    session.flush()
    audit.record(session, "preview.requested", actor=actor, plan_id=row.id, run_id=run.id,
                 bundle_sha256=bundle.sha256, outcome=RunStatus.QUEUED.value)
    return run


def _pending_hosts(bundle: Bundle, only: list[str] | None = None) -> dict[str, Any]:
    hosts: dict[str, Any] = {}
    for step in bundle.steps:
        for host in step.hosts:
            if only is not None and host not in only:
                continue
            entry = hosts.setdefault(host, {"status": "pending", "steps": []})
            entry["steps"].append({"step": step.index, "action": step.action, "status": "pending",
                                   "changed": False, "diff": "", "previewable": step.previewable})
    return dict(sorted(hosts.items()))


def approve(session: Session, plan_id: str, actor: str, reason: str = "") -> Approval:
    row = get_plan(session, plan_id)
    rev, bundle = ready_bundle(session, row)
    preview = latest_preview(session, row.id, rev.number)
    if preview is None or preview.status not in (RunStatus.SUCCESSFUL.value, RunStatus.PARTIAL.value):
        raise Conflict("plan needs a finished preview (successful or partial) of its current revision first",
                       code="preview_required")
    if preview.bundle_sha256 != bundle.sha256:
        raise Conflict("the assets behind this plan changed since its preview; preview it again",
                       code="stale_preview")
    risk = Risk(rev.body.get("risk", "low"))
    if risk in FOUR_EYES and actor == row.created_by:
        raise Forbidden(f"{risk.value}-risk plans need a second person to approve (four-eyes)",
                        code="four_eyes")
    appr = Approval(plan_id=row.id, revision=rev.number, bundle_sha256=bundle.sha256, preview_run_id=preview.id,
                    decision=Decision.APPROVED.value, decided_by=actor, reason=reason)
    session.add(appr)
    row.state = PlanState.APPROVED.value
    session.flush()
    audit.record(session, "plan.approved", actor=actor, plan_id=row.id, run_id=preview.id,
                 bundle_sha256=bundle.sha256, outcome="approved", details={"revision": rev.number, "risk": risk.value})
    return appr


def reject(session: Session, plan_id: str, actor: str, reason: str) -> Approval:
    if not reason.strip():
        raise BadRequest("a rejection needs a reason")
    row = get_plan(session, plan_id)
    rev = current_revision(row)
    for appr in session.execute(select(Approval).where(Approval.plan_id == row.id, Approval.voided.is_(False))).scalars():
        appr.voided = True
    rej = Approval(plan_id=row.id, revision=rev.number, bundle_sha256=rev.bundle_sha256 or "",
                   decision=Decision.REJECTED.value, decided_by=actor, reason=reason.strip(), voided=True)
    session.add(rej)
    row.state = PlanState.REJECTED.value
    session.flush()
    audit.record(session, "plan.rejected", actor=actor, plan_id=row.id, bundle_sha256=rev.bundle_sha256,
                 outcome="rejected", details={"reason": reason.strip(), "revision": rev.number})
    return rej


def valid_approval(session: Session, row: Plan) -> Approval | None:
    return session.execute(
        select(Approval).where(Approval.plan_id == row.id, Approval.revision == row.current_revision,
                               Approval.decision == Decision.APPROVED.value, Approval.voided.is_(False))
        .order_by(Approval.id.desc()).limit(1)
    ).scalar_one_or_none()


def start_run(session: Session, plan_id: str, actor: str, limit_hosts: list[str] | None = None,
              parent_run_id: str | None = None) -> Run:
    row = get_plan(session, plan_id)
    appr = valid_approval(session, row)
    if appr is None:
        raise Conflict("plan revision is not approved (or its approval was voided by an edit)",
                       code="not_approved")
    _rev, bundle = ready_bundle(session, row)
    if bundle.sha256 != appr.bundle_sha256:
        raise Conflict("stale approval: the plan's bundle or the assets behind it changed since approval; "
                       "preview and approve again", code="stale_approval")
    active = session.execute(select(Run).where(Run.plan_id == row.id, Run.mode == RunMode.RUN.value,
                                               Run.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]))).first()
    if active:
        raise Conflict("a run of this plan is already queued or running", code="run_in_progress")
    if limit_hosts is not None:
        unknown = sorted(set(limit_hosts) - set(bundle_hosts(bundle)))
        if unknown or not limit_hosts:
            raise BadRequest(f"limit names hosts outside the plan: {', '.join(unknown) or '(none given)'}")
    run = Run(plan_id=row.id, revision=appr.revision, mode=RunMode.RUN.value, bundle_sha256=bundle.sha256,
              approval_id=appr.id, created_by=actor, limit_hosts=limit_hosts, parent_run_id=parent_run_id,
              hosts=_pending_hosts(bundle, limit_hosts))
    session.add(run)
    row.state = PlanState.RUNNING.value
    session.flush()
    audit.record(session, "run.requested", actor=actor, plan_id=row.id, run_id=run.id, bundle_sha256=bundle.sha256,
                 outcome=RunStatus.QUEUED.value, details={"limit": limit_hosts, "parent_run_id": parent_run_id})
    return run


def bundle_hosts(bundle: Bundle) -> list[str]:
    return sorted({h for s in bundle.steps for h in s.hosts})


def plan_json(session: Session, row: Plan, revision: int | None = None) -> dict[str, Any]:
    rev = current_revision(row) if revision is None else next(
        (r for r in row.revisions if r.number == revision), None)
    if rev is None:
        raise NotFound(f"plan {row.id} has no revision {revision}")
    appr = valid_approval(session, row)
    preview = latest_preview(session, row.id, rev.number)
    out = dict(rev.body)
    out.update({
        "id": row.id, "revision": rev.number, "state": row.state, "created_by": row.created_by,
        "created_at": _iso(row.created_at), "bundle_sha256": rev.bundle_sha256,
        "approved": bool(appr), "approved_by": appr.decided_by if appr else None,
        "preview_run_id": preview.id if preview else None,
        "preview_status": preview.status if preview else None,
    })
    return out


def parse_plan_body(data: Any) -> PlanModel:
    try:
        return PlanModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "plan"
        raise BadRequest(f"invalid plan at {where}: {first.get('msg')}", code="invalid_plan") from exc


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()
