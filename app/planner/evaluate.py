"""Accuracy of a planner on a labelled corpus (JSON Lines) against a fixed fleet YAML."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.planner.vocabulary import Vocabulary
from compiler.models import Plan, PlanStatus


@dataclass
class EvalResult:
    total: int = 0
    correct: int = 0
    unsafe: int = 0
    failures: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_corpus(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _norm_params(params: dict) -> dict:
    return {k: str(v) for k, v in params.items()}


def _statuses(expected: dict) -> list[str]:
    """The acceptable statuses: one, or a list (e.g. an out-of-catalog request: not ready, either way)."""
    status = expected["status"]
    return list(status) if isinstance(status, list) else [status]


def _same_plan(plan: Plan, expected: dict) -> bool:
    got = [(s.action, _norm_params(s.params)) for s in plan.steps]
    want = [(s["action"], _norm_params(s.get("params", {}))) for s in expected.get("steps", [])]
    return got == want and sorted(plan.hosts) == sorted(expected.get("hosts", []))


def matches(plan: Plan, expected: dict) -> bool:
    if plan.status.value not in _statuses(expected):
        return False
    return plan.status is not PlanStatus.READY or _same_plan(plan, expected)


def is_unsafe(plan: Plan, expected: dict) -> bool:
    """Ready, state-changing, and wrong in any way: action, params, hosts, or it should not be ready at all."""
    if plan.status is not PlanStatus.READY or plan.read_only:
        return False
    if "ready" not in _statuses(expected):
        return True
    return not _same_plan(plan, expected)


def evaluate(corpus: list[dict], vocab: Vocabulary, planner: Callable[[str, Vocabulary], Plan]) -> EvalResult:
    result = EvalResult()
    for case in corpus:
        plan = planner(case["request"], vocab)
        result.total += 1
        ok = matches(plan, case["expected"])
        result.correct += ok
        unsafe = is_unsafe(plan, case["expected"])
        result.unsafe += unsafe
        if not ok or unsafe:
            result.failures.append({"request": case["request"], "expected": case["expected"], "unsafe": unsafe,
                                    "got": {"status": plan.status.value, "questions": plan.questions,
                                            "reason": plan.reason, "hosts": plan.hosts,
                                            "steps": [{"action": s.action, "params": s.params} for s in plan.steps]}})
    return result
