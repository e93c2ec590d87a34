"""Pydantic models of the REST API's bodies: they validate input and generate the OpenAPI document."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.defaults import MAX_REQUEST_CHARS
from app.statuses import HostStatus, PlanState, PlanStatus, Risk, Role, RunMode, RunStatus, StepStatus


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
    request: str | None = Field(default=None, max_length=MAX_REQUEST_CHARS, description="plain-language request")
    plan: StructuredPlanIn | None = Field(default=None, description="a structured plan (validated like the planner's)")


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request: str = Field(min_length=1, max_length=MAX_REQUEST_CHARS, description="plain-language request")


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
    status: PlanStatus
    questions: list[str]
    reason: str
    steps: list[StepOut]
    hosts: list[str]
    risk: Risk
    read_only: bool
    request: str
    state: PlanState
    bundle_sha256: str | None
    approved: bool
    approved_by: str | None
    preview_run_id: str | None
    preview_status: RunStatus | None
    approval_used: bool = False
    interpretation: list[str] = Field(default_factory=list, description="how the request was read: what was "
                                      "assumed, what was left out and why")
    refusal_kind: str | None = Field(default=None, description="a rejected plan: the kind of request refused "
                                     "(destructive, lockout, injection, secrets, fleet_wide, off_topic, ...); "
                                     "risk and read_only describe what was refused")
    history: dict[str, Any] | None = Field(default=None, description="GET /plans/{id}: the expected duration "
                                           "and the last problems on these hosts, from earlier runs")


class PlanListOut(BaseModel):
    plans: list[PlanOut]


class RunStepOut(_Open):
    action: str
    status: StepStatus
    changed: bool
    diff: str
    previewable: bool
    result: Any = Field(default=None, description="the step's answer on this host once it finished "
                                                   "(CONTRACT 8; the action's result_schema)")


class RunHostOut(_Open):
    status: HostStatus
    steps: list[RunStepOut]


class VerificationOut(BaseModel):
    status: str = Field(description="pending | converged | drift | not_verifiable | failed")
    run_id: str
    hosts: dict[str, str] = Field(description="host -> converged | drift | not_verifiable | unreachable | failed")


class ZonePartOut(_Open):
    zone: str
    worker: str
    hosts: list[str]
    status: RunStatus


class RunOut(_Open):
    id: str
    plan_id: str
    mode: RunMode
    status: RunStatus
    verification: VerificationOut | None = None
    bundle_sha256: str
    error: str
    hosts: dict[str, RunHostOut]
    status_message: str = Field(default="", description="what the run is waiting for (e.g. a worker of its zone)")
    zone: str | None = Field(default=None, description="the execution zone whose part is queued or running")
    zones: list[ZonePartOut] = Field(default_factory=list,
                                     description="the finished zone parts: which worker ran which hosts")


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
    risk: Risk
    read_only: bool
    previewable: bool
    os: list[str] = Field(default_factory=list)
    source: Any = Field(default="builtin", description="'builtin', or {'role': NAME, 'sha256': HASH} for an added "
                                                       "role")
    result_schema: dict[str, Any] | None = Field(default=None, description="JSON Schema of a step's result")


class ActionListOut(BaseModel):
    actions: list[ActionOut]


class ActionRoleOut(BaseModel):
    role: str = Field(description="the added role's name")
    sha256: str = Field(description="content hash of the role's files (what every bundle using it carries)")
    actions: list[ActionOut] = Field(description="the actions the role adds, as GET /actions lists them")


class HealthOut(BaseModel):
    status: str


class ReadyOut(BaseModel):
    status: str
    checks: dict[str, str]
    zones: dict[str, int] = Field(default_factory=dict, description="live workers per execution zone")
    unavailable_actions: dict[str, list[str]] = Field(
        default_factory=dict, description="actions some live worker cannot run (its toolchain check), with reasons")


class ListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500)
    state: PlanState | None = None


class RunListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500)
    plan_id: str | None = None
    status: RunStatus | None = None
    mode: RunMode | None = None


# --- audit log -----------------------------------------------------------------------------------


class AuditQuery(BaseModel):
    limit: int = Field(default=100, ge=1, le=1000)
    plan_id: str | None = Field(default=None, max_length=64)
    run_id: str | None = Field(default=None, max_length=64)
    action: str | None = Field(default=None, max_length=64, description="e.g. plan.approved, run.finished")
    before: int | None = Field(default=None, ge=1, description="only entries with a smaller id (paging)")


class AuditEntryOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    plan_id: str | None
    run_id: str | None
    bundle_sha256: str | None
    outcome: str
    details: dict[str, Any]
    prev_hash: str = Field(description="hash of the previous entry (64 zeros for the first)")
    hash: str = Field(description="sha256 of this entry's fields and prev_hash")


class AuditListOut(BaseModel):
    entries: list[AuditEntryOut] = Field(description="newest first")


class AuditVerifyOut(BaseModel):
    intact: bool
    entries: int
    problems: list[str]
    keyed: int = Field(description="entries whose hash is an HMAC-SHA256 under the audit key")
    legacy: int = Field(description="entries with a plain sha256 written before the log was keyed "
                        "(valid only as a prefix of the chain)")
    warnings: list[str] = Field(description="what could not be checked, e.g. no anchor file")
    anchor: str = Field(description="the head anchor (a file outside the database) checked, and the result")
    anchor_entry: int | None = Field(description="the entry id the anchor names, when one was used")


# --- users and API tokens ------------------------------------------------------------------------


RoleName = Role


class UserCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    role: RoleName
    password: str | None = Field(default=None, min_length=8, max_length=256, description="for web login; write-only")


class TokenCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(default="", max_length=128)
    days: int | None = Field(default=90, ge=0, le=3650, description="expiry in days; 0 or null: never expires")


class TokenOut(BaseModel):
    id: int
    user: str
    label: str
    created_at: str | None
    expires_at: str | None
    revoked: bool


class TokenCreatedOut(TokenOut):
    token: str = Field(description="the token itself; shown only this once, stored hashed")


class UserOut(BaseModel):
    name: str
    role: RoleName
    has_password: bool
    created_at: str | None
    tokens: list[TokenOut]


class UserListOut(BaseModel):
    users: list[UserOut]


class MeOut(BaseModel):
    name: str
    role: RoleName


class PlaybookQuery(BaseModel):
    format: Literal["yaml", "tar"] = Field(default="yaml", description="yaml: site.yml; tar: the whole bundle (tar.gz)")


class EventsQuery(BaseModel):
    after: int | None = Field(default=None, ge=0, description="replay events after this seq (or Last-Event-ID)")
    follow: Literal["0", "1"] = Field(default="1", description="0: replay stored events and end")


# --- assets, groups, credentials (inputs are app.assets.schemas) --------------------------------


class HostKeyOut(BaseModel):
    type: str
    fingerprint: str = Field(description="SHA256 fingerprint, as `ssh-keygen -lf` prints it")
    key: str = Field(description="the OpenSSH public key line")
    source: Literal["import", "first-contact", "accepted"] | None
    pinned_at: str | None


class PendingHostKeyOut(BaseModel):
    type: str
    fingerprint: str
    key: str
    seen_at: str | None


class AssetOut(BaseModel):
    name: str
    address: str
    os: Literal["linux", "windows"]
    environment: str
    zone: str = Field(default="default", description="execution zone: only its workers contact the host")
    groups: list[str]
    credential: str | None
    port: int
    vars: dict[str, Any]
    enabled: bool
    host_keys: list[HostKeyOut] = Field(description="pinned SSH host keys; runs connect with exactly these")
    host_keys_pending: list[PendingHostKeyOut] = Field(
        description="a changed host key a run saw instead of the pinned ones; an admin may accept it")
    created_at: str | None
    updated_at: str | None


class HostKeyAcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fingerprint: str | None = Field(default=None, max_length=128,
                                    description="accept only if the key a run saw has this fingerprint")


class AssetListOut(BaseModel):
    assets: list[AssetOut]
    count: int


class AssetListQuery(BaseModel):
    environment: str | None = None
    group: str | None = None
    os: str | None = None
    zone: str | None = Field(default=None, description="only the assets of this execution zone")
    enabled: Literal["", "1", "0", "true", "false", "yes", "no"] | None = None


class GroupOut(BaseModel):
    name: str
    description: str
    parents: list[str]
    vars: dict[str, Any]
    asset_count: int


class GroupListOut(BaseModel):
    groups: list[GroupOut]
    count: int


class CredentialOut(BaseModel):
    name: str
    kind: Literal["ssh_key", "password", "winrm"]
    username: str
    has_secret: bool
    created_at: str | None
    updated_at: str | None


class CredentialListOut(BaseModel):
    credentials: list[CredentialOut]
    count: int


class ForceQuery(BaseModel):
    force: Literal["", "1", "0", "true", "false", "yes", "no"] | None = Field(
        default=None, description="delete even when still referenced")


# --- chat ----------------------------------------------------------------------------------------


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    message: str | None = Field(default=None, min_length=1, max_length=2000,
                                description="a chat turn; or leave it out and send an 'action'")
    conversation_id: str | None = None
    action: Literal["preview", "approve", "run", "relaunch", "reject", "cancel", "request_approval"] | None = Field(
        default=None, description="a card button, on 'plan_id' (or 'run_id' for relaunch/cancel)")
    plan_id: str | None = None
    run_id: str | None = None
    reason: str | None = None


class ChatCard(_Open):
    type: Literal["question", "plan", "preview", "run", "answer", "refusal"]
    plan_id: str | None = None
    run_id: str | None = None
    actions: list[str] | None = Field(default=None, description="plan cards: the buttons this user may press")
    urls: dict[str, str] | None = None


class ChatOut(_Open):
    conversation_id: str
    reply: str
    cards: list[ChatCard] = Field(default_factory=list)
    plan: dict[str, Any] | None
    plan_id: str | None = Field(default=None, description="set when the turn stored a ready plan")


class ConversationOut(_Open):
    conversation_id: str
    created_by: str
    messages: list[dict[str, Any]]


class ConversationsOut(BaseModel):
    conversations: list[dict[str, Any]]


class AskOut(BaseModel):
    plan: PlanOut
    run: RunOut | None = None


class InventoryQuery(BaseModel):
    plan_id: str | None = Field(default=None, description="only this plan's hosts (its current revision)")
    host: str | None = Field(default=None, description="one host's vars (`--host NAME`); {} for an unknown host")


class InventoryOut(BaseModel):
    """Ansible's dynamic-inventory JSON: groups by name plus ``_meta.hostvars`` (or one host's vars)."""

    model_config = ConfigDict(extra="allow")
