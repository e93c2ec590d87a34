"""What a complaint around an ask tells: "nginx on web-01 + web-02 keeps 502ing, pls restart asap" restarts nginx
(the thing complained about), not the hosts; "Release 24.3 prep, staging db (db-03): install pgbouncer" is a heading
(what the work is for), not a package 'prep' at version 24.3; "per dev request", "their dev thinks ..." speak of a
developer, not of the development environment.

The rewrites run inside ``app.planner.normalize`` after ``app.planner.tickets``'s, on text whose quoted values and
Windows paths are held out; each is one family of phrasings, never one sentence.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.objects import KNOWN_OBJECTS
from app.planner.rewrite import registrar

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_rule = registrar(REWRITES, needs={
    "_bare_restart": ("restart", "bounce", "recycle"),
    "_work_heading": ("prep", "pre-", "checklist", "readiness", "tasks", "steps", "work"),
    "_done_by": (" by ",), "_developer": ("dev",), "_per_request": ("per ",),
})

_COURTESY = (r"(?:\s*(?:asap|now|right\s+away|please|pls|plz|thanks|thx|ty|cheers|urgently|again|"
             r"[!.\U0001F300-\U0001FAFF]+))*")
_BROKEN = (r"(?:is|are|was|keeps|keep|has|have|went|seems|seem|looks|started|starts|throwing|throws|returning|returns|"
           r"stuck|hung|hangs|down|dead|died|dies|crashed|crashing|crashes|flapping|failing|fails|failed|erroring|"
           r"giving|serving|spewing|not)")


# "nginx on web-01 + web-02 keeps 502ing, pls restart asap": the subject of the complaint is what the bare verb
# restarts (it rebooted both hosts); only a service the catalog knows, or one called a service, and only when the
# verb has no object of its own ("web-01 is hung, restart asap" stays a reboot of web-01)
@_rule(r"^(?P<lead>\s*(?:the\s+)?(?P<name>[A-Za-z][\w.@-]*)(?P<svc>\s+service)?\s+(?:on|at)\s+[^,.;:!?]+?\s+"
       + _BROKEN + r"\b[^.;!?]*?(?:[,.;!?]+|\s+[-–—]+)\s*)(?P<ask>(?:(?:so\s+)?(?:pls|please|plz|can\s+(?:you|someone)|"
       r"could\s+(?:you|someone))\s+)?(?:restart|bounce|recycle)(?:\s+it)?)(?P<tail>" + _COURTESY + r"\s*)$")
def _bare_restart(m: re.Match[str]) -> str:
    name = m["name"]
    if not m["svc"] and name.lower() not in KNOWN_OBJECTS:
        return m.group(0)
    return f"{m['lead']}restart {name}{m['tail']}"


# "Release 24.3 prep, staging db (db-03): ...", "Sprint 14 tasks:", "Change 4411 pre-checks -": what the work is for,
# at the start of the request or of a line
@_rule(r"(?:^|(?<=[\n\x03]))\s*(?:release|sprint|rollout|roll-out|deploy(?:ment)?|change|migration|upgrade|cutover|"
       r"go-?live|patch(?:ing)?|maintenance)\s+(?:v?\d[\w.-]*|[A-Z]{2,}-?\d+)\s+(?:prep(?:aration)?|prework|pre-?work|"
       r"pre-?checks?|checklist|readiness|tasks?|steps?|work)\b\s*[,:–—-]?\s*")
def _work_heading(m: re.Match[str]) -> str:
    return ""


# "per dev request", "their dev thinks app-01 can't reach db-02": a developer, not the development hosts
@_rule(r"\b(?P<lead>(?:per|by|from|for|the|their|our|a|my|your|his|her|one\s+of\s+the)\s+)devs?(?P<poss>'s?)?"
       r"(?=\s+(?:request|ask|team|lead|side|guy|folks|people|thinks?|says?|said|wants?|asked|asks|reports?|reported|"
       r"claims?|believes?|complains?|complained|mentioned|needs?|noticed|insists?)\b)")
def _developer(m: re.Match[str]) -> str:
    return f"{m['lead']}developer{m['poss'] or ''}"


# "as per developer team request", "per the customer's ask", "per Jira ticket instructions": who asked, not where
@_rule(r"\s*,?\s*\b(?:as\s+)?per\s+(?:the\s+|a\s+|our\s+|their\s+|his\s+|her\s+)?(?:[\w'-]+\s+){0,3}?(?:request|ask|"
       r"ticket|instructions?|e-?mail|mail|message|call)\b")
def _per_request(m: re.Match[str]) -> str:
    return " "


# "web-03 rebooted by on-call", "nginx was restarted by the night shift at 04:10": done by someone, a report (it
# planned the reboot)
@_rule(r"(?:\s+(?:was|were|got|has\s+been|have\s+been|had\s+been|already))*\s+(?:rebooted|restarted|bounced|stopped|"
       r"started|killed|updated|upgraded|installed|removed|uninstalled|patched|deployed|redeployed|disabled|enabled)"
       r"\s+(?:already\s+)?by\s+(?:the\s+|our\s+|an?\s+)?[\w'-]+(?:\s+(?:team|shift|engineer|guy|person|oncall|on-call))?")
def _done_by(m: re.Match[str]) -> str:
    return " came back"  # the story goes on with the host (its hosts stay "there")
