"""GET /metrics: Prometheus text format (public ops endpoint, like /health; no secrets in labels)."""
from __future__ import annotations

from flask import Blueprint, Response

from app import metrics
from app.api.openapi import doc
from app.context import settings

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@doc(resp={200: None}, tags=("ops",), public=True, content={200: {"text/plain": {"type": "string"}}})
def prometheus():
    """Plans by state and status, previews and runs by outcome, run duration, queue depth, workers,
    webhook deliveries and planner latency, in the Prometheus text exposition format."""
    return Response(metrics.render(settings()), mimetype=None, content_type=metrics.CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})
