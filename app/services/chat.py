"""Chat: a stored conversation that carries the whole job (CONTRACT 6).

A message is planned (or completes the pending request, or is a follow-up on the last plan/run); a
read-only request runs at once and comes back as its answer; a change comes back as a plan card whose
actions (preview, approve & run, run, relaunch, reject, request approval) call the same services as the
plan and run pages. Every face (API, web page, ``opsplan chat``) goes through ``handle_message`` and
``handle_action``; cards are rendered by ``app.services.chat_cards`` for the reader.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Conversation, Run
from app.db.models import Plan as PlanRow
from app.db.session import session_scope
from app.db.types import iso
from app.errors import BadRequest, Forbidden, NotFound, OpsplanError
from app.planner.rules import has_targets, has_verb, precheck, strip_targets
from app.planner.vocabulary import Vocabulary
from app.services import approvals, launch, plans, runs
from app.services import chat_followups as followups
from app.services.chat_cards import Viewer, plan_card, question_card, refusal_card, render
from app.services.planning import check_length, plan_text, vocabulary
from app.statuses import PlanStatus, Role
from compiler.models import Plan

ACTIONS = ("preview", "approve", "run", "relaunch", "reject", "cancel", "request_approval")
HISTORY_LIMIT = 50


def combine(pending: str, answer: str, vocab: Vocabulary) -> str:
    """The pending request completed by an answer ("on web-01", "the staging ones", "from \\\\srv\\x.exe")."""
    if has_targets(answer, vocab) and has_targets(pending, vocab):
        pending = strip_targets(pending, vocab)
    return f"{pending} {answer}".strip()


def next_request(pending: str | None, message: str, vocab: Vocabulary) -> str:
    """What to plan: a fresh request, or the pending one completed by this answer."""
    if not pending or precheck(message) or has_verb(message, vocab):
        return message
    return combine(pending, message, vocab)


def render_reply(plan: Plan) -> str:
    if plan.status is PlanStatus.REJECTED:
        return plan.reason
    if plan.status is PlanStatus.NEEDS_CLARIFICATION:
        return " ".join(plan.questions)
    lines = [f"Plan ({plan.risk.value} risk{', read-only' if plan.read_only else ''}) for {len(plan.hosts)} host(s):"]
    for n, step in enumerate(plan.steps, 1):
        params = ", ".join(f"{k}={v}" for k, v in step.params.items())
        hosts = ", ".join(step.hosts[:10]) + (f" and {len(step.hosts) - 10} more" if len(step.hosts) > 10 else "")
        lines.append(f"{n}. {step.action}{f' ({params})' if params else ''} on {hosts}")
    lines.append("Preview it, then approve it to run." if not plan.read_only else "Preview or run it when ready.")
    return "\n".join(lines)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def get_conversation(session: Session, conversation_id: str, for_update: bool = False) -> Conversation:
    """The conversation; ``for_update`` locks its row (PostgreSQL) so two turns never lose each other's messages."""
    conv = session.get(Conversation, conversation_id, with_for_update=for_update) if conversation_id else None
    if conv is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return conv


def _refs(conv: Conversation) -> list[dict[str, Any]]:
    return [c for m in conv.messages or [] for c in m.get("cards") or []]


def _context(session: Session, conv: Conversation) -> followups.Context:
    run_ids = [c["run_id"] for c in _refs(conv) if c.get("run_id")]
    run = session.execute(select(Run).where(Run.id.in_(run_ids)).order_by(Run.created_at.desc()).limit(1)
                          ).scalar_one_or_none() if run_ids else None
    plan = session.get(PlanRow, conv.plan_id) if conv.plan_id else None
    return followups.Context(plan, run)


def _append(conv: Conversation, *entries: dict[str, Any]) -> None:
    conv.messages = [*(conv.messages or []), *entries]


class _Turn:
    def __init__(self) -> None:
        self.text = ""
        self.cards: list[dict[str, Any]] = []
        self.legacy: dict[str, Any] | None = None  # the pre-card "plan" key of CONTRACT 6 clients
        self.answer_plan: str | None = None  # a read-only plan to run at once


def _planned(session: Session, conv: Conversation, plan: Plan, request: str, viewer: Viewer, turn: _Turn) -> None:
    conv.pending_request = request if plan.status is PlanStatus.NEEDS_CLARIFICATION else None
    turn.legacy = plan.contract_json()
    reply = render_reply(plan)
    if plan.status is PlanStatus.NEEDS_CLARIFICATION:
        turn.cards.append(question_card(plan.questions, request))
    elif plan.status is PlanStatus.REJECTED:
        turn.cards.append(refusal_card(plan.reason))
    else:
        row = plans.create_plan(session, plan, viewer.name)
        conv.plan_id = row.id
        turn.legacy = plans.plan_json(session, row)
        if runs.answers_at_once(plans.ready_bundle(session, row)[1]):
            turn.answer_plan = row.id
            asked = "; ".join(f"{s.action} on {', '.join(s.hosts[:10])}{' …' if len(s.hosts) > 10 else ''}"
                              for s in plan.steps)
            reply = f"A read-only question ({asked}): it runs at once, nothing is changed."
        else:
            turn.cards.append({"type": "plan", "plan_id": row.id})
    turn.text = "\n".join(t for t in (turn.text, reply) if t)


