"""ansible-runner's callbacks for one invocation: events, cancel and status, each a small object; and the
host key changes found after it (``report_host_key_changes``)."""
from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from app import defaults
from app.config import Settings
from app.db.models import Run
from app.db.session import session_scope
from app.execution.events import EventRecorder
from app.execution.tracker import RunTracker
from app.execution.workspace import Workspace

log = logging.getLogger(__name__)


def copy_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A host entry as it stands: the entry and its step dicts copied (the tracker changes them in place);
    values below them (a step's result, its diff) are only ever replaced, never changed in place, so they are
    shared."""
    steps = entry.get("steps")
    return {**entry, "steps": [dict(st) for st in steps]} if isinstance(steps, list) else dict(entry)


class EventHandler:
    """Each runner event updates the tracker (per-host, per-step state) and becomes live events.

    The recorder saves the run's per-host view with each batch (GET /runs/{id} is live too): ``state`` copies
    only the hosts changed since the previous batch, under the lock ``__call__`` holds while the tracker
    changes, and says None when nothing changed (no write then)."""

    def __init__(self, tracker: RunTracker, recorder: EventRecorder, everyone: dict[str, Any] | None = None):
        self.tracker = tracker
        self.recorder = recorder
        self._lock = threading.Lock()
        # a zone's part: the run's other hosts are saved as they stand (nothing changes them during the part)
        self._view: dict[str, Any] = {h: copy.deepcopy(e) for h, e in everyone.items()} if everyone else {}
        self._view.update((h, copy_entry(e)) for h, e in tracker.hosts.items())
        tracker.take_touched()
        self._saved = False
        recorder.state = self.state

    def __call__(self, event: dict[str, Any]) -> bool:
        with self._lock:
            emitted = self.tracker.handle(event)
        for kind, data, host, step in emitted:
            self.recorder.emit(kind, data, host=host, step=step)
        return False  # nothing kept in artifacts: the database has the events

    def state(self) -> dict[str, Any] | None:
        """The run's per-host view for the next batch, or None when it did not change since the last one."""
        with self._lock:
            touched = self.tracker.take_touched()
            hosts = self.tracker.hosts
            for host in touched:
                if host in hosts:
                    self._view[host] = copy_entry(hosts[host])
        if not touched and self._saved:
            return None
        self._saved = True
        return dict(self._view)

    def detach(self) -> None:
        self.recorder.state = None


class CancelPoller:
    """The cancel callback: asks the database whether the run was canceled, at most once per ``every`` s."""

    def __init__(self, settings: Settings, run_id: str, every: float = defaults.CANCEL_POLL_SECONDS):
        self.settings, self.run_id, self.every = settings, run_id, every
        self._next = 0.0
        self.canceled = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.canceled and now >= self._next:
            self._next = now + self.every
            with session_scope(self.settings.database_url) as s:
                run = s.get(Run, self.run_id)
                self.canceled = bool(run is None or run.cancel_requested)
        return self.canceled


class StatusHandler:
    """ansible-runner's status changes (starting, running, successful, failed, canceled, timeout)."""

    def __init__(self, on_change: Callable[[str], None] | None = None):
        self.history: list[str] = []
        self.on_change = on_change

    def __call__(self, status_data: dict[str, Any], runner_config: Any = None) -> None:
        status = str(status_data.get("status", ""))
        self.history.append(status)
        if self.on_change is not None:
            try:
                self.on_change(status)
            except Exception:  # noqa: BLE001 - a status note must never break the run
                log.exception("status handler failed for %s", status)

    @property
    def last(self) -> str:
        return self.history[-1] if self.history else ""


def report_host_key_changes(settings: Settings, ws: Workspace, run_id: str, tracker: RunTracker,
                            recorder: EventRecorder) -> None:
    """Pinned hosts ssh refused during the run and whose key changed fail with the changed-key message."""
    for host, message in ws.host_key_refusals(settings.database_url, run_id, tracker.unreachable).items():
        for kind, data, h, step in tracker.refuse(host, message):
            recorder.emit(kind, data, host=h, step=step)
