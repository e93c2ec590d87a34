"""GET /runs/{id}/events pages through every stored event (the cursor is the event's seq): a run with more
events than one page replays them all, in order, with or without following, and resumes after any seq."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app import defaults
from app.db import session_scope
from app.execution.events import EventRecorder
from app.services import plans, runs
from app.services.planning import plan_from_structure
from app.statuses import RunStatus
from tests.app.planner.helpers import load_fleet_into_db

pytestmark = pytest.mark.integration
TOTAL = 2 * defaults.EVENT_PAGE_SIZE + 345


def _events(text: str) -> list[dict]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


@pytest.fixture
def long_run(api):
    url = api.settings.database_url
    with session_scope(url) as s:
        load_fleet_into_db(s)
        body = {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": ["web-01", "web-02"]}}]}
        row = plans.create_plan(s, plan_from_structure(s, body), "operator1")
        run_id = runs.create_preview(s, row.id, "operator1").id
    recorder = EventRecorder(url, api.settings.redis_url, run_id)  # the worker's own writer
    for i in range(TOTAL):
        recorder.emit("log", {"line": f"line {i + 1}"}, host="web-01", step=1)
    recorder.close()
    return run_id


def test_replay_pages_past_the_first_page(api, long_run):
    text = api.get(f"/api/v1/runs/{long_run}/events?follow=0").get_data(as_text=True)
    seqs = [e["seq"] for e in _events(text)]
    assert seqs == list(range(1, TOTAL + 1))
    resumed = _events(api.get(f"/api/v1/runs/{long_run}/events?follow=0&after=1500").get_data(as_text=True))
    assert [e["seq"] for e in resumed] == list(range(1501, TOTAL + 1))
    assert resumed[-1]["data"]["line"] == f"line {TOTAL}"


def test_a_finished_run_streams_every_event_then_done(api, long_run):
    with session_scope(api.settings.database_url) as s:
        run = runs.get_run(s, long_run)
        run.status, run.finished_at = RunStatus.SUCCESSFUL, datetime.now(UTC)
    r = api.client.get(f"/api/v1/runs/{long_run}/events",
                       headers={**api._headers(), "Last-Event-ID": str(defaults.EVENT_PAGE_SIZE - 5)})
    text = r.get_data(as_text=True)
    kinds = [line[7:] for line in text.splitlines() if line.startswith("event: ")]
    events = _events(text)
    assert [e["seq"] for e in events[:-1]] == list(range(defaults.EVENT_PAGE_SIZE - 4, TOTAL + 1))
    assert kinds[-1] == "done" and events[-1] == {"status": "successful"}
