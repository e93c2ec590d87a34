"""Redis connection, the installation's queues and the run job: shared by the web side and the workers.

Queue names and job ids carry the installation's identity (a random id kept in the database), so two
installations on one Redis never take each other's jobs. Job ids derive from run ids, so a run is
enqueued at most once at a time.
"""
from __future__ import annotations

import secrets
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
    return f"{settings.queue_name}-{installation_id(settings.database_url)}"


def live_workers(settings: Settings, connection: Redis | None = None) -> list[BaseWorker]:
    """The live workers serving this installation's run queue."""
    conn = connection or redis_connection(settings.redis_url)
    name = run_queue_name(settings)
    return [w for w in Worker.all(connection=conn) if name in w.queue_names()]


def notify_queue_name(settings: Settings) -> str:
    """Webhook deliveries (short jobs, retried inside the job)."""
    return f"{run_queue_name(settings)}-notify"


def get_queue(settings: Settings) -> Queue:
    return Queue(run_queue_name(settings), connection=redis_connection(settings.redis_url))


def notify_queue(settings: Settings) -> Queue:
    return Queue(notify_queue_name(settings), connection=redis_connection(settings.redis_url))


def job_id_for(settings: Settings, run_id: str) -> str:
    return f"opsplan-{installation_id(settings.database_url)}-run-{run_id}"


def enqueue_run(settings: Settings, run_id: str) -> str:
    """Enqueue the job that executes ``run_id``; never retried (a change must run at most once).

    Raises QueueUnavailable when Redis cannot take the job.
    """
    try:
        job = get_queue(settings).enqueue(
            RUN_JOB,
            run_id,
            job_id=job_id_for(settings, run_id),
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
