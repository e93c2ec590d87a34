"""Approvals: one decision, by the right person, for one run.

* An approval binds the bundle sha256 of a finished preview of the plan's current revision; one
  preview backs at most one approval.
* High and critical risk need an approver who is neither the requester nor the author of any
  revision of the plan (four-eyes, 403 ``four_eyes``).
* An approval is used up by the run it starts (``approvals.run_id``, set in one SQL statement, so
  two concurrent starts cannot both use it); afterwards only relaunches of that run on its hosts that
  did not succeed may follow (``app.services.runs.relaunch``). Anything else needs a new preview and
  approval (409 ``approval_used``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app import audit
from app.db.models import Approval, Plan, User
from app.errors import BadRequest, Conflict, Forbidden
from app.services.plans import current_revision, get_plan, latest_preview, ready_bundle
from app.statuses import Decision, PlanState, Risk, Role

FOUR_EYES = (Risk.HIGH, Risk.CRITICAL)


def plan_risk(row: Plan) -> Risk:
    return Risk(current_revision(row).body.get("risk", Risk.LOW))


def involved(row: Plan) -> set[str]:
    """Who asked for the plan or wrote any revision of it: they cannot be its second pair of eyes."""
    return {row.created_by} | {r.created_by for r in row.revisions}


def may_approve(row: Plan, user: str) -> bool:
    return plan_risk(row) not in FOUR_EYES or user not in involved(row)


def eligible_approvers(session: Session, row: Plan) -> list[str]:
    """Users who may approve this plan (approver role or higher, four-eyes applied)."""
    names = session.execute(select(User.name).where(User.role.in_([Role.APPROVER, Role.ADMIN]))
                            .order_by(User.name)).scalars().all()
    return [n for n in names if may_approve(row, n)]


def approve(session: Session, plan_id: str, actor: str, reason: str = "") -> Approval:
    row = get_plan(session, plan_id)
    rev, bundle = ready_bundle(session, row)
    preview = latest_preview(session, row.id, rev.number)
    if preview is None or not preview.status.usable_preview:
        raise Conflict("plan needs a finished preview (successful or partial) of its current revision first",
                       code="preview_required")
    if preview.bundle_sha256 != bundle.sha256:
        raise Conflict("the assets behind this plan changed since its preview; preview it again",
                       code="stale_preview")
    risk = plan_risk(row)
    if not may_approve(row, actor):
        raise Forbidden(f"{risk}-risk plans need a second person to approve: the approver may be neither the "
                        "requester nor the author of any revision of the plan (four-eyes)", code="four_eyes")
    backed = session.execute(select(Approval).where(Approval.preview_run_id == preview.id,
                                                    Approval.decision == Decision.APPROVED)).scalars().first()
    if backed is not None:
        if backed.run_id is None and not backed.voided:
            raise Conflict(f"this preview is already approved (by {backed.decided_by}); run it",
                           code="already_approved")
        raise Conflict("this preview's approval was used by a run; preview the plan again before a new approval",
                       code="approval_used")
    appr = Approval(plan_id=row.id, revision=rev.number, bundle_sha256=bundle.sha256, preview_run_id=preview.id,
                    decision=Decision.APPROVED, decided_by=actor, reason=reason)
    session.add(appr)
    row.state = PlanState.APPROVED
    session.flush()
    audit.record(session, "plan.approved", actor=actor, plan_id=row.id, run_id=preview.id,
                 bundle_sha256=bundle.sha256, outcome="approved", details={"revision": rev.number, "risk": risk})
    return appr


def reject(session: Session, plan_id: str, actor: str, reason: str) -> Approval:
    if not reason.strip():
        raise BadRequest("a rejection needs a reason")
    row = get_plan(session, plan_id)
    rev = current_revision(row)
    for appr in session.execute(select(Approval).where(Approval.plan_id == row.id,
                                                       Approval.voided.is_(False))).scalars():
        appr.voided = True
    rej = Approval(plan_id=row.id, revision=rev.number, bundle_sha256=rev.bundle_sha256 or "",
                   decision=Decision.REJECTED, decided_by=actor, reason=reason.strip(), voided=True)
    session.add(rej)
    row.state = PlanState.REJECTED
    session.flush()
    audit.record(session, "plan.rejected", actor=actor, plan_id=row.id, bundle_sha256=rev.bundle_sha256,
                 outcome="rejected", details={"reason": reason.strip(), "revision": rev.number})
    return rej


def current_approval(session: Session, row: Plan) -> Approval | None:
    """The newest approval of the current revision that no edit or rejection voided (used or not)."""
    return session.execute(
        select(Approval).where(Approval.plan_id == row.id, Approval.revision == row.current_revision,
                               Approval.decision == Decision.APPROVED, Approval.voided.is_(False))
        .order_by(Approval.id.desc()).limit(1)
    ).scalar_one_or_none()


def unused_approval(session: Session, row: Plan) -> Approval:
    """The approval a new run may use, or the 409 that says why there is none."""
    appr = current_approval(session, row)
    if appr is None:
        raise Conflict("plan revision is not approved (or its approval was voided by an edit)", code="not_approved")
    if appr.run_id is not None:
        raise Conflict(f"the approval by {appr.decided_by} was used by run {appr.run_id}; a new run needs a new "
                       "preview and approval (a relaunch of that run on its hosts that did not succeed is allowed)",
                       code="approval_used")
    return appr


def consume(session: Session, approval_id: int, run_id: str) -> None:
    """Mark the approval used by ``run_id``, atomically: a concurrent start finds it used."""
    statement = update(Approval).where(Approval.id == approval_id, Approval.run_id.is_(None)).values(run_id=run_id)
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]  # an UPDATE's result
    if result.rowcount != 1:
        raise Conflict("this approval was just used by another run; a new run needs a new preview and approval",
                       code="approval_used")
