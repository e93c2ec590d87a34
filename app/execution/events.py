"""Run events: batched into the database (the source of truth) and published on Redis pub/sub (live only)."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update

from app import defaults
from app.db.models import Run, RunEvent, utcnow
from app.db.session import get_engine, session_scope
from app.queue import events_channel, redis_connection

log = logging.getLogger(__name__)
REDACTED = "********"
_RUNS, _RUN_EVENTS = cast(Table, Run.__table__), cast(Table, RunEvent.__table__)
_UPDATE_HOSTS = update(_RUNS).where(_RUNS.c.id == bindparam("run_id")).values(hosts=bindparam("hosts"))
_INSERT_EVENTS = insert(_RUN_EVENTS)


class Redactor:
    """Replaces every known secret value in strings, recursively."""

    def __init__(self, secrets: list[str] | None = None):
        self.secrets = sorted({s for s in (secrets or []) if s and len(s) >= 3}, key=len, reverse=True)

    def __call__(self, value: Any) -> Any:
        if not self.secrets:
            return value
        if isinstance(value, str):
            for secret in self.secrets:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self(v) for v in value]
        return value


class EventRecorder:
    """Collects events, writes them in batches (every ``interval`` s or ``batch`` events) and publishes them."""

    def __init__(self, database_url: str, redis_url: str, run_id: str, redactor: Redactor | None = None,
                 batch: int = defaults.EVENT_BATCH_SIZE, interval: float = defaults.EVENT_BATCH_SECONDS,
                 state: Any = None):
        self.database_url = database_url
        self.redis_url = redis_url
        self.run_id = run_id
        self.redact = redactor or Redactor()
        self.state = state  # optional callable: the run's per-host view (None: unchanged), saved with each batch
        self.batch = batch
        self.interval = interval
        self._pending: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()  # one writer at a time, so events land in seq order
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with session_scope(database_url) as s:
            self.seq = s.execute(
                select(func.coalesce(func.max(RunEvent.seq), 0)).where(RunEvent.run_id == run_id)).scalar_one()

    def emit(self, kind: str, data: dict[str, Any], host: str | None = None, step: int | None = None,
             flush: bool = False) -> None:
        with self._lock:
            self.seq += 1
            self._pending.append({"seq": self.seq, "kind": kind, "host": host, "step": step,
                                  "data": self.redact(data), "at": utcnow().isoformat()})
            due = flush or (self._thread is None and (
                len(self._pending) >= self.batch or time.monotonic() - self._last_flush >= self.interval))
        if due:
            self.flush()

    def start_background(self) -> None:
        """Write batches from a thread, so ansible-runner's read loop never waits on a commit."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"events-{self.run_id}", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - the final flush retries; never kill the run over a live update
                log.exception("could not write run events")

    def close(self) -> None:
        """Stop the background writer and write what is left."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=30)
            self._thread = None
        self.flush()

    def flush(self) -> None:
        with self._flush_lock:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
            self._last_flush = time.monotonic()
        if not pending:
            return
        # one transaction on a Core connection: no ORM session per batch (its set-up, bulk-insert path and
        # commit bookkeeping cost more than the batch's few rows do); the same rows and columns (defaults apply)
        with get_engine(self.database_url).begin() as db:
            hosts = self.state() if self.state is not None else None  # None: unchanged since the last batch
            if hosts is not None:
                db.execute(_UPDATE_HOSTS, {"run_id": self.run_id, "hosts": hosts})
            db.execute(_INSERT_EVENTS, [  # one executemany: thousands of events per second
                {"run_id": self.run_id, "seq": e["seq"], "kind": e["kind"], "host": e["host"], "step": e["step"],
                 "data": e["data"]} for e in pending])
        try:
            conn = redis_connection(self.redis_url)
            channel = events_channel(self.run_id)
            pipe = conn.pipeline(transaction=False)
            for e in pending:
                pipe.publish(channel, json.dumps(e))
            pipe.execute()
        except Exception as exc:  # noqa: BLE001 - Redis is live transport only; the database has the events
            log.warning("could not publish run events on Redis: %s", exc)
