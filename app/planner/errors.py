"""Planner errors: one base exception for the package."""
from __future__ import annotations


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose."""


class LLMError(PlannerError):
    """The LLM planner could not produce a usable answer (network, timeout, malformed output)."""
