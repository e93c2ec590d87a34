"""The request's surface, rewritten before the word rules of ``app.planner.normalize`` read it: ticket and change
references and a chat bot's slash command at the start, quoted hosts and versions, host lists and ranges
("web-01/02/03", "web-0[1-3]"), "1k lines", arrows, a tasklist filter, and a request typed in capitals."""
from __future__ import annotations

import re

_I = re.IGNORECASE


# Ticket and change references are not targets: "INC-2231:", "CHG0012345", "ticket #4411", "JIRA OPS-1234"
# "SEC-2211:", "SEC-2230 (active IR):" at the start; INC/CHG/... numbers anywhere
_TICKET = re.compile(r"^\s*(?:(?-i:[A-Z]{2,10})-?\d{3,7}|ticket\s*#\s*\d{3,})(?:\s*\([^)\n]{0,40}\))?\s*(?::|\s[-–—]\s)"
                     r"|(?<![\w-])(?:(?:INC|CHG|RITM|REQ|PRB|SCTASK|TASK|SR|TKT|CASE|BUG|OPS|JIRA|CR|WO)-?\d{3,}"
                     r"|(?:ticket|incident|case|change|jira|issue)\s*(?:no\.?\s*|number\s*)?#?\d{3,}|#\d{3,}"
                     # a labelled reference: "Audit finding AUD-221", "security control AC-2", "story PAY-1234"
                     r"|\b(?:(?:audit|security|compliance|pen-?test|qa|review|action)\s+)?(?:finding|item|ref(?:erence)?|story|"
                     r"defect|control|requirement|epic)\s+(?-i:[A-Z]{2,10})-\d{1,7})"
                     r"(?![\w-])\s*[:\-–]?", _I)


# A managed-service provider's client and ticket before the ask: "ACME #7781 | Client says ...", "[Contoso | T#4411]
# restart ...", "Fabrikam - #2231:"; a bracket that holds a host name ("[web-01] restart nginx") stays
_CLIENT_PREFIX = re.compile(r"^\s*(?:\[(?P<b>[^\]\n]{1,60})\]|(?-i:[A-Z][\w&.']*)(?:\s+(?-i:[A-Z][\w&.']*)){0,2}\s*"
                            r"(?:[|:–—-]\s*)?(?:#|T#|ticket\s*#?)\s?\d{2,8}(?:\s*\([^)\n]{0,40}\))?)"
                            r"\s*(?:[|:–—-]\s*)?", _I)


def _client_prefix(m: re.Match[str]) -> str:
    if m["b"] is not None and re.search(r"(?-i:[a-z][a-z0-9]*-\d{1,3})\b", m["b"]):
        return m.group(0)
    return " "


_SLASH_COMMAND = re.compile(r"^\s*/[a-z][\w-]*\s+(?=(?:restart|start|stop|update|upgrade|install|remove|uninstall|"
                            r"check|ping|reboot|kill|show|run|tail|search|enable|disable|is|are|what|which|pls|please|"
                            r"can)\b)", _I)
_QUOTED_VERSION = re.compile(r"\b(?P<v>version|ver\.?|v)\s*[=:]?\s*[\"'“`](?P<n>v?\d[\w.+~:-]*)[\"'”`]", _I)
_QUOTED_HOST = re.compile(r"(?<![\w])[\"'“](?P<h>[A-Za-z][\w-]*-\d+[a-z]?(?:\.[\w-]+)*)[\"'”](?![\w])")


_TASKLIST_FILTER = re.compile(r"(?<![\w-])tasklist(?:\.exe)?\s+/fi\s+[\"']imagename\s+eq\s+(?P<n>[\w.-]+)[\"']", _I)


_SLASH_HOSTS = re.compile(r"(?<![\w/\\.-])(?P<p>[A-Za-z][\w-]*-)(?P<first>\d{1,4})(?P<rest>(?:/\d{1,4})+)(?![\w/\\.-])")


def _slash_hosts(m: re.Match[str]) -> str:
    width = len(m["first"])
    numbers = [m["first"], *m["rest"].strip("/").split("/")]
    return " ".join(f"{m['p']}{int(n):0{width}d}" for n in numbers)


