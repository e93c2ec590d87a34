"""Sending one webhook delivery: body (generic or Slack), HMAC signature, retries with backoff.

Runs as an RQ job on the ``<queue>-notify`` queue; every attempt is recorded on the delivery row.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from app.config import Settings
from app.db.models import Webhook, WebhookDelivery
from app.db.session import session_scope
from app.statuses import DeliveryStatus

log = logging.getLogger(__name__)

RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0)  # sleeps between attempts: 1 + len(RETRY_DELAYS) attempts
TIMEOUT = (3.0, 5.0)  # connect, read
RETRY_STATUS = {408, 425, 429}
TITLES = {"approval.needed": "Approval needed", "run.finished": "Run finished", "run.failed": "Run failed"}


def slack_body(body: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message carrying the same facts as the generic body."""
    title = TITLES.get(body["event"], body["event"])
    links = [f"<{u}|{label}>" for u, label in ((body.get("plan_url"), "Open plan"), (body.get("run_url"), "Open run"))
             if u]
    facts = [f"plan `{body.get('plan_id') or '-'}`"]
    if body.get("run_id"):
        facts.append(f"run `{body['run_id']}`")
    if body.get("status"):
        facts.append(f"status *{body['status']}*")
    return {
        "text": f"{title}: {body['summary']} {' '.join(links)}".strip(),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": f"Opsplan: {title}"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body["summary"]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": " · ".join(facts + links)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{body['event']} at {body['at']}"}]},
        ],
    }


def render(kind: str, payload: dict[str, Any]) -> bytes:
    data = slack_body(payload) if kind == "slack" else payload
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(secret: str, data: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()


def _settings() -> Settings:
    runtime = sys.modules.get("app.execution.runtime")  # in the worker: the settings kept before the env was scrubbed
    if runtime is not None:
        return runtime.settings()
    return Settings.from_env()


def deliver_job(delivery_id: int) -> str:
    """RQ entry point."""
    from app.db.session import after_fork

    after_fork()  # a work horse: never share the parent worker's database connections
    return deliver(_settings(), delivery_id)


def deliver(settings: Settings, delivery_id: int) -> str:
    """Send one delivery, retrying transient failures; returns the final status (delivered | failed)."""
    with session_scope(settings.database_url) as s:
        row = s.get(WebhookDelivery, delivery_id)
        if row is None:
            return "missing"
        if row.status != "pending":
            return row.status  # a duplicate job: already settled
        hook = s.get(Webhook, row.webhook_id)
        if hook is None or not hook.enabled:
            _settle(row, DeliveryStatus.FAILED, "webhook deleted or disabled before delivery")
            return "failed"
        url, kind, secret, event = hook.url, hook.kind, hook.secret, row.event
        data = render(kind, row.payload)
    headers = {"Content-Type": "application/json", "User-Agent": "opsplan-webhook/1",
               "X-Opsplan-Event": event, "X-Opsplan-Delivery": str(delivery_id)}
    if secret:
        headers["X-Opsplan-Signature"] = signature(secret, data)
    delays = list(RETRY_DELAYS)
    while True:
        code, error = _attempt(url, data, headers)
        ok = code is not None and 200 <= code < 300
        retry = not ok and (code is None or code >= 500 or code in RETRY_STATUS) and bool(delays)
        with session_scope(settings.database_url) as s:
            row = s.get_one(WebhookDelivery, delivery_id)
            row.attempts += 1
            row.attempt_log = [*(row.attempt_log or []), {"at": _now().isoformat(), "status_code": code,
                                                          "error": error}]
            row.last_status_code = code
            if ok:
                _settle(row, DeliveryStatus.DELIVERED, "")
                return "delivered"
            row.last_error = error
            if not retry:
                _settle(row, DeliveryStatus.FAILED, error)
                log.warning("webhook delivery %s failed after %s attempts: %s", delivery_id, row.attempts, error)
                return "failed"
        time.sleep(delays.pop(0))


def _attempt(url: str, data: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    try:
        resp = requests.post(url, data=data, headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:  # the URL's path may hold a token (Slack): keep it out
        text = _short(exc)
        path = urlsplit(url).path
        if len(path) > 1:
            text = text.replace(path, "/...")
        return None, f"{type(exc).__name__}: {text}"
    if 200 <= resp.status_code < 300:
        return resp.status_code, ""
    return resp.status_code, f"HTTP {resp.status_code}: {resp.text[:200].strip()}"


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + "..."


def _settle(row: WebhookDelivery, status: DeliveryStatus, error: str) -> None:
    row.status, row.finished_at = status, _now()
    if error:
        row.last_error = error[:2000]


def _now() -> datetime:
    return datetime.now(UTC)
