"""Operators correcting themselves as they write: "install htop 3.2.1 on web-05 - no wait, 3.2.2", "bounce W3SVC on
iis-02... actually make that WAS", "restart haproxy on web-03 and web-04 - actually only web-04", "restart postgresql
on db-01, sorry I mean db-05". Read word by word, both values are planned (or the first one alone): a wrong plan.

The correction replaces the value it names (a host, a version, or the step's name) in the instruction before it,
and the words after it (the reason: "that's the one in our mirror") are dropped. A correction that cannot be placed
exactly, or a writer still unsure ("or was it app-02? let me double check"), is a question.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.lexer import HOSTLIKE_RX
from app.planner.vocabulary import Vocabulary
from compiler.models import Plan

_I = re.IGNORECASE
_MARK = re.compile(r"(?:\s*(?:[-–—,;:]|\.{2,}|\.(?=\s))\s*|\s+)(?P<m>no\s+wait|wait,?\s+no|sorry,?\s+(?:i\s+)?meant?|"
                   r"i\s+meant?|correction:?|scratch\s+that|make\s+that|actually,?\s+(?:make\s+(?:that|it)|only|"
                   r"i\s+meant?)|(?:sorry|oops|whoops)(?=,?\s+[\w.:-]+\s*[.!]?\s*$))"
                   r"\b[\s,:]*(?P<rest>\S.*)$", _I | re.S)
# ("restart nginx on web-01, sorry, web-02": a bare "sorry" before one word, the word it corrects)
_UNSURE = re.compile(r"\bor\s+(?:was|is)\s+it\s+(?:on\s+)?[a-z][\w]*-\d+[a-z]?\b"
                     r"|\blet\s+me\s+(?:double[\s-]?check|check|confirm|verify)\s+and\s+(?:get|come)\s+back\b", _I)
_VERSION = re.compile(r"(?<![\w.])v?\d+(?:\.\d+)+[\w.~+-]*(?![\w])")
_WORD = re.compile(r"[\"'`]?(?P<w>[A-Za-z0-9][\w.$@+-]*)[\"'`]?")
ASK = ("You corrected yourself; I could not tell which value the correction replaces. Send the request as it should "
       "be.")
UNSURE = "You are not sure of the target yet; send the request when you know which host it is for."


def _hosts_in(text: str, vocab: Vocabulary) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"(?<![\w.-])[A-Za-z][\w-]*(?![\w-])", text)
            if vocab.host(m.group(0)) or HOSTLIKE_RX.match(m.group(0).lower())]


def corrected(text: str, vocab: Vocabulary, plan: Callable[[str], Plan]) -> str | None:
    """The request with the writer's correction applied, ``ASK``/``UNSURE`` when it cannot be, None when the
    request holds no correction. ``plan`` plans a text (to find the name the correction replaces)."""
    if _UNSURE.search(text) and _hosts_in(text, vocab):
        return UNSURE
    m = _MARK.search(text)
    if m is None or not m.start():
        return None
    before, rest, only = text[:m.start()], m["rest"], m["m"].lower().endswith("only")
    new_hosts = [h for _, _, h in _hosts_in(re.split(r"[,;.]\s", rest, maxsplit=1)[0], vocab)]
    old_hosts = _hosts_in(before, vocab)
    if new_hosts:
        if not old_hosts:
            return ASK
        if only and set(h.lower() for h in new_hosts) <= {h.lower() for _, _, h in old_hosts}:
            start, end = old_hosts[0][0], old_hosts[-1][1]  # the list said first, the hosts kept
            if re.fullmatch(r"(?:[\s,]|and|&)*", re.sub(r"(?<![\w-])[A-Za-z][\w-]*-\d+[a-z]?(?![\w-])", "",
                                                        before[start:end]), _I):
                return before[:start] + " and ".join(new_hosts) + before[end:]
            return ASK
        if len(old_hosts) == 1 and len(new_hosts) == 1 and not only:
            return before[:old_hosts[0][0]] + new_hosts[0] + before[old_hosts[0][1]:]
        return ASK
    version = _VERSION.match(rest.strip())
    if version:
        olds = _VERSION.findall(before)
        if len(olds) != 1:
            return ASK
        return _VERSION.sub(version.group(0), before, count=1)
    word = _WORD.match(rest.strip())
    if word is None or only:
        return ASK
    first = plan(before)
    names = {str(s.params["name"]) for s in first.steps if s.params.get("name")}
    if len(names) != 1:
        return ASK
    old = names.pop()
    replaced, n = re.subn(rf"(?<![\w.-]){re.escape(old)}(?![\w-])", word["w"], before, flags=_I)
    return replaced if n == 1 else ASK
