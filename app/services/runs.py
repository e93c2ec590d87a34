"""Runs: the records of previews and real runs (created here, queued by ``app.services.launch``), the Run
JSON of the contract, cancel, and relaunch on the hosts that did not succeed."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.config import Settings
from app.db.models import Run, RunEvent
from app.db.types import iso
from app.errors import BadRequest, Conflict, NotFound
from app.services import verification, zones
from app.services.approvals import consume, unused_approval
from app.services.plans import bundle_hosts, get_plan, policy, ready_bundle
from app.statuses import (
    ACTIVE_RUN,
    HOST_ACTIVE,
    HOST_NOT_SUCCEEDED,
    HostStatus,
    PlanState,
    RunMode,
    RunStatus,
    StepStatus,
)
from compiler import Bundle


def get_run(session: Session, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run


def run_json(session: Session, run_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """Run JSON; with ``settings``, a queued run's ``status_message`` says what it waits for (a live worker
    of its zone), read from Redis."""
    run = get_run(session, run_id)
    view = run_view(run, verification_of(session, [run]).get(run.id))
    view["status_message"] = zones.status_message(settings, run)
    return view


def verification_of(session: Session, runs: list[Run]) -> dict[str, dict[str, Any]]:
    """The ``verification`` object of each RUN that has one (one query for all of them)."""
    ids = [r.id for r in runs if r.mode == RunMode.RUN]
    if not ids:
        return {}
    checks = session.execute(select(Run).where(Run.verifies_run_id.in_(ids)).order_by(Run.created_at)).scalars()
    return {c.verifies_run_id: verification.summary(c.id, RunStatus(c.status), c.hosts or {})
            for c in checks if c.verifies_run_id}


def run_view(run: Run, verified: dict[str, Any] | None = None) -> dict[str, Any]:
    hosts = run.hosts or {}
    counts: dict[str, int] = {}
    for entry in hosts.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    return {
        "id": run.id, "plan_id": run.plan_id, "revision": run.revision, "mode": run.mode, "status": run.status,
        "bundle_sha256": run.bundle_sha256, "created_by": run.created_by, "created_at": iso(run.created_at),
        "started_at": iso(run.started_at), "finished_at": iso(run.finished_at), "error": run.error,
        "limit": run.limit_hosts, "parent_run_id": run.parent_run_id, "cancel_requested": run.cancel_requested,
        "host_counts": counts, "hosts": hosts, "verifies_run_id": run.verifies_run_id,
        "zone": run.zone, "zones": list(run.zone_parts or []), "status_message": "",
        **({"verification": verified} if verified is not None else {}),
    }


def _pending_hosts(bundle: Bundle, only: list[str] | None = None) -> dict[str, Any]:
    hosts: dict[str, Any] = {}
    for step in bundle.steps:
        for host in step.hosts:
            if only is not None and host not in only:
                continue
            entry = hosts.setdefault(host, {"status": HostStatus.PENDING, "steps": []})
            entry["steps"].append({"step": step.index, "action": step.action, "status": StepStatus.PENDING,
                                   "changed": False, "diff": "", "previewable": step.previewable})
    return dict(sorted(hosts.items()))


def create_preview(session: Session, plan_id: str, actor: str) -> Run:
    """A queued CHECK run of the current revision's bundle (compiled against the fleet as it is now)."""
    row = get_plan(session, plan_id)
    rev, bundle = ready_bundle(session, row)
    if rev.bundle_sha256 != bundle.sha256:
        rev.bundle_sha256 = bundle.sha256  # the fleet changed since the plan was made: preview what runs now
    run = Run(plan_id=row.id, revision=rev.number, mode=RunMode.CHECK, bundle_sha256=bundle.sha256,
              created_by=actor, hosts=_pending_hosts(bundle))
    session.add(run)
    zones.start_zone(session, run)
    session.flush()
    audit.record(session, "preview.requested", actor=actor, plan_id=row.id, run_id=run.id,
                 bundle_sha256=bundle.sha256, outcome=RunStatus.QUEUED)
    return run


def _no_active_run(session: Session, plan_id: str) -> None:
    active = session.execute(select(Run.id).where(Run.plan_id == plan_id, Run.mode == RunMode.RUN,
                                                  Run.status.in_(ACTIVE_RUN))).first()
    if active:
        raise Conflict("a run of this plan is already queued or running", code="run_in_progress")


def answers_at_once(bundle: Bundle) -> bool:
    """A plan whose every step is read-only runs without preview or approval, unless the policy says not."""
    return all(step.read_only for step in bundle.steps) and not policy().read_only_needs_approval


def create_run(session: Session, plan_id: str, actor: str, limit_hosts: list[str] | None = None) -> Run:
    """A queued RUN of the approved bundle (it uses the approval up), or of a read-only plan's bundle."""
    row = get_plan(session, plan_id)
    _rev, bundle = ready_bundle(session, row)
    if answers_at_once(bundle):
        _no_active_run(session, row.id)
        _check_limit(bundle, limit_hosts)
        return _new_run(session, row.id, row.current_revision, bundle, None, actor, limit_hosts, None)
    appr = unused_approval(session, row)
    if bundle.sha256 != appr.bundle_sha256:
        raise Conflict("stale approval: the plan's bundle or the assets behind it changed since approval; "
                       "preview and approve again", code="stale_approval")
    _no_active_run(session, row.id)
    _check_limit(bundle, limit_hosts)
    run = _new_run(session, row.id, appr.revision, bundle, appr.id, actor, limit_hosts, None)
    consume(session, appr.id, run.id)
    return run


