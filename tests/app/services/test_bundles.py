"""Compile reuse: a plan's bundle is compiled once per (body, inputs fingerprint); the same inputs give the
same bytes without a recompile, and a change in the assets behind the plan gives a new sha256."""
from __future__ import annotations

import pytest

from app.assets import service as assets
from app.assets.schemas import AssetPatch, CredentialIn, CredentialPatch, GroupPatch
from app.db import session_scope
from app.services import approvals, bundles, plans, runs
from app.services.catalog import bump_version
from app.services.planning import plan_from_structure
from app.statuses import RunStatus
from compiler import Plan as PlanModel
from compiler import compile_plan
from tests.app.planner.helpers import load_fleet_into_db
from tests.app.services.test_lifecycle import finish

pytestmark = pytest.mark.unit
BODY = {"steps": [{"action": "service.restart", "params": {"name": "nginx"},
                   "targets": {"hosts": ["web-01", "web-02"]}}]}


@pytest.fixture
def fleet_db(db_url):
    bundles.cache.clear()
    with session_scope(db_url) as s:
        load_fleet_into_db(s)
        assets.create_credential(s, CredentialIn(name="ops", kind="password", username="ops"))
        assets.update_asset(s, "web-01", AssetPatch(credential="ops"))
    return db_url


def _body(db_url) -> dict:
    with session_scope(db_url) as s:
        return plan_from_structure(s, BODY).contract_json()


def _compile(db_url, body):
    with session_scope(db_url) as s:
        return plans.compile_body(s, body)


def test_same_inputs_same_bytes_without_a_recompile(fleet_db):
    body = _body(fleet_db)
    first = _compile(fleet_db, body)
    misses = bundles.cache.misses
    again = _compile(fleet_db, body)
    assert bundles.cache.misses == misses and bundles.cache.hits >= 1  # served from the cache
    assert again.files == first.files and again.sha256 == first.sha256
    with session_scope(fleet_db) as s:  # the bytes are those of a fresh compile
        plan = PlanModel.model_validate(body)
        fresh = compile_plan(plan, plans.host_specs(s, plan.hosts), plans.policy(), plans.current_catalog(s))
    assert fresh.sha256 == first.sha256 and fresh.files == first.files
    with session_scope(fleet_db) as s:  # a change to a host outside the plan: same inputs, still no recompile
        assets.update_asset(s, "db-01", AssetPatch(address="10.99.0.1"))
    assert _compile(fleet_db, body).sha256 == first.sha256 and bundles.cache.misses == misses


@pytest.mark.parametrize("change", [
    lambda s: assets.update_asset(s, "web-01", AssetPatch(address="10.99.1.11")),
    lambda s: assets.update_asset(s, "web-02", AssetPatch(vars={"app_port": 8080})),
    lambda s: assets.update_asset(s, "web-02", AssetPatch(port=2222)),
    lambda s: assets.update_credential(s, "ops", CredentialPatch(username="deploy")),
    lambda s: assets.update_group(s, "web", GroupPatch(vars={"ansible_port": 2200})),
])
def test_a_changed_input_gives_a_new_sha256(fleet_db, change):
    body = _body(fleet_db)
    before = _compile(fleet_db, body)
    with session_scope(fleet_db) as s:
        change(s)
    misses = bundles.cache.misses
    after = _compile(fleet_db, body)
    assert bundles.cache.misses == misses + 1 and after.sha256 != before.sha256
    with session_scope(fleet_db) as s:
        plan = PlanModel.model_validate(body)
        fresh = compile_plan(plan, plans.host_specs(s, plan.hosts), plans.policy(), plans.current_catalog(s))
    assert fresh.sha256 == after.sha256


def test_catalog_version_is_an_input(fleet_db):
    body = _body(fleet_db)
    _compile(fleet_db, body)
    with session_scope(fleet_db) as s:
        bump_version(s)
    misses = bundles.cache.misses
    _compile(fleet_db, body)
    assert bundles.cache.misses == misses + 1


def test_stale_approval_is_still_detected(fleet_db):
    """The lifecycle sees a fleet change through the fingerprint: the approval of the old bundle is stale."""
    with session_scope(fleet_db) as s:
        row = plans.create_plan(s, plan_from_structure(s, BODY), "olga")
        plan_id = row.id
        preview = runs.create_preview(s, plan_id, "olga")
        finish(s, preview.id, RunStatus.SUCCESSFUL)
        approvals.approve(s, plan_id, "anna")
    with session_scope(fleet_db) as s:
        assets.update_asset(s, "web-02", AssetPatch(address="10.99.1.12"))
    with session_scope(fleet_db) as s, pytest.raises(Exception) as err:
        runs.create_run(s, plan_id, "olga")
    assert getattr(err.value, "code", "") == "stale_approval"


def test_cache_is_bounded_by_bytes():
    cache = bundles.BundleCache(max_bytes=100)

    class B:
        def __init__(self, n):
            self.files = {"f": b"x" * n}

    for i in range(5):
        cache.get_or_compile(("db", str(i), "fp"), lambda: B(40))  # type: ignore[arg-type, return-value]
    assert len(cache._items) == 2 and cache._bytes == 80
    cache.get_or_compile(("db", "big", "fp"), lambda: B(500))  # type: ignore[arg-type, return-value]
    assert ("db", "big", "fp") not in cache._items
