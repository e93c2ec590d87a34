"""Ask: plan a request and, when it is a read-only question, run it at once (CONTRACT 8).

A change request comes back as a stored plan that takes the usual way (preview, approval, run).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.db.session import session_scope
from app.services import launch, plans
from app.services.planning import plan_from_request
from app.services.runs import answers_at_once, run_json
from app.statuses import PlanStatus


@dataclass(frozen=True)
class Asked:
    plan: dict[str, Any]
    run: dict[str, Any] | None  # the run started at once (a read-only question), else None


def ask(settings: Settings, text: str, actor: str) -> Asked:
    with session_scope(settings.database_url) as s:
        plan = plan_from_request(s, text, settings)
        row = plans.create_plan(s, plan, actor)
        body = plans.plan_json(s, row)
        at_once = plan.status is PlanStatus.READY and answers_at_once(plans.ready_bundle(s, row)[1])
    if not at_once:
        return Asked(body, None)
    run_id = launch.run(settings, body["id"], actor).run_id
    with session_scope(settings.database_url) as s:
        return Asked(plans.plan_json(s, plans.get_plan(s, body["id"])), run_json(s, run_id))