def _check_limit(bundle: Bundle, limit_hosts: list[str] | None) -> None:
    if limit_hosts is not None:
        unknown = sorted(set(limit_hosts) - set(bundle_hosts(bundle)))
        if unknown or not limit_hosts:
            raise BadRequest(f"limit names hosts outside the plan: {', '.join(unknown) or '(none given)'}")


def _new_run(session: Session, plan_id: str, revision: int, bundle: Bundle, approval_id: int | None, actor: str,
             limit_hosts: list[str] | None, parent_run_id: str | None) -> Run:
    run = Run(plan_id=plan_id, revision=revision, mode=RunMode.RUN, bundle_sha256=bundle.sha256,
              approval_id=approval_id, created_by=actor, limit_hosts=limit_hosts, parent_run_id=parent_run_id,
              hosts=_pending_hosts(bundle, limit_hosts))
    session.add(run)
    zones.start_zone(session, run)
    get_plan(session, plan_id).state = PlanState.RUNNING
    session.flush()
    audit.record(session, "run.requested", actor=actor, plan_id=plan_id, run_id=run.id, bundle_sha256=bundle.sha256,
                 outcome=RunStatus.QUEUED, details={"limit": limit_hosts, "parent_run_id": parent_run_id,
                                                    "approval_id": approval_id,
                                                    "read_only": all(s.read_only for s in bundle.steps)})
    return run


def not_succeeded(run: Run) -> list[str]:
    """Hosts of a run that did not succeed (failed, unreachable, interrupted or never finished)."""
    return sorted(h for h, e in (run.hosts or {}).items() if e.get("status") in HOST_NOT_SUCCEEDED)


def create_relaunch(session: Session, run_id: str, actor: str) -> tuple[Run, list[str]]:
    """A new run under the same approval, limited to the hosts of ``run_id`` that did not succeed.

    Only the newest run of an approval may be relaunched, once: so no host that succeeded under the
    approval ever runs again under it. A read-only plan's run needs no approval to be relaunched.
    """
    run = get_run(session, run_id)
    if run.mode != RunMode.RUN or not RunStatus(run.status).finished:
        raise Conflict("only a finished real run can be relaunched")
    hosts = not_succeeded(run)
    if not hosts:
        raise BadRequest("no hosts to relaunch on: every host of this run succeeded")
    later = session.execute(select(Run.id).where(Run.parent_run_id == run.id)).first()
    if later:
        raise Conflict(f"run {run.id} was relaunched already (run {later[0]}); relaunch that one",
                       code="approval_used")
    row = get_plan(session, run.plan_id)
    if row.current_revision != run.revision:
        raise Conflict("the plan was edited since this run; preview and approve the new revision",
                       code="stale_approval")
    _rev, bundle = ready_bundle(session, row)
    if run.approval_id is None and not answers_at_once(bundle):
        raise Conflict("this run has no approval to relaunch under", code="not_approved")
    if bundle.sha256 != run.bundle_sha256:
        raise Conflict("stale approval: the plan's bundle or the assets behind it changed since the run; "
                       "preview and approve again", code="stale_approval")
    _no_active_run(session, row.id)
    new = _new_run(session, row.id, run.revision, bundle, run.approval_id, actor, hosts, run.id)
    return new, hosts


def request_cancel(session: Session, run_id: str, actor: str) -> Run:
    run = get_run(session, run_id)
    if RunStatus(run.status).finished:
        raise Conflict(f"run already {run.status}")
    run.cancel_requested = True
    if run.status == RunStatus.QUEUED:  # its (next zone's) part never started: settle it here, the job is a no-op
        between = run.started_at is not None  # earlier zone parts ran: their hosts keep their outcome
        reason = f"canceled while waiting for zone '{run.zone}'" if between else "canceled before it started"
        run.status = RunStatus.CANCELED
        run.finished_at = datetime.now(UTC)
        run.error = reason
        hosts = {h: e if e.get("status") not in HOST_ACTIVE else
                 {**e, "status": HostStatus.CANCELED,
                  "steps": [{**st, "status": StepStatus.SKIPPED, "msg": f"not run: {reason}"}
                            for st in e.get("steps", [])]} for h, e in (run.hosts or {}).items()}
        run.hosts = hosts
        if run.mode == RunMode.RUN:
            get_plan(session, run.plan_id).state = PlanState.FINISHED
    audit.record(session, "run.cancel_requested", actor=actor, plan_id=run.plan_id, run_id=run.id,
                 bundle_sha256=run.bundle_sha256, outcome=run.status)
    return run


def events_after(session: Session, run_id: str, after: int, limit: int = 1000) -> list[dict[str, Any]]:
    rows = session.execute(select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq > after)
                           .order_by(RunEvent.seq).limit(limit)).scalars().all()
    return [{"seq": e.seq, "kind": e.kind, "host": e.host, "step": e.step, "data": e.data,
             "at": iso(e.created_at)} for e in rows]
