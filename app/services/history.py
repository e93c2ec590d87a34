"""History that predicts: how long a plan's run should take, and what happened last time on its hosts.

Both come from earlier real runs (finished, not previews): the duration from runs of the same actions that
touched any of these hosts; the last outcomes from steps of the same actions on these hosts that failed.
"""
from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Plan, PlanRevision, Run
from app.statuses import HOST_BAD, RunMode, RunStatus, StepStatus

RECENT = 500  # earlier runs looked at


def _ago(when: datetime, now: datetime) -> str:
    seconds = int((now - when).total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def plan_history(session: Session, row: Plan, body: dict[str, Any]) -> dict[str, Any]:
    """``{"estimate_seconds", "estimate_text", "samples", "last_problems": [...]}`` for a plan body."""
    actions = sorted({s["action"] for s in body.get("steps") or []})
    hosts = set(body.get("hosts") or [])
    now = datetime.now(UTC)
    runs = session.execute(
        select(Run, PlanRevision.body).join(PlanRevision, (PlanRevision.plan_id == Run.plan_id)
                                            & (PlanRevision.number == Run.revision))
        .where(Run.mode == RunMode.RUN, Run.finished_at.is_not(None), Run.started_at.is_not(None),
               Run.status.in_([RunStatus.SUCCESSFUL, RunStatus.PARTIAL, RunStatus.FAILED]), Run.plan_id != row.id)
        .order_by(Run.finished_at.desc()).limit(RECENT)).all()
    durations: list[float] = []
    problems: list[dict[str, Any]] = []
    for run, run_body in runs:
        run_actions = sorted({s["action"] for s in (run_body or {}).get("steps") or []})
        touched = set(run.hosts or {}) & hosts
        if not touched or not set(run_actions) & set(actions):
            continue
        if run_actions == actions and run.status != RunStatus.FAILED:
            durations.append((run.finished_at - run.started_at).total_seconds())
        for host in sorted(touched):
            entry = (run.hosts or {})[host]
            if entry.get("status") not in HOST_BAD:
                continue
            for st in entry.get("steps", []):
                if st.get("action") in actions and st.get("status") in (StepStatus.FAILED, StepStatus.UNREACHABLE):
                    reason = str(st.get("msg") or st.get("status")).strip().splitlines()[0][:200]
                    params: dict[str, Any] = next((s.get("params") for s in run_body.get("steps") or []
                                                   if s.get("action") == st.get("action")), {}) or {}
                    what = " ".join([st["action"], *(str(v) for v in params.values())][:3])
                    problems.append({"run_id": run.id, "host": host, "action": st["action"], "status": st["status"],
                                     "reason": reason, "at": run.finished_at.isoformat(),
                                     "text": f"{what} {st['status']} on {host} {_ago(run.finished_at, now)}: {reason}"})
        if len(problems) >= 5 and len(durations) >= 20:
            break
    out: dict[str, Any] = {"samples": len(durations), "estimate_seconds": None, "estimate_text": "",
                           "last_problems": problems[:5]}
    if durations:
        estimate = statistics.median(durations)
        out["estimate_seconds"] = round(estimate, 1)
        out["estimate_text"] = (f"about {_human(estimate)}, from {len(durations)} earlier "
                                f"run{'s' if len(durations) != 1 else ''} of these actions on these hosts")
    return out


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
