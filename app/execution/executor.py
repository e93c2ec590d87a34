"""Executes one run (preview or real): claim, prepare, run, settle.

Only the worker imports this package: it is the one place that touches hosts and decrypts credentials.

    claim    the run moves queued -> running in one SQL statement (a duplicate job is a no-op)
    prepare  compile the bundle again and check it is the one approved; a fresh workspace
    run      ansible-runner with the callbacks; after a cancel or timeout, stop what was left running
    settle   final per-host state, run status, plan state, audit entry, 'end' event, webhooks
"""
from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, update

from app import audit, defaults, notify
from app.config import Settings
from app.db.models import Plan, Run
from app.db.session import session_scope
from app.errors import OpsplanError
from app.execution import runner, runtime
from app.execution.callbacks import CancelPoller, EventHandler, StatusHandler
from app.execution.errors import RunNotFound
from app.execution.events import EventRecorder, Redactor
from app.execution.stop import stop_remote_commands
from app.execution.tracker import RunTracker
from app.execution.verify import verify
from app.execution.workspace import Workspace
from app.services.plans import compile_body
from app.statuses import PlanState, RunMode, RunStatus
from compiler import Bundle, CompilerError

log = logging.getLogger(__name__)


def worker_label() -> str:
    return f"{socket.gethostname()}:{os.getppid()}"


def claim(settings: Settings, run_id: str) -> bool:
    """Atomically move a queued run to running; False when it was already taken (a duplicate job).

    A run this worker cannot see raises RunNotFound, so its job fails visibly instead of being
    acknowledged as done.
    """
    with session_scope(settings.database_url) as s:
        now = datetime.now(UTC)
        result: CursorResult[Any] = s.execute(  # type: ignore[assignment]  # an UPDATE's result
            update(Run).where(Run.id == run_id, Run.status == RunStatus.QUEUED).values(
                status=RunStatus.RUNNING, started_at=now, claimed_at=now, worker_name=worker_label(), error="",
                worker_pid=os.getpid())
        )
        if result.rowcount == 1:
            return True
        if s.get(Run, run_id) is None:
            raise RunNotFound(f"run {run_id} is not in this worker's database ({settings.database_url.split('@')[-1]})")
        return False


@dataclass
class Prepared:
    bundle: Bundle
    mode: RunMode
    limit: list[str] | None
    hosts: dict[str, Any]


def prepare(settings: Settings, run_id: str) -> Prepared | str:
    """The run's bundle, compiled again from its revision; an error text when it is not the approved one."""
    with session_scope(settings.database_url) as s:
        run = s.get_one(Run, run_id)
        plan = s.get_one(Plan, run.plan_id)
        body = next(r.body for r in plan.revisions if r.number == run.revision)
        try:
            bundle = compile_body(s, body)
        except CompilerError as exc:  # e.g. an added action removed since the plan was made
            return f"stale: the plan no longer compiles ({exc}); edit it, preview and approve again"
        if bundle.sha256 != run.bundle_sha256:
            return ("stale: the plan's bundle or the assets behind it changed since it was queued "
                    f"(expected {run.bundle_sha256[:12]}, now {bundle.sha256[:12]}); preview and approve again")
        return Prepared(bundle, RunMode(run.mode), run.limit_hosts, dict(run.hosts))


def execute(settings: Settings, run_id: str) -> str:
    """Run ``run_id`` to a final state; a no-op when another job already took it."""
    if not claim(settings, run_id):
        log.info("run %s is not queued (already taken or finished); nothing to do", run_id)
        return "skipped"
    recorder: EventRecorder | None = None
    try:
        recorder = EventRecorder(settings.database_url, settings.redis_url, run_id)
        prepared = prepare(settings, run_id)
        if isinstance(prepared, str):
            settle(settings, run_id, RunStatus.FAILED, None, prepared, recorder)
            return RunStatus.FAILED
        return run_bundle(settings, run_id, prepared, recorder)
    except OpsplanError as exc:  # a refusal with its own message (e.g. asset data the host-variable rule refuses)
        settle(settings, run_id, RunStatus.FAILED, None, exc.message, recorder)
        return RunStatus.FAILED
    except Exception as exc:  # noqa: BLE001 - the run must never stay 'running' because of our own error
        log.exception("run %s crashed", run_id)
        settle(settings, run_id, RunStatus.FAILED, None, f"internal error: {type(exc).__name__}: {exc}", recorder)
        return RunStatus.FAILED


