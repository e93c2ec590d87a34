"""Run history and the live run page (server-rendered state first; run.js follows the SSE stream)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, request, url_for
from redis.exceptions import RedisError
from sqlalchemy import func, select

from app.auth import current_user
from app.context import db_session, settings
from app.db.models import Plan, Run, RunEvent
from app.errors import NotFound
from app.queue import live_workers_by_zone
from app.services import launch
from app.services import plans as plan_svc
from app.services import runs as svc
from app.services.answers import step_tables
from app.services.history import plan_history
from app.services.zones import known_zones
from app.statuses import HOST_BAD, HOST_DONE, HOST_INTERRUPTED, Role, RunMode, RunStatus
from app.ui import ui_blueprint
from app.ui.plans import PAGE_SIZE, _need, page_arg

bp = ui_blueprint("ui_runs", __name__)
LOG_LINES = 200
FAILED = HOST_BAD | HOST_INTERRUPTED


@bp.get("/runs")
def run_list():
    status, mode = request.args.get("status", ""), request.args.get("mode", "")
    page = page_arg()
    with db_session() as s:
        q = select(Run)
        if status in {r.value for r in RunStatus}:
            q = q.where(Run.status == status)
        if mode in {m.value for m in RunMode}:
            q = q.where(Run.mode == mode)
        total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
        rows = s.execute(q.order_by(Run.created_at.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
                         ).scalars().all()
        runs = [svc.run_view(r) for r in rows]
        requests: dict[str, str] = {pid: text for pid, text in s.execute(select(Plan.id, Plan.request).where(
            Plan.id.in_({r["plan_id"] for r in runs})))} if runs else {}
        known = known_zones(s)
    return render_template("runs.html", runs=runs, requests=requests, status=status, mode=mode, page=page,
                           zone_workers=_zone_workers(known),
                           total=total, pages=max(1, -(-total // PAGE_SIZE)),
                           statuses=[r.value for r in RunStatus], modes=[m.value for m in RunMode])


def _zone_workers(known: list[str]) -> dict[str, int]:
    """Live workers per execution zone (empty when Redis does not answer)."""
    try:
        return live_workers_by_zone(settings(), zones=known)
    except (RedisError, OSError):
        return {}


def finished_now(run: dict) -> bool:
    return RunStatus(run["status"]).finished


def counters(hosts: dict) -> dict[str, int]:
    c = {"done": 0, "failed": 0, "pending": 0}
    for entry in hosts.values():
        st = entry.get("status")
        c["done" if st in HOST_DONE else "failed" if st in FAILED else "pending"] += 1
    return c


def _progress(events: Sequence[RunEvent], finished: bool) -> dict:
    """Step progress from the stored events: the latest step and task, the step total."""
    step, total, task = 0, 0, ""
    for e in events:
        if e.kind == "start":
            total = len(e.data.get("steps") or []) or total
        elif e.kind == "step":
            step, total = int(e.data.get("step") or 0), int(e.data.get("total") or total)
        elif e.kind == "task":
            task = e.data.get("task", "")
    done_steps = total if finished else max(0, step - 1)
    return {"step": step, "total": total, "task": "" if finished else task, "done_steps": done_steps}


def _seconds(start: str | None, end: str | None) -> int | None:
    if not start:
        return None
    a = datetime.fromisoformat(start)
    b = datetime.fromisoformat(end) if end else datetime.now(UTC)
    return max(0, int((b - a).total_seconds()))


@bp.get("/runs/<run_id>")
def run_page(run_id: str):
    with db_session() as s:
        run = svc.run_json(s, run_id, settings())
        plan = plan_svc.get_plan(s, run["plan_id"])
        request_text = plan.request
        marks = s.execute(select(RunEvent)
                          .where(RunEvent.run_id == run_id, RunEvent.kind.in_(("start", "step", "task")))
                          .order_by(RunEvent.seq)).scalars().all()
        logs = s.execute(select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.kind == "log")
                         .order_by(RunEvent.seq.desc()).limit(LOG_LINES)).scalars().all()
        log_lines = [{"host": e.host or "", "line": line.strip()} for e in reversed(logs)
                     for line in str((e.data or {}).get("line", "")).splitlines() if line.strip()][-LOG_LINES:]
        last_seq = s.execute(select(func.max(RunEvent.seq)).where(RunEvent.run_id == run_id)).scalar() or 0
        progress = _progress(marks, RunStatus(run["status"]).finished)
        body = next(r.body for r in plan.revisions if r.number == run["revision"])
        read_only = bool(body.get("read_only"))
        estimate = plan_history(s, plan, body)["estimate_seconds"] if not finished_now(run) else None
    finished = RunStatus(run["status"]).finished
    failed = sorted(h for h, e in run["hosts"].items() if e.get("status") in FAILED)
    return render_template("run.html", run=run, request_text=request_text, progress=progress, log_lines=log_lines,
                           last_seq=last_seq, counts=counters(run["hosts"]), finished=finished, failed=failed,
                           elapsed=_seconds(run["started_at"], run["finished_at"]), read_only=read_only,
                           tables=step_tables(run), estimate=estimate)


@bp.get("/runs/<run_id>/results/<int:step>.<any(csv, json):fmt>")
def results(run_id: str, step: int, fmt: str):
    """One step's answers as CSV (one row per host, or per item) or JSON (host -> result)."""
    with db_session() as s:
        run = svc.run_json(s, run_id)
    table = next((t for t in step_tables(run) if t.step == step), None)
    if table is None:
        raise NotFound(f"run {run_id} has no step {step}")
    name = f"run-{run_id[:8]}-step-{step}-{table.action}.{fmt}"
    headers = {"Content-Disposition": f"attachment; filename={name}"}
    if fmt == "json":
        by_host = {h: next((st.get("result") for st in e["steps"] if st["step"] == step), None)
                   for h, e in run["hosts"].items()}
        return Response(json.dumps({"run_id": run_id, "step": step, "action": table.action, "results": by_host},
                                   indent=2, default=str), mimetype="application/json", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else json.dumps(v) if isinstance(v, list | dict) else v for v in row])
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)


@bp.post("/runs/<run_id>/cancel")
def cancel(run_id: str):
    """No-JS fallback of the cancel button (run.js calls POST /api/v1/runs/<id>/cancel)."""
    _need(Role.OPERATOR, "canceling")
    with db_session() as s:
        svc.request_cancel(s, run_id, current_user()["name"])
    flash("Cancel requested: tasks that have not started will not run.", "info")
    return redirect(url_for("ui_runs.run_page", run_id=run_id), code=303)


@bp.post("/runs/<run_id>/relaunch")
def relaunch(run_id: str):
    """A new run of the same approved bundle on the hosts that failed or were unreachable."""
    _need(Role.OPERATOR, "relaunching")
    launched = launch.relaunch(settings(), run_id, current_user()["name"])
    hosts = launched.hosts or []
    flash(f"Relaunched on {len(hosts)} host(s) that did not succeed: {', '.join(hosts)}.", "info")
    return redirect(url_for("ui_runs.run_page", run_id=launched.run_id), code=303)