def _turn(session: Session, conv: Conversation, message: str, settings: Settings, viewer: Viewer) -> _Turn:
    turn = _Turn()
    vocab = vocabulary(session)
    kind = followups.kind_of(message)
    if kind is not None:
        resolution = followups.resolve(session, _context(session, conv), message, kind, vocab, settings, viewer)
        turn.text = resolution.note
        turn.cards.extend(resolution.cards)
        if resolution.plan is not None:
            _planned(session, conv, resolution.plan, resolution.plan.request or message, viewer, turn)
        else:
            conv.pending_request = None
        return turn
    request = next_request(conv.pending_request, message, vocab)
    _planned(session, conv, plan_text(check_length(request), settings, vocab), request, viewer, turn)
    return turn


def handle_message(settings: Settings, message: str, conversation_id: str | None, viewer: Viewer) -> dict[str, Any]:
    """One chat turn: plan the message (or complete the pending request, or follow up), remember it, answer."""
    message = check_length((message or "").strip())
    if not message:
        raise BadRequest("'message' must be a non-empty string")
    with session_scope(settings.database_url) as s:
        if conversation_id:
            conv = get_conversation(s, conversation_id, for_update=True)
        else:
            conv = Conversation(created_by=viewer.name, messages=[])
            s.add(conv)
            s.flush()
        turn = _turn(s, conv, message, settings, viewer)
        _append(conv, {"role": "user", "text": message, "at": _now()})
        conv_id = conv.id
    if turn.answer_plan:
        try:
            run_id = launch.run(settings, turn.answer_plan, viewer.name).run_id
            turn.cards.append({"type": "answer", "run_id": run_id, "plan_id": turn.answer_plan})
        except OpsplanError as exc:
            turn.cards.append({"type": "plan", "plan_id": turn.answer_plan})
            turn.text = "\n".join([turn.text, f"It could not start: {exc.message}"])
    return _reply(settings, conv_id, turn, viewer)


def _reply(settings: Settings, conv_id: str, turn: _Turn, viewer: Viewer,
           user_entry: dict[str, Any] | None = None) -> dict[str, Any]:
    with session_scope(settings.database_url) as s:
        conv = get_conversation(s, conv_id, for_update=True)
        entry: dict[str, Any] = {"role": "assistant", "text": turn.text, "cards": turn.cards, "at": _now()}
        plan_id = next((c["plan_id"] for c in turn.cards if c.get("plan_id")), None)
        if turn.legacy is not None:
            entry["plan"], entry["plan_id"] = turn.legacy, plan_id
        _append(conv, *([user_entry] if user_entry else []), entry)
        out: dict[str, Any] = {"conversation_id": conv.id, "reply": turn.text,
                               "cards": [render(s, c, viewer) for c in turn.cards], "plan": turn.legacy}
        if plan_id:
            out["plan_id"] = plan_id
        return out


def _conversation_plans(conv: Conversation) -> set[str]:
    return {c["plan_id"] for c in _refs(conv) if c.get("plan_id")} | ({conv.plan_id} if conv.plan_id else set())


def handle_action(settings: Settings, conversation_id: str, action: str, viewer: Viewer, *,
                  plan_id: str | None = None, run_id: str | None = None, reason: str = "") -> dict[str, Any]:
    """A card button: call the service the plan/run pages call, and append the resulting card."""
    if action not in ACTIONS:
        raise BadRequest(f"'action' must be one of {', '.join(ACTIONS)}")
    with session_scope(settings.database_url) as s:
        conv = get_conversation(s, conversation_id)
        if action in ("relaunch", "cancel"):
            if not run_id or run_id not in {c.get("run_id") for c in _refs(conv)} | {
                    c.get("relaunch_of") for c in _refs(conv)}:
                raise BadRequest(f"'{action}' needs the 'run_id' of a run of this conversation")
        elif not plan_id or plan_id not in _conversation_plans(conv):
            raise BadRequest(f"'{action}' needs the 'plan_id' of a plan of this conversation")
        if action in ("approve", "reject"):
            _may_decide(s, action, plan_id or "", viewer)
    turn = _Turn()
    if action == "preview":
        rid = launch.preview(settings, plan_id or "", viewer.name).run_id
        turn.text, turn.cards = "Check-mode preview queued: nothing is changed.", [
            {"type": "preview", "run_id": rid, "plan_id": plan_id}]
    elif action == "approve":
        with session_scope(settings.database_url) as s:
            approvals.approve(s, plan_id or "", viewer.name, reason)
        rid = launch.run(settings, plan_id or "", viewer.name).run_id
        turn.text, turn.cards = f"Approved by {viewer.name}; the run started.", [
            {"type": "run", "run_id": rid, "plan_id": plan_id}]
    elif action == "run":
        rid = launch.run(settings, plan_id or "", viewer.name).run_id
        with session_scope(settings.database_url) as s:
            kind = "answer" if runs.answers_at_once(plans.ready_bundle(s, plans.get_plan(s, plan_id or ""))[1]) \
                else "run"
        turn.text, turn.cards = "The run started.", [{"type": kind, "run_id": rid, "plan_id": plan_id}]
    elif action == "relaunch":
        launched = launch.relaunch(settings, run_id or "", viewer.name)
        with session_scope(settings.database_url) as s:
            pid = runs.get_run(s, launched.run_id).plan_id
        turn.text = f"Relaunched on {', '.join(launched.hosts or [])} (the hosts that did not succeed)."
        turn.cards = [{"type": "run", "run_id": launched.run_id, "plan_id": pid}]
    elif action == "cancel":
        with session_scope(settings.database_url) as s:
            run = runs.request_cancel(s, run_id or "", viewer.name)
            turn.text, turn.cards = f"Cancel requested for {run.mode} {run.id[:8]}.", [
                {"type": "preview" if run.mode == "check" else "run", "run_id": run.id, "plan_id": run.plan_id}]
    elif action == "reject":
        with session_scope(settings.database_url) as s:
            approvals.reject(s, plan_id or "", viewer.name, reason or f"rejected in the chat by {viewer.name}")
        turn.text, turn.cards = "Rejected: nothing will run.", [{"type": "plan", "plan_id": plan_id}]
    else:
        turn.text, turn.cards = request_approval(settings, conversation_id, plan_id or "", viewer), [
            {"type": "plan", "plan_id": plan_id}]
    label = action.replace("_", " ")
    return _reply(settings, conversation_id, turn, viewer, {"role": "user", "text": f"[{label}]", "action": action,
                                                             "at": _now()})


