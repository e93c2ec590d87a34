"""Fixtures for the notification tests: settings on the real Redis, a receiver, a burst notify worker."""
from __future__ import annotations

import dataclasses
import uuid

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from app.db import session_scope
from app.notify import service as svc
from app.queue import notify_queue_name
from tests.harness.webhook_receiver import WebhookReceiver


@pytest.fixture
def nsettings(settings, redis_url, monkeypatch):
    """Settings on the real Redis with a private queue name; fast retries."""
    monkeypatch.setattr("app.notify.deliver.RETRY_DELAYS", (0.05, 0.1, 0.2))
    monkeypatch.setenv("REDIS_URL", redis_url)
    return dataclasses.replace(settings, redis_url=redis_url, queue_name="opsplan-test-" + uuid.uuid4().hex[:8],
                               base_url="https://opsplan.example")


@pytest.fixture
def receiver():
    made: list[WebhookReceiver] = []

    def start(**kw) -> WebhookReceiver:
        made.append(WebhookReceiver(**kw).start())
        return made[-1]

    yield start
    for r in made:
        r.stop()


def add_hook(settings, url: str, **kw) -> int:
    with session_scope(settings.database_url) as s:
        return svc.create_webhook(s, name=kw.pop("name", "hook-" + uuid.uuid4().hex[:6]), url=url, **kw).id


def work(settings) -> None:
    """Run every queued notify job in this process (RQ SimpleWorker, burst)."""
    conn = Redis.from_url(settings.redis_url)
    queue = Queue(notify_queue_name(settings), connection=conn)
    SimpleWorker([queue], connection=conn).work(burst=True)
    queue.delete(delete_jobs=True)
