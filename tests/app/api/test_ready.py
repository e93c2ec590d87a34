"""/ready counts the workers that serve this installation's queue, not any worker on the Redis."""
from __future__ import annotations

import uuid

from redis import Redis
from rq import Queue, Worker

from app.queue import run_queue_name


def _worker(settings, queue_name: str) -> Worker:
    conn = Redis.from_url(settings.redis_url)
    w = Worker([Queue(queue_name, connection=conn)], connection=conn, name=f"ready-{uuid.uuid4().hex[:8]}")
    w.register_birth()
    return w


def test_ready_sees_a_worker_of_this_installation_only(settings, client):
    stranger = _worker(settings, settings.queue_name)  # the bare name: another installation's queue family
    try:
        resp = client.get("/ready")
        assert resp.status_code == 503 and resp.get_json()["checks"]["workers"] == "error: no live worker"
        ours = _worker(settings, run_queue_name(settings))
        try:
            resp = client.get("/api/v1/ready")
            assert resp.status_code == 200, resp.get_json()
            assert resp.get_json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok", "workers": "1"},
                                       "unavailable_actions": {}}
        finally:
            ours.register_death()
    finally:
        stranger.register_death()
