"""Executes one run (preview or real) with ansible-runner, in a fresh private data dir every time.

Only the worker imports this module: it is the one place that touches hosts and decrypts credentials.
"""
from __future__ import annotations

import copy
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import ansible_runner
from sqlalchemy import update

from app import audit, notify
from app.config import Settings
from app.db.models import Plan, PlanState, Run, RunMode, RunStatus
from app.db.session import session_scope
from app.events import EventRecorder, Redactor
from app.services.plans import compile_body
from app.tracker import RunTracker
from inventory.snapshot import write_snapshot

log = logging.getLogger(__name__)

# Never handed to ansible-playbook: the process environment is scrubbed of these.
SCRUBBED_ENV = ("OPSPLAN_SECRET_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL", "REDIS_URL",
                "TEST_POSTGRES_URL", "OPSPLAN_BOOTSTRAP_TOKEN")
_secret_key: bytes | None = None
_settings: Settings | None = None


def configure(settings: Settings, secret_key: bytes | None) -> None:
    """Called by the worker at start-up: keep settings and the credentials key in memory and drop them
    from the environment, so no child process (ansible-playbook, modules, artifacts) ever sees them."""
    global _secret_key, _settings
    _secret_key, _settings = secret_key, settings
    for name in SCRUBBED_ENV:
        os.environ.pop(name, None)


def current_settings() -> Settings:
    return _settings or Settings.from_env()


def _key(settings: Settings) -> bytes:
    if _secret_key is not None:
        return _secret_key
    from app.assets.crypto import load_secret_key

    return load_secret_key(settings, create=False)


def claim(settings: Settings, run_id: str) -> bool:
    """Atomically move a queued run to running; False when it was already taken (a duplicate job)."""
    with session_scope(settings.database_url) as s:
        result = s.execute(
            update(Run).where(Run.id == run_id, Run.status == RunStatus.QUEUED.value).values(
                status=RunStatus.RUNNING.value, started_at=datetime.now(timezone.utc), claimed_at=datetime.now(timezone.utc),
                worker_name=f"{socket.gethostname()}:{os.getppid()}", worker_pid=os.getpid())
        )
        return result.rowcount == 1


def _finish(settings: Settings, run_id: str, status: RunStatus, hosts: dict[str, Any] | None, error: str = "",
            recorder: EventRecorder | None = None) -> None:
    with session_scope(settings.database_url) as s:
        run = s.get(Run, run_id)
        run.status = status.value
        run.finished_at = datetime.now(timezone.utc)
        if hosts is not None:
            run.hosts = hosts
        run.error = error
        plan = s.get(Plan, run.plan_id)
        if run.mode == RunMode.CHECK.value and plan.state == PlanState.DRAFT.value and status in (
                RunStatus.SUCCESSFUL, RunStatus.PARTIAL):
            plan.state = PlanState.PREVIEWED.value
        if run.mode == RunMode.RUN.value:
            plan.state = PlanState.DONE.value
        audit.record(s, "preview.finished" if run.mode == RunMode.CHECK.value else "run.finished",
                     actor=f"worker:{socket.gethostname()}", plan_id=run.plan_id, run_id=run.id,
                     bundle_sha256=run.bundle_sha256, outcome=status.value, details={"error": error} if error else {})
    if recorder is not None:
        recorder.emit("end", {"status": status.value, "error": error, "hosts": hosts or {}}, flush=True)
    notify.emit_for_run(settings, run_id)  # approval.needed / run.finished / run.failed; never raises


def execute(settings: Settings, run_id: str) -> str:
    """Run ``run_id`` to a final state; a no-op when another job already took it."""
    if not claim(settings, run_id):
        log.info("run %s is not queued (already taken or finished); nothing to do", run_id)
        return "skipped"
    recorder: EventRecorder | None = None
    try:
        with session_scope(settings.database_url) as s:
            run = s.get(Run, run_id)
            plan = s.get(Plan, run.plan_id)
            body = next(r.body for r in plan.revisions if r.number == run.revision)
            bundle = compile_body(s, body)
            mode, expected_sha, limit, hosts = run.mode, run.bundle_sha256, run.limit_hosts, dict(run.hosts)
        recorder = EventRecorder(settings.database_url, settings.redis_url, run_id)
        if bundle.sha256 != expected_sha:
            _finish(settings, run_id, RunStatus.FAILED, None,
                    "stale: the plan's bundle or the assets behind it changed since it was queued "
                    f"(expected {expected_sha[:12]}, now {bundle.sha256[:12]}); preview and approve again",
                    recorder)
            return RunStatus.FAILED.value
        return _run_bundle(settings, run_id, bundle, mode, limit, hosts, recorder)
    except Exception as exc:  # the run must never stay 'running' because of our own error
        log.exception("run %s crashed", run_id)
        _finish(settings, run_id, RunStatus.FAILED, None, f"internal error: {type(exc).__name__}: {exc}", recorder)
        return RunStatus.FAILED.value


