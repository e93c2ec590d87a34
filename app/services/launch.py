"""Start previews, runs and relaunches: commit the run record, then enqueue its job. Every face calls these.

When the queue (Redis) is down before anything is written, ``QueueUnavailable`` (503) is raised and
nothing is created. If Redis goes away between the commit and the enqueue, the run stays ``queued``
with a message saying it waits for the queue; a worker's janitor enqueues it once Redis is back, and
the claim in SQL keeps it to one execution.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Run
from app.db.session import session_scope
from app.errors import QueueUnavailable
from app.queue import enqueue_run, redis_connection
from app.services import runs

log = logging.getLogger(__name__)
WAITING = "waiting for the job queue (Redis was unavailable when this run was queued); it starts once Redis is back"


@dataclass(frozen=True)
class Launched:
    run_id: str
    hosts: list[str] | None = None  # a relaunch's hosts


def _queue_up(settings: Settings) -> None:
    try:
        redis_connection(settings.redis_url).ping()
    except (RedisError, OSError) as exc:
        raise QueueUnavailable(f"the job queue (Redis) is unavailable ({type(exc).__name__}); nothing was "
                               "started: try again when it is back") from exc


def _launch(settings: Settings, create: Callable[[Session], tuple[Run, list[str] | None]]) -> Launched:
    _queue_up(settings)
    with session_scope(settings.database_url) as s:
        run, hosts = create(s)
        run_id, zone = run.id, run.zone
    try:
        enqueue_run(settings, run_id, zone)  # the queue of the zone its first part runs in
    except QueueUnavailable:
        log.warning("run %s committed but not queued: Redis went away; the janitor will enqueue it", run_id)
        with session_scope(settings.database_url) as s:
            runs.get_run(s, run_id).error = WAITING
    return Launched(run_id, hosts)


def preview(settings: Settings, plan_id: str, actor: str) -> Launched:
    """Queue a CHECK run of the plan's current revision."""
    return _launch(settings, lambda s: (runs.create_preview(s, plan_id, actor), None))


def run(settings: Settings, plan_id: str, actor: str, limit_hosts: list[str] | None = None) -> Launched:
    """Queue the RUN of the approved bundle (uses the approval up)."""
    return _launch(settings, lambda s: (runs.create_run(s, plan_id, actor, limit_hosts), None))


def relaunch(settings: Settings, run_id: str, actor: str) -> Launched:
    """Queue a relaunch of a finished run on its hosts that did not succeed (same approval)."""
    return _launch(settings, lambda s: runs.create_relaunch(s, run_id, actor))
