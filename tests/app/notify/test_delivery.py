"""Webhook deliveries through the real RQ notify queue and Redis to a local receiver."""
from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from app.db import session_scope
from app.db.models import Run, WebhookDelivery
from app.notify import emit, emit_for_run
from app.notify.service import run_event
from app.services.runs import get_run
from tests.app.awx.helpers import store_plan
from tests.app.notify.helpers import add_hook, work
from tests.harness.services import free_port

pytestmark = pytest.mark.integration
PAYLOAD = {"plan_id": "p" * 32, "run_id": "r" * 32, "status": "successful", "summary": "Run of plan pppp successful."}


def _delivery(settings, delivery_id: int) -> WebhookDelivery:
    with session_scope(settings.database_url) as s:
        row = s.get(WebhookDelivery, delivery_id)
        s.expunge(row)
        return row


def test_generic_body_signed_and_recorded(nsettings, receiver):
    rx = receiver()
    add_hook(nsettings, rx.url, secret="s3cret", events=["run.finished"])
    [delivery_id] = emit(nsettings, "run.finished", PAYLOAD)
    assert rx.requests == []  # emit only records and queues: no HTTP in the caller
    work(nsettings)
    [req] = rx.requests
    body = req.json
    assert set(body) >= {"event", "plan_id", "run_id", "status", "url", "plan_url", "run_url", "summary", "at"}
    assert body["event"] == "run.finished" and body["status"] == "successful"
    assert body["plan_url"] == f"https://opsplan.example/plans/{'p' * 32}"
    assert body["run_url"] == body["url"] == f"https://opsplan.example/runs/{'r' * 32}"
    expected = "sha256=" + hmac.new(b"s3cret", req.body, hashlib.sha256).hexdigest()
    assert req.headers["X-Opsplan-Signature"] == expected
    assert req.headers["X-Opsplan-Event"] == "run.finished" and req.headers["X-Opsplan-Delivery"] == str(delivery_id)
    row = _delivery(nsettings, delivery_id)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("delivered", 1, 200, "")
    assert row.finished_at is not None


def test_slack_body(nsettings, receiver):
    rx = receiver()
    add_hook(nsettings, rx.url, kind="slack")
    emit(nsettings, "approval.needed", {**PAYLOAD, "run_id": None, "summary": "Approval needed: preview ok."})
    work(nsettings)
    body = rx.requests[0].json
    assert set(body) == {"text", "blocks"} and "X-Opsplan-Signature" not in rx.requests[0].headers
    assert body["text"].startswith("Approval needed: Approval needed: preview ok.")
    assert f"<https://opsplan.example/plans/{'p' * 32}|Open plan>" in body["text"]
    assert body["blocks"][0]["type"] == "header" and all("type" in b for b in body["blocks"])
    assert "Open run" not in body["text"]


def test_retry_after_500_then_success(nsettings, receiver):
    rx = receiver(fail_first=2)
    add_hook(nsettings, rx.url)
    [delivery_id] = emit(nsettings, "run.failed", {**PAYLOAD, "status": "failed"})
    work(nsettings)
    assert len(rx.requests) == 3 and rx.requests[0].body == rx.requests[2].body
    row = _delivery(nsettings, delivery_id)
    assert row.status == "delivered" and row.attempts == 3
    assert [a["status_code"] for a in row.attempt_log] == [500, 500, 200]


def test_permanent_failure_recorded(nsettings, receiver):
    rx = receiver(fail_first=100)
    add_hook(nsettings, rx.url)
    [delivery_id] = emit(nsettings, "run.finished", PAYLOAD)
    work(nsettings)
    row = _delivery(nsettings, delivery_id)
    assert len(rx.requests) == 4 and row.attempts == 4  # 1 + 3 retries with backoff
    assert row.status == "failed" and row.last_status_code == 500 and row.last_error.startswith("HTTP 500")


