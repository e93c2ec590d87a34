"""Executes one run (preview or real): claim, prepare, run, settle.

Only the worker imports this package: it is the one place that touches hosts and decrypts credentials.

    claim    the run moves queued -> running in one SQL statement (a duplicate job is a no-op), when its
             queued part is in one of this worker's execution zones
    prepare  compile the bundle again and check it is the one approved; the part's hosts (the run's pending
             hosts in that zone); a fresh workspace holding only them
    run      ansible-runner with the callbacks; after a cancel or timeout, stop what was left running
    hand off when hosts of another zone are still pending: record the part (zone, worker, hosts, outcome),
             queue the run again in the next zone (CONTRACT 10: one run, zone by zone)
    settle   final per-host state, run status (all parts together), plan state, audit entry, 'end' event,
             webhooks
"""
from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, func, update

from app import audit, defaults, notify
from app.config import Settings
from app.db.models import Plan, Run
from app.db.session import session_scope
from app.errors import OpsplanError, QueueUnavailable
from app.execution import runner, runtime
from app.execution.callbacks import CancelPoller, EventHandler, StatusHandler, report_host_key_changes
from app.execution.errors import RunNotFound
from app.execution.events import EventRecorder, Redactor
from app.execution.runtime import worker_label
from app.execution.stop import stop_remote_commands
from app.execution.tracker import RunTracker
from app.execution.verify import check_verification, open_verification, verify
from app.execution.workspace import Workspace
from app.queue import DEFAULT_ZONE, enqueue_run
from app.services import zones
from app.services.plans import compile_body
from app.statuses import HostStatus, PlanState, RunMode, RunStatus, StepStatus
from compiler import Bundle, CompilerError

log = logging.getLogger(__name__)


