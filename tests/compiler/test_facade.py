"""The public API of the compiler package."""
from __future__ import annotations

import inspect

import pytest

import compiler


@pytest.mark.unit
def test_exports() -> None:
    for name in ("compile_plan", "Bundle", "HostSpec", "RolloutPolicy", "load_policy", "validate_plan", "Catalog",
                 "builtin_catalog",
                 "Plan", "Step", "Targets", "PlanStatus", "Risk", "plan_json_schema", "CompilerError", "StepInfo"):
        assert hasattr(compiler, name), name
    assert list(inspect.signature(compiler.compile_plan).parameters) == ["plan", "hosts", "policy", "catalog"]
    assert "hosts" in compiler.plan_json_schema()["$defs"]["Step"]["properties"]


@pytest.mark.unit
def test_catalog_json_lists_modules_per_os() -> None:
    data = compiler.builtin_catalog()["app.update"].to_json()
    assert "ansible.windows.win_copy" in data["modules"]["windows"]
    assert "ansible.builtin.copy" in data["modules"]["linux"]
