"""The planner reads action definitions: phrases with {param} slots plan an action it has no rule for."""
from __future__ import annotations

import pytest
import yaml

from app.planner import Vocabulary
from app.planner.phrases import compile_phrase, match, nearest
from app.planner.rules import plan_rules
from compiler.catalog import builtin_catalog
from compiler.definitions import build_catalog, read_role_dir
from tests.app.planner.helpers import FLEET

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    base = tmp_path_factory.mktemp("roles") / "acme_cache"
    (base / "meta").mkdir(parents=True)
    (base / "tasks").mkdir()
    (base / "meta" / "opsplan.yml").write_text(yaml.safe_dump({"actions": [
        {"name": "cache.flush", "description": "Flush an application's cache", "entry_point": "flush",
         "risk": "medium", "read_only": False, "os": ["linux"], "params": {"app": {"kind": "name"}},
         "phrases": ["flush the {app} cache", "clear the {app} cache", "empty {app} caches"]},
        {"name": "cache.size", "description": "Report how big an application's cache is", "entry_point": "size",
         "risk": "low", "read_only": True, "os": ["linux"],
         "params": {"app": {"kind": "name"}, "path": {"kind": "path"}},
         "phrases": ["how big is the {app} cache in {path}"]}]}))
    (base / "meta" / "argument_specs.yml").write_text(yaml.safe_dump({"argument_specs": {
        "flush": {"options": {"acme_cache_app": {"type": "str", "required": True}}},
        "size": {"options": {"acme_cache_app": {"type": "str", "required": True},
                             "acme_cache_path": {"type": "str", "required": False}}}}}))
    for entry in ("flush", "size"):
        (base / "tasks" / f"{entry}_linux.yml").write_text("- name: x\n  ansible.builtin.ping:\n")
    return build_catalog([read_role_dir(base, origin="added")], base=builtin_catalog())


@pytest.fixture(scope="module")
def vocab(catalog):
    fleet = Vocabulary.from_fleet_yaml(FLEET)
    return Vocabulary.from_refs(fleet.assets.values(), fleet.group_parents, catalog)


@pytest.mark.parametrize("text,action,params", [
    ("flush the billing cache on web-01", "cache.flush", {"app": "billing"}),
    ("please clear the billing cache", "cache.flush", {"app": "billing"}),
    ("Empty billing caches on the staging web servers", "cache.flush", {"app": "billing"}),
    ("how big is the billing cache in /var/cache/billing on web-01", "cache.size",
     {"app": "billing", "path": "/var/cache/billing"}),
])
def test_a_phrase_reads_action_and_params(catalog, text, action, params):
    found = match(text, catalog)
    assert found is not None and found.action == action and found.params == params


def test_an_added_action_is_planned_from_its_phrases_with_targets(vocab):
    plan = plan_rules("flush the billing cache on the staging web servers", vocab)
    assert plan.status.value == "ready", plan.questions
    assert [(s.action, s.params) for s in plan.steps] == [("cache.flush", {"app": "billing"})]
    assert plan.hosts and all(h in vocab.enabled for h in plan.hosts) and plan.risk.value == "medium"
    asked = plan_rules("flush the billing cache", vocab)
    assert asked.status.value == "needs_clarification"
    assert asked.questions == ["Which hosts should I run cache.flush on?"]


def test_slots_take_only_values_of_their_kind(catalog):
    assert match("how big is the billing cache in not-a-path", catalog) is None
    assert compile_phrase(catalog["cache.flush"], "flush the {app} cache").words == 2


def test_nearest_actions_for_what_the_catalog_cannot_do(catalog):
    names = [a.name for a in nearest("can you shrink the billing cache?", catalog)]
    assert names[:2] == ["cache.flush", "cache.size"] or names[:2] == ["cache.size", "cache.flush"]
    assert nearest("sing me a song", catalog) == []
