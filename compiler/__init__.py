"""Opsplan compiler: a validated Plan + resolved hosts + rollout policy -> an Ansible project bundle.

    bundle = compile_plan(plan, hosts, policy)   # policy=None: compiler/policy.default.yml
    bundle.write(run_dir)                         # site.yml, roles/, vars/plan.yml, ansible.cfg, ...
    bundle.sha256                                 # stable content hash (approval binds to it)
    bundle.steps                                  # one StepInfo per play "step {i}: {action}"
"""
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.bundle import Bundle, HostSpec, StepInfo, compile_plan, content_hash
    from compiler.catalog import ActionSpec, Catalog, builtin_catalog, get_action
    from compiler.errors import CompilerError, InvalidParamsError, InvalidPlanError, UnknownActionError
    from compiler.models import Plan, PlanStatus, Risk, Step, Targets, plan_json_schema
    from compiler.policy import RolloutPolicy, load_policy
    from compiler.validate import validate_plan

# Each name is imported from its module on first use: planning needs the models and the catalog, not the
# bundle writer and its template engine (a CLI command starts faster).
_HOME = {
    "Bundle": "bundle", "HostSpec": "bundle", "StepInfo": "bundle", "compile_plan": "bundle", "content_hash": "bundle",
    "ActionSpec": "catalog", "Catalog": "catalog", "builtin_catalog": "catalog", "get_action": "catalog",
    "CompilerError": "errors", "InvalidParamsError": "errors", "InvalidPlanError": "errors",
    "UnknownActionError": "errors", "Plan": "models", "PlanStatus": "models", "Risk": "models", "Step": "models",
    "Targets": "models", "plan_json_schema": "models", "RolloutPolicy": "policy", "load_policy": "policy",
    "validate_plan": "validate",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'compiler' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"compiler.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ActionSpec", "Catalog", "builtin_catalog", "Bundle", "CompilerError", "HostSpec", "InvalidParamsError",
    "InvalidPlanError", "Plan", "PlanStatus", "Risk", "RolloutPolicy", "Step", "StepInfo", "Targets",
    "UnknownActionError",
    "compile_plan", "content_hash", "get_action", "load_policy", "plan_json_schema", "validate_plan",
]
