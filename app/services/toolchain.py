"""Worker toolchain reports, shared through Redis: the worker publishes what it checked at start
(``app.execution.toolchain``); the web side reads the reports of live workers to say which actions are
unavailable (``GET /ready``, the actions page). No Ansible import here: the web side uses this module.
"""
from __future__ import annotations

import json
from typing import Any

from redis import Redis

from app.config import Settings
from app.queue import live_workers, redis_connection, run_queue_name

REPORT_TTL_SECONDS = 30 * 86400  # a report outlives any worker; only live workers' reports are read


def report_key(settings: Settings, worker_name: str) -> str:
    return f"{run_queue_name(settings)}:toolchain:{worker_name}"


def publish(settings: Settings, worker_name: str, report: dict[str, Any]) -> None:
    conn = redis_connection(settings.redis_url)
    conn.set(report_key(settings, worker_name), json.dumps(report), ex=REPORT_TTL_SECONDS)


def live_reports(settings: Settings, connection: Redis | None = None) -> dict[str, dict[str, Any]]:
    """The toolchain reports of this installation's live workers, by worker name (workers without one: absent)."""
    conn = connection or redis_connection(settings.redis_url)
    names = sorted(w.name for w in live_workers(settings, conn))
    if not names:
        return {}
    raw = conn.mget([report_key(settings, n) for n in names])
    return {n: json.loads(r) for n, r in zip(names, raw, strict=True) if r}


def unavailable_actions(reports: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """action -> reasons, for every action some live worker cannot run (reasons name the worker)."""
    out: dict[str, list[str]] = {}
    for worker, report in sorted(reports.items()):
        for action, reasons in (report.get("unavailable") or {}).items():
            out.setdefault(action, []).extend(f"{worker}: {r}" for r in reasons)
    return dict(sorted(out.items()))
