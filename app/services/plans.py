"""Stored plans: create, revise, read, compile. The database is the source of truth.

Approvals live in ``app.services.approvals``, previews and runs in ``app.services.runs``; faces start
them through ``app.services.launch``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.config import Settings
from app.db.models import Approval, Plan, PlanRevision, Run
from app.db.types import iso
from app.errors import BadRequest, Conflict, NotFound
from app.services import bundles
from app.services.catalog import catalog_version, current_catalog
from app.services.hosts import host_specs
from app.statuses import Decision, PlanState, PlanStatus, RunMode
from compiler import Bundle, CompilerError, compile_plan, load_policy
from compiler import Plan as PlanModel
from compiler.policy import DEFAULT_POLICY_PATH, RolloutPolicy

_policies: dict[tuple[str, int, int], RolloutPolicy] = {}


def policy(settings: Settings | None = None) -> RolloutPolicy:
    """The rollout policy (parsed once per file version: path, mtime, size)."""
    settings = settings or Settings.from_env()
    path = Path(settings.policy_file) if settings.policy_file else DEFAULT_POLICY_PATH
    try:
        info = path.stat()
        key = (str(path), info.st_mtime_ns, info.st_size)
    except OSError:
        return load_policy(path)  # raises the policy error the caller reports
    loaded = _policies.get(key)
    if loaded is None:
        loaded = _policies[key] = load_policy(path)
    return loaded


def compile_body(session: Session, body: dict[str, Any], settings: Settings | None = None) -> Bundle:
    """The bundle of a stored plan body against the current asset database: compiled once per body and
    inputs fingerprint (``app.services.bundles``), reused while the plan's hosts, their groups and
    credentials, the catalog and the policy stay the same."""
    rollout = policy(settings)
    hosts = [str(h) for h in body.get("hosts") or ()]
    fingerprint = bundles.inputs_fingerprint(session, hosts, catalog_version(session), rollout)
    key = (str(session.get_bind().engine.url), bundles.body_key(body), fingerprint)

    def compile_() -> Bundle:
        plan = PlanModel.model_validate(body)
        return compile_plan(plan, host_specs(session, plan.hosts), rollout, current_catalog(session))

    return bundles.cache.get_or_compile(key, compile_)


def get_plan(session: Session, plan_id: str) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


def current_revision(plan: Plan) -> PlanRevision:
    return next(r for r in plan.revisions if r.number == plan.current_revision)


def _bundle_sha(session: Session, body: dict[str, Any], status: str) -> str | None:
    if status != PlanStatus.READY:
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
    rev = PlanRevision(plan_id=row.id, number=1, status=plan.status, body=body, created_by=actor,
                       bundle_sha256=_bundle_sha(session, body, plan.status))
    session.add(rev)
    session.flush()
    audit.record(session, "plan.created", actor=actor, plan_id=row.id, bundle_sha256=rev.bundle_sha256,
                 outcome=plan.status, details={"request": plan.request, "revision": 1})
    session.refresh(row)
    return row


def revise_plan(session: Session, plan_id: str, plan: PlanModel, actor: str) -> Plan:
    """A new revision; any approval of an earlier revision is voided."""
    row = get_plan(session, plan_id)
    if row.state == PlanState.RUNNING:
        raise Conflict("plan has a run in progress; wait for it to finish before editing")
    body = plan.contract_json()
    number = row.current_revision + 1
    rev = PlanRevision(plan_id=row.id, number=number, status=plan.status, body=body, created_by=actor,
                       bundle_sha256=_bundle_sha(session, body, plan.status))
    session.add(rev)
    voided = 0
    for appr in session.execute(select(Approval).where(Approval.plan_id == row.id,
                                                       Approval.voided.is_(False))).scalars():
        appr.voided = True
        voided += 1
    row.current_revision = number
    row.state = PlanState.DRAFT
    session.flush()
    audit.record(session, "plan.revised", actor=actor, plan_id=row.id, bundle_sha256=rev.bundle_sha256,
                 outcome=plan.status, details={"revision": number, "approvals_voided": voided})
    session.refresh(row)
    return row


def ready_bundle(session: Session, row: Plan) -> tuple[PlanRevision, Bundle]:
    rev = current_revision(row)
    if rev.status != PlanStatus.READY:
        raise Conflict(f"plan is {rev.status}, not ready; answer its questions or edit it first")
    try:
        bundle = compile_body(session, rev.body)
    except CompilerError as exc:
        raise Conflict(f"plan no longer compiles: {exc}", code="stale_plan") from exc
    return rev, bundle


def latest_preview(session: Session, plan_id: str, revision: int) -> Run | None:
    return session.execute(
        select(Run).where(Run.plan_id == plan_id, Run.revision == revision, Run.mode == RunMode.CHECK,
                          Run.verifies_run_id.is_(None))
        .order_by(Run.created_at.desc(), Run.id.desc()).limit(1)
    ).scalar_one_or_none()


def bundle_hosts(bundle: Bundle) -> list[str]:
    return sorted({h for s in bundle.steps for h in s.hosts})


def plan_json(session: Session, row: Plan, revision: int | None = None) -> dict[str, Any]:
    rev = current_revision(row) if revision is None else next(
        (r for r in row.revisions if r.number == revision), None)
    if rev is None:
        raise NotFound(f"plan {row.id} has no revision {revision}")
    last = session.execute(
        select(Approval).where(Approval.plan_id == row.id, Approval.revision == rev.number,
                               Approval.decision == Decision.APPROVED, Approval.voided.is_(False))
        .order_by(Approval.id.desc()).limit(1)).scalar_one_or_none()
    return _plan_view(row, rev, last, latest_preview(session, row.id, rev.number))


def plans_json(session: Session, rows: list[Plan]) -> list[dict[str, Any]]:
    """Many plans at their current revisions in three queries (revisions, approvals, previews), not per row."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    revs = {(r.plan_id, r.number): r for r in session.execute(
        select(PlanRevision).where(PlanRevision.plan_id.in_(ids))).scalars()}
    approvals: dict[tuple[str, int], Approval] = {}
    for a in session.execute(select(Approval).where(Approval.plan_id.in_(ids), Approval.voided.is_(False),
                                                    Approval.decision == Decision.APPROVED)
                             .order_by(Approval.id)).scalars():
        approvals[(a.plan_id, a.revision)] = a  # the newest wins
    previews: dict[tuple[str, int], Run] = {}
    for run in session.execute(select(Run).where(Run.plan_id.in_(ids), Run.mode == RunMode.CHECK,
                                                 Run.verifies_run_id.is_(None))
                               .order_by(Run.created_at, Run.id)).scalars():
        previews[(run.plan_id, run.revision)] = run
    out = []
    for row in rows:
        key = (row.id, row.current_revision)
        out.append(_plan_view(row, revs[key], approvals.get(key), previews.get(key)))
    return out


def _plan_view(row: Plan, rev: PlanRevision, last: Approval | None, preview: Run | None) -> dict[str, Any]:
    out = dict(rev.body)
    out.update({
        "id": row.id, "revision": rev.number, "state": row.state, "created_by": row.created_by,
        "created_at": iso(row.created_at), "bundle_sha256": rev.bundle_sha256,
        "approved": bool(last and last.run_id is None), "approved_by": last.decided_by if last else None,
        "approval_used": bool(last and last.run_id is not None),
        "approval_preview_run_id": last.preview_run_id if last else None,
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
