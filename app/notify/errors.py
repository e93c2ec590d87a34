"""Errors of the notification package."""
from __future__ import annotations

from app.errors import BadRequest


class NotifyError(Exception):
    """Base of notification errors (delivery problems are recorded on the delivery, never raised)."""


class InvalidWebhook(BadRequest, NotifyError):
    """A webhook endpoint definition that cannot be stored (maps to a 400)."""

    code = "invalid_webhook"
