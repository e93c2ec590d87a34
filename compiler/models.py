"""The plan (CONTRACT section 4) as pydantic v2 models; its JSON Schema is what the LLM planner fills in."""
from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PlanStatus(StrEnum):
    READY = "ready"
    NEEDS_CLARIFICATION = "needs_clarification"
    REJECTED = "rejected"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ["low", "medium", "high", "critical"].index(self.value)


class Targets(BaseModel):
    """Target selectors of one step; resolved against the asset database into plan.hosts."""

    model_config = ConfigDict(extra="forbid")

    hosts: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    environment: str | None = None
    os: Literal["linux", "windows"] | None = None
    exclude: list[str] = Field(default_factory=list)
    all: bool = False

    def is_empty(self) -> bool:
        return not (self.hosts or self.groups or self.environment or self.os or self.all)


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str
    params: dict[str, Any] = Field(default_factory=dict)
    targets: Targets = Field(default_factory=Targets)
    # Resolved host names of this step (filled by the planner; plan.hosts is their union).
    hosts: list[str] = Field(default_factory=list)


class Plan(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: PlanStatus = PlanStatus.READY
    questions: list[str] = Field(default_factory=list)
    reason: str = ""
    steps: list[Step] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)
    risk: Risk = Risk.LOW
    read_only: bool = True
    request: str = ""
    planner: str = "rules"
    # how the planner read the request, in words (what it assumed, what it left out and why)
    interpretation: list[str] = Field(default_factory=list)
    # a rejected plan: what kind of request was refused (destructive, lockout, injection, secrets, off_topic, ...);
    # risk and read_only then describe what was refused
    refusal_kind: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        if self.status is PlanStatus.NEEDS_CLARIFICATION and not self.questions:
            raise ValueError("a plan that needs clarification must ask at least one question")
        if self.status is not PlanStatus.NEEDS_CLARIFICATION and self.questions:
            raise ValueError("questions are only allowed when status is needs_clarification")
        if self.status is PlanStatus.REJECTED and not self.reason:
            raise ValueError("a rejected plan must give a reason")
        self.hosts = sorted(set(self.hosts))
        return self

    def contract_json(self) -> dict[str, Any]:
        """The CONTRACT section 4 fields (plus request and planner), JSON-ready."""
        return self.model_dump(mode="json")


def plan_json_schema() -> dict[str, Any]:
    return Plan.model_json_schema()
