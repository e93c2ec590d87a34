"""Shared test data for the planner tests: the corpus fleet as a Vocabulary and as database rows."""
from __future__ import annotations

from pathlib import Path

import yaml

from app.planner import Vocabulary

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FLEET = FIXTURES / "planner_fleet.yml"
CORPUS = FIXTURES / "planner_corpus.jsonl"
HELDOUT = FIXTURES / "planner_corpus_heldout.jsonl"


def fleet_vocab() -> Vocabulary:
    return Vocabulary.from_fleet_yaml(FLEET)


def read_plan(text: str, vocab: Vocabulary) -> tuple[str, list[tuple[str, dict]], list[str]]:
    """The rule planner's reading of ``text``: status, (action, params) of each step, hosts."""
    from app.planner.rules import plan_rules

    plan = plan_rules(text, vocab)
    return plan.status.value, [(s.action, s.params) for s in plan.steps], plan.hosts


def load_fleet_into_db(session, parents: dict[str, list[str]] | None = None, disabled: tuple[str, ...] = ()) -> None:
    """Insert the corpus fleet as Asset/Group rows (no credentials needed by the planner)."""
    from app.db.models import Asset, Group

    data = yaml.safe_load(FLEET.read_text())
    groups: dict[str, Group] = {}

    def group(name: str) -> Group:
        if name not in groups:
            groups[name] = Group(name=name, description="", vars={})
            session.add(groups[name])
        return groups[name]

    for a in data["assets"]:
        session.add(Asset(name=a["name"], address=a["address"], os=a["os"], environment=a["environment"],
                          vars={}, enabled=a["name"] not in disabled, groups=[group(g) for g in a["groups"]]))
    for child, ps in (parents or {}).items():
        group(child).parents = [group(p) for p in ps]
    session.flush()
