"""Opsplan compiler: a validated Plan + resolved hosts + rollout policy -> an Ansible project bundle.

    bundle = compile_plan(plan, hosts, policy)   # policy=None: compiler/policy.default.yml
    bundle.write(run_dir)                         # site.yml, roles/, vars/plan.yml, ansible.cfg, ...
    bundle.sha256                                 # stable content hash (approval binds to it)
    bundle.steps                                  # one StepInfo per play "step {i}: {action}"
"""
from compiler.bundle import Bundle, HostSpec, StepInfo, compile_plan, content_hash
from compiler.catalog import ActionSpec, Catalog, builtin_catalog, get_action
from compiler.errors import CompilerError, InvalidParamsError, InvalidPlanError, UnknownActionError
from compiler.models import Plan, PlanStatus, Risk, Step, Targets, plan_json_schema
from compiler.policy import RolloutPolicy, load_policy
from compiler.validate import validate_plan

__all__ = [
    "ActionSpec", "Catalog", "builtin_catalog", "Bundle", "CompilerError", "HostSpec", "InvalidParamsError",
    "InvalidPlanError", "Plan", "PlanStatus", "Risk", "RolloutPolicy", "Step", "StepInfo", "Targets",
    "UnknownActionError",
    "compile_plan", "content_hash", "get_action", "load_policy", "plan_json_schema", "validate_plan",
]
