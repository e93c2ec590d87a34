"""Text rewrites kept in order: a decorator registers ``(pattern, flags, rewrite)``; ``app.planner.normalize``
compiles each pattern the first time it may apply (importing the planner compiles nothing)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

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


class Lazy:
    """A pattern compiled on first use: a reader whose gate did not open compiles nothing (start-up stays cheap)."""

    __slots__ = ("_args", "_rx")

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)
        self._rx: re.Pattern[str] | None = None

    @property
    def rx(self) -> re.Pattern[str]:
        if self._rx is None:
            self._rx = re.compile(*self._args)
        return self._rx

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.rx.search(text, pos)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.rx.match(text, pos)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.rx.fullmatch(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.rx.finditer(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        return self.rx.sub(repl, text, count)

    def subn(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> tuple[str, int]:
        return self.rx.subn(repl, text, count)
