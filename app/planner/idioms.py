"""Everyday idioms whose words would read as a target, an exclusion or another action: "how much disk is in use on
web-01" ('use' is no host), "it lives at /srv/x/bin/x, not the default spot" (no host 'default' ruled out), "read the
certificate file C:\\certs\\x.cer and tell me the expiry" (a certificate check, 'read' is no host).

The rewrites run inside ``app.planner.normalize`` after ``app.planner.complaints``'s, on text whose quoted values
and Windows paths are held out (``\\x01n\\x01`` and ``\\x02n\\x02``); each is one family of phrasings.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.rewrite import registrar

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_in_use": ("in use",), "_not_default": ("default", "usual", "standard", "normal"),
    "_read_cert": ("read", "open", "look at", "inspect", "parse"),
    "_verb_noun": ("job", "script", "pipeline", "log", "task", "run", "step", "plan", "window", "ticket", "tool"),
    "_everything_aged": ("everything",), "_bump_setting": ("bump", "raise", "lower", "tune", "up "),
    "_ping_answers": ("answer", "respond", "repl", "reachable", "up", "back"),
    "_in_there": ("in there", "in it", "inside it", "in that", "under it", "from there", "from it"),
})


# "how much disk space is currently in use on each of the db hosts", "what's in use on web-01"
@_rule(r"\b(?:currently\s+|being\s+)?in\s+use\b(?=\s+(?:on|across|at|in)\b)")
def _in_use(m: re.Match[str]) -> str:
    return "used"


# "it lives at /srv/x/bin/x not the default spot", ", rather than the usual location": where it is not, said to be
# clear (an exclusion needs a host)
@_rule(r"\s*,?\s*(?:\(\s*)?(?:not|rather\s+than|instead\s+of)\s+(?:in\s+|at\s+)?(?:the\s+)?(?:default|usual|standard|"
       r"normal)\s+(?:spot|location|place|path|folder|directory|dir|install(?:ation)?\s+(?:path|location|dir))"
       r"(?:\s*\))?")
def _not_default(m: re.Match[str]) -> str:
    return ""


# "read the certificate file C:\certs\x.cer", "open /etc/pki/tls/certs/api.crt", "read C:\certs\wildcard.pfx and
# tell me the issuer": a certificate file read for its dates is a certificate check
_READ = r"\b(?:read|open|look\s+at|inspect|parse)\s+(?:the\s+)?"


@_rule(_READ + r"(?:(?:ssl\s+|tls\s+)?cert(?:ificate)?\s+(?:file\s+)?(?:at\s+)?(?P<path>\x02\d+\x02|/\S+)"
       r"|(?P<path2>/\S+\.(?:pem|crt|cer|pfx|p12|der))\b"
       r"|(?P<path3>\x02\d+\x02)(?=[^.;!?\n]*\b(?:expir\w*|valid|issuer|days|dates?|not\s*after|subject)\b))")
def _read_cert(m: re.Match[str]) -> str:
    return f"check the certificate {m['path'] or m['path2'] or m['path3']}"


# "delete everything in /var/tmp older than 7 days": the files there, not every host
@_rule(r"\b(?P<v>delete|remove|clean\s+up|clear\s+out|purge|erase)\s+everything\b(?=[^.;\n]*\bolder\s+than\s+\d)")
def _everything_aged(m: re.Match[str]) -> str:
    return f"{m['v']} files"


# "D:\Exports on cis-02 keeps ballooning. Delete everything in there older than 30 days": "there" is the one path
# said in an earlier sentence (its sentence tells the story and is left out)
@_rule(r"(?P<path>\x02\d+\x02|(?<![\w:/])/[\w.-][^\s,;]*)(?P<mid>[^\x02\n]*?[.!?;]\s[^\x02\n]*?|[^\x02\n]*?\s[-–—]\s"
       r"[^\x02\n]*?)\b(?:in|inside|under|from)\s+(?:there|it|that\s+(?:folder|directory|dir|path|share))\b")
def _in_there(m: re.Match[str]) -> str:
    if re.search(r"(?<![\w:/])/[\w.-]", m["mid"]):
        return m.group(0)  # another path between: which one is meant is not clear
    return f"{m['path']}{m['mid']}in {m['path']}"


# "ping all the cis machines and make sure they answer": what a ping reports, not another step (it was refused as no
# operations request; "make sure it answers" asked what 'answers' is)
@_rule(r"\s*(?:,|\band\b)\s+(?:then\s+)?(?:confirm|make\s+sure|check|verify|ensure|see|tell\s+me)\s+(?:that\s+|if\s+|whether\s+)?"
       r"(?:it|they|each\s+(?:one|of\s+them)|all\s+of\s+them|both)\s+(?:answers?|respond|responds|repl(?:y|ies)|(?:is|are)\s+"
       r"(?:up|reachable|alive|responding|answering)|(?:comes?|came)\s+back)\b")
def _ping_answers(m: re.Match[str]) -> str:
    if not re.search(r"\b(?:ping|pings|pingable|reachab\w*|test-connection)\b", m.string[:m.start()], re.I):
        return m.group(0)
    return ""


# "my deploy job says access denied", "our restart script failed": a verb naming a job, not an instruction
@_rule(r"\b(?P<d>my|our|the|their|your|his|her|this|that|a)\s+(?P<v>deploy(?:ment)?|install(?:ation)?|update|upgrade|"
       r"restart|reboot|backup|cleanup|clean-?up|patch(?:ing)?|release|build|sync|migration)\s+(?P<n>job|script|pipeline|"
       r"task|run|step|plan|tool|cron|routine)s?\b(?=\s+(?:says?|said|fails?|failed|failing|errors?|errored|broke|is|was|"
       r"keeps|stopped|died|crashed|hangs?|hung|gets?|got|returns?|returned|throws?|threw|reports?|reported|complains?)\b)")
def _verb_noun(m: re.Match[str]) -> str:
    return f"{m['d']} {m['v']}-{m['n']}"


# "bump worker_connections in /etc/nginx/nginx.conf": a setting in a file, not a package (it updated a package
# 'worker_connections'); without the line to write it is asked about
@_rule(r"\b(?:bump|raise|lower|tune|up)\s+(?:the\s+)?(?P<k>[A-Za-z_][\w.-]*)(?:\s+(?:setting|value|limit))?\s+(?=(?:in|inside)\s+"
       r"(?:\x02\d+\x02|/\S+))")
def _bump_setting(m: re.Match[str]) -> str:
    return f"set {m['k']} "
