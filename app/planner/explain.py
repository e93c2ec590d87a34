"""How a plan was read, in words an operator checks before approving: which words chose each action, where each
parameter came from, which targets selected which hosts, and what was assumed.

Works on any planner's output (rules or LLM): it compares the plan with the request text and the action's
definition, so it never claims a reading the plan does not hold.
"""
from __future__ import annotations

import re

from app.planner.vocabulary import Vocabulary
from compiler.models import Plan, PlanStatus, Step, Targets

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_STOP = frozenset((
    "a", "an", "the", "of", "on", "in", "to", "for", "from", "at", "by", "with", "and", "or", "is", "are", "be",
    "it", "its", "this", "that", "these", "those", "my", "our", "me", "us", "you", "your", "please", "pls", "can",
    "could", "would", "will", "do", "does", "what", "which", "how", "show", "check", "all", "every", "each", "any",
    "some",
))


def _action_words(step: Step, text: str, vocab: Vocabulary) -> list[str]:
    spec = vocab.catalog.get(step.action)
    if spec is None:
        return []
    own = {w.lower() for p in spec.phrases for w in _WORD.findall(p) if not w.startswith("{")}
    own |= {w.lower() for w in _WORD.findall(step.action.replace(".", " "))}
    values = {str(v).lower() for v in step.params.values()}
    found = []
    for w in _WORD.findall(text):
        low = w.lower()
        if low in own and low not in _STOP and low not in values and w not in found:
            found.append(w)
    return found[:4]


def _param_note(name: str, value: object, text: str) -> str:
    shown = repr(value) if isinstance(value, str) else str(value)
    if str(value).lower() in text.lower():
        return f"{name} = {shown}, as written"
    return f"{name} = {shown}, read from the wording (not written as such)"


def _targets_note(t: Targets) -> str:
    parts = []
    if t.hosts:
        parts.append("hosts " + ", ".join(t.hosts))
    if t.groups:
        parts.append("group" + ("s " if len(t.groups) > 1 else " ") + ", ".join(t.groups))
    if t.environment:
        parts.append(f"environment {t.environment}")
    if t.os:
        parts.append(f"{t.os} hosts")
    if t.all and not parts:
        parts.append("every host")
    out = " + ".join(parts) or "no target"
    if t.exclude:
        out += " except " + ", ".join(t.exclude)
    return out


def explain(plan: Plan, vocab: Vocabulary) -> list[str]:
    """Notes on how ``plan`` reads its request (ready plans; others explain themselves by questions/reasons)."""
    if plan.status is not PlanStatus.READY:
        return []
    notes = []
    text = plan.request
    for i, step in enumerate(plan.steps, 1):
        words = _action_words(step, text, vocab)
        lead = f"step {i}: " if len(plan.steps) > 1 else ""
        chosen = (f" chosen by the words {', '.join(repr(w) for w in words)}" if words
                  else " chosen from the request as a whole")
        notes.append(f"{lead}{step.action}{chosen}")
        spec = vocab.catalog.get(step.action)
        for name, value in step.params.items():
            notes.append(f"{lead}{_param_note(name, value, text)}")
        if spec is not None:
            paired = {p for group in spec.one_of if any(m in step.params for m in group) for p in group}
            missing = [p.name for p in spec.params
                       if not p.required and p.name not in step.params and p.name not in paired]
            if missing:
                notes.append(f"{lead}not given, the action's defaults apply: {', '.join(missing)}")
        hosts = step.hosts
        shown = ", ".join(hosts[:10]) + (f" and {len(hosts) - 10} more" if len(hosts) > 10 else "")
        notes.append(f"{lead}targets: {_targets_note(step.targets)} -> {len(hosts)} host"
                     f"{'s' if len(hosts) != 1 else ''}: {shown}")
    return notes
