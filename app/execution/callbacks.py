"""ansible-runner's callbacks for one invocation: events, cancel and status, each a small object."""
from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from typing import Any

from app import defaults
from app.config import Settings
from app.db.models import Run
from app.db.session import session_scope
from app.execution.events import EventRecorder
from app.execution.tracker import RunTracker

log = logging.getLogger(__name__)


class EventHandler:
    """Each runner event updates the tracker (per-host, per-step state) and becomes live events."""

    def __init__(self, tracker: RunTracker, recorder: EventRecorder, everyone: dict[str, Any] | None = None):
        self.tracker = tracker
        self.recorder = recorder
        if everyone:  # a zone's part: the run's other hosts are saved as they stand
            recorder.state = lambda: {h: copy.deepcopy(tracker.hosts.get(h, e)) for h, e in everyone.items()}
        else:
            recorder.state = lambda: copy.deepcopy(tracker.hosts)  # GET /runs/{id} is live too

    def __call__(self, event: dict[str, Any]) -> bool:
        for kind, data, host, step in self.tracker.handle(event):
            self.recorder.emit(kind, data, host=host, step=step)
        return False  # nothing kept in artifacts: the database has the events

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
