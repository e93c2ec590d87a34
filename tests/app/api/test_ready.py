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
                                       "zones": {"default": 1}, "unavailable_actions": {}}
        finally:
            ours.register_death()
    finally:
        stranger.register_death()


def test_ready_lists_live_workers_per_zone(settings, client, session):
    """Every zone an asset names is listed, 0 when no live worker serves it; a zoned worker counts in its zones."""
    from app.assets.io import import_document
    from app.queue import zone_queue_name

    import_document(session, {"assets": [{"name": "dmz-01", "address": "10.9.0.1", "zone": "dmz"},
                                         {"name": "plant-01", "address": "10.9.0.2", "zone": "plant"}]})
    session.commit()
    zoned = _worker(settings, zone_queue_name(settings, "dmz"))
    try:
        resp = client.get("/ready")
        body = resp.get_json()
        assert resp.status_code == 200, body
        assert body["checks"]["workers"] == "1"
        assert body["zones"] == {"default": 0, "dmz": 1, "plant": 0}
    finally:
        zoned.register_death()