# Host ranges: "web-0[1-3]", "web-0[1:3]", "db-0{1,2}", "app-{01..03}" -> the hosts, one by one
_RANGE_HOSTS = re.compile(r"(?<![\w/\\.-])(?P<p>[A-Za-z][\w-]*?)(?:\[(?P<a>\d{1,4})[-:](?P<b>\d{1,4})\]"
                          r"|\{(?P<list>\d{1,4}(?:,\d{1,4})+)\}|\{(?P<c>\d{1,4})\.\.(?P<d>\d{1,4})\})(?P<s>[\w-]*)(?![\w/\\])")


def _range_hosts(m: re.Match[str]) -> str:
    if m["list"]:
        numbers = m["list"].split(",")
    else:
        first, last = (m["a"], m["b"]) if m["a"] is not None else (m["c"], m["d"])
        if not 0 <= int(last) - int(first) <= 100:
            return m.group(0)
        width = len(first) if first.startswith("0") or len(first) == len(last) else 1
        numbers = [f"{n:0{width}d}" for n in range(int(first), int(last) + 1)]
    return " ".join(f"{m['p']}{n}{m['s']}" for n in numbers)


# A line that only goes on with the one before: "replacing the line matching ...", "matching *.log"
_CONTINUED = re.compile(r"[ \t]*\n[ \t]*(?:[-*+•][ \t]+)?(?=(?:replacing|matching|using|including|excluding|keeping|"
                        r"but\s+only|only\s+the)\b)", _I)


# "the last 1k lines": a thousand
_THOUSANDS = re.compile(r"\b(?P<n>\d{1,3})\s*k\s+(?=(?:log\s+)?(?:lines|entries|events|records|messages)\b)", _I)


def _shouting(text: str, quoted: re.Pattern[str]) -> bool:
    """Typed in capitals: four or more letters, none lower case, outside quoted text."""
    bare = quoted.sub(" ", text)
    letters = [c for c in bare if c.isalpha()]
    return len(letters) >= 4 and not any(c.islower() for c in letters)


def _lower_unquoted(text: str, quoted: re.Pattern[str]) -> str:
    parts, last = [], 0
    for m in quoted.finditer(text):
        parts += [text[last:m.start()].lower(), m.group(0)]
        last = m.end()
    return "".join(parts) + text[last:].lower()


def continued(text: str) -> str:
    """A line that only goes on with the one before joined to it."""
    return _CONTINUED.sub(" ", text)


def plain(out: str, quoted: re.Pattern[str]) -> str:
    """``out`` with ticket and chat-bot prefixes gone, quoted hosts and versions unquoted, host lists and ranges
    written host by host, "1k lines" as a number, arrows as words, and capitals lowered (``quoted`` text kept)."""
    out = _CLIENT_PREFIX.sub(_client_prefix, re.sub(r"^\s*(?:re|fwd?)\b\s*:?", " ", out, flags=_I))  # "fwd:" of a mail
    out = _TICKET.sub(" ", out)
    out = _SLASH_COMMAND.sub(" ", out)  # a chat bot's slash command ("/ops update openssl"), not "/var usage"
    out = _QUOTED_HOST.sub(lambda m: m.group("h"), out)  # "restart sshd on 'web-05'": a host, not quoted text
    out = _QUOTED_VERSION.sub(lambda m: f"{m['v']} {m['n']}", out)  # 'version "8.6.4"': a version, not a name
    out = _SLASH_HOSTS.sub(_slash_hosts, out)  # "web-01/02/03": web-01 web-02 web-03
    out = _RANGE_HOSTS.sub(_range_hosts, out)  # "web-0[1-3]", "db-0{1,2}"
    out = _THOUSANDS.sub(lambda m: f"{int(m['n']) * 1000} ", out)
    out = re.sub(r"\s(?:->|=>|→)\s+(?=(?:restart|start|stop|check|ping|reboot|kill|clean|tail|show|search)\b)",
                 ". ", out, flags=_I)  # "W3SVC stopped on iis-02 -> restart W3SVC": then
    out = re.sub(r"\s(?:->|=>|→)\s", " to ", out)
    out = _TASKLIST_FILTER.sub(lambda m: f"is process {m['n']} running", out)
    if _shouting(out, quoted):  # "RESTART NGINX ON WEB-01": the words as they would be written (quoted text kept)
        out = _lower_unquoted(out, quoted)
    return out
