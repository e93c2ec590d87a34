"""Two installations on one Redis never share work: queue names and job ids carry each installation's
identity (kept in its database); a worker never acknowledges a job for a run it cannot see; a run left
queued behind a finished job is enqueued again."""
from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus

from app.config import Settings
from app.queue import RUN_JOB, installation_id, job_id_for, run_queue_name
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration


def test_a_worker_of_another_installation_never_takes_the_job(api, worker, fleet_assets, stack_env, tmp_path,
                                                              redis_url):
    """Regression (issue 11.11): the other installation's worker took the job, found no run and marked it done."""
    from app.db import upgrade

    other_db = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(other_db)
    other = worker({"DATABASE_URL": other_db})  # same Redis, same queue prefix, another database
    other_settings = Settings.from_env({**stack_env, "DATABASE_URL": other_db})
    wait_for("the other worker", lambda: Redis.from_url(redis_url).smembers("rq:workers"))
    assert installation_id(other_db) != installation_id(api.settings.database_url)
    assert run_queue_name(other_settings) != run_queue_name(api.settings)

    plan = api.post("/api/v1/plans", json={"request": "ping web-01"}).get_json()
    run_id = api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"]
    conn = Redis.from_url(redis_url)
    job = Job.fetch(job_id_for(api.settings, run_id), connection=conn)
    assert job.get_status() == JobStatus.QUEUED and api.get(f"/api/v1/runs/{run_id}").get_json()["status"] == "queued"
    # a job for a run the other installation cannot see fails visibly (never "finished")
    stray = Queue(run_queue_name(other_settings), connection=conn).enqueue(RUN_JOB, run_id, job_id=f"stray-{run_id}")
    wait_for("the stray job to end", lambda: stray.get_status(refresh=True) in (JobStatus.FAILED, JobStatus.FINISHED))
    assert (stray.get_status() == JobStatus.FAILED
            and "not in this worker's database" in (stray.latest_result().exc_string or ""))
    assert job.get_status(refresh=True) == JobStatus.QUEUED  # the real job still waits for its own installation
    other.stop()
    worker()  # this installation's worker
    assert api.wait_run(run_id)["status"] == "successful"


def test_a_run_left_queued_behind_a_finished_job_is_enqueued_again(api, fleet_assets, stack_env, redis_url):
    from app.execution.reaper import requeue_lost

    plan = api.post("/api/v1/plans", json={"request": "ping web-01"}).get_json()
    run_id = api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"]
    conn = Redis.from_url(redis_url)
    job = Job.fetch(job_id_for(api.settings, run_id), connection=conn)
    job.set_status(JobStatus.FINISHED)  # what a foreign worker's "done" left behind before the fix
    Queue(run_queue_name(api.settings), connection=conn).remove(job)
    settings = Settings.from_env(stack_env)
    assert requeue_lost(settings, older_than=0) == [run_id]
    assert Job.fetch(job_id_for(api.settings, run_id), connection=conn).get_status() == JobStatus.QUEUED
    assert requeue_lost(settings, older_than=0) == []  # queued again: nothing more to do
