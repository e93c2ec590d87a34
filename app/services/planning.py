"""From request text or a structured plan to a validated, resolved Plan: the one way into the planner.

Every face (API, pages, chat, CLI, the evaluation command) plans through ``plan_text``; it applies the
one length limit, times the planner for the metrics and picks the planner the settings select.
"""
from __future__ import annotations

import sys
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.defaults import MAX_REQUEST_CHARS
from app.errors import BadRequest
from app.planner import Vocabulary, plan_request, resolve
from app.planner.fleet import fleet_vocabulary
from app.services.catalog import current_catalog
from compiler import CompilerError, Plan, PlanStatus, validate_plan


def check_length(text: str) -> str:
    if len(text) > MAX_REQUEST_CHARS:
        raise BadRequest(f"the request is longer than {MAX_REQUEST_CHARS} characters", code="request_too_long")
    return text


def plan_text(text: str, settings: Settings, vocab: Vocabulary) -> Plan:
    """Plan one request against ``vocab`` (the fleet), with the planner the settings select."""
    check_length(text)
    metrics = sys.modules.get("app.metrics")  # the web app exports metrics; a one-shot CLI process never loads them
    if metrics is None:
        return plan_request(text, vocab, settings)
    with metrics.planner_timer():
        return plan_request(text, vocab, settings)


def vocabulary(session: Session) -> Vocabulary:
    """The fleet as the planner sees it: cached words (per asset version), targets resolved by indexed queries."""
    return fleet_vocabulary(session, current_catalog(session))


def plan_from_request(session: Session, text: str, settings: Settings) -> Plan:
    return plan_text(text, settings, vocabulary(session))


def plan_from_structure(session: Session, data: Any, request_text: str = "") -> Plan:
    """A structured plan from a client, validated exactly like the planner's output."""
    if not isinstance(data, dict):
        raise BadRequest("'plan' must be a JSON object with 'steps'")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise BadRequest("'plan.steps' must be a non-empty list")
    from app.services.plans import parse_plan_body  # the stored-plans service: not needed to plan text

    plan = parse_plan_body({"steps": steps, "request": request_text or str(data.get("request") or "")})
    catalog = current_catalog(session)
    try:
        plan = validate_plan(plan, catalog)
    except CompilerError as exc:
        raise BadRequest(str(exc), code="invalid_plan") from exc
    plan = resolve(plan, fleet_vocabulary(session, catalog))
    return plan.model_copy(update={"planner": "structured"}) if plan.status is PlanStatus.READY else plan
