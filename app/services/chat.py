"""Chat: a stored conversation whose clarifying questions are answered by the next message."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.config import Settings
from app.db.models import Conversation
from app.errors import NotFound
from app.planner.rules import has_targets, has_verb, precheck, strip_targets
from app.planner.vocabulary import Vocabulary
from app.services.catalog import current_catalog
from app.services.planning import check_length, plan_text
from app.services.plans import create_plan, plan_json
from compiler.models import Plan, PlanStatus


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


def handle_message(session: Session, message: str, conversation_id: str | None, settings: Settings,
                   actor: str) -> dict:
    """One chat turn: plan (or complete the pending request), remember it, answer."""
    message = check_length((message or "").strip())
    conv = None
    if conversation_id:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            raise NotFound(f"no conversation {conversation_id!r}")
    if conv is None:
        conv = Conversation(created_by=actor, messages=[])
        session.add(conv)
        session.flush()
    vocab = Vocabulary.from_session(session, current_catalog(session))
    request = next_request(conv.pending_request, message, vocab)
    plan = plan_text(check_length(request), settings, vocab)
    conv.pending_request = request if plan.status is PlanStatus.NEEDS_CLARIFICATION else None
    reply = render_reply(plan)
    body = plan.contract_json()
    saved = plan_json(session, create_plan(session, plan, actor)) if plan.status is PlanStatus.READY else None
    plan_id = saved["id"] if saved else None
    if saved:
        body = saved
        conv.plan_id = plan_id
    now = datetime.now(UTC).isoformat()
    conv.messages = [*(conv.messages or []), {"role": "user", "text": message, "at": now},
                     {"role": "assistant", "text": reply, "plan": body, "plan_id": plan_id, "at": now}]
    session.flush()
    out = {"conversation_id": conv.id, "reply": reply, "plan": body}
    if plan_id:
        out["plan_id"] = plan_id
    return out
