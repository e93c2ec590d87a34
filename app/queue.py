"""Redis connection and the RQ queue; job ids derive from run ids so a run is enqueued at most once."""
from __future__ import annotations

from functools import lru_cache

from redis import Redis
from rq import Queue

from app.config import Settings


@lru_cache(maxsize=8)
def redis_connection(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10, health_check_interval=15)


def get_queue(settings: Settings) -> Queue:
    return Queue(settings.queue_name, connection=redis_connection(settings.redis_url))


def notify_queue(settings: Settings) -> Queue:
    """Webhook deliveries (short jobs, retried inside the job): ``<queue_name>-notify``."""
    return Queue(f"{settings.queue_name}-notify", connection=redis_connection(settings.redis_url))


def job_id_for(run_id: str) -> str:
    return f"opsplan-run-{run_id}"


def enqueue_run(settings: Settings, run_id: str) -> str:
    """Enqueue the job that executes ``run_id``; never retried (a change must run at most once)."""
    queue = get_queue(settings)
    job = queue.enqueue(
        "app.jobs.execute_run",
        run_id,
        job_id=job_id_for(run_id),
        job_timeout=settings.run_timeout + 300,
        result_ttl=86400,
        failure_ttl=7 * 86400,
        description=f"opsplan run {run_id}",
    )
    return job.id


def events_channel(run_id: str) -> str:
    return f"opsplan:run:{run_id}:events"
