"""Distributed operation: several workers on one queue and one database execute each run exactly once, a
duplicate job for a run is a no-op, and a run whose job Redis lost is re-enqueued from the database."""
from __future__ import annotations

from collections import Counter

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from app.db import session_scope
from app.db.models import AuditEntry, Run, RunEvent
from app.queue import RUN_JOB, job_id_for, run_queue_name
from tests.harness.services import PrivateRedis
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_url(tmp_path):
    """A private redis-server per test (overrides the shared one): this module flushes it."""
    private = PrivateRedis(tmp_path / "redis").start()
    yield private.url
    private.stop()


def _plan_and_preview(api, host: str) -> str:
    body = {"plan": {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": [host]}}]}}
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201, r.get_json()
    r = api.post(f"/api/v1/plans/{r.get_json()['id']}/preview")
    assert r.status_code == 202, r.get_json()
    return r.get_json()["id"]


def _starts_and_finishes(db_url: str, run_ids: list[str]) -> tuple[Counter, Counter]:
    with session_scope(db_url) as s:
        starts = Counter(dict(s.execute(select(RunEvent.run_id, func.count()).where(
            RunEvent.run_id.in_(run_ids), RunEvent.kind == "start").group_by(RunEvent.run_id)).all()))
        finished = Counter(dict(s.execute(select(AuditEntry.run_id, func.count()).where(
            AuditEntry.run_id.in_(run_ids), AuditEntry.action == "preview.finished").group_by(AuditEntry.run_id)
        ).all()))
    return starts, finished


def test_two_workers_execute_each_run_exactly_once(api, worker, fleet_assets, stack_env, redis_url):
    hosts = sorted(fleet_assets_names(fleet_assets))
    run_ids = [_plan_and_preview(api, hosts[i % len(hosts)]) for i in range(6)]
    # a duplicate job for every run (another job id, same function and run id), as a retry or a second
    # enqueuer would make; all of them wait in the queue before any worker starts
    settings = api.settings
    queue = Queue(run_queue_name(settings), connection=Redis.from_url(redis_url))
    dups = {run_id: queue.enqueue(RUN_JOB, run_id, job_id=f"dup-{run_id}", result_ttl=3600).id
            for run_id in run_ids}
    assert queue.count == 12
    first, second = worker(), worker()
    runs = {run_id: api.wait_run(run_id, timeout=240) for run_id in run_ids}
    assert all(r["status"] == "successful" for r in runs.values()), {k: (v["status"], v["error"])
                                                                    for k, v in runs.items()}
    # every job ran to its end (the duplicates too), then: exactly one of each pair did the work
    conn = Redis.from_url(redis_url)
    wait_for("every job to finish", lambda: not queue.count and all(
        Job.fetch(j, connection=conn).get_status() == "finished"
        for run_id in run_ids for j in (job_id_for(settings, run_id), dups[run_id])))
    for run_id in run_ids:
        results = sorted(Job.fetch(j, connection=conn).return_value()
                         for j in (job_id_for(settings, run_id), dups[run_id]))
        assert results == ["skipped", "successful"], (run_id, results)
    starts, finished = _starts_and_finishes(api.settings.database_url, run_ids)
    assert starts == Counter({run_id: 1 for run_id in run_ids}), starts
    assert finished == Counter({run_id: 1 for run_id in run_ids}), finished
    # both workers took part (each claim records the worker's main process)
    with session_scope(api.settings.database_url) as s:
        claimed_by = {name.rpartition(":")[2] for name in s.execute(
            select(Run.worker_name).where(Run.id.in_(run_ids))).scalars()}
    assert claimed_by == {str(first.pid), str(second.pid)}, claimed_by


def test_run_lost_by_redis_is_requeued_after_a_worker_restart(api, worker, fleet_assets, stack_env, redis_url):
    w = worker()
    conn = Redis.from_url(redis_url)
    wait_for("the worker to start", lambda: conn.smembers("rq:workers"))  # past its start-up requeue pass
    w.stop()
    run_id = _plan_and_preview(api, "web-01")
    assert Job.exists(job_id_for(api.settings, run_id), connection=conn)
    conn.flushdb()  # Redis restarted empty, or was flushed: the queued job is gone
    assert not Job.exists(job_id_for(api.settings, run_id), connection=conn)
    assert api.get(f"/api/v1/runs/{run_id}").get_json()["status"] == "queued"  # the database still knows
    worker()  # restart: its start-up pass re-enqueues queued runs whose job is missing
    run = api.wait_run(run_id, timeout=180)
    assert run["status"] == "successful", (run["status"], run["error"])
    # no job of this run is left anywhere (queued, started, scheduled): no second execution can follow
    queue = Queue(run_queue_name(api.settings), connection=conn)
    wait_for("the queue to drain", lambda: not queue.count and not StartedJobRegistry(queue=queue).get_job_ids())
    starts, finished = _starts_and_finishes(api.settings.database_url, [run_id])
    assert starts == Counter({run_id: 1}) and finished == Counter({run_id: 1}), (starts, finished)
    # the run is no longer queued: nothing re-enqueues it again
    from app.config import Settings
    from app.execution.reaper import requeue_lost

    assert requeue_lost(Settings.from_env(stack_env), older_than=0) == []


def fleet_assets_names(doc: dict) -> list[str]:
    return [a["name"] for a in doc["assets"]]
