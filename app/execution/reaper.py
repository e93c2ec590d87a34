"""Finds runs whose worker died (e.g. SIGKILL) and settles them; re-enqueues runs whose job went missing.

ansible-playbook runs in its own session and survives a killed worker, so the run's local processes
(found by the marker in their environment) are stopped here, and so are the remote commands its
interrupted steps left running; the run is marked failed with a reason that asks for review (a change
may have half happened). A run is never started twice: re-enqueued jobs still claim it in SQL first.
"""
from __future__ import annotations

import copy
import logging
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, defaults
from app.config import Settings
from app.db.models import Plan, Run
from app.db.session import session_scope
from app.execution import runtime
from app.execution.events import EventRecorder
from app.execution.processes import pid_alive, stop_run_processes, stop_worker_horse
from app.execution.stop import stop_remote_commands
from app.execution.tracker import IN_FLIGHT
from app.execution.workspace import Workspace
from app.queue import DEFAULT_ZONE, enqueue_run, job_id_for, redis_connection
from app.services import zones
from app.services.plans import compile_body
from app.statuses import HOST_ACTIVE, STEP_ACTIVE, HostStatus, PlanState, RunMode, RunStatus, StepStatus

log = logging.getLogger(__name__)
LOST = ("worker lost mid-run (killed or crashed); the run was stopped and needs review: "
        "some hosts may have been changed")


def _worker_dead(run: Run) -> bool:
    host, _, pid = (run.worker_name or "").rpartition(":")
    if host != socket.gethostname():
        return False  # another machine's worker reaps its own runs
    return not pid_alive(int(pid or 0)) or not pid_alive(run.worker_pid)


def later_zones(session: Session, hosts: dict[str, Any], zone: str | None) -> set[str]:
    """The pending hosts of a run that are not in the zone of its lost part: no worker contacted them."""
    return {h for h, z in zones.host_zones(session, zones.pending_hosts(hosts)).items()
            if z != (zone or DEFAULT_ZONE)}