def _run_bundle(settings: Settings, run_id: str, bundle, mode: str, limit: list[str] | None,
                hosts: dict[str, Any], recorder: EventRecorder) -> str:
    runs_dir = settings.var_dir / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    pdd = Path(tempfile.mkdtemp(prefix=f"{run_id}-", dir=runs_dir))  # fresh private data dir, every invocation
    # SSH multiplexing sockets of this run only (short path: unix sockets are limited to 108 bytes), so no
    # connection opened under other credentials is ever reused
    control_dir = Path(tempfile.mkdtemp(prefix="opsplan-cp-"))
    check = mode == RunMode.CHECK.value
    tracker = RunTracker(hosts, bundle.steps, check_mode=check)
    snapshot = None
    try:
        bundle.write(pdd / "project")
        with session_scope(settings.database_url) as s:
            snapshot = write_snapshot(s, sorted(hosts), pdd, _key(settings))
        recorder.redact = Redactor(snapshot.secrets)
        recorder.emit("start", {"mode": mode, "bundle_sha256": bundle.sha256, "hosts": sorted(hosts),
                                "steps": [{"step": st.index, "action": st.action} for st in bundle.steps]}, flush=True)
        cancel = _CancelPoller(settings, run_id)
        pid_saved = False
        recorder.state = lambda: copy.deepcopy(tracker.hosts)  # GET /runs/{id} is live too
        recorder.start_background()

        def on_event(event: dict[str, Any]) -> bool:
            nonlocal pid_saved
            for kind, data, host, step in tracker.handle(event):
                recorder.emit(kind, data, host=host, step=step)
            if not pid_saved and tracker.runner_pid:
                pid_saved = True
                _save_runner_pid(settings, run_id, tracker.runner_pid)
            return False  # nothing kept in artifacts: the database has the events

        result = ansible_runner.run(
            private_data_dir=str(pdd), project_dir=str(pdd / "project"), playbook=bundle.playbook,
            inventory=str(snapshot.inventory_path), cmdline="--check --diff" if check else "--diff",
            limit=",".join(limit) if limit else None, ident="run", quiet=True, suppress_env_files=True,
            event_handler=on_event, cancel_callback=cancel, timeout=settings.run_timeout,
            envvars=_runner_env(pdd, control_dir),
            settings={"suppress_ansible_output": True, "suppress_output_file": True},
        )
        recorder.state = None
        recorder.close()
        status = tracker.finish(result.status, cancel.canceled)
        error = "" if status in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL) else _error_text(result, status,
                                                                                             tracker.tail)
        _finish(settings, run_id, status, tracker.hosts, recorder.redact(error), recorder)
        return status.value
    finally:
        recorder.close()
        if snapshot is not None:
            snapshot.cleanup()
        shutil.rmtree(pdd, ignore_errors=True)
        shutil.rmtree(control_dir, ignore_errors=True)


def _runner_env(pdd: Path, control_dir: Path) -> dict[str, str]:
    """ansible-playbook from this interpreter's environment first; the bundle's own ansible.cfg."""
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    return {"PATH": f"{bindir}:{path}" if bindir not in path.split(":") else path,
            "ANSIBLE_CONFIG": str(pdd / "project" / "ansible.cfg"),
            "ANSIBLE_LOCAL_TEMP": str(pdd / "tmp"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control_dir)}


def _error_text(result, status: RunStatus, lines) -> str:
    if status is RunStatus.CANCELED:
        return "canceled by request"
    if status is RunStatus.TIMED_OUT:
        return "run timed out"
    tail = "\n".join(lines)[-1500:].strip()
    return f"ansible-runner ended {result.status} (rc={result.rc})" + (f": {tail}" if tail else "")


def _save_runner_pid(settings: Settings, run_id: str, pid: int) -> None:
    with session_scope(settings.database_url) as s:
        s.execute(update(Run).where(Run.id == run_id).values(runner_pid=pid))


class _CancelPoller:
    """ansible-runner's cancel callback: asks the database at most once a second."""

    def __init__(self, settings: Settings, run_id: str, every: float = 1.0):
        self.settings, self.run_id, self.every = settings, run_id, every
        self._next = 0.0
        self.canceled = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.canceled and now >= self._next:
            self._next = now + self.every
            with session_scope(self.settings.database_url) as s:
                self.canceled = bool(s.get(Run, self.run_id).cancel_requested)
        return self.canceled