def claim(settings: Settings, run_id: str, zones: tuple[str, ...] = (DEFAULT_ZONE,)) -> bool:
    """Atomically move a queued run to running; False when it was already taken (a duplicate job) or its
    queued part is in a zone this worker does not serve (the janitor queues it where it belongs).

    A run this worker cannot see raises RunNotFound, so its job fails visibly instead of being
    acknowledged as done.
    """
    with session_scope(settings.database_url) as s:
        now = datetime.now(UTC)
        result: CursorResult[Any] = s.execute(  # type: ignore[assignment]  # an UPDATE's result
            update(Run).where(Run.id == run_id, Run.status == RunStatus.QUEUED,
                              func.coalesce(Run.zone, DEFAULT_ZONE).in_(zones)).values(
                status=RunStatus.RUNNING, started_at=func.coalesce(Run.started_at, now), claimed_at=now,
                worker_name=worker_label(), error="", worker_pid=os.getpid())
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
    hosts: dict[str, Any]  # this part's hosts (the run's pending hosts in its zone)
    zone: str = DEFAULT_ZONE
    all_hosts: dict[str, Any] = field(default_factory=dict)  # every host of the run, as it stands
    parts: list[dict[str, Any]] = field(default_factory=list)  # the zone parts that ran before this one
    canceled: bool = False

    @property
    def first(self) -> bool:
        return not self.parts


def prepare(settings: Settings, run_id: str) -> Prepared | str:
    """The run's bundle, compiled again from its revision, and this part's hosts; an error text when the
    bundle is not the approved one."""
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
        everyone = dict(run.hosts or {})
        zone = run.zone or DEFAULT_ZONE
        part = zones.part_hosts(s, everyone, zone)
        return Prepared(bundle, RunMode(run.mode), run.limit_hosts, {h: everyone[h] for h in part}, zone=zone,
                        all_hosts=everyone, parts=list(run.zone_parts or []), canceled=bool(run.cancel_requested))


def execute(settings: Settings, run_id: str) -> str:
    """Run ``run_id`` to a final state; a no-op when another job already took it."""
    if not claim(settings, run_id, runtime.zones()):
        log.info("run %s is not queued (already taken or finished); nothing to do", run_id)
        return "skipped"
    recorder: EventRecorder | None = None
    try:
        recorder = EventRecorder(settings.database_url, settings.redis_url, run_id)
        prepared = prepare(settings, run_id)
        if isinstance(prepared, str):
            settle(settings, run_id, RunStatus.FAILED, None, prepared, recorder)
            return RunStatus.FAILED
        if prepared.canceled:  # canceled while this part was being handed over: contact nobody
            return finish_parts(settings, run_id, prepared, prepared.all_hosts, prepared.parts, RunStatus.CANCELED,
                                recorder)
        if not prepared.hosts:  # every host it was queued for moved to another zone meanwhile
            return finish_parts(settings, run_id, prepared, prepared.all_hosts, prepared.parts, None, recorder)
        return run_bundle(settings, run_id, prepared, recorder)
    except OpsplanError as exc:  # a refusal with its own message (e.g. asset data the host-variable rule refuses)
        settle(settings, run_id, RunStatus.FAILED, None, exc.message, recorder)
        return RunStatus.FAILED
    except Exception as exc:  # noqa: BLE001 - the run must never stay 'running' because of our own error
        log.exception("run %s crashed", run_id)
        settle(settings, run_id, RunStatus.FAILED, None, f"internal error: {type(exc).__name__}: {exc}", recorder)
        return RunStatus.FAILED


def run_bundle(settings: Settings, run_id: str, prepared: Prepared, recorder: EventRecorder) -> str:
    """Run this part (the run's pending hosts in its zone): the workspace's inventory holds those hosts only,
    and ``--limit`` names them, so no host of another zone is ever contacted from here."""
    bundle, check = prepared.bundle, prepared.mode is RunMode.CHECK
    part = sorted(prepared.hosts)
    tracker = RunTracker(prepared.hosts, bundle.steps, check_mode=check)
    with Workspace.create(settings, run_id, bundle, part, runtime.secret_key(settings)) as ws:
        recorder.redact = tracker.redact = Redactor(ws.secrets)
        if prepared.first:
            recorder.emit("start", {"mode": prepared.mode, "bundle_sha256": bundle.sha256,
                                    "hosts": sorted(prepared.all_hosts),
                                    "steps": [{"step": st.index, "action": st.action} for st in bundle.steps]},
                          flush=True)
        recorder.emit("zone", {"zone": prepared.zone, "worker": worker_label(), "hosts": part}, flush=True)
        handler = EventHandler(tracker, recorder, everyone=prepared.all_hosts)
        cancel = CancelPoller(settings, run_id)
        status = StatusHandler()
        recorder.start_background()
        try:
            config = runner.prepare(ws, run_id, bundle.playbook, check=check, limit=part,
                                    timeout=settings.run_timeout, strategy=settings.strategy)
            result = runner.run(config, event_handler=handler, cancel_callback=cancel, status_handler=status)
        finally:
            handler.detach()
            recorder.close()
        report_host_key_changes(settings, ws, run_id, tracker, recorder)
        final = tracker.finish(result.status, cancel.canceled)
        if final in (RunStatus.CANCELED, RunStatus.TIMED_OUT) and not check:
            stopped = stop_remote_commands(ws, run_id, bundle, tracker.hosts)
            if stopped:
                recorder.emit("log", {"line": f"stopped what the interrupted commands left running on "
                                              f"{', '.join(stopped)}"})
        error = "" if final in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL) else error_text(result, final, tracker.tail)
        error = recorder.redact(error)
    # settled once the workspace is gone: a finished run leaves no private data dir and no secret file
    label = worker_label()
    for entry in tracker.hosts.values():  # which worker ran which hosts, kept with each host
        entry["zone"], entry["worker"] = prepared.zone, label
    merged = {h: tracker.hosts.get(h, e) for h, e in prepared.all_hosts.items()}
    parts = [*prepared.parts, {"zone": prepared.zone, "worker": label, "hosts": part, "status": final,
                               "error": error}]
    verified = not check and final in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL)
    if final in (RunStatus.CANCELED, RunStatus.TIMED_OUT):
        return finish_parts(settings, run_id, prepared, merged, parts, final, recorder)
    if verified and zones_left(settings, merged):  # verify this part before the next zone's part starts
        verify(settings, run_id, bundle, tracker.hosts)
        verified = False
    # the last part: the verification is recorded (pending) before the run settles, then runs after it
    opened = open_verification(settings, run_id, bundle, tracker.hosts) if verified else None
    outcome = finish_parts(settings, run_id, prepared, merged, parts, None, recorder)
    if opened is not None:
        check_verification(settings, bundle, opened)  # the same bundle in check mode: converged or drift
    return outcome


