"""Natural-language planner: plain requests become validated plans, ambiguous ones questions, dangerous ones refusals.

Both planners (rules, LLM) end in ``app.planner.resolve.finalize``: refuse payloads, validate against the
catalog, resolve targets against the asset vocabulary.
"""
from __future__ import annotations

from compiler.models import Plan

from app.planner.errors import LLMError, PlannerError
from app.planner.resolve import finalize, resolve
from app.planner.rules import plan_rules
from app.planner.vocabulary import AssetRef, Vocabulary

__all__ = ["plan_request", "plan_rules", "resolve", "finalize", "Vocabulary", "AssetRef", "PlannerError", "LLMError",
           "Plan"]


def plan_request(text: str, vocab: Vocabulary, settings=None) -> Plan:
    """Plan one request: the LLM planner when an OpenAI key or base URL is configured, else the rules."""
    if settings is None:
        from app.config import Settings

        settings = Settings.from_env()
    if settings.openai_api_key or settings.openai_base_url:
        from app.planner.llm import plan_llm

        return plan_llm(text, vocab, settings)
    return plan_rules(text, vocab)
