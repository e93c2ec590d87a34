"""Wording of operators writing English as a second language: "finish the process X" (beenden), "how much place
is free" (Platz), "is running the process node on web-05", "since when is running iis-02", "control to what
resolves X", "look in /var/log/syslog of mon-01 for ...", "test if web-03 reaches to app-02:8080".

The rewrites run inside ``app.planner.normalize`` after ``app.planner.tickets``'s, on text whose quoted values and
Windows paths are held out; each is one family of phrasings, never one sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.admin_words import DNS_NAME
from app.planner.rewrite import registrar
from app.planner.staff import _HOST

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_finish_process": ("finish", "terminate", "end "), "_how_much_place": ("place",), "_reaches_to": ("reach",),
    "_what_resolves_x": ("what resolves",), "_resolution_of_x": ("resolution",), "_is_running_x": ("is running",),
    "_since_when": ("since when",), "_look_in_for": ("look",), "_do_one_thing": ("one thing",),
    "_chat_are": (" r ",), "_last_only": ("only",),
})


# Learners' wording: "finish the process X" (beenden), "how much place is free" (Platz), "is running the process X on H"
@_rule(r"\b(?:finish|terminate|end)\s+(?:the\s+)?process(?:es)?\s+(?=\S)")
def _finish_process(m: re.Match[str]) -> str:
    return "kill the process "


@_rule(r"\bhow\s+much\s+(?:free\s+)?place\b|\bfree\s+place\b")
def _how_much_place(m: re.Match[str]) -> str:
    return "how much disk space"


@_rule(r"\b(?:test|check|see)\s+(?:if|whether)\s+(?P<a>" + _HOST
       + r")\s+reach(?:es)?\s+(?:to\s+)?(?P<ep>[\w.-]+:\d{1,5})")
def _reaches_to(m: re.Match[str]) -> str:
    return f"can {m['a']} reach {m['ep']}"


@_rule(r"\b(?:to\s+)?what\s+resolves\s+" + DNS_NAME)
def _what_resolves_x(m: re.Match[str]) -> str:
    return f"what does {m['n']} resolve to"


@_rule(r"\b(?:check\s+)?(?:the\s+)?(?:name\s+|dns\s+)?resolution\s+(?:of|for)\s+" + DNS_NAME)
def _resolution_of_x(m: re.Match[str]) -> str:
    return f"what does {m['n']} resolve to"


@_rule(r"\bis\s+running\s+(?:the\s+)?(?P<k>process\s+|service\s+)?(?P<n>[\w.-]+)\s+(?=(?:on|at|in)\b)")
def _is_running_x(m: re.Match[str]) -> str:
    return f"is {m['k'] or ''}{m['n']} running "


@_rule(r"\bsince\s+when\s+(?:is|has)\s+(?:been\s+)?(?:running|up)\s+(?P<h>" + _HOST + r")")
def _since_when(m: re.Match[str]) -> str:
    return f"how long has {m['h']} been up"


# "look in /var/log/syslog of mon-01 for 'out of memory'": search it
@_rule(r"\blook\s+(?:in|into|through)\s+(?P<x>\S+)(?P<h>\s+(?:of|on|at)\s+" + _HOST + r")?\s+for\s+")
def _look_in_for(m: re.Match[str]) -> str:
    return f"search {m['x']}{(' on ' + m['h'].split()[-1]) if m['h'] else ''} for "


# "Do one thing, check whether ..." (Indian English: here is what to do)
@_rule(r"(?:^|(?<=[.!?\n]))\s*(?:please\s+|kindly\s+)?do\s+one\s+thing\s*[,:;.-]?\s*")
def _do_one_thing(m: re.Match[str]) -> str:
    return " "


# chat shorthand in a question: "which containers r up on app-01 rn", "r the certs ok"
@_rule(r"(?<=\s)r(?=\s+(?:up|down|running|there|installed|listening|alive|reachable|ok|okay|still|the|any|all)\b)"
       r"|(?<=\s)rn(?=\s*[?!.]*\s*$)")
def _chat_are(m: re.Match[str]) -> str:
    return "are" if m.group(0) == "r" else "now"


# "..., last 20 hits only", "*.log only": how much, not a host called 'only' ("web-01 only" keeps its host)
@_rule(r"(?<=[\w*\x01\x02])\s+only(?=\s*(?:[,.;!?]|$|please\b|pls\b|thanks\b))")
def _last_only(m: re.Match[str]) -> str:
    before = m.string[:m.start()].split()
    word = before[-1].lower() if before else ""
    if re.search(r"-\d+[a-z]?$|^(?:servers?|hosts?|boxes|box|machines?|nodes?|vms?|prod|production|staging|stage|dev|"
                 r"development|linux|windows|ones?)$", word):
        return m.group(0)  # "Scope: db-02 only", "the staging ones only": which hosts
    return ""
