"""EventRecorder's batches: every event stored once, in seq order, with all its columns (created_at from the
column default), the run's host view saved with a batch only when it changed, and each event published on
Redis as the JSON of the event."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.db.models import Run, RunEvent
from app.execution.events import EventRecorder, Redactor
from app.queue import events_channel, redis_connection
from app.services import plans, runs
from app.services.planning import plan_from_structure
from tests.app.planner.helpers import load_fleet_into_db
from tests.harness.services import redis_reachable, redis_url_for_tests

pytestmark = pytest.mark.integration
REDIS_URL = redis_url_for_tests()


@pytest.fixture
def run_id(db_url):
    with session_scope(db_url) as s:
        load_fleet_into_db(s)
        body = {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": ["web-01", "web-02"]}}]}
        row = plans.create_plan(s, plan_from_structure(s, body), "operator1")
        return runs.create_preview(s, row.id, "operator1").id


def test_batches_store_every_event_and_the_changed_host_view(db_url, run_id):
    if not redis_reachable(REDIS_URL):
        pytest.skip("no Redis")
    pubsub = redis_connection(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(events_channel(run_id))
    views = iter([{"web-01": {"status": "running"}}, None, {"web-01": {"status": "ok"}}])
    recorder = EventRecorder(db_url, REDIS_URL, run_id, redactor=Redactor(["s3cret-value"]),
                             state=lambda: next(views))
    recorder.emit("step", {"step": 1, "action": "host.ping"}, step=1)
    recorder.emit("log", {"line": "password s3cret-value"}, host="web-01", step=1)
    recorder.flush()
    with session_scope(db_url) as s:
        assert s.get(Run, run_id).hosts == {"web-01": {"status": "running"}}
    recorder.emit("task", {"task": "ping"}, step=1)
    recorder.flush()  # the view did not change: the saved one stays
    with session_scope(db_url) as s:
        assert s.get(Run, run_id).hosts == {"web-01": {"status": "running"}}
    recorder.emit("end", {"status": "successful"}, flush=True)
    with session_scope(db_url) as s:
        assert s.get(Run, run_id).hosts == {"web-01": {"status": "ok"}}
        rows = s.execute(select(RunEvent).where(RunEvent.run_id == run_id).order_by(RunEvent.seq)).scalars().all()
        assert [(r.seq, r.kind, r.host, r.step) for r in rows] == [
            (1, "step", None, 1), (2, "log", "web-01", 1), (3, "task", None, 1), (4, "end", None, None)]
        assert rows[1].data == {"line": "password ********"}  # redacted before it is stored
        assert all(r.created_at is not None for r in rows)
    published = []
    deadline = time.monotonic() + 5
    while len(published) < 4 and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message is not None:
            published.append(json.loads(message["data"]))
    pubsub.close()
    assert [(e["seq"], e["kind"], e["host"], e["step"]) for e in published] == [
        (r.seq, r.kind, r.host, r.step) for r in rows]
    assert [e["data"] for e in published] == [r.data for r in rows] and all("at" in e for e in published)
