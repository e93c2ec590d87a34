"""Natural-language planner: plain requests become validated plans, ambiguous ones questions, dangerous ones refusals.

Both planners (rules, LLM) end in ``app.planner.resolve.finalize``: refuse payloads, validate against the
catalog, resolve targets against the asset vocabulary.
"""
from __future__ import annotations

from app.config import Settings
from app.planner.errors import LLMError, PlannerError
from app.planner.resolve import finalize, resolve
from app.planner.rules import plan_rules
from app.planner.vocabulary import AssetRef, Vocabulary
from compiler.models import Plan

__all__ = ["plan_request", "plan_rules", "resolve", "finalize", "Vocabulary", "AssetRef", "PlannerError", "LLMError",
           "Plan"]


def plan_request(text: str, vocab: Vocabulary, settings: Settings) -> Plan:
    """Plan one request: the LLM planner when an OpenAI key or base URL is configured, else the rules.

    Faces never call this: they go through ``app.services.planning.plan_text`` (length limit, metrics).
    """
    if settings.llm_enabled:
        from app.planner.llm import plan_llm

        return plan_llm(text, vocab, settings)
    return plan_rules(text, vocab)