def _may_decide(session: Session, action: str, plan_id: str, viewer: Viewer) -> None:
    row = plans.get_plan(session, plan_id)
    if action == "reject" and (viewer.allows(Role.APPROVER) or viewer.name == row.created_by):
        return
    if viewer.allows(Role.APPROVER) and (action == "reject" or approvals.may_approve(row, viewer.name)):
        return
    who = ", ".join(approvals.eligible_approvers(session, row)) or "no user yet"
    raise Forbidden(f"{viewer.name} may not {action} this plan; who can: {who}",
                    code="four_eyes" if viewer.allows(Role.APPROVER) else "forbidden")


def request_approval(settings: Settings, conversation_id: str, plan_id: str, viewer: Viewer) -> str:
    """Tell the users who may approve (through the configured webhooks) that this plan waits for them."""
    from app.notify import service as notify

    with session_scope(settings.database_url) as s:
        card = plan_card(s, plan_id, viewer)
        row = plans.get_plan(s, plan_id)
        who = approvals.eligible_approvers(s, row)
    base = settings.base_url.rstrip("/")
    sent = notify.emit(settings, "approval.needed", {
        "plan_id": plan_id, "run_id": card.get("preview_run_id"), "status": card.get("preview_status"),
        "risk": card.get("risk"), "approvers": who, "requested_by": viewer.name,
        "conversation_url": f"{base}/chat?c={conversation_id}",
        "summary": f"Approval needed: {viewer.name} asks {', '.join(who) or 'an approver'} to approve plan "
                   f"{plan_id[:8]} ({row.request[:120]}); risk {card.get('risk')}."})
    names = ", ".join(who) or "nobody (no user may approve it yet)"
    if not sent:
        return f"Who may approve it: {names}. No webhook is configured for approval.needed: tell them yourself."
    return f"Asked {names} to approve ({len(sent)} webhook notification(s) sent)."


def conversation_json(settings: Settings, conversation_id: str, viewer: Viewer) -> dict[str, Any]:
    """The whole conversation, each card rendered now (a reload shows the runs as they are)."""
    with session_scope(settings.database_url) as s:
        conv = get_conversation(s, conversation_id)
        messages = []
        for m in conv.messages or []:
            entry = {k: v for k, v in m.items() if k not in ("cards", "plan")}
            if m.get("cards") is not None:
                entry["cards"] = [render(s, c, viewer) for c in m["cards"]]
            elif m.get("plan"):  # a turn stored before cards: its plan, rendered as one
                entry["cards"] = [render(s, {"type": "plan", "plan_id": m["plan_id"]}, viewer)] if m.get(
                    "plan_id") else []
            messages.append(entry)
        return {"conversation_id": conv.id, "created_by": conv.created_by, "created_at": iso(conv.created_at),
                "pending_request": conv.pending_request, "plan_id": conv.plan_id, "messages": messages}


def conversations_of(settings: Settings, user: str, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The user's conversations, newest first, each with its first message as a title."""
    with session_scope(settings.database_url) as s:
        rows = s.execute(select(Conversation).where(Conversation.created_by == user)
                         .order_by(Conversation.created_at.desc()).limit(limit)).scalars().all()
        out = []
        for c in rows:
            msgs = c.messages or []
            first = next((m["text"] for m in msgs if m.get("role") == "user"), "")
            out.append({"conversation_id": c.id, "title": first[:120], "created_at": iso(c.created_at),
                        "messages": len(msgs), "last_at": msgs[-1].get("at") if msgs else iso(c.created_at)})
        return out
