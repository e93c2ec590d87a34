"""Natural-language planner: plain requests become validated plans, ambiguous ones questions, dangerous ones refusals.

Both planners (rules, LLM) end in ``app.planner.resolve.finalize``: refuse payloads, validate against the
catalog, resolve targets against the asset vocabulary.
"""
from __future__ import annotations

from app.config import Settings
from app.planner.errors import LLMError, PlannerError
from app.planner.explain import explain
from app.planner.resolve import finalize, resolve
from app.planner.rules import plan_rules
from app.planner.vocabulary import AssetRef, Vocabulary
from compiler.models import Plan, PlanStatus

__all__ = ["plan_request", "plan_rules", "resolve", "finalize", "Vocabulary", "AssetRef", "PlannerError", "LLMError",
           "Plan"]


def plan_request(text: str, vocab: Vocabulary, settings: Settings) -> Plan:
    """Plan one request: the rules first; when they read nothing and an OpenAI key or base URL is configured,
    the LLM planner (through the same validation and grounding). Every ready plan carries its reading.

    Faces never call this: they go through ``app.services.planning.plan_text`` (length limit, metrics).
    """
    plan = plan_rules(text, vocab)
    if settings.llm_enabled and not confident(plan):
        from app.planner.llm import plan_llm

        plan = plan_llm(text, vocab, settings)
    notes = explain(plan, vocab)
    return plan.model_copy(update={"interpretation": [*notes, *plan.interpretation]}) if notes else plan


def confident(plan: Plan) -> bool:
    """The rules read the request: a ready plan, a refusal, a question about a reading (steps), or a request
    they know to be outside the catalog. Otherwise (nothing read) the LLM, when configured, gets to try."""
    if plan.status is not PlanStatus.NEEDS_CLARIFICATION:
        return True
    return bool(plan.steps) or any(n.startswith("out of the catalog") for n in plan.interpretation)
