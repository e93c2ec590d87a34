"""Rollout policy: which steps run as canary + batches, which run one host at a time, and why."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from compiler.catalog import ActionSpec
from compiler.errors import CompilerError

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent / "policy.default.yml"
_Batch = int | str


def _check_batch(value: _Batch) -> _Batch:
    if isinstance(value, bool):
        raise ValueError("a batch is a number of hosts or a percentage like '20%'")
    if isinstance(value, int):
        if value < 1:
            raise ValueError("a batch has at least one host")
        return value
    text = str(value).strip()
    if not (text.endswith("%") and text[:-1].isdigit() and 1 <= int(text[:-1]) <= 100):
        raise ValueError(f"a batch is a number of hosts or a percentage like '20%', got {value!r}")
    return text


class CanaryRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    environments: tuple[str, ...] = ("production",)
    min_hosts: int = Field(4, ge=1)
    canary_hosts: int = Field(1, ge=1)
    batch: _Batch = "20%"
    max_fail_percentage: int | None = Field(0, ge=0, le=100)
    read_only_steps: bool = False

    @field_validator("batch")
    @classmethod
    def _batch(cls, value: _Batch) -> _Batch:
        return _check_batch(value)


class CriticalRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    risks: tuple[str, ...] = ("critical",)
    serial: _Batch = 1
    max_fail_percentage: int | None = Field(0, ge=0, le=100)

    @field_validator("serial")
    @classmethod
    def _serial(cls, value: _Batch) -> _Batch:
        return _check_batch(value)


class RolloutPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    canary: CanaryRule = CanaryRule()
    critical: CriticalRule = CriticalRule()
    default_max_fail_percentage: int | None = Field(None, ge=0, le=100)
    # A plan whose every step is read-only runs at an operator's request, without preview or approval
    # (CONTRACT 8); true asks for the usual preview and approval again.
    read_only_needs_approval: bool = False


class StepRollout(BaseModel):
    """What the policy decided for one step."""

    model_config = ConfigDict(frozen=True)

    serial: list[_Batch] | None = None
    max_fail_percentage: int | None = None
    rules: list[dict[str, str]] = Field(default_factory=list)  # [{"rule": ..., "reason": ...}]


def load_policy(path: str | Path | None = None) -> RolloutPolicy:
    """Load a rollout policy YAML file (the packaged default when ``path`` is None)."""
    source = Path(path) if path is not None else DEFAULT_POLICY_PATH
    try:
        data: Any = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CompilerError(f"cannot read rollout policy {source}: {exc}") from exc
    if not isinstance(data, dict):
        raise CompilerError(f"rollout policy {source} must be a mapping")
    try:
        return RolloutPolicy.model_validate(data)
    except ValidationError as exc:
        raise CompilerError(f"invalid rollout policy {source}: {exc}") from exc


def decide(policy: RolloutPolicy, index: int, action: ActionSpec, hosts: list[str],
           environments: dict[str, str]) -> StepRollout:
    """Apply the policy to step ``index`` (1-based) running ``action`` on ``hosts``.

    ``environments`` maps host name -> environment name. The critical rule wins over the canary rule.
    """
    label = f"step {index} ({action.name})"
    crit = policy.critical
    if crit.enabled and action.risk.value in crit.risks:
        return StepRollout(
            serial=[crit.serial],
            max_fail_percentage=crit.max_fail_percentage,
            rules=[{"rule": "critical",
                    "reason": f"{label} is a {action.risk.value} action: serial {crit.serial} "
                              f"on its {len(hosts)} host(s), max_fail_percentage {crit.max_fail_percentage}"}],
        )
    can = policy.canary
    if can.enabled and (not action.read_only or can.read_only_steps):
        wanted = {e.lower() for e in can.environments}
        matched = sorted({environments[h] for h in hosts if environments.get(h, "").lower() in wanted})
        if matched and len(hosts) >= can.min_hosts:
            return StepRollout(
                serial=[can.canary_hosts, can.batch],
                max_fail_percentage=can.max_fail_percentage,
                rules=[{"rule": "canary",
                        "reason": f"{label} changes {len(hosts)} hosts (at least {can.min_hosts}) in "
                                  f"{', '.join(matched)}: canary of {can.canary_hosts}, then batches of "
                                  f"{can.batch}, max_fail_percentage {can.max_fail_percentage}"}],
            )
    return StepRollout(max_fail_percentage=policy.default_max_fail_percentage)
