"""Webhook endpoints (admin): create, list, read, change, delete; and each endpoint's recent deliveries."""
from __future__ import annotations

from typing import Literal, get_args

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from app.api import API_PREFIX, json_body
from app.api.openapi import doc, parse
from app.auth import current_user, require
from app.context import db_session
from app.db.models import Role
from app.notify import service as svc

bp = Blueprint("webhooks", __name__, url_prefix=API_PREFIX)

Event = Literal["approval.needed", "run.finished", "run.failed", "run.verified"]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    url: str = Field(min_length=8, max_length=2000, description="http(s) URL the events are POSTed to")
    kind: Literal["generic", "slack"] = "generic"
    events: list[Event] = Field(default_factory=lambda: list(get_args(Event)), min_length=1, max_length=4)
    enabled: bool = True
    secret: str | None = Field(default=None, max_length=255,
                               description="HMAC-SHA256 key for X-Opsplan-Signature; write-only")


class WebhookPatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    url: str | None = Field(default=None, min_length=8, max_length=2000)
    kind: Literal["generic", "slack"] | None = None
    events: list[Event] | None = Field(default=None, min_length=1, max_length=4)
    enabled: bool | None = None
    secret: str | None = Field(default=None, max_length=255, description="empty string removes the secret")


class WebhookOut(BaseModel):
    id: int
    name: str
    url: str
    kind: str
    events: list[str]
    enabled: bool
    has_secret: bool
    created_by: str
    created_at: str | None


class WebhookListOut(BaseModel):
    webhooks: list[WebhookOut]


class AttemptOut(BaseModel):
    at: str
    status_code: int | None
    error: str


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    event: str
    plan_id: str | None
    run_id: str | None
    status: str
    attempts: int
    attempt_log: list[AttemptOut]
    last_status_code: int | None
    last_error: str
    created_at: str | None
    finished_at: str | None


class DeliveryListOut(BaseModel):
    deliveries: list[DeliveryOut]


class DeliveryQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=500)


@bp.get("/webhooks")
@doc(resp={200: WebhookListOut}, tags=("webhooks",))
@require(Role.ADMIN)
def list_webhooks():
    """Every webhook endpoint (secrets are never returned)."""
    from sqlalchemy import select

    from app.db.models import Webhook

    with db_session() as s:
        rows = s.execute(select(Webhook).order_by(Webhook.id)).scalars().all()
        return jsonify({"webhooks": [svc.webhook_json(r) for r in rows]})


@bp.post("/webhooks")
@doc(json=WebhookIn, resp={201: WebhookOut}, tags=("webhooks",), errors=(409,))
@require(Role.ADMIN)
def create_webhook():
    """Add an endpoint: generic JSON or a Slack incoming webhook, for some or all events."""
    data = parse(WebhookIn, json_body())
    with db_session() as s:
        row = svc.create_webhook(s, actor=current_user()["name"], **data.model_dump())
        return jsonify(svc.webhook_json(row)), 201


@bp.get("/webhooks/<int:webhook_id>")
@doc(resp={200: WebhookOut}, tags=("webhooks",), errors=(404,))
@require(Role.ADMIN)
def get_webhook(webhook_id: int):
    """One endpoint."""
    with db_session() as s:
        return jsonify(svc.webhook_json(svc.get_webhook(s, webhook_id)))


@bp.patch("/webhooks/<int:webhook_id>")
@doc(json=WebhookPatchIn, resp={200: WebhookOut}, tags=("webhooks",), errors=(404, 409))
@require(Role.ADMIN)
def update_webhook(webhook_id: int):
    """Change some fields of an endpoint."""
    data = parse(WebhookPatchIn, json_body())
    with db_session() as s:
        row = svc.update_webhook(s, webhook_id, data.model_dump(exclude_unset=True))
        return jsonify(svc.webhook_json(row))


@bp.delete("/webhooks/<int:webhook_id>")
@doc(resp={204: None}, tags=("webhooks",), errors=(404,))
@require(Role.ADMIN)
def delete_webhook(webhook_id: int):
    """Remove an endpoint and its delivery records."""
    with db_session() as s:
        svc.delete_webhook(s, webhook_id)
    return Response(status=204)


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@doc(query=DeliveryQuery, resp={200: DeliveryListOut}, tags=("webhooks",), errors=(404,))
@require(Role.ADMIN)
def list_deliveries(webhook_id: int):
    """Newest deliveries first, each with every attempt's status code or error."""
    query = parse(DeliveryQuery, request.args.to_dict())
    with db_session() as s:
        rows = svc.deliveries(s, webhook_id, query.limit)
        return jsonify({"deliveries": [svc.delivery_json(r) for r in rows]})
