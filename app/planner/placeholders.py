"""Runbook text pasted before it was filled in, and selections the planner cannot make for the operator.

"restart nginx on <hostname>", "check disk on $HOST", "update APPNAME from \\\\file-01\\releases\\<version>\\app.exe",
"run `systemctl restart ${SERVICE}`": a placeholder is not a value, so the plan asks for the real one (the
shell would expand ``${SERVICE}`` on the host to whatever it holds there). "any one of the db boxes", "3 of the
web servers", "reboot web*": which hosts is the operator's choice, so the plan asks.
"""
from __future__ import annotations

import re

from app.planner.rewrite import Lazy
from app.planner.vocabulary import Vocabulary

_I = re.IGNORECASE
_PLACEHOLDER = Lazy(
    r"<\s*[A-Za-z][\w .-]{0,30}\s*>"  # <hostname>, <your-domain>, <app>
    r"|\$\{\s*\w+\s*\}|\$env:\w+|(?<![\w$])\$[A-Z][A-Z0-9_]{1,30}\b"  # ${SERVICE}, $env:SVC, $HOST
    r"|%[A-Za-z][\w]{1,30}%"  # %APPNAME%, %COMPUTERNAME%
    r"|\[(?:HOST|SERVER|SERVICE|NAME|APP|VERSION|PATH|IP|USER|DOMAIN|TARGET)[A-Z_]*\]"  # [HOSTNAME]
    r"|(?<![\w-])(?:[A-Z][A-Z0-9]*_)+(?:NAME|HOST|HOSTNAME|SERVER|SERVICE|VERSION|PATH|DIR|DOMAIN|USER|IP|PORT)"
    r"(?![\w-]|\s*=)"  # SERVICE_NAME, APP_DIR (not a config key being set)
    r"|(?<![\w-])(?:HOSTNAME|APPNAME|SERVERNAME|SERVICENAME|USERNAME|VERSION|DOMAIN)(?![\w-])"
    r"|\b(?:last|first|top)\s+[NX]\s+(?=lines|processes|entries)|(?<![\w.])X\.Y(?:\.Z)?(?![\w.])")
_SUBSET = Lazy(
    r"\b(?:any\s+(?:one|single)\s+(?:of\s+)?|(?:just\s+|only\s+)?one\s+of|(?:\d{1,3}|two|three|four|five|six|some|"
    r"a\s+few|a\s+couple|several|half|most|a\s+handful)\s+of|every\s+other|all\s+but\s+(?:one|two|\d+)|a\s+random|"
    r"(?:the\s+)?(?:oldest|newest|least\s+busy|busiest|first|last|second|third)\s+(?!\d))"
    r"\s*(?:the\s+|these\s+|those\s+|our\s+|my\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:servers?|hosts?|boxes|box|machines?|nodes?|stations?|vms?|instances?)\b", _I)
_SPAN = Lazy(r"\b(?:every|all|each)\s+(?:the\s+|of\s+the\s+)?(?:boxes|box|servers?|hosts?|machines?|nodes?)\s+"
                   r"(?:from|between)\s+\S+\s+(?:to|and|through|thru|until)\s+\S+", _I)
_WILDCARD = Lazy(r"\b(?:on|from|reboot|restart|ping|stop|start|across)\s+(?P<w>[A-Za-z][\w.-]*\*)(?=[\s,.;!?]|$)",
                       _I)


def placeholder(text: str) -> str | None:
    """A question when ``text`` still holds a template's placeholder, or None."""
    m = _PLACEHOLDER.search(text)
    if m is None:
        return None
    return (f"'{m.group(0).strip()}' looks like a placeholder from a template, not a value. What should it be? "
            "Give the real name, host, path or number.")


def subset(text: str) -> str | None:
    """A question when ``text`` leaves it to the planner to pick some of the hosts, or None."""
    m = _SPAN.search(text)
    if m is not None:  # "every box from web01 to cis04": hosts by the order of their names
        return (f"You asked for '{' '.join(m.group(0).split())}': I don't order hosts by name. Name the hosts, a "
                "group or an environment.")
    m = _WILDCARD.search(text)
    if m is not None:
        return (f"'{m['w']}' is a wildcard; I don't expand host patterns. Name the hosts, a group or an "
                "environment.")
    m = _SUBSET.search(text)
    if m is not None:
        return (f"You asked for '{' '.join(m.group(0).split())}': which ones exactly? Name the hosts; I don't pick "
                "hosts for you.")
    return None


_HOSTISH = Lazy(r"(?<![\w./\\-])[A-Za-z][A-Za-z_-]*\d{1,6}(?:\.[\w-]+)*(?![\w/\\-])")


def padding_guesses(text: str, vocab: Vocabulary) -> list[tuple[str, str]]:
    """Hosts named with their number written another way ("web-3", "iis2" for web-03, iis-02): (as typed, host).
    Fine for a check; a change on a guessed host is asked about."""
    out = []
    for m in _HOSTISH.finditer(text):
        typed = m.group(0)
        if vocab.host(typed) or vocab.host(typed.split(".", 1)[0]):
            continue
        host = vocab.host_variant(typed)
        digits = re.search(r"\d+", typed.split(".", 1)[0])
        number = re.search(r"\d+$", host or "")
        if host and digits and number and number.group(0) != digits.group(0):
            out.append((typed, host))
    return out
