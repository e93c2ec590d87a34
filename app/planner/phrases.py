"""The planner's reading of action definitions: each action's ``phrases`` ("flush the {app} cache") become
patterns over a request, with each ``{param}`` slot matching a value of the param's kind.

The rule planner (``rules``) tries its hand-written reading of the common verbs first; a phrase match
answers what it cannot read (an everyday or added action), and replaces a reading that a longer, more
specific phrase contradicts. ``nearest`` names the closest actions for a request nothing matches, so the
answer says what can be done instead of misreading a parameter.
"""
from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

from compiler.catalog import ActionSpec, Catalog
from compiler.definitions import SLOT_RE

# Words an operator may add between a phrase's words without changing what it asks.
FILLERS = ("the", "a", "an", "me", "us", "please", "my", "our", "all", "of", "current", "for")
_GAP = r"(?:\s+(?:" + "|".join(FILLERS) + r"))*\s+"
# a slot's value is never a filler word, a preposition or a conjunction ("kick on web-01" names no service)
_NOT_VALUE_WORDS = (*FILLERS, "on", "in", "at", "to", "from", "with", "across", "into", "onto", "and", "or", "every",
                    "each", "then", "via", "by", "is", "are", "it", "them", "this", "that", "these", "those", "under",
                    "old", "new", "stale", "unused", "leftover", "some", "any",
                    # generic nouns name no object: "kill all processes" names no process
                    "process", "processes", "procs", "service", "services", "package", "packages", "files",
                    "everything", "stuff")
# a whole value only: "files.example.com" is a name, not the word "files"
_NOT_FILLER = r"(?!(?:" + "|".join(_NOT_VALUE_WORDS) + r")(?![\w.@+\-]))"
_QUOTED = r'"[^"\n]+"|\'[^\'\n]+\'|`[^`\n]+`'
_PATH = r"(?:[A-Za-z]:[\\/]|\\\\|/)[^\s\"'`]*"
SLOT_PATTERNS = {
    "name": r"[A-Za-z0-9][A-Za-z0-9_.@+\-]*",
    "service": r"\"[^\"\n]+\"|[A-Za-z0-9][A-Za-z0-9_.@+\-$]*",
    "path": rf"{_QUOTED}|{_PATH}",
    "source": rf"{_QUOTED}|{_PATH}|https?://\S+",
    "url": r"https?://[^\s\"'`]+",
    "port": r"\d{1,5}",
    "int": r"\d{1,9}",
    "version": r"[0-9][A-Za-z0-9_.:+~\-]*",
    "command": _QUOTED,
    "text": rf"{_QUOTED}|[^\s\"'`]+",
    "bool": r"true|false|yes|no|on|off",
    "pattern": rf"{_QUOTED}|[^\s\"'`]+",
    "endpoint": r"[A-Za-z0-9][A-Za-z0-9_.\-]*:\d{1,5}",
    "line": _QUOTED,
}
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9_\-]*")
_STOP = frozenset(FILLERS) | {"on", "in", "to", "from", "is", "are", "what", "which", "how", "do", "does", "can",
                              "show", "get", "tell", "check", "list", "give", "with", "and", "or", "at", "it"}


@dataclass(frozen=True)
class Pattern:
    action: str
    phrase: str
    source: str  # the regex, compiled on first use (most phrases never meet a request holding their words)
    slots: tuple[str, ...]
    words: int  # literal words: how specific the phrase is
    literals: tuple[str, ...] = ()  # words every match contains (lower case): a cheap test before the regex

    @property
    def regex(self) -> re.Pattern[str]:
        found = _compiled.get(self.source)
        if found is None:
            found = _compiled[self.source] = re.compile(self.source, re.IGNORECASE)
        return found

    def may_match(self, lowered: str) -> bool:
        return all(word in lowered for word in self.literals)


_compiled: dict[str, re.Pattern[str]] = {}


@dataclass(frozen=True)
class Match:
    action: str
    params: dict[str, str]
    phrase: str
    words: int
    span: tuple[int, int]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
        return value[1:-1]
    return value


def compile_phrase(action: ActionSpec, phrase: str) -> Pattern:
    parts: list[str] = []
    slots: list[str] = []
    literals: list[str] = []
    words = 0
    for token in phrase.lower().split():
        slot = SLOT_RE.fullmatch(token)
        if slot is not None:
            param = action.param(slot.group(1))
            kind = param.kind if param is not None else "text"
            parts.append(f"{_NOT_FILLER}(?P<{slot.group(1)}>{SLOT_PATTERNS.get(kind, SLOT_PATTERNS['text'])})")
            slots.append(slot.group(1))
            continue
        if token in FILLERS:
            continue  # fillers are optional anywhere
        # a literal word with the rest of the token (e.g. "{lines}-line" is rare): split on slots inside it
        pieces = SLOT_RE.split(token)
        if len(pieces) > 1:
            sub = []
            for i, piece in enumerate(pieces):
                if i % 2:
                    param = action.param(piece)
                    kind = param.kind if param is not None else "text"
                    sub.append(f"(?P<{piece}>{SLOT_PATTERNS.get(kind, SLOT_PATTERNS['text'])})")
                    slots.append(piece)
                elif piece:
                    sub.append(re.escape(piece))
            parts.append("".join(sub))
            continue
        words += 1
        literals.append(token)
        stem = re.escape(token)
        # plural / third person forms: "log" ~ "logs", "entry" ~ "entries"
        parts.append(rf"{stem}(?:s|es)?" if token[-1:].isalpha() and not token.endswith("s") else stem)
    source = r"(?<![\w/\\.-])" + _GAP.join(parts) + r"(?![\w/\\-])"
    return Pattern(action.name, phrase, source, tuple(slots), words, tuple(literals))


_cache: weakref.WeakKeyDictionary[Catalog, list[Pattern]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def patterns(catalog: Catalog) -> list[Pattern]:
    """Every phrase of every action in ``catalog``, most specific first (cached per catalog)."""
    with _lock:
        found = _cache.get(catalog)
        if found is None:
            found = sorted((compile_phrase(a, p) for a in catalog.values() for p in a.phrases),
                           key=lambda p: (-p.words, -len(p.slots), p.action))
            _cache[catalog] = found
        return found


def match(text: str, catalog: Catalog) -> Match | None:
    """The most specific phrase that matches ``text`` (most literal words, then most slots), or None."""
    lowered = text.lower()
    for pattern in patterns(catalog):
        if not pattern.may_match(lowered):
            continue
        found = pattern.regex.search(text)
        if found is None:
            continue
        params = {slot: _unquote(found.group(slot)) for slot in pattern.slots if found.group(slot)}
        return Match(pattern.action, params, pattern.phrase, pattern.words, found.span())
    return None


def nearest(text: str, catalog: Catalog, n: int = 3) -> list[ActionSpec]:
    """Actions whose names, descriptions and phrases share the most words with ``text``."""
    wanted = {w for w in _WORD_RE.findall(text.lower()) if w not in _STOP and len(w) > 2}
    wanted |= {w[:-1] for w in wanted if w.endswith("s")}
    if not wanted:
        return []
    scored = []
    for action in catalog.values():
        words = set(_WORD_RE.findall(" ".join((action.name.replace(".", " "), action.description,
                                                *action.phrases)).lower()))
        words |= {w[:-1] for w in words if w.endswith("s")}
        score = len(wanted & words)
        if score:
            scored.append((score, action.name, action))
    return [a for _, _, a in sorted(scored, key=lambda s: (-s[0], s[1]))[:n]]
