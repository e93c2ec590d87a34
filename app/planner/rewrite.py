"""Text rewrites kept in order: a decorator registers ``(pattern, flags, rewrite)``; ``app.planner.normalize``
compiles each pattern the first time it may apply (importing the planner compiles nothing)."""
from __future__ import annotations

import re
from collections.abc import Callable

Rewrite = Callable[[re.Match[str]], str]
Entry = tuple[str, int, Rewrite]


def registrar(into: list[Entry], on_register: Callable[[Rewrite], None] | None = None
              ) -> Callable[..., Callable[[Rewrite], Rewrite]]:
    """``@rule(pattern, flags=re.IGNORECASE)`` appending to ``into`` in the order the rules are written."""
    def rule(pattern: str, flags: int = re.IGNORECASE) -> Callable[[Rewrite], Rewrite]:
        def register(fn: Rewrite) -> Rewrite:
            into.append((pattern, flags, fn))
            if on_register is not None:
                on_register(fn)
            return fn
        return register
    return rule
