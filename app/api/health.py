"""Liveness (/health) and readiness (/ready: database, Redis and a live worker)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.api.openapi import doc
from app.api.schemas import HealthOut, ReadyOut
from app.context import db_session, redis_conn, settings
from app.queue import live_workers, live_workers_by_zone
from app.services.toolchain import live_reports, unavailable_actions
from app.services.zones import known_zones

bp = Blueprint("health", __name__)


@bp.get("/health")
@bp.get("/api/v1/health")
@doc(resp={200: HealthOut}, tags=("ops",), public=True)
def health():
    """The process is up."""
    return jsonify({"status": "ok"})


@bp.get("/ready")
@bp.get("/api/v1/ready")
@doc(resp={200: ReadyOut, 503: ReadyOut}, tags=("ops",), public=True)
def ready():
    """Database, Redis and at least one live worker reachable; ``zones``: live workers per execution zone."""
    checks: dict[str, str] = {}
    unavailable: dict[str, list[str]] = {}
    known: list[str] = []
    zones: dict[str, int] = {}
    try:
        with db_session() as s:
            s.execute(text("SELECT 1"))
            known = known_zones(s)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - health check reports any failure instead of raising
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        conn = redis_conn()
        conn.ping()
        checks["redis"] = "ok"
        workers = live_workers(settings(), conn)
        checks["workers"] = str(len(workers)) if workers else "error: no live worker"
        zones = live_workers_by_zone(settings(), conn, known)
        unavailable = unavailable_actions(live_reports(settings(), conn))  # the workers' toolchain checks
        if unavailable:  # the service is ready; these actions are not (their reasons name the worker)
            checks["toolchain"] = f"degraded: {len(unavailable)} action(s) unavailable"
    except Exception as exc:  # noqa: BLE001 - health check reports any failure instead of raising
        checks["redis"] = checks.get("redis", f"error: {type(exc).__name__}")
        checks.setdefault("workers", "unknown")
    ok = all(not v.startswith("error") and v != "unknown" for v in checks.values())
    return jsonify({"status": "ready" if ok else "not ready", "checks": checks, "zones": zones,
                    "unavailable_actions": unavailable}), 200 if ok else 503
