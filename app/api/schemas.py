"""Pydantic models of the REST API's bodies: they validate input and generate the OpenAPI document."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str = Field(max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)
    targets: dict[str, Any] = Field(default_factory=dict)


class StructuredPlanIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    steps: list[StepIn] = Field(min_length=1, max_length=50)


class PlanCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request: str | None = Field(default=None, max_length=4000, description="plain-language request")
    plan: StructuredPlanIn | None = Field(default=None, description="a structured plan (validated like the planner's)")


class PlanReviseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: StructuredPlanIn


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=2000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class RunCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: list[str] | None = Field(default=None, max_length=10000)


class StepOut(_Open):
    action: str
    params: dict[str, Any]
    targets: dict[str, Any]
    hosts: list[str] = Field(default_factory=list)


class PlanOut(_Open):
    id: str
    revision: int
    status: Literal["ready", "needs_clarification", "rejected"]
    questions: list[str]
    reason: str
    steps: list[StepOut]
    hosts: list[str]
    risk: Literal["low", "medium", "high", "critical"]
    read_only: bool
    request: str
    state: str
    bundle_sha256: str | None
    approved: bool
    approved_by: str | None
    preview_run_id: str | None
    preview_status: str | None


class PlanListOut(BaseModel):
    plans: list[PlanOut]


class RunStepOut(_Open):
    action: str
    status: str
    changed: bool
    diff: str
    previewable: bool


class RunHostOut(_Open):
    status: Literal["ok", "changed", "failed", "unreachable", "skipped", "pending", "running"]
    steps: list[RunStepOut]


class RunOut(_Open):
    id: str
    plan_id: str
    mode: Literal["check", "run"]
    status: Literal["queued", "running", "successful", "partial", "failed", "canceled", "timed_out"]
    bundle_sha256: str
    error: str
    hosts: dict[str, RunHostOut]


class RunListOut(BaseModel):
    runs: list[RunOut]


class ApprovalOut(BaseModel):
    plan_id: str
    revision: int
    bundle_sha256: str
    approved_by: str
    preview_run_id: str | None


class RejectionOut(BaseModel):
    plan_id: str
    revision: int
    rejected_by: str
    reason: str


class ActionParamOut(_Open):
    name: str
    kind: str
    required: bool


class ActionOut(_Open):
    name: str
    description: str
    params: list[ActionParamOut]
    risk: str
    read_only: bool
    previewable: bool


class ActionListOut(BaseModel):
    actions: list[ActionOut]


class HealthOut(BaseModel):
    status: str


class ReadyOut(BaseModel):
    status: str
    checks: dict[str, str]


class ListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500)
    state: str | None = None


class RunListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500)
    plan_id: str | None = None
    status: str | None = None
    mode: Literal["check", "run"] | None = None