def run_bundle(settings: Settings, run_id: str, prepared: Prepared, recorder: EventRecorder) -> str:
    bundle, check = prepared.bundle, prepared.mode is RunMode.CHECK
    tracker = RunTracker(prepared.hosts, bundle.steps, check_mode=check)
    with Workspace.create(settings, run_id, bundle, sorted(prepared.hosts), runtime.secret_key(settings)) as ws:
        recorder.redact = tracker.redact = Redactor(ws.secrets)
        recorder.emit("start", {"mode": prepared.mode, "bundle_sha256": bundle.sha256,
                                "hosts": sorted(prepared.hosts),
                                "steps": [{"step": st.index, "action": st.action} for st in bundle.steps]},
                      flush=True)
        handler = EventHandler(tracker, recorder)
        cancel = CancelPoller(settings, run_id)
        status = StatusHandler()
        recorder.start_background()
        try:
            config = runner.prepare(ws, run_id, bundle.playbook, check=check, limit=prepared.limit,
                                    timeout=settings.run_timeout)
            result = runner.run(config, event_handler=handler, cancel_callback=cancel, status_handler=status)
        finally:
            handler.detach()
            recorder.close()
        final = tracker.finish(result.status, cancel.canceled)
        if final in (RunStatus.CANCELED, RunStatus.TIMED_OUT) and not check:
            stopped = stop_remote_commands(ws, run_id, bundle, tracker.hosts)
            if stopped:
                recorder.emit("log", {"line": f"stopped what the interrupted commands left running on "
                                              f"{', '.join(stopped)}"})
        error = "" if final in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL) else error_text(result, final, tracker.tail)
        error = recorder.redact(error)
    # settled once the workspace is gone: a finished run leaves no private data dir and no secret file
    settle(settings, run_id, final, tracker.hosts, error, recorder)
    if not check and final in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL):
        verify(settings, run_id, bundle, tracker.hosts)  # the same bundle in check mode: converged or drift
    return final


def error_text(result: Any, status: RunStatus, lines: Any) -> str:
    if status is RunStatus.CANCELED:
        return "canceled by request"
    if status is RunStatus.TIMED_OUT:
        return "run timed out"
    tail = "\n".join(lines)
    if len(tail) > defaults.ERROR_TEXT_CHARS:  # keep whole lines: cut at the first line end in the window
        tail = tail[-defaults.ERROR_TEXT_CHARS:]
        tail = tail.split("\n", 1)[1] if "\n" in tail else tail
    tail = tail.strip()
    return f"ansible-runner ended {result.status} (rc={result.rc})" + (f": {tail}" if tail else "")


def settle(settings: Settings, run_id: str, status: RunStatus, hosts: dict[str, Any] | None, error: str = "",
           recorder: EventRecorder | None = None) -> None:
    """Final state of the run and its plan, the audit entry, the 'end' event and the webhooks."""
    with session_scope(settings.database_url) as s:
        run = s.get_one(Run, run_id)
        run.status = status
        run.finished_at = datetime.now(UTC)
        if hosts is not None:
            run.hosts = hosts
        run.error = error
        plan = s.get_one(Plan, run.plan_id)
        if run.mode == RunMode.CHECK and plan.state in (PlanState.DRAFT, PlanState.FINISHED) and status.usable_preview:
            plan.state = PlanState.PREVIEWED
        if run.mode == RunMode.RUN:
            plan.state = PlanState.FINISHED
        audit.record(s, "preview.finished" if run.mode == RunMode.CHECK else "run.finished",
                     actor=f"worker:{socket.gethostname()}", plan_id=run.plan_id, run_id=run.id,
                     bundle_sha256=run.bundle_sha256, outcome=status, details={"error": error} if error else {})
    if recorder is not None:
        recorder.emit("end", {"status": status, "error": error, "hosts": hosts or {}}, flush=True)
    notify.emit_for_run(settings, run_id)  # approval.needed / run.finished / run.failed; never raises
