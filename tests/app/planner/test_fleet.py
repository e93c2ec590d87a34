"""The planner's database vocabulary: the same answers as the in-memory one, cached words that follow the
asset version counter, and resolution by queries."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from app.assets import service as assets
from app.assets import version as asset_version
from app.assets.io import import_document
from app.assets.schemas import AssetIn, AssetPatch, GroupPatch
from app.config import Settings
from app.db import get_engine, session_scope
from app.planner import Vocabulary, resolve
from app.planner.fleet import fleet_vocabulary, lexicon
from app.services.planning import plan_from_request
from compiler.models import Plan, PlanStatus, Step, Targets
from tests.app.planner.helpers import load_fleet_into_db

PARENTS = {"web": ["frontend"], "app": ["backend"], "db": ["backend"], "frontend": ["everything"]}
DISABLED = ("web-05", "db-04")
TARGETS = [
    {"groups": ["web"]}, {"groups": ["frontend"]}, {"groups": ["everything"]}, {"groups": ["backend"]},
    {"groups": ["web"], "environment": "staging"}, {"groups": ["webservers"], "environment": "stage", "os": "linux"},
    {"hosts": ["web-01"], "groups": ["app"]}, {"hosts": ["WEB-02", "db-01"]}, {"hosts": ["web"]},
    {"all": True, "exclude": ["web"]}, {"all": True, "exclude": ["backend", "iis-01"]},
    {"environment": "production"}, {"environment": "prod", "os": "windows"}, {"all": True, "os": "windows"},
    {"hosts": ["web-05"]}, {"hosts": ["web-99"]}, {"groups": ["webz"]}, {"groups": ["db"], "environment": "qa"},
    {"hosts": ["web-01"], "exclude": ["web-01"]}, {"all": True, "exclude": ["nope-01"]},
    {"groups": ["cis"], "environment": "development"}, {},
]


def _plan(action: str = "host.ping", params: dict | None = None, **targets) -> Plan:
    return Plan(steps=[Step(action=action, params=params or {}, targets=Targets(**targets))])


@pytest.fixture
def fleet_db(db_url):
    with session_scope(db_url) as s:
        load_fleet_into_db(s, PARENTS, DISABLED)
    return db_url


@pytest.mark.parametrize("targets", TARGETS)
def test_same_answers_as_the_in_memory_vocabulary(fleet_db, targets):
    with session_scope(fleet_db) as s:
        memory, fleet = Vocabulary.from_session(s), fleet_vocabulary(s)
        for action, params in (("host.ping", {}), ("service.restart", {"name": "W3SVC"})):
            want = resolve(_plan(action, params, **targets), memory)
            got = resolve(_plan(action, params, **targets), fleet)
            assert got.model_dump() == want.model_dump()


def test_words_are_cached_per_asset_version(fleet_db):
    with session_scope(fleet_db) as s:
        first = lexicon(s)
    with session_scope(fleet_db) as s:
        assert lexicon(s) is first  # nothing changed: the same words, no reload
        asset_ref = fleet_vocabulary(s).assets["iis-02"]
        assert (asset_ref.os, asset_ref.environment, asset_ref.groups) == ("windows", "staging", ("web",))
        assert "web-01" in fleet_vocabulary(s).assets and "nope" not in fleet_vocabulary(s).assets
    with session_scope(fleet_db) as s:
        assets.create_asset(s, AssetIn(name="web-06", address="10.30.1.16", environment="staging", groups=["web"]))
        assert lexicon(s) is not first and lexicon(s).host_index["web-06"] == "web-06"  # this transaction sees it


def test_an_asset_change_is_seen_by_the_next_plan(fleet_db):
    settings = Settings.from_env({"DATABASE_URL": fleet_db})

    def plan(text: str) -> Plan:
        with session_scope(fleet_db) as s:
            return plan_from_request(s, text, settings)

    assert plan("ping web-06").status is PlanStatus.NEEDS_CLARIFICATION
    with session_scope(fleet_db) as s:  # ORM path (the assets API and pages)
        assets.create_asset(s, AssetIn(name="web-06", address="10.30.1.16", environment="staging", groups=["web"]))
    ready = plan("ping web-06")
    assert ready.status is PlanStatus.READY and ready.hosts == ["web-06"]
    assert "web-06" in plan("ping the staging web servers").hosts

    with session_scope(fleet_db) as s:
        assets.update_asset(s, "web-06", AssetPatch(enabled=False))
    disabled = plan("ping web-06")
    assert disabled.status is PlanStatus.NEEDS_CLARIFICATION and "web-06 is disabled" in disabled.questions[0]

    with session_scope(fleet_db) as s:  # bulk path (opsplan assets import, the import API)
        import_document(s, {"assets": [{"name": "edge-01", "address": "10.50.0.1", "environment": "qa",
                                        "groups": ["cdn"]}]})
    edge = plan("ping the cdn servers in qa")
    assert edge.status is PlanStatus.READY and edge.hosts == ["edge-01"]

    with session_scope(fleet_db) as s:  # a group's parents: members of the new parent follow at once
        assets.update_group(s, "cdn", GroupPatch(parents=["frontend"]))
    assert "edge-01" in plan("ping the frontend servers").hosts

    with session_scope(fleet_db) as s:
        assets.delete_asset(s, "edge-01")
    assert plan("ping edge-01").status is PlanStatus.NEEDS_CLARIFICATION


def test_version_moves_with_fleet_changes_only(fleet_db):
    with session_scope(fleet_db) as s:
        before = asset_version.current(s)
        assets.set_host_keys(assets.get_asset(s, "web-01"), [])  # SSH host keys are not part of the fleet's words
        s.flush()
        assert asset_version.current(s) == before
        assets.update_asset(s, "web-01", AssetPatch(environment="staging"))
        assert int(asset_version.current(s)) == int(before) + 1
    with session_scope(fleet_db) as s:
        s.rollback()
    with session_scope(fleet_db) as s:
        assert int(asset_version.current(s)) == int(before) + 1
        try:
            with session_scope(fleet_db) as inner:
                assets.update_asset(inner, "web-02", AssetPatch(environment="staging"))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    with session_scope(fleet_db) as s:
        assert int(asset_version.current(s)) == int(before) + 1  # a rolled back change never moved it


def test_resolution_reads_only_what_it_selects(fleet_db):
    """Resolving named hosts or a group never loads the fleet: every statement is filtered (WHERE)."""
    with session_scope(fleet_db) as s:
        vocab = fleet_vocabulary(s)  # the words are cached before counting
        statements: list[str] = []

        def listener(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        engine = get_engine(fleet_db)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert resolve(_plan(hosts=["web-01"]), vocab).hosts == ["web-01"]
            assert resolve(_plan(groups=["cis"], environment="production"), vocab).hosts == ["cis-01", "cis-02"]
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert statements and all(" WHERE " in st.replace("\n", " ").upper() for st in statements), statements
