"""Webhook notifications: approval needed, run finished, run failed (generic JSON or Slack-compatible).

    notify.emit(settings, "run.finished", {"plan_id": ..., "run_id": ..., "status": ..., "summary": ...})
    notify.emit_for_run(settings, run_id)   # picks the event from the finished run; never raises

Deliveries are rows in ``webhook_deliveries``; an RQ job on ``<queue_name>-notify`` sends each one, retrying
with exponential backoff and recording every attempt. Nothing here blocks or fails the caller.
"""
from app.notify.errors import NotifyError
from app.notify.service import EVENTS, emit, emit_for_run

__all__ = ["EVENTS", "NotifyError", "emit", "emit_for_run"]