def settle_lost_hosts(hosts: dict[str, Any], not_reached: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """A copy of the per-host view with every unfinished step and host failed, saying why; the hosts in
    ``not_reached`` (other zones' hosts, never contacted) end canceled, their steps skipped."""
    out = copy.deepcopy(hosts or {})
    for name, entry in out.items():
        if name in not_reached:
            entry["status"] = HostStatus.CANCELED
            entry["msg"] = "not run: the worker of an earlier zone was lost"
            for step in entry.get("steps", []):
                step["status"], step["msg"] = StepStatus.SKIPPED, "not run: the worker was lost"
            continue
        for step in entry.get("steps", []):
            task = step.pop(IN_FLIGHT, None)
            if task or step.get("status") == StepStatus.RUNNING:
                step["status"] = StepStatus.FAILED
                step["msg"] = f"interrupted: the worker was lost while '{task or 'this step'}' ran"
            elif step.get("status") == StepStatus.PENDING:
                step["status"] = StepStatus.SKIPPED
                step["msg"] = "not run: the worker was lost"
        if entry.get("status") in HOST_ACTIVE:
            entry["status"] = HostStatus.FAILED
            entry["msg"] = LOST
    return out


def reap(settings: Settings) -> list[str]:
    """Settle runs of dead workers on this machine whose running part is in one of this worker's zones (it
    may stop what they left running on those hosts only); return their ids."""
    reaped: list[tuple[str, dict[str, Any]]] = []
    with session_scope(settings.database_url) as s:
        running = s.execute(select(Run).where(Run.status == RunStatus.RUNNING, func.coalesce(
            Run.zone, DEFAULT_ZONE).in_(runtime.zones()))).scalars().all()
        for run in running:
            if not _worker_dead(run):
                continue
            stop_worker_horse(run.worker_pid)  # first: it would settle the run itself when its child dies
            stop_run_processes(run.id)
            before = copy.deepcopy(run.hosts or {})
            run.status = RunStatus.FAILED
            run.finished_at = datetime.now(UTC)
            run.error = LOST
            later = later_zones(s, before, run.zone)
            run.hosts = settle_lost_hosts(before, later)  # a new object: the JSON column is saved
            plan = s.get_one(Plan, run.plan_id)
            if plan.state == PlanState.RUNNING and run.mode == RunMode.RUN:
                plan.state = PlanState.FINISHED
            audit.record(s, "run.reaped", actor=f"worker:{socket.gethostname()}", plan_id=run.plan_id,
                         run_id=run.id, bundle_sha256=run.bundle_sha256, outcome=RunStatus.FAILED,
                         details={"reason": run.error})
            reaped.append((run.id, before))
    for run_id, before in reaped:
        _stop_remote(settings, run_id, before)
        _publish_end(settings, run_id)
    return [run_id for run_id, _ in reaped]


def _stop_remote(settings: Settings, run_id: str, hosts: dict[str, Any]) -> None:
    """Stop on the hosts what the lost run's running steps started (best effort), on the hosts its lost part
    was running (the hosts of other zones were never contacted and are not now)."""
    hosts = {h: e for h, e in hosts.items() if e.get("status") != HostStatus.PENDING}
    if not any(st.get(IN_FLIGHT) or st.get("status") in STEP_ACTIVE
               for e in hosts.values() for st in e.get("steps", [])):
        return
    try:
        with session_scope(settings.database_url) as s:
            run = s.get_one(Run, run_id)
            if run.mode != RunMode.RUN:
                return
            body = next(r.body for r in s.get_one(Plan, run.plan_id).revisions if r.number == run.revision)
            bundle = compile_body(s, body)
        with Workspace.create(settings, run_id, bundle, sorted(hosts), runtime.secret_key(settings)) as ws:
            stop_remote_commands(ws, run_id, bundle, in_flight(hosts), statuses=(StepStatus.RUNNING,))
    except Exception:  # noqa: BLE001 - the run is settled already; this is cleanup
        log.exception("could not stop the remote commands of lost run %s", run_id)


def in_flight(hosts: dict[str, Any]) -> dict[str, Any]:
    """The per-host view with every step whose task was in flight marked running (what the stop plays want)."""
    out = copy.deepcopy(hosts)
    for entry in out.values():
        for step in entry.get("steps", []):
            if step.get(IN_FLIGHT):
                step["status"] = StepStatus.RUNNING
    return out


def _publish_end(settings: Settings, run_id: str) -> None:
    with session_scope(settings.database_url) as s:
        run = s.get_one(Run, run_id)
        hosts, error = run.hosts, run.error
    EventRecorder(settings.database_url, settings.redis_url, run_id).emit(
        "end", {"status": RunStatus.FAILED, "error": error, "hosts": hosts}, flush=True)


def requeue_lost(settings: Settings, older_than: float = defaults.LOST_JOB_GRACE_SECONDS) -> list[str]:
    """Queued runs without a live job (Redis flushed or restarted, or a job that ended while its run
    stayed queued) are enqueued again; the claim in SQL keeps each run to one execution."""
    conn = redis_connection(settings.redis_url)
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
    with session_scope(settings.database_url) as s:
        queued = s.execute(select(Run.id, Run.created_at, Run.zone).where(Run.status == RunStatus.QUEUED)).all()
    lost = []
    for run_id, created, zone in queued:
        if created > cutoff:
            continue
        job_id = job_id_for(settings, run_id, zone)
        try:
            job: Job | None = Job.fetch(job_id, connection=conn)
        except NoSuchJobError:
            job = None
        if job is not None:
            status = job.get_status(refresh=False)
            if status not in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                continue  # waiting, deferred or being worked on: not lost
            job.delete()  # ended without running the run: make room for a new job with the same id
        enqueue_run(settings, run_id, zone)  # on the queue of the zone its next part runs in
        lost.append(run_id)
    return lost
