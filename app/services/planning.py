"""From request text or a structured plan to a validated, resolved Plan (one path for every planner)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import BadRequest
from app.metrics import planner_timer
from app.planner import Vocabulary, plan_request, resolve
from app.services.plans import parse_plan_body
from compiler import CompilerError, Plan, PlanStatus, validate_plan

MAX_REQUEST = 4000


def plan_from_request(session: Session, text: str, settings: Settings) -> Plan:
    if len(text) > MAX_REQUEST:
        raise BadRequest(f"request is longer than {MAX_REQUEST} characters")
    with planner_timer():
        return plan_request(text, Vocabulary.from_session(session), settings)


def plan_from_structure(session: Session, data: Any, request_text: str = "") -> Plan:
    """A structured plan from a client, validated exactly like the planner's output."""
    if not isinstance(data, dict):
        raise BadRequest("'plan' must be a JSON object with 'steps'")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise BadRequest("'plan.steps' must be a non-empty list")
    plan = parse_plan_body({"steps": steps, "request": request_text or str(data.get("request") or "")})
    try:
        plan = validate_plan(plan)
    except CompilerError as exc:
        raise BadRequest(str(exc), code="invalid_plan") from exc
    plan = resolve(plan, Vocabulary.from_session(session))
    return plan.model_copy(update={"planner": "structured"}) if plan.status is PlanStatus.READY else plan
