"""Runs: status (per host, per step), live events (Server-Sent Events), cancel, relaunch on failed hosts."""
from __future__ import annotations

import contextlib
import json
import time

from flask import Blueprint, Response, jsonify, request, stream_with_context
from sqlalchemy import select

from app import defaults
from app.api import API_PREFIX
from app.api.openapi import doc, parse
from app.api.schemas import EventsQuery, RunListOut, RunListQuery, RunOut
from app.auth import current_user, require
from app.context import db_session, redis_conn, settings
from app.db.models import Role, Run, RunStatus
from app.errors import BadRequest
from app.queue import events_channel
from app.services import launch
from app.services import runs as svc

bp = Blueprint("runs", __name__, url_prefix=API_PREFIX)


@bp.get("/runs")
@doc(query=RunListQuery, resp={200: RunListOut}, tags=("runs",))
@require(Role.VIEWER)
def list_runs():
    """Newest previews and runs first, with filters."""
    query = parse(RunListQuery, request.args.to_dict())
    with db_session() as s:
        q = select(Run).order_by(Run.created_at.desc()).limit(query.limit)
        for field in ("plan_id", "status", "mode"):
            if getattr(query, field):
                q = q.where(getattr(Run, field) == getattr(query, field))
        rows = list(s.execute(q).scalars())
        verified = svc.verification_of(s, rows)
        return jsonify({"runs": [svc.run_view(r, verified.get(r.id)) for r in rows]})


@bp.get("/runs/<run_id>")
@doc(resp={200: RunOut}, tags=("runs",), errors=(404,))
@require(Role.VIEWER)
def get_run(run_id: str):
    """A preview or run, per host and per step."""
    with db_session() as s:
        return jsonify(svc.run_json(s, run_id, settings()))


@bp.post("/runs/<run_id>/cancel")
@doc(resp={202: RunOut}, tags=("runs",), errors=(404, 409))
@require(Role.OPERATOR)
def cancel(run_id: str):
    """Cancel a queued or running run; later tasks never start."""
    with db_session() as s:
        svc.request_cancel(s, run_id, current_user()["name"])
        return jsonify(svc.run_json(s, run_id)), 202


@bp.post("/runs/<run_id>/relaunch")
@doc(resp={202: RunOut}, tags=("runs",), errors=(404, 409))
@require(Role.OPERATOR)
def relaunch(run_id: str):
    """A new run of the same approved bundle, limited to the hosts that failed or were unreachable."""
    new_id = launch.relaunch(settings(), run_id, current_user()["name"]).run_id
    with db_session() as s:
        return jsonify(svc.run_json(s, new_id)), 202


def _sse(event: dict) -> str:
    return f"id: {event['seq']}\nevent: {event['kind']}\ndata: {json.dumps(event)}\n\n"


@bp.get("/runs/<run_id>/events")
@doc(query=EventsQuery, resp={200: None}, tags=("runs",), errors=(404,),
     content={200: {"text/event-stream": {"type": "string"}}})
@require(Role.VIEWER)
def events(run_id: str):
    """Replays stored events after Last-Event-ID, then follows live ones until the run ends."""
    try:
        last = int(request.headers.get("Last-Event-ID") or request.args.get("after") or 0)
    except ValueError:
        raise BadRequest("Last-Event-ID must be an integer") from None
    with db_session() as s:
        svc.get_run(s, run_id)
    follow = request.args.get("follow", "1") != "0"

    def generate():
        nonlocal last
        pubsub = None
        try:
            try:
                pubsub = redis_conn().pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(events_channel(run_id))
            except Exception:  # noqa: BLE001 - any Redis failure falls back to polling
                pubsub = None  # Redis down: fall back to polling the database
            idle = 0.0
            while True:
                with db_session() as s:  # one page after the cursor (the last seq sent)
                    batch = svc.events_after(s, run_id, last, limit=defaults.EVENT_PAGE_SIZE)
                    status = svc.get_run(s, run_id).status
                for event in batch:
                    last = event["seq"]
                    yield _sse(event)
                if len(batch) == defaults.EVENT_PAGE_SIZE:
                    continue  # a full page: more are stored, send the next one at once
                if RunStatus(status).finished and not batch:
                    yield f"event: done\ndata: {json.dumps({'status': status})}\n\n"
                    return
                if not follow:
                    return
                if pubsub is not None:
                    msg = pubsub.get_message(timeout=1.0)
                    if msg is None:
                        idle += 1.0
                else:
                    time.sleep(0.5)
                    idle += 0.5
                if idle >= 15:
                    idle = 0.0
                    yield ": keep-alive\n\n"
        finally:
            if pubsub is not None:
                with contextlib.suppress(Exception):  # best-effort cleanup of the subscription
                    pubsub.close()

    return Response(stream_with_context(generate()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
