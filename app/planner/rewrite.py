"""Text rewrites kept in order: a decorator registers ``(pattern, flags, rewrite)``; ``app.planner.normalize``
compiles each pattern the first time it may apply (importing the planner compiles nothing)."""
from __future__ import annotations

import re
from collections.abc import Callable

Rewrite = Callable[[re.Match[str]], str]
Entry = tuple[str, int, Rewrite]


# The words without which a rule cannot match (lowercase substrings of the request); a rule with none is always
# tried. A request holding none of a rule's words skips it and never compiles it.
NEEDS: dict[Rewrite, tuple[str, ...]] = {}


def registrar(into: list[Entry], needs: dict[str, tuple[str, ...]] | None = None
              ) -> Callable[..., Callable[[Rewrite], Rewrite]]:
    """``@rule(pattern, flags=re.IGNORECASE)`` appending to ``into`` in the order the rules are written; ``needs``
    maps a rule's function name to its words."""
    def rule(pattern: str, flags: int = re.IGNORECASE) -> Callable[[Rewrite], Rewrite]:
        def register(fn: Rewrite) -> Rewrite:
            into.append((pattern, flags, fn))
            NEEDS[fn] = (needs or {}).get(fn.__name__, ())
            return fn
        return register
    return rule


def may_apply(fn: Rewrite, low: str) -> bool:
    words = NEEDS.get(fn, ())
    return not words or any(w in low for w in words)
