"""History that predicts: the expected duration and the last problems come from earlier real runs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.services import approvals, plans, runs
from app.services.history import plan_history
from app.statuses import HostStatus, RunStatus, StepStatus
from tests.app.services.test_lifecycle import finish, new_plan, previewed

pytestmark = pytest.mark.unit


@pytest.fixture
def fleet(session):
    from tests.app.planner.helpers import load_fleet_into_db

    load_fleet_into_db(session)
    return session


def _ran(s, seconds: float, failed_on: str | None = None, days_ago: int = 1) -> str:
    row = new_plan(s, "olga")
    previewed(s, row)
    approvals.approve(s, row.id, "anna")
    run = runs.create_run(s, row.id, "olga")
    finish(s, run.id, RunStatus.PARTIAL if failed_on else RunStatus.SUCCESSFUL,
           {failed_on: HostStatus.FAILED} if failed_on else None)
    if failed_on:
        hosts = dict(run.hosts)
        entry = dict(hosts[failed_on])
        entry["steps"] = [{**st, "status": StepStatus.FAILED, "msg": "Could not find the requested service nginx"}
                          for st in entry["steps"]]
        hosts[failed_on] = entry
        run.hosts = hosts
    end = datetime.now(UTC) - timedelta(days=days_ago)
    run.started_at, run.finished_at = end - timedelta(seconds=seconds), end
    s.flush()
    return run.id


def test_estimate_and_last_problems_from_earlier_runs(fleet):
    s = fleet
    for seconds in (30, 40, 50):
        _ran(s, seconds)
    failed_run = _ran(s, 45, failed_on="web-02", days_ago=2)
    row = new_plan(s, "olga")
    history = plan_history(s, row, plans.plan_json(s, row))
    assert history["samples"] == 4 and history["estimate_seconds"] == 42.5
    assert history["estimate_text"] == "about 42 s, from 4 earlier runs of these actions on these hosts"
    (problem,) = history["last_problems"]
    assert problem["run_id"] == failed_run and problem["host"] == "web-02"
    assert problem["text"] == ("service.restart nginx failed on web-02 2 days ago: "
                               "Could not find the requested service nginx")
    other = new_plan(s, "olga", "host.ping", hosts=("web-03",))
    assert plan_history(s, other, plans.plan_json(s, other))["samples"] == 0
