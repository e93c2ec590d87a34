"""GET /metrics: computed from the database and Redis at scrape time; never a 5xx."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Queue, Worker

from app import metrics
from app.db import session_scope
from app.db.models import Run
from app.queue import run_queue_name
from tests.app.awx.helpers import store_plan
from tests.harness.services import free_port

pytestmark = pytest.mark.integration


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


@pytest.fixture
def msettings(settings, redis_url):
    return dataclasses.replace(settings, redis_url=redis_url, queue_name="opsplan-test-" + uuid.uuid4().hex[:8])


@pytest.fixture
def client(msettings):
    from flask import Flask

    from app.api.metrics import bp
    from app.errors import register_error_handlers

    def make(s):
        app = Flask(__name__)
        app.config.update(OPSPLAN_SETTINGS=s, TESTING=True)
        register_error_handlers(app)
        app.register_blueprint(bp)
        return app.test_client()

    return make


def test_metrics_from_the_database_and_redis(msettings, client):
    plan_id = store_plan(msettings.database_url)
    now = datetime.now(UTC)
    with session_scope(msettings.database_url) as s:
        for mode, status, seconds in [("check", "successful", 4), ("check", "partial", 40), ("run", "failed", 700),
                                      ("run", "queued", None)]:
            s.add(Run(plan_id=plan_id, revision=1, mode=mode, status=status, bundle_sha256="0" * 64,
                      started_at=now - timedelta(seconds=seconds) if seconds else None,
                      finished_at=now if seconds else None))
    conn = Redis.from_url(msettings.redis_url)
    queue = Queue(run_queue_name(msettings), connection=conn)  # the installation's queue, as workers serve it
    queue.enqueue("os.getpid")
    queue.enqueue("os.getpid")
    other = Queue(msettings.queue_name, connection=conn)  # a bare name another installation might use
    other.enqueue("os.getpid")
    live = Worker([queue], connection=conn, name=f"w-{uuid.uuid4().hex[:8]}")
    live.register_birth()
    metrics.observe_planner(0.2)
    try:
        resp = client(msettings).get("/metrics")
    finally:
        live.register_death()
        queue.delete(delete_jobs=True)
        other.delete(delete_jobs=True)
    assert resp.status_code == 200 and resp.content_type.startswith("text/plain; version=0.0.4")
    text = resp.get_data(as_text=True)
    got = samples(text)
    assert got[("opsplan_database_up", ())] == 1 and got[("opsplan_redis_up", ())] == 1
    assert got[("opsplan_plans", (("state", "draft"),))] == 1
    assert got[("opsplan_plans_by_status", (("status", "ready"),))] == 1
    assert got[("opsplan_runs_total", (("mode", "check"), ("status", "successful")))] == 1
    assert got[("opsplan_runs_total", (("mode", "run"), ("status", "failed")))] == 1
    assert got[("opsplan_runs_total", (("mode", "run"), ("status", "queued")))] == 1
    assert got[("opsplan_run_duration_seconds_count", (("mode", "check"),))] == 2
    assert got[("opsplan_run_duration_seconds_bucket", (("le", "5.0"), ("mode", "check")))] == 1
    assert got[("opsplan_run_duration_seconds_bucket", (("le", "+Inf"), ("mode", "run")))] == 1
    assert got[("opsplan_run_duration_seconds_bucket", (("le", "600.0"), ("mode", "run")))] == 0
    assert 743 < got[("opsplan_run_duration_seconds_sum", (("mode", "check"),))] + \
        got[("opsplan_run_duration_seconds_sum", (("mode", "run"),))] < 746
    assert got[("opsplan_queue_depth", (("queue", "runs"),))] == 2
    assert got[("opsplan_queue_depth", (("queue", "notify"),))] == 0
    assert got[("opsplan_workers", ())] == 1
    assert got[("opsplan_planner_latency_seconds_count", ())] >= 1
    assert "127.0.0.1" not in text and "web-01" not in text and msettings.queue_name not in text


def test_down_redis_and_database_are_gauges_not_errors(msettings, client):
    down = dataclasses.replace(msettings, redis_url=f"redis://127.0.0.1:{free_port()}/0",
                               database_url=f"postgresql+psycopg://u:p@127.0.0.1:{free_port()}/x")
    resp = client(down).get("/metrics")
    assert resp.status_code == 200
    got = samples(resp.get_data(as_text=True))
    assert got[("opsplan_redis_up", ())] == 0 and got[("opsplan_database_up", ())] == 0
    assert got[("opsplan_queue_depth", (("queue", "runs"),))] == 0 and got[("opsplan_workers", ())] == 0
    assert "password" not in resp.get_data(as_text=True)


@pytest.mark.unit
def test_observe_planner_never_raises():
    before = PLANNER_COUNT()
    metrics.observe_planner(0.01)
    metrics.observe_planner("not a number")  # type: ignore[arg-type]
    assert PLANNER_COUNT() == before + 1
    with pytest.raises(RuntimeError), metrics.planner_timer():
        raise RuntimeError("planner crashed")
    assert PLANNER_COUNT() == before + 2


def PLANNER_COUNT() -> float:  # noqa: N802
    return metrics.PLANNER_REGISTRY.get_sample_value("opsplan_planner_latency_seconds_count") or 0.0
