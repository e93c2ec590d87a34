"""A step's answer on a host (CONTRACT 8), captured from the runner's events, never from log text.

The action's last task sets the fact ``<role>_result`` (docs/actions.md); the runner event of that task
carries it in ``res.ansible_facts``. The value is made JSON-safe, redacted like every event, and capped
in size: long lists are cut (``"truncated": true`` says so) rather than the whole answer dropped.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from app import defaults

Redact = Callable[[Any], Any]


def from_event(res: dict[str, Any], fact: str) -> Any | None:
    """The result fact an ok-event's result carries (or None)."""
    facts = res.get("ansible_facts")
    if not isinstance(facts, dict) or fact not in facts:
        return None
    return facts[fact]


def _size(value: Any) -> int:
    return len(json.dumps(value, default=str, separators=(",", ":")))


def cap(value: Any, limit: int = defaults.RESULT_MAX_BYTES) -> Any:
    """``value`` (JSON-safe) within ``limit`` bytes: the longest lists are halved until it fits."""
    value = json.loads(json.dumps(value, default=str))
    if _size(value) <= limit:
        return value
    truncated = False
    for _ in range(64):
        lists = _lists(value)
        if not lists:
            break
        longest = max(lists, key=len)
        if len(longest) <= 1:
            break
        del longest[len(longest) // 2:]
        truncated = True
        if _size(value) <= limit:
            break
    if _size(value) > limit:
        return {"truncated": True, "size_bytes": _size(value), "note": "the result was too large to keep"}
    if truncated and isinstance(value, dict):
        value["truncated"] = True
    return value


def _lists(value: Any) -> list[list[Any]]:
    found: list[list[Any]] = []
    if isinstance(value, list):
        found.append(value)
        for item in value:
            found += _lists(item)
    elif isinstance(value, dict):
        for item in value.values():
            found += _lists(item)
    return found


def capture(res: dict[str, Any], fact: str, redact: Redact) -> Any | None:
    raw = from_event(res, fact)
    return None if raw is None else cap(redact(raw))
