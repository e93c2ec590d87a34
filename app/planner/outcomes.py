"""Requests that state the outcome, not the action: the state a person wants, as the instruction that makes it so.

Configuration-management people say what must be true ("nginx should be running and enabled on web-01", "htop
must be gone from the dev boxes", "jq needs to be on app-01", "telnet should not be installed on any prod db",
"no java processes should be left running on app-02", "I want openssl at the latest version", "docker has to
come up after reboot"); each family below writes the instruction that makes it true. A negated state is the
opposite instruction, never the state's own ("should not be installed" removes; it never installs). When the
request asks to verify or confirm, the outcome is what to check, not what to change ("the deploy user should
exist on H", "H needs to be able to talk to db-01 on 5432 - verify").

The rewrites run inside ``app.planner.normalize`` after ``app.planner.pasted``'s, on text whose quoted values and
Windows paths are held out.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.rewrite import registrar
from app.planner.wording import NOT_NAME_START

REWRITES: list[tuple[str, int, Callable[[re.Match[str]], str]]] = []

_MODALS = ("must", "should", "has to", "have to", "needs to", "need to", "shall", "want", "make sure", "ensure")
_rule = registrar(REWRITES, needs={
    "_not_installed": ("install", "gone", "removed", "uninstalled", "absent", "present", "there"),
    "_present": ("installed", "present", " on "), "_left_running": ("running",),
    "_not_running": ("running", "stopped", "down", "started", " up"), "_running": ("running", "up", "started"),
    "_enabled": ("enabled", "disabled"), "_latest": ("latest",), "_must_go": (" go",),
    "_should_exist": ("exist",), "_reach_verify": ("reach", "talk to", "connect to"),
    "_nothing_listening": ("listening",), "_trailing_verify": ("confirm", "verify", "check", "validate"),
})

_NAME = r"(?:the\s+)?(?P<name>\x01\d+\x01|[A-Za-z0-9][A-Za-z0-9_.@+\-]*)(?:\s+(?:package|service|agent))?"
_SHOULD = r"(?:must|should|shall|has\s+to|have\s+to|needs?\s+to|ought\s+to|(?:is|are)\s+(?:supposed|expected)\s+to)"
_SHOULD_NOT = (r"(?:must\s*n[o']t|mustn'?t|should\s*n[o']t|shouldn'?t|shall\s+not|(?:is|are)\s+not\s+supposed\s+to|"
               r"(?:needs?|has|have)\s+to\s+not)")
_ENSURE = r"(?:(?:make\s+sure|ensure|see\s+to\s+it)\s+(?:that\s+)?)"
_ENDS = r"(?=\s+(?:from|on|off|in|across|at)\b|\s*[,.;!&]|\s*$)"  # the state ends where the targets begin
_CHECKING = re.compile(r"\b(?:verify|confirm|check|double[\s-]?check|validate|test)\b", re.IGNORECASE)


# a change, then the state it should leave: "reboot web-05 and then make sure nginx is up" verifies, it does not start
_AFTER_A_CHANGE = re.compile(r"\b(?:reboot|restart|bounce|update|upgrade|patch|install|deploy|roll\s+out|copy|"
                             r"replace)\b[^.;!?]*?(?:,\s*|\s+)(?:and\s+)?(?:then|afterwards|after\s+that|and)\s*$",
                             re.IGNORECASE)
_NOT_OBJECTS = NOT_NAME_START | {"there", "nothing", "no", "everything", "all", "every", "user", "file", "files",
                                 "config", "backup", "backups", "log", "logs", "cert", "certificate", "line", "it",
                                 "this", "that", "server", "servers", "host", "hosts", "box", "boxes", "site",
                                 "website", "app", "application", "service", "services", "database", "db", "page",
                                 "portal", "api", "something", "anything"}


def _name(m: re.Match[str]) -> str | None:
    """The object the state is about (the first name group that matched), unless it is a generic word."""
    name = next((v for k, v in m.groupdict().items() if k.startswith("name") and v), None)
    return None if name is None or name.lower() in _NOT_OBJECTS else name


def _checking(m: re.Match[str]) -> bool:
    return bool(_CHECKING.search(m.string))


def _n(i: int) -> str:
    return _NAME.replace("(?P<name>", f"(?P<name{i}>")


# "telnet should not be installed on ...", "make sure telnet is not installed", "htop must be gone from the dev boxes"
@_rule(_ENSURE + _n(1) + r"\s+(?:(?:is|are)\s+(?:not|no\s+longer|never)|isn'?t|aren'?t)\s+(?:installed|present|there)\b"
       r"|" + _n(2) + r"\s+" + _SHOULD_NOT + r"\s+be\s+installed\b"
       r"|" + _ENSURE + _n(3) + r"\s+(?:is|are)\s+(?:gone|removed|uninstalled|absent)" + _ENDS
       + r"|" + _n(4) + r"\s+" + _SHOULD + r"\s+be\s+(?:gone|removed|uninstalled|absent)" + _ENDS)
def _not_installed(m: re.Match[str]) -> str:
    name = _name(m)
    if name is None or re.match(r"\s+(?:from|in)\s+(?:\x02\d+\x02|/)", m.string[m.end():]):
        return m.group(0)  # "'X=1' is absent from /etc/environment": a line of a file (app.planner.admin_words)
    return f"{'check package' if _checking(m) else 'remove package'} {name}"


# "jq needs to be on app-01 and app-02", "curl must be installed on ...", "make sure jq is present"
@_rule(_n(1) + r"\s+" + _SHOULD + r"\s+be\s+(?:installed\s+|present\s+|available\s+)?(?=(?:on|across)\s)"
       r"|" + _n(2) + r"\s+" + _SHOULD + r"\s+be\s+(?:installed|present)\b")
def _present(m: re.Match[str]) -> str:
    name = _name(m)
    if name is None or "\x01" in name:
        return m.group(0)
    return f"{'check' if _checking(m) else 'install'} package {name} "


# "no java processes should be left running on app-02", "make sure no java process is running": kill them
@_rule(r"(?:" + _ENSURE + r")?(?:there\s+(?:are|is|should\s+be)\s+)?no\s+(?P<name>[A-Za-z0-9][\w.+-]*)\s+"
       r"process(?:es)?\s+(?:" + _SHOULD + r"\s+be\s+|(?:is|are)\s+)?(?:left\s+)?(?:running|alive)\b")
def _left_running(m: re.Match[str]) -> str:
    return f"{'is process' if _checking(m) else 'kill process'} {m['name']}{' running' if _checking(m) else ''}"


# "nginx should not be running on web-01", "make sure apache2 is stopped": stop it
@_rule(r"(?:" + _ENSURE + r")?" + _NAME + r"\s+(?:" + _SHOULD_NOT + r"\s+be\s+(?:running|started|up)|" + _SHOULD
       + r"\s+be\s+(?:stopped|down)|(?:(?:is|are)\s+not|isn'?t|aren'?t)\s+(?:running|started|up)|(?:is|are)\s+"
       r"(?:stopped|down))" + _ENDS)
def _not_running(m: re.Match[str]) -> str:
    name = _name(m)
    if name is None or not (m.group(0).lower().startswith(("make", "ensure", "see")) or "be" in m.group(0).split()):
        return m.group(0)  # "nginx is down on web-01" alone is a report, not an instruction
    return f"{'check the status of' if _checking(m) else 'stop'} {name}"


# "postgresql should be running and enabled on db-03", "W3SVC must be up on both IIS boxes"
@_rule(r"(?:" + _ENSURE + r"(?:the\s+)?(?P<ename>\x01\d+\x01|[A-Za-z0-9][\w.@+-]*)(?:\s+service)?\s+(?:is|are)\s+|"
       + _NAME + r"\s+" + _SHOULD + r"\s+be\s+)(?:up\s+and\s+running|running|up|started)"
       r"(?P<enabled>\s+and\s+(?:enabled|set\s+to\s+start\s+at\s+boot|enabled\s+at\s+boot))?"
       r"(?=\s+(?:on|across|in|at)\b|\s*[,.;!]|\s*$)")
def _running(m: re.Match[str]) -> str:
    name = _name(m) or (m["ename"] if m["ename"] and m["ename"].lower() not in _NOT_OBJECTS else None)
    if name is None:
        return m.group(0)
    if _checking(m) or _AFTER_A_CHANGE.search(m.string[:m.start()]):
        return f"check the status of {name}"  # "reboot web-05 and then make sure nginx is up": the check after it
    return f"start {name}" + (f" and enable {name}" if m["enabled"] else "")


# "nginx should be enabled on web-05", "make sure apache2 is disabled"
@_rule(r"(?:" + _ENSURE + r"(?:the\s+)?(?P<ename>\x01\d+\x01|[A-Za-z0-9][\w.@+-]*)(?:\s+service)?\s+"
       r"(?P<be>is|are|isn'?t|aren'?t)\s+|"
       + _NAME + r"\s+" + _SHOULD + r"\s+be\s+)(?P<neg>not\s+)?(?P<state>enabled|disabled)(?:\s+at\s+boot)?"
       r"(?=\s+(?:on|across|in|at)\b|\s*[,.;!]|\s*$)")
def _enabled(m: re.Match[str]) -> str:
    name = _name(m) or (m["ename"] if m["ename"] and m["ename"].lower() not in _NOT_OBJECTS else None)
    if name is None or _checking(m):
        return m.group(0)
    negated = bool(m["neg"]) or "n" in (m["be"] or "").lower()  # "not enabled", "isn't enabled"
    return f"{'enable' if (m['state'].lower() == 'enabled') != negated else 'disable'} {name}"


# "I want openssl at the latest version on all prod db", "make sure curl is on the latest version"
@_rule(r"(?:(?:i|we)\s+(?:want|need)\s+|" + _ENSURE + r")?" + _NAME + r"\s+(?:(?:is|are|" + _SHOULD
       + r"\s+be)\s+)?(?:at|on|to|up\s+to)\s+(?:the\s+)?latest(?:\s+version|\s+release)?")
def _latest(m: re.Match[str]) -> str:
    name = _name(m)
    if name is None or not re.match(r"(?:i|we)\s|make|ensure|see", m.group(0), re.IGNORECASE) \
            and not re.search(_SHOULD, m.group(0), re.IGNORECASE):
        return m.group(0)  # "curl is at the latest version" alone is a report
    return f"{'check package' if _checking(m) else 'update package'} {name}"


# "files matching *.tmp older than 3 days in /tmp/uploads on app-01 have to go": delete them
@_rule(r"\b(?:all\s+(?:of\s+)?(?:the\s+)?|the\s+)?(?P<what>(?:old\s+)?files?\b[^;!?\n]*?\bolder\s+than\b[^;!?\n]*?)\s+"
       r"(?:(?:have|has|need|needs)\s+to|must|should)\s+go\b")
def _must_go(m: re.Match[str]) -> str:
    return f"delete {m['what']}"


# "the deploy user should exist on all staging linux": creating accounts is not an action; checking is
@_rule(r"(?:" + _ENSURE + r")?(?:the\s+)?(?:(?:user|account)\s+(?P<name>[A-Za-z_][\w.$-]*)|"
       r"(?P<name2>[A-Za-z_][\w.$-]*)\s+(?:user|account))\s+(?:" + _SHOULD + r"\s+exist|exists)\b")
def _should_exist(m: re.Match[str]) -> str:
    name = _name(m)
    return m.group(0) if name is None else f"check that user {name} exists"


# "db-02 needs to be able to talk to db-01 on 5432 - verify", "mon-01 needs to reach iis-01 on 443, verify pls"
@_rule(r"(?P<a>\b[A-Za-z][\w.-]*-\d+[a-z]?)\s+" + _SHOULD + r"\s+(?:be\s+able\s+to\s+)?"
       r"(?:reach|talk\s+to|connect\s+to)\s+(?P<b>[A-Za-z][\w.-]*)\s+(?:on|at|over|via)\s+(?:port\s+)?(?P<port>\d{1,5})\b")
def _reach_verify(m: re.Match[str]) -> str:
    return f"can {m['a']} reach {m['b']}:{m['port']}"


# "nothing should be listening on 8080 on web-02, confirm": what to check is the port
@_rule(r"\bnothing\s+(?:" + _SHOULD + r"\s+be\s+|is\s+)listening\s+on\s+(?:port\s+)?(?P<port>\d{1,5})\b")
def _nothing_listening(m: re.Match[str]) -> str:
    return f"check port {m['port']}"


# "..., confirm", "... - verify pls": the request asked to check (read above); the word itself is no instruction
@_rule(r"\s*(?:[,;]|\s-)\s*(?:and\s+|please\s+|pls\s+|then\s+)?(?:confirm|verify|double[\s-]?check|validate)"
       r"(?:\s+(?:pls|please|plz|it|that|this|for\s+me))*\s*[.!]?\s*$")
def _trailing_verify(m: re.Match[str]) -> str:
    return ""
