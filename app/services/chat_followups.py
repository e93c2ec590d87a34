"""Follow-ups: short messages that refer to the conversation's last plan, run and targets.

* "now the same on staging", "what about db-02?"  -> the last request on other targets (planned again)
* "only on the ones that failed"                  -> the hosts of the last run that did not succeed
* "restart it instead"                            -> another action on the same object and targets
* "cancel that"                                   -> cancel the last queued/running run, else reject the plan

Resolution is built on the planner's output (steps, targets, hosts): the planner itself is not changed.
Every resolution says what it resolved to (``note``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Plan, Run
from app.errors import Forbidden
from app.planner import Vocabulary
from app.planner.rules import has_targets, has_verb, strip_targets
from app.services import approvals, plans, runs
from app.services.chat_cards import FINAL_PLAN, Viewer
from app.services.planning import plan_from_structure, plan_text
from app.statuses import PlanStatus, Role, RunMode, RunStatus
from compiler.models import Plan as PlanModel

_LEAD = r"^(?:(?:and|now|ok|okay|then|so|also|actually|no)[,\s]+)*"
SAME = re.compile(_LEAD + r"(?:do\s+)?(?:(?:it|that|this)\s+|the\s+same(?:\s+thing)?\s+|(?:the\s+)?same\s+)"
                  r"(?:again\s+)?(?:on|for|in|to|with)\s+(?P<t>.+?)(?:\s+too|\s+as\s+well)?[.!?]*$", re.I)
ABOUT = re.compile(_LEAD + r"(?:what|how)\s+about\s+(?P<t>.+?)[.!?]*$", re.I)
FAILED = re.compile(r"\b(?:ones?|hosts?|servers?|machines?|nodes?)\s+(?:that|which)\s+(?:have\s+)?"
                    r"(?:failed|did(?:n't|\s+not)\s+(?:work|succeed)|were\s+unreachable)"
                    r"|\b(?:failed|failing|unreachable)\s+(?:ones|hosts|servers|machines|nodes)\b"
                    r"|^(?:retry|rerun|re-run)\s+(?:the\s+)?failures?\b", re.I)
INSTEAD_WORD = re.compile(r"\binstead\b", re.I)
PRONOUN = re.compile(r"\b(?:it|that|them|this|those)\b", re.I)
CANCEL = re.compile(_LEAD + r"(?:please\s+)?(?:cancel|abort|stop|call\s+off|never\s*mind|forget)"
                    r"(?:\s+(?:that|it|this|the\s+run|the\s+plan))?(?:\s+please)?[.!]*$", re.I)


@dataclass
class Resolution:
    """What a follow-up resolved to: a note, and a plan to store, or card references (cancel, relaunch)."""

    note: str
    plan: PlanModel | None = None
    cards: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    plan: Plan | None  # the conversation's last stored plan
    run: Run | None  # the conversation's newest preview or run


def kind_of(message: str) -> str | None:
    """Which follow-up form a message is, if any (checked before planning it as a new request)."""
    text = " ".join(message.split())
    if CANCEL.match(text):
        return "cancel"
    if FAILED.search(text):
        return "failed"
    if ABOUT.match(text):
        return "about"
    if SAME.match(text):
        return "same"
    if INSTEAD_WORD.search(text):
        return "instead"
    return None


def resolve(session: Session, ctx: Context, message: str, kind: str, vocab: Vocabulary, settings: Settings,
            viewer: Viewer) -> Resolution:
    text = " ".join(message.split())
    if kind == "cancel":
        return _cancel(session, ctx, viewer)
    if kind == "failed":
        rest = _without(FAILED, text)
        if has_verb(rest, vocab):  # another action on those hosts: "restart nginx on the ones that failed"
            return _on_failed_hosts(session, ctx, rest, vocab, settings, text)
        return _failed(session, ctx)
    if ctx.plan is None:
        return Resolution(f"“{text}” refers to an earlier plan, and this conversation has none yet: "
                          "say what to do, e.g. “restart nginx on web-01”.")
    if kind in ("same", "about"):
        match = (ABOUT if kind == "about" else SAME).match(text)
        assert match is not None
        return _retarget(ctx.plan, match.group("t"), vocab, settings, text)
    return _instead(session, ctx.plan, text, vocab, settings)


def _short(plan_id: str) -> str:
    return plan_id[:8]


def _retarget(last: Plan, targets: str, vocab: Vocabulary, settings: Settings, text: str) -> Resolution:
    base = strip_targets(last.request, vocab).strip() or last.request
    request = f"{base} on {targets}"
    plan = plan_text(request, settings, vocab)
    return Resolution(f"Resolved “{text}” to “{request}” (plan {_short(last.id)} on other targets).", plan)


def _without(rx: re.Pattern[str], text: str) -> str:
    """``text`` without the matched phrase, a dangling "on/for the" and lead words ("no, ", "only")."""
    rest = rx.sub(" ", text)
    rest = re.sub(r"\b(?:only|just|again)\b", " ", rest, flags=re.I)
    rest = re.sub(r"(?:\s+(?:on|for|in|to|at)(?:\s+(?:the|those|these))?)+\s*[.!?]*\s*$", "", rest, flags=re.I)
    rest = re.sub(_LEAD, "", rest.strip(), flags=re.I)
    return " ".join(rest.strip(" ,.!?").split())


def _retargeted(session: Session, request: str, targets: dict[str, Any], where: str, vocab: Vocabulary,
                settings: Settings) -> PlanModel:
    """Plan ``request``; when it names no targets of its own, put its steps on ``targets``."""
    planned = plan_text(request, settings, vocab)
    if planned.status is PlanStatus.REJECTED or not planned.steps or has_targets(request, vocab):
        return planned
    structure = {"steps": [{"action": s.action, "params": s.params, "targets": targets} for s in planned.steps]}
    plan = plan_from_structure(session, structure, request_text=f"{request} on {where}")
    return plan.model_copy(update={"planner": "chat-followup"})


def _instead(session: Session, last: Plan, text: str, vocab: Vocabulary, settings: Settings) -> Resolution:
    """Another action on the same object and targets: "restart it instead", "no, stop nginx instead"."""
    body = plans.current_revision(last).body
    steps = body.get("steps") or []
    if not steps:
        return Resolution(f"“{text}”: plan {_short(last.id)} has no step to do something else with.")
    first = steps[0]
    objects = " ".join(str(v) for v in (first.get("params") or {}).values() if isinstance(v, str | int) and str(v))
    request = _without(INSTEAD_WORD, text)
    request = PRONOUN.sub(objects, request) if PRONOUN.search(request) else request
    where = ", ".join(body.get("hosts") or []) or "the same targets"
    plan = _retargeted(session, request, first.get("targets") or {}, where, vocab, settings)
    if plan.status is PlanStatus.REJECTED or not plan.steps:
        return Resolution(f"Resolved “{text}” to “{request}”, which I cannot plan: {plan.reason}", plan)
    return Resolution(f"Resolved “{text}” to {plan.steps[0].action} ({request}) on the targets of plan "
                      f"{_short(last.id)}: {where}.", plan)


def _finished_run(ctx: Context) -> tuple[Run | None, list[str], str]:
    """The last run if it finished, its hosts that did not succeed, or why there are none."""
    run = ctx.run
    if run is None:
        return None, [], "There is no run in this conversation yet, so no host has failed."
    if not RunStatus(run.status).finished:
        return None, [], f"Run {_short(run.id)} is still {run.status}; ask again once it has finished."
    hosts = runs.not_succeeded(run)
    if not hosts:
        return None, [], f"Every host of run {_short(run.id)} succeeded: nothing to do again."
    return run, hosts, ""


def _on_failed_hosts(session: Session, ctx: Context, request: str, vocab: Vocabulary, settings: Settings,
                     text: str) -> Resolution:
    run, hosts, why = _finished_run(ctx)
    if run is None:
        return Resolution(why)
    where = ", ".join(hosts)
    plan = _retargeted(session, request, {"hosts": hosts}, where, vocab, settings)
    return Resolution(f"Resolved “{text}” to “{request}” on {where}: the hosts of "
                      f"{'preview' if run.mode == RunMode.CHECK else 'run'} {_short(run.id)} that did not succeed.",
                      plan)


def _failed(session: Session, ctx: Context) -> Resolution:
    run, hosts, why = _finished_run(ctx)
    if run is None:
        return Resolution(why)
    what = (f"Resolved “the ones that failed” to {', '.join(hosts)}: the hosts of "
            f"{'preview' if run.mode == RunMode.CHECK else 'run'} {_short(run.id)} that did not succeed.")
    if run.mode == RunMode.RUN:  # the same approval covers a relaunch on exactly these hosts
        return Resolution(what + " Relaunch runs the same approved bundle on them only.",
                          cards=[{"type": "plan", "plan_id": run.plan_id, "relaunch_of": run.id}])
    body = next(r.body for r in plans.get_plan(session, run.plan_id).revisions if r.number == run.revision)
    structure = {"steps": [{"action": s["action"], "params": s.get("params") or {},
                            "targets": {"hosts": [h for h in hosts if h in (s.get("hosts") or hosts)]}}
                           for s in body.get("steps") or []]}
    structure["steps"] = [s for s in structure["steps"] if s["targets"]["hosts"]]
    plan = plan_from_structure(session, structure, request_text=f"{body.get('request', '')} (only on "
                                                                 f"{', '.join(hosts)})".strip())
    return Resolution(what, plan.model_copy(update={"planner": "chat-followup"}))


def _cancel(session: Session, ctx: Context, viewer: Viewer) -> Resolution:
    run = ctx.run
    if run is not None and not RunStatus(run.status).finished:
        runs.request_cancel(session, run.id, viewer.name)
        kind = "preview" if run.mode == RunMode.CHECK else "run"
        return Resolution(f"Resolved “cancel that” to {kind} {_short(run.id)} ({run.status}): cancel requested.",
                          cards=[{"type": kind, "run_id": run.id, "plan_id": run.plan_id}])
    row = ctx.plan
    if row is None or row.state in FINAL_PLAN:
        return Resolution("Nothing to cancel: no run of this conversation is queued or running and no plan "
                          "is waiting.")
    if not (viewer.allows(Role.APPROVER) or viewer.name == row.created_by):
        raise Forbidden(f"only the requester ({row.created_by}) or an approver may reject plan {_short(row.id)}")
    approvals.reject(session, row.id, viewer.name, f"canceled in the chat by {viewer.name}")
    return Resolution(f"Resolved “cancel that” to plan {_short(row.id)} ({row.request}): rejected, nothing ran.",
                      cards=[{"type": "plan", "plan_id": row.id}])
