"""Validation of a plan's steps against the action catalog (shared by every planner and the API)."""
from __future__ import annotations

import re
from typing import Any

from compiler.catalog import PARAM_KINDS, ActionSpec, Catalog, builtin_catalog
from compiler.errors import InvalidParamsError, UnknownActionError
from compiler.models import Plan, Risk, Step

_COMPILED = {kind: re.compile(rx) for kind, rx in PARAM_KINDS.items()}
# Characters that never belong in a name-like value: shell metacharacters and template markers.
_TEMPLATE_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")


def validate_params(action: ActionSpec, params: dict[str, Any]) -> dict[str, Any]:
    """Return normalised params (strings, known keys only) or raise InvalidParamsError."""
    known = {p.name: p for p in action.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InvalidParamsError(f"{action.name}: unknown parameter(s) {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for spec in action.params:
        value = params.get(spec.name)
        if value is None or value == "":
            if spec.required:
                raise InvalidParamsError(f"{action.name}: parameter {spec.name!r} is required")
            continue
        if isinstance(value, bool):
            if spec.kind != "bool":
                raise InvalidParamsError(f"{action.name}: parameter {spec.name!r} must be a string")
            value = "true" if value else "false"
        if not isinstance(value, (str, int)):
            raise InvalidParamsError(f"{action.name}: parameter {spec.name!r} must be a string")
        text = str(value)
        if spec.kind != "command" and any(m in text for m in _TEMPLATE_MARKERS):
            raise InvalidParamsError(f"{action.name}: parameter {spec.name!r} contains template markers")
        if not _COMPILED[spec.kind].match(text):
            raise InvalidParamsError(f"{action.name}: parameter {spec.name!r} is not a valid {spec.kind}: {text!r}")
        if spec.choices and text not in spec.choices:
            raise InvalidParamsError(f"{action.name}: parameter {spec.name!r} must be one of "
                                     f"{', '.join(spec.choices)}, not {text!r}")
        if spec.kind == "port":
            if not 1 <= int(text) <= 65535:
                raise InvalidParamsError(f"{action.name}: port must be between 1 and 65535")
            out[spec.name] = int(text)
        elif spec.kind == "int":
            out[spec.name] = int(text)
        elif spec.kind == "bool":
            out[spec.name] = text.lower() in ("true", "yes", "on", "1")
        elif spec.kind == "endpoint" and not 1 <= int(text.rsplit(":", 1)[1]) <= 65535:
            raise InvalidParamsError(f"{action.name}: the port of {spec.name!r} must be between 1 and 65535")
        else:
            out[spec.name] = text
    return out


def validate_step(step: Step, catalog: Catalog | None = None) -> Step:
    catalog = catalog if catalog is not None else builtin_catalog()
    action = catalog.get(step.action)
    if action is None:
        raise UnknownActionError(f"unknown action {step.action!r}; known: {', '.join(sorted(catalog))}")
    params = validate_params(action, step.params)
    for group in action.one_of:
        given = [p for p in group if p in params]
        if len(given) != 1:
            raise InvalidParamsError(f"{action.name}: give exactly one of {', '.join(group)}"
                                     + (f" (got {', '.join(given)})" if given else ""))
    return step.model_copy(update={"params": params})


def plan_risk(steps: list[Step], catalog: Catalog | None = None) -> tuple[Risk, bool]:
    """The plan's risk (the highest of its steps) and whether every step is read-only."""
    catalog = catalog if catalog is not None else builtin_catalog()
    risk = Risk.LOW
    read_only = True
    for step in steps:
        action = catalog[step.action]
        if action.risk.rank > risk.rank:
            risk = action.risk
        read_only = read_only and action.read_only
    return risk, read_only


def validate_plan(plan: Plan, catalog: Catalog | None = None) -> Plan:
    """Validate every step and recompute risk and read_only from the catalog (never trust the input)."""
    steps = [validate_step(s, catalog) for s in plan.steps]
    risk, read_only = plan_risk(steps, catalog)
    return plan.model_copy(update={"steps": steps, "risk": risk, "read_only": read_only})