def zones_left(settings: Settings, hosts: dict[str, Any]) -> bool:
    with session_scope(settings.database_url) as s:
        return zones.next_zone(s, hosts) is not None


def finish_parts(settings: Settings, run_id: str, prepared: Prepared, hosts: dict[str, Any],
                 parts: list[dict[str, Any]], interrupted: RunStatus | None, recorder: EventRecorder) -> str:
    """After a part: queue the next zone's part, or settle the whole run (every part's outcome together).

    A canceled or timed-out part ends the run: the hosts of the zones that did not run yet end ``canceled``
    or ``timed_out`` without being contacted (a relaunch may run them).
    """
    if interrupted is None:
        nxt = hand_off(settings, run_id, hosts, parts, recorder)
        if nxt is not None:
            return f"{parts[-1]['status'] if parts else 'skipped'}; next zone {nxt}"
    else:
        hosts = not_run(hosts, HostStatus(str(interrupted)), f"not run: the run was {interrupted}")
    status = interrupted or zones.combine([RunStatus(p["status"]) for p in parts])
    hosts = not_run(hosts, HostStatus.SKIPPED, "not run: no zone holds this host any more")
    errors = [f"zone {p['zone']}: {p['error']}" if len(parts) > 1 else p["error"] for p in parts if p.get("error")]
    if interrupted is not None and (not parts or parts[-1]["status"] != interrupted):
        errors.append(error_text(None, interrupted, []))  # interrupted between two parts
    error = "; ".join(errors)
    settle(settings, run_id, status, hosts, error, recorder, parts)
    return status


def not_run(hosts: dict[str, Any], status: HostStatus, msg: str) -> dict[str, Any]:
    """The per-host view with every host no part has run yet settled as ``status``, its steps skipped."""
    return {h: e if e.get("status") != HostStatus.PENDING else
            {**e, "status": status, "steps": [{**st, "status": StepStatus.SKIPPED, "msg": msg}
                                              for st in e.get("steps", [])]}
            for h, e in hosts.items()}


def hand_off(settings: Settings, run_id: str, hosts: dict[str, Any], parts: list[dict[str, Any]],
             recorder: EventRecorder) -> str | None:
    """Queue the run's part in the next zone that has pending hosts; None when every zone is done."""
    with session_scope(settings.database_url) as s:
        nxt = zones.next_zone(s, hosts)
        if nxt is None:
            return None
        run = s.get_one(Run, run_id)
        run.hosts, run.zone_parts, run.zone = hosts, parts, nxt
        run.status, run.worker_name, run.worker_pid = RunStatus.QUEUED, None, None
    done = parts[-1] if parts else None
    recorder.emit("log", {"line": (f"zone {done['zone']} done ({done['status']}); " if done else "")
                                  + f"the part in zone {nxt} is queued"}, flush=True)
    try:
        enqueue_run(settings, run_id, nxt)
    except QueueUnavailable:  # the janitor queues it once Redis is back
        log.warning("run %s: the part in zone %s could not be queued (Redis unavailable)", run_id, nxt)
    return nxt


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
           recorder: EventRecorder | None = None, parts: list[dict[str, Any]] | None = None) -> None:
    """Final state of the run and its plan, the audit entry, the 'end' event and the webhooks."""
    with session_scope(settings.database_url) as s:
        run = s.get_one(Run, run_id)
        run.status = status
        run.finished_at = datetime.now(UTC)
        if hosts is not None:
            run.hosts = hosts
        if parts is not None:
            run.zone_parts = parts
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
