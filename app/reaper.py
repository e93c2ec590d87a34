"""Finds runs whose worker died (e.g. SIGKILL) and settles them; re-enqueues runs whose job Redis lost.

ansible-playbook runs in its own session and survives a killed worker, so its process group is stopped
here; the run is marked failed with a reason that asks for review (a change may have half happened).
A run is never started twice: re-enqueued jobs still have to claim the run in the database.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
from datetime import datetime, timedelta, timezone

from rq.job import Job
from sqlalchemy import select

from app import audit
from app.config import Settings
from app.db.models import Plan, PlanState, Run, RunStatus
from app.db.session import session_scope
from app.queue import enqueue_run, job_id_for, redis_connection

log = logging.getLogger(__name__)


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def _kill_tree(pid: int | None) -> None:
    if not pid_alive(pid):
        return
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _worker_dead(run: Run) -> bool:
    host, _, pid = (run.worker_name or "").rpartition(":")
    if host != socket.gethostname():
        return False  # another machine's worker reaps its own runs
    return not pid_alive(int(pid or 0)) or not pid_alive(run.worker_pid)


def reap(settings: Settings) -> list[str]:
    """Settle runs of dead workers on this machine; return their ids."""
    reaped: list[str] = []
    with session_scope(settings.database_url) as s:
        running = s.execute(select(Run).where(Run.status == RunStatus.RUNNING.value)).scalars().all()
        for run in running:
            if not _worker_dead(run):
                continue
            _kill_tree(run.runner_pid)
            _kill_tree(run.worker_pid)
            run.status = RunStatus.FAILED.value
            run.finished_at = datetime.now(timezone.utc)
            run.error = ("worker lost mid-run (killed or crashed); the run was stopped and needs review: "
                         "some hosts may have been changed")
            for entry in (run.hosts or {}).values():
                if entry.get("status") in ("pending", "running"):
                    entry["status"] = "failed"
            run.hosts = dict(run.hosts or {})
            plan = s.get(Plan, run.plan_id)
            if plan is not None and plan.state == PlanState.RUNNING.value:
                plan.state = PlanState.DONE.value
            audit.record(s, "run.reaped", actor=f"worker:{socket.gethostname()}", plan_id=run.plan_id,
                         run_id=run.id, bundle_sha256=run.bundle_sha256, outcome=RunStatus.FAILED.value,
                         details={"reason": run.error})
            reaped.append(run.id)
    for run_id in reaped:
        _publish_end(settings, run_id)
    return reaped


def _publish_end(settings: Settings, run_id: str) -> None:
    from app.events import EventRecorder

    with session_scope(settings.database_url) as s:
        run = s.get(Run, run_id)
        hosts, error = run.hosts, run.error
    EventRecorder(settings.database_url, settings.redis_url, run_id).emit(
        "end", {"status": RunStatus.FAILED.value, "error": error, "hosts": hosts}, flush=True)


def requeue_lost(settings: Settings, older_than: float = 30.0) -> list[str]:
    """Queued runs whose RQ job vanished (Redis flushed or restarted) are enqueued again."""
    conn = redis_connection(settings.redis_url)
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=older_than)
    with session_scope(settings.database_url) as s:
        queued = s.execute(select(Run.id, Run.created_at).where(Run.status == RunStatus.QUEUED.value)).all()
    lost = []
    for run_id, created in queued:
        created = created if created.tzinfo else created.replace(tzinfo=timezone.utc)
        if created > cutoff or Job.exists(job_id_for(run_id), connection=conn):
            continue
        enqueue_run(settings, run_id)
        lost.append(run_id)
    return lost
