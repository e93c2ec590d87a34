"""SQLAlchemy 2.0 models: the database is the source of truth for assets, plans, approvals and runs.

The fleet's and the catalog's models live in ``app.db.fleet_models`` (planning loads only those) and are
re-exported here: every model is importable from this module.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.fleet_models import (
    ActionRole,
    Asset,
    Base,
    Credential,
    Group,
    Setting,
    asset_groups,
    group_parents,
    new_id,
)
from app.db.types import status_column, utcnow
from app.statuses import (
    CredentialKind,
    Decision,
    DeliveryStatus,
    OsFamily,
    PlanState,
    PlanStatus,
    Role,
    RunMode,
    RunStatus,
)

__all__ = ["utcnow", "new_id", "CredentialKind", "Decision", "OsFamily", "PlanState", "Role", "RunMode",
           "RunStatus", "ActionRole", "Asset", "Base", "Credential", "Group", "Setting", "asset_groups",
           "group_parents"]


# --- plans, approvals, runs -------------------------------------------------------


class Plan(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    request: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[PlanState] = mapped_column(status_column(PlanState), default=PlanState.DRAFT)
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    revisions: Mapped[list[PlanRevision]] = relationship(
        back_populates="plan", order_by=lambda: PlanRevision.number, cascade="all, delete-orphan"
    )


class PlanRevision(Base):
    __tablename__ = "plan_revisions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[PlanStatus] = mapped_column(status_column(PlanStatus, 32))
    body: Mapped[dict] = mapped_column(JSON)  # the plan JSON (CONTRACT 4)
    bundle_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    plan: Mapped[Plan] = relationship(back_populates="revisions")


class Approval(Base):
    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    preview_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision: Mapped[Decision] = mapped_column(status_column(Decision))
    decided_by: Mapped[str] = mapped_column(String(128), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)  # the run that used it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Run(Base):
    """A preview (mode=check) or a real run (mode=run) of one plan revision's bundle."""

    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    mode: Mapped[RunMode] = mapped_column(status_column(RunMode, 8))
    status: Mapped[RunStatus] = mapped_column(status_column(RunStatus), default=RunStatus.QUEUED)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approvals.id"), nullable=True)
    parent_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # a verification (CONTRACT 8): the check-mode run of a changing run's bundle that follows it
    verifies_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    limit_hosts: Mapped[list | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    hosts: Mapped[dict] = mapped_column(JSON, default=dict)  # per-host, per-step result (CONTRACT Run JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    worker_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # the execution zone whose part of the run is queued or running (hosts of other zones wait their turn)
    zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the finished zone parts, in order: [{"zone", "worker", "hosts", "status", "error"}]
    zone_parts: Mapped[list | None] = mapped_column(JSON, nullable=True)


class RunEvent(Base):
    __tablename__ = "run_events"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(128), nullable=True)
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(128), default="")
    action: Mapped[str] = mapped_column(String(64))
    plan_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    bundle_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    messages: Mapped[list] = mapped_column(JSON, default=list)
    pending_request: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[Role] = mapped_column(status_column(Role))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship()


# --- notifications (webhooks) ----------------------------------------------------


class Webhook(Base):
    """A webhook endpoint: which events to POST where, in which body shape (generic JSON or Slack)."""

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="generic")  # generic | slack
    events: Mapped[list] = mapped_column(JSON, default=list)  # subset of approval.needed, run.finished, run.failed
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[str | None] = mapped_column(String(255), nullable=True)  # HMAC-SHA256 key; never returned by the API
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """One event sent (or being sent) to one webhook, with every attempt's outcome."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    plan_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # the generic body; the Slack one derives from it
    status: Mapped[DeliveryStatus] = mapped_column(status_column(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attempt_log: Mapped[list] = mapped_column(JSON, default=list)  # [{"at", "status_code", "error"}]
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)


class LoginFailure(Base):
    """A failed web login, kept for the throttle window (per user name and per address)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_at", "username", "at"),
                      Index("ix_login_failures_address_at", "address", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
