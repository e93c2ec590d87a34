"""Run views and control: the Run JSON of the contract, cancel, relaunch on failed hosts."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.db.models import Run, RunEvent, RunStatus
from app.errors import BadRequest, Conflict, NotFound


def get_run(session: Session, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run


def _iso(v: datetime | None) -> str | None:
    if v is None:
        return None
    return (v if v.tzinfo else v.replace(tzinfo=timezone.utc)).isoformat()


def run_json(session: Session, run_id: str) -> dict[str, Any]:
    run = get_run(session, run_id)
    hosts = run.hosts or {}
    counts: dict[str, int] = {}
    for entry in hosts.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    return {
        "id": run.id, "plan_id": run.plan_id, "revision": run.revision, "mode": run.mode, "status": run.status,
        "bundle_sha256": run.bundle_sha256, "created_by": run.created_by, "created_at": _iso(run.created_at),
        "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at), "error": run.error,
        "limit": run.limit_hosts, "parent_run_id": run.parent_run_id, "cancel_requested": run.cancel_requested,
        "host_counts": counts, "hosts": hosts,
    }


def request_cancel(session: Session, run_id: str, actor: str) -> Run:
    run = get_run(session, run_id)
    if RunStatus(run.status).finished:
        raise Conflict(f"run already {run.status}")
    run.cancel_requested = True
    if run.status == RunStatus.QUEUED.value:  # never started: settle it here, the job will be a no-op
        run.status = RunStatus.CANCELED.value
        run.finished_at = datetime.now(timezone.utc)
        run.error = "canceled before it started"
    audit.record(session, "run.cancel_requested", actor=actor, plan_id=run.plan_id, run_id=run.id,
                 bundle_sha256=run.bundle_sha256, outcome=run.status)
    return run


def events_after(session: Session, run_id: str, after: int, limit: int = 1000) -> list[dict[str, Any]]:
    rows = session.execute(select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq > after)
                           .order_by(RunEvent.seq).limit(limit)).scalars().all()
    return [{"seq": e.seq, "kind": e.kind, "host": e.host, "step": e.step, "data": e.data,
             "at": _iso(e.created_at)} for e in rows]


def failed_hosts(run: Run) -> list[str]:
    return sorted(h for h, e in (run.hosts or {}).items() if e.get("status") in ("failed", "unreachable"))


def relaunch(session: Session, run_id: str, actor: str) -> tuple[Run, list[str]]:
    """A new run of the same approved bundle, limited to the hosts that failed or were unreachable."""
    from app.db.models import RunMode
    from app.services.plans import start_run

    run = get_run(session, run_id)
    if run.mode != RunMode.RUN.value or not RunStatus(run.status).finished:
        raise Conflict("only a finished real run can be relaunched")
    failed = failed_hosts(run)
    if not failed:
        raise BadRequest("no failed or unreachable hosts to relaunch on")
    return start_run(session, run.plan_id, actor, limit_hosts=failed, parent_run_id=run.id), failed
