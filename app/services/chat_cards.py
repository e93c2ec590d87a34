"""Chat cards: the structured answers of a conversation (CONTRACT 6), built fresh for the user who reads them.

A conversation stores card references (type + ids); the cards a client gets are rendered from the current
plan and run records, so a reloaded conversation shows the run's present state and only the actions the
reader may take. Card types: ``question``, ``plan``, ``preview``, ``run``, ``answer``, ``refusal``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Plan, Run
from app.errors import OpsplanError
from app.services import approvals, plans, runs
from app.services.answers import step_tables
from app.services.history import plan_history
from app.statuses import HOST_BAD, HOST_DONE, HOST_INTERRUPTED, PlanState, PlanStatus, Role, RunMode, RunStatus

FAILED = HOST_BAD | HOST_INTERRUPTED
OUTCOME = {"changed": "would change", "ok": "no change", "failed": "failed", "unreachable": "unreachable",
           "not_previewable": "not previewable", "skipped": "skipped", "pending": "pending", "running": "running"}
FINAL_PLAN = (PlanState.REJECTED, PlanState.RUNNING, PlanState.FINISHED)


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str

    def allows(self, minimum: Role) -> bool:
        return Role(self.role).allows(minimum)


def urls_plan(plan_id: str) -> dict[str, str]:
    return {"plan": f"/plans/{plan_id}", "edit": f"/plans/{plan_id}#edit", "api": f"/api/v1/plans/{plan_id}"}


def urls_run(run_id: str) -> dict[str, str]:
    return {"run": f"/runs/{run_id}", "api": f"/api/v1/runs/{run_id}", "events": f"/api/v1/runs/{run_id}/events"}


def question_card(questions: list[str], request: str) -> dict[str, Any]:
    return {"type": "question", "questions": list(questions), "text": " ".join(questions), "request": request}


def refusal_card(reason: str) -> dict[str, Any]:
    return {"type": "refusal", "reason": reason, "text": reason}


def plan_card(session: Session, plan_id: str, viewer: Viewer, relaunch_of: str | None = None) -> dict[str, Any]:
    """A stored plan with what the viewer may do with it now (and, when it cannot approve, who can)."""
    row = plans.get_plan(session, plan_id)
    body = plans.plan_json(session, row)
    card: dict[str, Any] = {
        "type": "plan", "plan_id": row.id, "revision": body["revision"], "status": body["status"],
        "state": body["state"], "risk": body.get("risk"), "read_only": body.get("read_only"),
        "request": row.request, "steps": body.get("steps", []), "hosts": body.get("hosts", []),
        "approved": body["approved"], "approved_by": body["approved_by"], "approval_used": body["approval_used"],
        "preview_run_id": body["preview_run_id"], "preview_status": body["preview_status"],
        "created_by": row.created_by, "urls": urls_plan(row.id), "plan": body,
    }
    if row.state not in FINAL_PLAN:  # how long a run should take, from earlier runs (not for plans done with)
        history = plan_history(session, row, body)
        card["estimate_seconds"], card["estimate_text"] = history["estimate_seconds"], history["estimate_text"]
    if relaunch_of:
        card["relaunch"] = _relaunch_offer(session, relaunch_of)
    card["actions"] = plan_actions(session, row, body, viewer, card.get("relaunch"))
    if body["status"] == PlanStatus.READY and not body.get("read_only") and not body["approved"] \
            and row.state not in FINAL_PLAN:
        who = approvals.eligible_approvers(session, row)
        if viewer.name not in who:  # say who can (the approver role, four-eyes applied)
            card["approvers"] = who
            card["approval_note"] = approval_note(row, viewer, who)
    return card


def approval_note(row: Plan, viewer: Viewer, who: list[str]) -> str:
    risk = approvals.plan_risk(row)
    rule = "the approver or admin role"
    if risk in approvals.FOUR_EYES:
        rule += f", and for {risk} risk someone other than {', '.join(sorted(approvals.involved(row)))} (four-eyes)"
    names = ", ".join(who) if who else "nobody yet: create a user with the approver role"
    return f"{viewer.name} cannot approve this plan; it needs {rule}. Who can: {names}."


def _relaunch_offer(session: Session, run_id: str) -> dict[str, Any]:
    """The hosts a relaunch of ``run_id`` would run on; none once it was relaunched (an approval covers one)."""
    run = runs.get_run(session, run_id)
    later = session.execute(select(Run.id).where(Run.parent_run_id == run.id)).scalar()
    if later is not None:
        return {"run_id": run.id, "hosts": [], "relaunched_as": later}
    return {"run_id": run.id, "hosts": runs.not_succeeded(run)}


def plan_actions(session: Session, row: Plan, body: dict[str, Any], viewer: Viewer,
                 relaunch: dict[str, Any] | None = None) -> list[str]:
    """The card buttons: preview, approve (approve & run), run, request_approval, relaunch, edit, reject."""
    if body["status"] != PlanStatus.READY or not viewer.allows(Role.OPERATOR):
        return []
    actions: list[str] = []
    if relaunch and relaunch["hosts"]:
        actions.append("relaunch")
    if row.state in FINAL_PLAN:
        return actions
    if body.get("read_only") and runs.answers_at_once(plans.ready_bundle(session, row)[1]):
        return [*actions, "run", "edit"]
    actions.append("preview")
    usable = body["preview_status"] in (RunStatus.SUCCESSFUL, RunStatus.PARTIAL)
    if body["approved"]:
        actions.append("run")
    elif usable and viewer.allows(Role.APPROVER) and approvals.may_approve(row, viewer.name):
        actions.append("approve")
    elif usable:
        actions.append("request_approval")
    actions.append("edit")
    if viewer.allows(Role.APPROVER) or viewer.name == row.created_by:
        actions.append("reject")
    return actions


def run_card(session: Session, run_id: str, kind: str | None = None) -> dict[str, Any]:
    """A preview, run or answer card from the run as it is now (hosts failures first)."""
    view = runs.run_json(session, run_id)
    run = runs.get_run(session, run_id)
    row = plans.get_plan(session, run.plan_id)
    rev = next(r for r in row.revisions if r.number == run.revision)
    read_only = bool(rev.body.get("read_only"))
    if kind is None:
        kind = "preview" if view["mode"] == RunMode.CHECK else "answer" if read_only else "run"
    finished = RunStatus(view["status"]).finished
    hosts = [_host_line(h, e) for h, e in view["hosts"].items()]
    hosts.sort(key=lambda h: (0 if h["status"] in FAILED else 1 if h["status"] not in HOST_DONE else 2, h["host"]))
    card: dict[str, Any] = {
        "type": kind, "run_id": run.id, "plan_id": run.plan_id, "mode": view["mode"], "status": view["status"],
        "finished": finished, "request": row.request, "read_only": read_only, "created_by": run.created_by,
        "started_at": view["started_at"], "finished_at": view["finished_at"], "error": view["error"],
        "limit": view["limit"], "parent_run_id": view["parent_run_id"], "counts": counters(view["hosts"]),
        "hosts": hosts, "failed_hosts": [h["host"] for h in hosts if h["status"] in FAILED],
        "urls": {**urls_run(run.id), "plan": f"/plans/{run.plan_id}"},
        "estimate_seconds": None if finished else plan_history(session, row, rev.body)["estimate_seconds"],
    }
    if "verification" in view:
        card["verification"] = view["verification"]
    if kind == "answer":
        card["tables"] = [{"step": t.step, "action": t.action, "columns": t.columns, "rows": t.rows,
                           "missing": t.missing} for t in step_tables(view)] if finished else []
    return card


def counters(hosts: dict[str, Any]) -> dict[str, int]:
    c = {"done": 0, "failed": 0, "pending": 0}
    for entry in hosts.values():
        st = entry.get("status")
        c["done" if st in HOST_DONE else "failed" if st in FAILED else "pending"] += 1
    return c


def _host_line(host: str, entry: dict[str, Any]) -> dict[str, Any]:
    steps = []
    for st in entry.get("steps", []):
        line = {"step": st.get("step"), "action": st.get("action"), "status": st.get("status"),
                "outcome": OUTCOME.get(st.get("status", ""), st.get("status")), "changed": bool(st.get("changed"))}
        if st.get("diff"):
            line["diff"] = st["diff"]
        reason = st.get("reason") if st.get("status") == "not_previewable" else st.get("msg")
        if reason and st.get("status") not in ("ok", "changed", "pending", "running"):
            line["reason"] = str(reason).strip().splitlines()[0][:300] if str(reason).strip() else ""
        steps.append(line)
    status = entry.get("status", "pending")
    return {"host": host, "status": status, "outcome": OUTCOME.get(status, status), "steps": steps}


def render(session: Session, ref: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """A stored card reference rendered now; a record that disappeared becomes a refusal-like note."""
    try:
        if ref["type"] == "plan":
            return plan_card(session, ref["plan_id"], viewer, ref.get("relaunch_of"))
        if ref["type"] in ("preview", "run", "answer"):
            return run_card(session, ref["run_id"], ref["type"])
    except OpsplanError as exc:
        return {**ref, "gone": True, "text": exc.message}
    return dict(ref)
