"""List endpoints and pages load in a fixed number of queries, and answer what their out-models say."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.api.schemas import PlanListOut, PlanOut, RunListOut, RunOut
from app.db import session_scope
from app.db.session import get_engine
from app.services import runs

pytestmark = pytest.mark.integration


@contextmanager
def count_queries(url: str):
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _make_plans(api, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        r = api.post("/api/v1/plans", json={"plan": {"steps": [{"action": "host.ping",
                                                                "targets": {"hosts": ["web-01"]}}]}})
        assert r.status_code == 201, r.get_json()
        PlanOut.model_validate(r.get_json())
        ids.append(r.get_json()["id"])
    return ids


def test_plan_and_run_lists_cost_the_same_for_3_and_12_rows(api, fleet_assets):
    url = api.settings.database_url
    costs = []
    for n in (3, 9):
        ids = _make_plans(api, n)
        with session_scope(url) as s:  # a preview record per plan (no queue needed to list them)
            for plan_id in ids:
                runs.create_preview(s, plan_id, "operator1")
        with count_queries(url) as plans_q:
            body = api.get("/api/v1/plans?limit=500").get_json()
        with count_queries(url) as runs_q:
            listed = api.get("/api/v1/runs?limit=500").get_json()
        PlanListOut.model_validate(body)
        RunListOut.model_validate(listed)
        costs.append((len(plans_q), len(runs_q), len(body["plans"]), len(listed["runs"])))
    (p3, r3, n3, m3), (p12, r12, n12, m12) = costs
    assert (n3, n12, m3, m12) == (3, 12, 3, 12)
    assert p12 == p3 and r12 == r3, costs  # no per-row queries


def test_single_resources_match_their_out_models(api, fleet_assets):
    plan_id = _make_plans(api, 1)[0]
    PlanOut.model_validate(api.get(f"/api/v1/plans/{plan_id}").get_json())
    with session_scope(api.settings.database_url) as s:
        run_id = runs.create_preview(s, plan_id, "operator1").id
    RunOut.model_validate(api.get(f"/api/v1/runs/{run_id}").get_json())
