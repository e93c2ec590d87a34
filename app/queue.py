"""Redis connection, the installation's queues and the run job: shared by the web side and the workers.

Queue names and job ids carry the installation's identity (a random id kept in the database), so two
installations on one Redis never take each other's jobs. Job ids derive from run ids, so a run is
enqueued at most once at a time.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import lru_cache

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.worker import BaseWorker
from sqlalchemy.exc import IntegrityError

from app import defaults
from app.config import Settings
from app.db.models import Setting
from app.db.session import session_scope
from app.errors import QueueUnavailable

RUN_JOB = "app.execution.jobs.execute_run"  # by name: the web side never imports the worker side
INSTALLATION_SETTING = "installation_id"
DEFAULT_ZONE = "default"
ZONE_QUEUE_INFIX = "-zone-"


@lru_cache(maxsize=8)
def redis_connection(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=defaults.REDIS_CONNECT_TIMEOUT_SECONDS,
                          socket_timeout=defaults.REDIS_SOCKET_TIMEOUT_SECONDS,
                          health_check_interval=defaults.REDIS_HEALTH_CHECK_SECONDS)


@lru_cache(maxsize=8)
def installation_id(database_url: str) -> str:
    """This installation's identity: created once in its database, the same for every process using it."""
    with session_scope(database_url) as s:
        row = s.get(Setting, INSTALLATION_SETTING)
        if row is not None:
            return row.value
        try:
            with s.begin_nested():
                s.add(Setting(key=INSTALLATION_SETTING, value=secrets.token_hex(6)))
        except IntegrityError:  # another process created it first
            pass
        return s.get_one(Setting, INSTALLATION_SETTING, populate_existing=True).value


def run_queue_name(settings: Settings) -> str:
    """The run queue of the default zone (the name every installation had before zones existed)."""
    return f"{settings.queue_name}-{installation_id(settings.database_url)}"


def zone_queue_name(settings: Settings, zone: str | None = None) -> str:
    """The run queue of an execution zone (CONTRACT 10); the default zone keeps the plain run queue."""
    base = run_queue_name(settings)
    return base if zone in (None, "", DEFAULT_ZONE) else f"{base}{ZONE_QUEUE_INFIX}{zone}"


def queue_zone(settings: Settings, queue_name: str) -> str | None:
    """The zone a queue name serves, or None when it is not one of this installation's run queues."""
    base = run_queue_name(settings)
    if queue_name == base:
        return DEFAULT_ZONE
    prefix = base + ZONE_QUEUE_INFIX
    return queue_name[len(prefix):] if queue_name.startswith(prefix) and len(queue_name) > len(prefix) else None


def worker_zones(settings: Settings, worker: BaseWorker) -> list[str]:
    return sorted({z for q in worker.queue_names() if (z := queue_zone(settings, q)) is not None})


def live_workers(settings: Settings, connection: Redis | None = None) -> list[BaseWorker]:
    """The live workers serving one of this installation's run queues (any zone)."""
    conn = connection or redis_connection(settings.redis_url)
    return [w for w in Worker.all(connection=conn) if worker_zones(settings, w)]


def live_workers_by_zone(settings: Settings, connection: Redis | None = None,
                         zones: Iterable[str] = ()) -> dict[str, int]:
    """Live workers per zone: every zone a live worker serves, plus ``zones`` (0 when nobody serves them)."""
    counts = dict.fromkeys(zones, 0)
    for w in live_workers(settings, connection):
        for zone in worker_zones(settings, w):
            counts[zone] = counts.get(zone, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: zone_order(kv[0])))


def zone_order(zone: str) -> tuple[bool, str]:
    """Zones run in this order: the default zone first, then by name."""
    return (zone != DEFAULT_ZONE, zone)


def notify_queue_name(settings: Settings) -> str:
    """Webhook deliveries (short jobs, retried inside the job)."""
    return f"{run_queue_name(settings)}-notify"


def get_queue(settings: Settings, zone: str | None = None) -> Queue:
    return Queue(zone_queue_name(settings, zone), connection=redis_connection(settings.redis_url))


def notify_queue(settings: Settings) -> Queue:
    return Queue(notify_queue_name(settings), connection=redis_connection(settings.redis_url))


def job_id_for(settings: Settings, run_id: str, zone: str | None = None) -> str:
    """The job id of a run's part in ``zone`` (the default zone's part keeps the plain run job id)."""
    base = f"opsplan-{installation_id(settings.database_url)}-run-{run_id}"
    return base if zone in (None, "", DEFAULT_ZONE) else f"{base}{ZONE_QUEUE_INFIX}{zone}"


def enqueue_run(settings: Settings, run_id: str, zone: str | None = None) -> str:
    """Enqueue the job that executes ``run_id``'s part in ``zone`` on that zone's queue; never retried (a
    change must run at most once).

    Raises QueueUnavailable when Redis cannot take the job.
    """
    try:
        job = get_queue(settings, zone).enqueue(
            RUN_JOB,
            run_id,
            job_id=job_id_for(settings, run_id, zone),
            job_timeout=settings.run_timeout + defaults.JOB_TIMEOUT_MARGIN_SECONDS,
            result_ttl=defaults.JOB_RESULT_TTL_SECONDS,
            failure_ttl=defaults.JOB_FAILURE_TTL_SECONDS,
            description=f"opsplan run {run_id}",
        )
    except (RedisError, OSError) as exc:
        raise QueueUnavailable(f"the job queue (Redis) is unavailable: {type(exc).__name__}") from exc
    return job.id


def events_channel(run_id: str) -> str:
    return f"opsplan:run:{run_id}:events"