def test_client_error_is_not_retried(nsettings, receiver):
    rx = receiver(status=404)
    add_hook(nsettings, rx.url)
    [delivery_id] = emit(nsettings, "run.finished", PAYLOAD)
    work(nsettings)
    row = _delivery(nsettings, delivery_id)
    assert len(rx.requests) == 1 and row.status == "failed" and row.last_status_code == 404


def test_unreachable_url_recorded(nsettings):
    add_hook(nsettings, f"http://127.0.0.1:{free_port()}/services/T0/B0/TOKENPART")
    [delivery_id] = emit(nsettings, "run.finished", PAYLOAD)
    work(nsettings)
    row = _delivery(nsettings, delivery_id)
    assert row.status == "failed" and row.attempts == 4 and row.last_status_code is None
    assert "ConnectionError" in row.last_error and all(a["status_code"] is None for a in row.attempt_log)
    assert "TOKENPART" not in row.last_error


def test_emit_never_raises_nor_blocks_when_redis_or_the_database_is_down(nsettings, receiver):
    import dataclasses

    rx = receiver()
    add_hook(nsettings, rx.url)
    down = dataclasses.replace(nsettings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    [delivery_id] = emit(down, "run.finished", PAYLOAD)
    assert time.monotonic() - started < 3
    row = _delivery(nsettings, delivery_id)
    assert row.status == "failed" and "not queued (Redis unavailable)" in row.last_error
    no_db = dataclasses.replace(nsettings, database_url=f"postgresql+psycopg://u:p@127.0.0.1:{free_port()}/x")
    assert emit(no_db, "run.finished", PAYLOAD) == []
    assert emit(nsettings, "no.such.event", PAYLOAD) == []
    assert emit_for_run(down, "no-such-run") == []


def test_only_enabled_subscribed_endpoints_get_an_event(nsettings, receiver):
    rx = receiver()
    add_hook(nsettings, rx.url, name="failures", events=["run.failed"])
    add_hook(nsettings, rx.url, name="off", enabled=False)
    assert emit(nsettings, "run.finished", PAYLOAD) == []
    assert len(emit(nsettings, "run.failed", PAYLOAD)) == 1


@pytest.mark.unit
def test_event_of_a_finished_run():
    assert run_event("check", "successful") == run_event("check", "partial") == "approval.needed"
    assert run_event("check", "failed") is None
    assert run_event("run", "successful") == run_event("run", "partial") == "run.finished"
    assert run_event("run", "failed") == run_event("run", "timed_out") == run_event("run", "canceled") == "run.failed"
    assert run_event("run", "running") is None


def test_emit_for_run(nsettings, receiver):
    rx = receiver()
    add_hook(nsettings, rx.url)
    plan_id = store_plan(nsettings.database_url)
    with session_scope(nsettings.database_url) as s:
        preview = Run(plan_id=plan_id, revision=1, mode="check", status="partial", bundle_sha256="0" * 64,
                      hosts={"web-01": {"status": "changed", "steps": []}, "web-02": {"status": "failed", "steps": []}})
        failed = Run(plan_id=plan_id, revision=1, mode="run", status="failed", bundle_sha256="0" * 64,
                     error="boom on web-02")
        s.add_all([preview, failed])
        from app.auth import create_user

        create_user(s, "ann", "approver")
        create_user(s, "otto", "operator")
        s.flush()
        preview_id, failed_id = preview.id, failed.id
    assert len(emit_for_run(nsettings, preview_id)) == 1
    assert len(emit_for_run(nsettings, failed_id)) == 1
    work(nsettings)
    first, second = sorted((r.json for r in rx.requests), key=lambda b: b["event"])
    assert first["event"] == "approval.needed" and first["run_id"] == preview_id and first["plan_id"] == plan_id
    assert "1 changed, 1 failed" in first["summary"] and first["mode"] == "check"
    assert first["approvers"] == ["ann"]  # who may approve it (approver role or higher, four-eyes applied)
    assert second["event"] == "run.failed" and "boom on web-02" in second["summary"]
    with session_scope(nsettings.database_url) as s:
        assert get_run(s, failed_id).status == "failed"  # notifications never touch the run
