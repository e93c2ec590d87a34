"""Webhook endpoints (CRUD) and ``emit``: one delivery row per matching endpoint, sent by an RQ job."""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Plan, Run, RunMode, RunStatus, Webhook, WebhookDelivery
from app.db.session import session_scope
from app.db.types import iso
from app.errors import Conflict, NotFound
from app.notify.errors import InvalidWebhook
from app.statuses import DeliveryStatus

log = logging.getLogger(__name__)

EVENTS = ("approval.needed", "run.finished", "run.failed", "run.verified")
KINDS = ("generic", "slack")
GOOD = (RunStatus.SUCCESSFUL.value, RunStatus.PARTIAL.value)
BAD = (RunStatus.FAILED.value, RunStatus.TIMED_OUT.value, RunStatus.CANCELED.value)


# --- endpoints ------------------------------------------------------------------------------------


def _printable(value: str) -> bool:
    return not any(ord(c) < 32 or ord(c) == 127 for c in value)


def _check(url: str | None, kind: str | None, events: list[str] | None, secret: str | None = None) -> None:
    if url is not None:
        try:
            parts = urlsplit(url)
            valid = parts.scheme in ("http", "https") and bool(parts.hostname) and _printable(url)
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            valid = False
        if not valid:
            raise InvalidWebhook("webhook url must be an absolute http:// or https:// URL")
    if secret is not None and not _printable(secret):
        raise InvalidWebhook("secret must not contain control characters")
    if kind is not None and kind not in KINDS:
        raise InvalidWebhook(f"kind must be one of {', '.join(KINDS)}")
    if events is not None:
        unknown = sorted(set(events) - set(EVENTS))
        if unknown or not events:
            raise InvalidWebhook(f"events must be a non-empty subset of {', '.join(EVENTS)}"
                                 + (f" (unknown: {', '.join(unknown)})" if unknown else ""))


def create_webhook(session: Session, *, name: str, url: str, kind: str = "generic", events: list[str] | None = None,
                   enabled: bool = True, secret: str | None = None, actor: str = "") -> Webhook:
    events = list(EVENTS) if events is None else events
    _check(url, kind, events, secret)
    if session.execute(select(Webhook).where(Webhook.name == name)).scalar_one_or_none():
        raise Conflict(f"webhook {name!r} already exists")
    row = Webhook(name=name, url=url, kind=kind, events=sorted(set(events)), enabled=enabled,
                  secret=secret or None, created_by=actor)
    session.add(row)
    session.flush()
    return row


def get_webhook(session: Session, webhook_id: int) -> Webhook:
    row = session.get(Webhook, webhook_id) if 0 < webhook_id < 2**31 else None
    if row is None:
        raise NotFound(f"webhook {webhook_id} not found")
    return row


def update_webhook(session: Session, webhook_id: int, changes: dict[str, Any]) -> Webhook:
    row = get_webhook(session, webhook_id)
    _check(changes.get("url"), changes.get("kind"), changes.get("events"), changes.get("secret"))
    if "name" in changes and changes["name"] != row.name and session.execute(
            select(Webhook).where(Webhook.name == changes["name"])).scalar_one_or_none():
        raise Conflict(f"webhook {changes['name']!r} already exists")
    for field in ("name", "url", "kind", "enabled"):
        if changes.get(field) is not None:
            setattr(row, field, changes[field])
    if changes.get("events") is not None:
        row.events = sorted(set(changes["events"]))
    if "secret" in changes:
        row.secret = changes["secret"] or None
    session.flush()
    return row


def delete_webhook(session: Session, webhook_id: int) -> None:
    session.delete(get_webhook(session, webhook_id))
    session.flush()


def webhook_json(row: Webhook) -> dict[str, Any]:
    """The API view: the secret is write-only (only whether one is set)."""
    return {"id": row.id, "name": row.name, "url": row.url, "kind": row.kind, "events": list(row.events or []),
            "enabled": row.enabled, "has_secret": bool(row.secret), "created_by": row.created_by,
            "created_at": iso(row.created_at)}


def delivery_json(row: WebhookDelivery) -> dict[str, Any]:
    return {"id": row.id, "webhook_id": row.webhook_id, "event": row.event, "plan_id": row.plan_id,
            "run_id": row.run_id, "status": row.status, "attempts": row.attempts,
            "attempt_log": list(row.attempt_log or []), "last_status_code": row.last_status_code,
            "last_error": row.last_error, "created_at": iso(row.created_at), "finished_at": iso(row.finished_at)}


def deliveries(session: Session, webhook_id: int, limit: int = 50) -> list[WebhookDelivery]:
    get_webhook(session, webhook_id)
    return list(session.execute(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
                                .order_by(WebhookDelivery.id.desc()).limit(limit)).scalars())


# --- emitting ---------------------------------------------------------------------------------------


