"""After a RUN that changed something: the same bundle in check mode on the hosts it changed, recorded as
a verification run (``verifies_run_id``) whose per-host verdicts Run JSON shows (CONTRACT 8)."""
from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app import audit, notify
from app.config import Settings
from app.db.models import Run
from app.db.session import session_scope
from app.execution import runner, runtime
from app.execution.callbacks import CancelPoller, EventHandler, report_host_key_changes
from app.execution.events import EventRecorder, Redactor
from app.execution.tracker import RunTracker
from app.execution.workspace import Workspace
from app.services import zones
from app.services.verification import summary
from app.statuses import HOST_DONE, HostStatus, RunMode, RunStatus, StepStatus
from compiler import Bundle

log = logging.getLogger(__name__)


def hosts_to_verify(hosts: dict[str, Any]) -> list[str]:
    """The hosts where the run succeeded, when it changed anything at all."""
    if not any(e.get("status") == HostStatus.CHANGED for e in hosts.values()):
        return []
    return sorted(h for h, e in hosts.items() if e.get("status") in HOST_DONE)


def _pending(hosts: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {h: {"status": HostStatus.PENDING, **({"zone": hosts[h]["zone"]} if "zone" in hosts[h] else {}),
                "steps": [{"step": st["step"], "action": st["action"], "status": StepStatus.PENDING, "changed": False,
                           "diff": "", "previewable": st.get("previewable", True)} for st in hosts[h]["steps"]]}
            for h in names}


def verify(settings: Settings, run_id: str, bundle: Bundle, hosts: dict[str, Any]) -> str | None:
    """Run the verification; return its run id (None when there is nothing to verify). Never raises."""
    opened = open_verification(settings, run_id, bundle, hosts)
    if opened is not None:
        check_verification(settings, bundle, opened)
    return opened.check_id if opened is not None else None


@dataclass(frozen=True)
class Opened:
    check_id: str
    names: list[str]
    earlier: RunStatus | None  # the verification's outcome for an earlier zone's part, if any


def open_verification(settings: Settings, run_id: str, bundle: Bundle, hosts: dict[str, Any]) -> Opened | None:
    """Record the verification as running, its hosts pending, before the run it follows is settled: whoever
    sees the run finished sees its verification pending, never an earlier zone's finished subset. Never raises."""
    names = hosts_to_verify(hosts)
    if not names:
        return None
    try:
        with session_scope(settings.database_url) as s:
            run = s.get_one(Run, run_id)
            check = s.execute(select(Run).where(Run.verifies_run_id == run.id)).scalars().first()
            earlier: RunStatus | None = None
            if check is None:
                check = Run(plan_id=run.plan_id, revision=run.revision, mode=RunMode.CHECK,
                            bundle_sha256=bundle.sha256, created_by="opsplan:verify", limit_hosts=names,
                            verifies_run_id=run.id, status=RunStatus.RUNNING, started_at=datetime.now(UTC),
                            hosts=_pending(hosts, names))
                s.add(check)
            else:  # an earlier zone's part of the run was verified: this zone's hosts join its verification
                earlier = RunStatus(check.status)
                check.hosts = {**(check.hosts or {}), **_pending(hosts, names)}
                check.limit_hosts = sorted({*(check.limit_hosts or []), *names})
                check.status, check.finished_at = RunStatus.RUNNING, None
            s.flush()
            return Opened(check.id, names, earlier)
    except Exception:  # noqa: BLE001 - a verification never changes the outcome of the run it follows
        log.exception("the verification of run %s could not be recorded", run_id)
        return None


def check_verification(settings: Settings, bundle: Bundle, opened: Opened) -> None:
    """Run the opened verification to its end. Never raises: a failure is recorded on the verification."""
    try:
        _check(settings, opened.check_id, bundle, opened.names, opened.earlier)
    except Exception as exc:  # noqa: BLE001 - a verification never changes the outcome of the run it follows
        log.exception("verification %s failed", opened.check_id)
        _give_up(settings, opened.check_id, f"the verification could not run: {type(exc).__name__}: {exc}")


def _give_up(settings: Settings, check_id: str, error: str) -> None:
    try:
        with session_scope(settings.database_url) as s:
            check = s.get_one(Run, check_id)
            check.status, check.finished_at, check.error = RunStatus.FAILED, datetime.now(UTC), error[:2000]
    except Exception:  # noqa: BLE001 - nothing more can be done; the run it verifies stands
        log.exception("could not record the failed verification %s", check_id)


def _check(settings: Settings, check_id: str, bundle: Bundle, names: list[str],
           earlier: RunStatus | None = None) -> None:
    """Check ``names`` (one zone's hosts: the workspace holds them only) and merge them into the verification."""
    with session_scope(settings.database_url) as s:
        everyone = dict(s.get_one(Run, check_id).hosts)
    hosts = {h: everyone[h] for h in names}
    recorder = EventRecorder(settings.database_url, settings.redis_url, check_id)
    tracker = RunTracker(hosts, bundle.steps, check_mode=True)
    error = ""
    with Workspace.create(settings, check_id, bundle, names, runtime.secret_key(settings)) as ws:
        recorder.redact = tracker.redact = Redactor(ws.secrets)
        handler = EventHandler(tracker, recorder, everyone=everyone)
        recorder.start_background()
        try:
            config = runner.prepare(ws, check_id, bundle.playbook, check=True, limit=names,
                                    timeout=settings.run_timeout, strategy=settings.strategy)
            result = runner.run(config, event_handler=handler, cancel_callback=CancelPoller(settings, check_id))
        finally:
            handler.detach()
            recorder.close()
        report_host_key_changes(settings, ws, check_id, tracker, recorder)
        final = tracker.finish(result.status, False)
        if final not in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL):
            error = f"the verification ended {result.status} (rc={result.rc})"
    for entry in tracker.hosts.values():
        entry["worker"] = runtime.worker_label()  # which worker checked which hosts
    merged = {h: tracker.hosts.get(h, e) for h, e in everyone.items()}
    with session_scope(settings.database_url) as s:
        check = s.get_one(Run, check_id)
        if earlier is not None:
            final = zones.combine([earlier, final])
            error = "; ".join(e for e in (check.error, error) if e)
        check.status, check.finished_at, check.hosts, check.error = final, datetime.now(UTC), merged, error
        verified = summary(check_id, final, merged)
        audit.record(s, "run.verified", actor=f"worker:{socket.gethostname()}", plan_id=check.plan_id,
                     run_id=check.verifies_run_id, bundle_sha256=check.bundle_sha256, outcome=verified["status"],
                     details={"verification_run_id": check_id, "hosts": verified["hosts"]})
        payload = {"plan_id": check.plan_id, "run_id": check.verifies_run_id, "verification": verified}
    recorder.emit("end", {"status": final, "error": error, "hosts": merged}, flush=True)
    notify.emit(settings, "run.verified", {**payload, "status": verified["status"],
                                           "summary": f"verification: {verified['status']}"})
