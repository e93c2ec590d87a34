from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.planner.cli import eval_planner_command
from app.planner.evaluate import evaluate, load_corpus
from app.planner.rules import plan_rules
from tests.app.planner.helpers import CORPUS, FLEET, HELDOUT, fleet_vocab


@pytest.mark.unit
def test_corpus_size_and_coverage():
    from compiler.catalog import builtin_catalog

    catalog = builtin_catalog()
    tuning, held = load_corpus(CORPUS), load_corpus(HELDOUT)
    assert len(tuning) + len(held) >= 200 and len(held) >= 60
    assert not {c["request"] for c in tuning} & {c["request"] for c in held}
    for cases in (tuning, held):
        actions = {s["action"] for c in cases for s in c["expected"].get("steps", [])}
        statuses = {c["expected"]["status"] for c in cases}
        assert actions <= set(catalog) and statuses == {"ready", "needs_clarification", "rejected"}
        assert len(actions) >= 20  # the corpus covers the 20 original actions


@pytest.mark.unit
@pytest.mark.parametrize("path,minimum", [(HELDOUT, 0.95), (CORPUS, 0.95)])
def test_accuracy_and_no_unsafe_plans(path, minimum):
    result = evaluate(load_corpus(path), fleet_vocab(), plan_rules)
    assert result.unsafe == 0, result.failures
    assert result.accuracy >= minimum, result.failures


@pytest.mark.unit
@pytest.mark.parametrize("name,minimum", [("planner_ops_tuning.jsonl", 0.97), ("planner_ops_probe.jsonl", 0.97),
                                          ("planner_ops_heldout.jsonl", 0.97), ("planner_ops_tuning2.jsonl", 0.97),
                                          ("planner_ops_tuning3.jsonl", 0.97), ("planner_ops_tuning4.jsonl", 0.97),
                                          ("planner_ops_tuning5.jsonl", 0.96), ("planner_ops_tuning6.jsonl", 0.97),
                                          ("planner_ops_tuning7.jsonl", 0.94), ("planner_ops_tuning8.jsonl", 0.97),
                                          ("planner_ops_heldout2.jsonl", 0.98), ("planner_ops_tuning10.jsonl", 0.97),
                                          ("planner_ops_tuning11.jsonl", 0.96), ("planner_ops_tuning12.jsonl", 0.95),
                                          ("planner_ops_tuning13.jsonl", 0.96), ("planner_ops_tuning14.jsonl", 0.92),
                                          ("planner_ops_heldout3.jsonl", 0.96), ("planner_ops_tuning15.jsonl", 0.95),
                                          ("planner_ops_tuning16.jsonl", 0.97), ("planner_ops_tuning17.jsonl", 0.96),
                                          ("planner_ops_heldout4.jsonl", 0.96), ("planner_ops_tuning18.jsonl", 0.95),
                                          ("planner_ops_tuning19.jsonl", 0.96), ("planner_ops_tuning20.jsonl", 0.91),
                                          ("planner_ops_tuning21.jsonl", 0.95), ("planner_ops_tuning22.jsonl", 0.89),
                                          ("planner_ops_tuning23.jsonl", 0.86), ("planner_ops_tuning24.jsonl", 0.95),
                                          ("planner_ops_tuning26.jsonl", 0.92), ("planner_ops_tuning27.jsonl", 0.72),
                                          ("planner_ops_tuning28.jsonl", 0.79), ("planner_ops_heldout6.jsonl", 0.86),
                                          ("planner_ops_tuning31.jsonl", 0.82), ("planner_ops_tuning34.jsonl", 0.77),
                                          ("planner_ops_tuning36.jsonl", 0.85), ("planner_ops_tuning37.jsonl", 0.79),
                                          ("planner_ops_tuning41.jsonl", 0.93), ("planner_ops_tuning42.jsonl", 0.91),
                                          ("planner_ops_tuning43.jsonl", 0.91), ("planner_ops_tuning44.jsonl", 0.91),
                                          ("planner_ops_tuning45.jsonl", 0.98), ("planner_ops_tuning46.jsonl", 0.98),
                                          ("planner_ops_tuning47.jsonl", 0.92), ("planner_ops_tuning48.jsonl", 0.82),
                                          ("planner_ops_tuning49.jsonl", 0.69)])
def test_operator_phrasing_corpora(name, minimum):
    """Operators' phrasing (tuning sets written blind - the first held-out set became one once scored - and the
    author's probes): no unsafe plan, >= 97% right."""
    result = evaluate(load_corpus(FLEET.parent / name), fleet_vocab(), plan_rules)
    assert result.unsafe == 0, result.failures
    assert result.accuracy >= minimum, result.failures


@pytest.mark.unit
def test_eval_planner_command_prints_accuracy_and_unsafe():
    out = CliRunner().invoke(eval_planner_command, [str(HELDOUT), "--fleet", str(FLEET)])
    assert out.exit_code == 0, out.output
    assert "accuracy: " in out.output and "unsafe: 0" in out.output