def event_body(settings: Settings, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The generic JSON body: event, ids, status, links, summary, time (extra payload keys kept)."""
    base = settings.base_url.rstrip("/")
    plan_id, run_id = payload.get("plan_id"), payload.get("run_id")
    plan_url = f"{base}/plans/{plan_id}" if plan_id else None
    run_url = f"{base}/runs/{run_id}" if run_id else None
    body = {"event": event, "plan_id": plan_id, "run_id": run_id, "status": payload.get("status"),
            "url": run_url or plan_url, "plan_url": plan_url, "run_url": run_url,
            "summary": payload.get("summary") or f"{event} for plan {plan_id or '-'}",
            "at": payload.get("at") or datetime.now(UTC).isoformat()}
    body.update({k: v for k, v in payload.items() if k not in body})
    return body


def emit(settings: Settings, event: str, payload: dict[str, Any]) -> list[int]:
    """Record a delivery per enabled endpoint subscribed to ``event`` and queue it; never raises."""
    try:
        if event not in EVENTS:
            log.warning("unknown notification event %r ignored", event)
            return []
        body = event_body(settings, event, payload)
        with session_scope(settings.database_url) as s:
            hooks = [h for h in s.execute(select(Webhook).where(Webhook.enabled.is_(True))).scalars()
                     if event in (h.events or [])]
            rows = [WebhookDelivery(webhook_id=h.id, event=event, plan_id=body["plan_id"], run_id=body["run_id"],
                                    payload=body) for h in hooks]
            s.add_all(rows)
            s.flush()
            ids = [r.id for r in rows]
        for delivery_id in ids:
            _enqueue(settings, delivery_id)
        return ids
    except Exception:
        log.exception("notification %s could not be recorded", event)
        return []


def _enqueue(settings: Settings, delivery_id: int) -> None:
    try:
        from rq import Queue

        from app.queue import installation_id, notify_queue_name

        queue = Queue(notify_queue_name(settings), connection=_redis(settings.redis_url))
        queue.enqueue("app.notify.deliver.deliver_job", delivery_id,
                      job_id=f"opsplan-{installation_id(settings.database_url)}-notify-{delivery_id}",
                      job_timeout=300, result_ttl=3600, failure_ttl=7 * 86400,
                      description=f"opsplan webhook delivery {delivery_id}")
    except Exception as exc:  # noqa: BLE001 - Redis down: the delivery is recorded as failed, the caller goes on
        log.warning("webhook delivery %s not queued: %s", delivery_id, exc)
        try:
            with session_scope(settings.database_url) as s:
                row = s.get_one(WebhookDelivery, delivery_id)
                row.status, row.finished_at = DeliveryStatus.FAILED, datetime.now(UTC)
                row.last_error = f"not queued (Redis unavailable): {type(exc).__name__}: {exc}"[:2000]
        except Exception:
            log.exception("could not record the queueing failure of delivery %s", delivery_id)


@lru_cache(maxsize=8)
def _redis(url: str):
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def run_event(mode: str, status: str) -> str | None:
    if mode == RunMode.CHECK.value:
        return "approval.needed" if status in GOOD else None
    if status in GOOD:
        return "run.finished"
    return "run.failed" if status in BAD else None


def emit_for_run(settings: Settings, run_id: str) -> list[int]:
    """Emit the event a finished preview or run stands for (nothing for a failed preview); never raises."""
    try:
        with session_scope(settings.database_url) as s:
            run = s.get(Run, run_id)
            if run is None:
                return []
            event = run_event(run.mode, run.status)
            if event is None:
                return []
            plan = s.get_one(Plan, run.plan_id)
            rev = next((r for r in plan.revisions if r.number == run.revision), None)
            risk = (rev.body or {}).get("risk", "-") if rev else "-"
            counts: dict[str, int] = {}
            for entry in (run.hosts or {}).values():
                counts[entry.get("status", "?")] = counts.get(entry.get("status", "?"), 0) + 1
            payload = {"plan_id": run.plan_id, "run_id": run.id, "status": run.status, "mode": run.mode,
                       "risk": risk, "host_counts": counts, "error": (run.error or "")[:500],
                       "summary": _summary(event, run, plan, risk, counts),
                       "at": iso(run.finished_at) or datetime.now(UTC).isoformat()}
            if event == "approval.needed":  # who may approve it: the approver role, four-eyes applied
                from app.services.approvals import eligible_approvers

                payload["approvers"] = eligible_approvers(s, plan)
        return emit(settings, event, payload)
    except Exception:
        log.exception("notification for run %s failed", run_id)
        return []


def _summary(event: str, run: Run, plan: Plan, risk: str, counts: dict[str, int]) -> str:
    hosts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no hosts"
    request = (plan.request or "").strip().replace("\n", " ")[:120]
    what = f"plan {plan.id[:8]}" + (f" ({request})" if request else "")
    if event == "approval.needed":
        return f"Approval needed: preview of {what} {run.status} ({hosts}); risk {risk}."
    if event == "run.finished":
        return f"Run of {what} {run.status} ({hosts})."
    return f"Run of {what} {run.status} ({hosts})" + (f": {run.error[:200]}" if run.error else ".")

