"""Readers of the everyday read-only families: logs, schedules, containers, certificates, reachability, the
busiest processes, old-file cleanup, config lines and accounts.

Each reader looks for the words that make its family unmistakable (a "journal", "event log" or "last N lines";
"cron"/"crontab"/"scheduled tasks"; "container"; "cert"/"TLS"; "reach"/"connect" with a host:port; "top N" or
"most CPU"; "older than N days"; "the line ..."), takes its params from the request's protected values
(quoted text, paths, URLs) and the words next to them, and says which characters it consumed, so that the rest
of the request is read for targets only. A reader never guesses a missing value: the action's definition asks.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.planner.lexer import FILLER, HOSTLIKE_RX, PREPS, Span, protect, requote

_I = re.IGNORECASE
_PH = r"__(?:[qup])\d+__"
_WORD = r"[A-Za-z0-9][A-Za-z0-9_.@+\-]*"
_EVENT_LOGS = {"system": "System", "application": "Application", "security": "Security", "setup": "Setup"}
_NOT_NAMES = frozenset({"the", "a", "an", "all", "any", "my", "our", "running", "docker", "podman", "every", "each",
                        "this", "that", "which", "what", "whats", "is", "are", "of", "on", "in", "at", "from", "to",
                        "by", "with", "for", "into"})


_NOT_UNITS = frozenset({"the", "a", "an", "all", "any", "my", "our", "every", "this", "that", "which", "what", "is",
                        "its", "their", "his", "her",
                        "of", "on", "in", "for", "system", "journal", "event", "log", "logs", "error", "errors",
                        "recent", "latest", "last", "new", "old", "tail", "show", "read", "search", "grep", "check",
                        "view"})


@dataclass
class Reading:
    action: str
    params: dict[str, object] = field(default_factory=dict)
    consumed: list[tuple[int, int]] = field(default_factory=list)  # spans of the protected text
    why: str = ""
    default_host: str = ""  # where to run it when the request names no target (cert.check of host:port)


class _Text:
    """The protected request (quoted text, URLs and paths as placeholders) and its values."""

    def __init__(self, text: str):
        self.protected, self.spans = protect(text)

    def value(self, placeholder: str) -> Span | None:
        m = re.fullmatch(r"__([qup])(\d+)__", placeholder.strip())
        return self.spans[int(m.group(2))] if m else None

    def rest(self, consumed: list[tuple[int, int]]) -> str:
        """The request without the consumed characters, placeholders put back (for the target reading)."""
        chars = list(self.protected)
        for a, b in consumed:
            lead = re.search(r"\b(?:on|at|in|out\s+of|of|for|from|to|against|under|inside|within|into)\s+$",
                             self.protected[:a], _I)
            if lead is not None and re.match(r"__|[A-Za-z0-9][\w.-]*:\d", self.protected[a:b]):
                a = lead.start()  # "on web-01:443" / "in __p0__": the preposition belonged to the value
            for i in range(a, b):
                chars[i] = " "
        out = "".join(chars)
        for i, span in enumerate(self.spans):
            out = out.replace(f"__{span.kind}{i}__", requote(span))
        return out


_READERS: list[Callable[[_Text], Reading | None]] = []


def _reader(fn: Callable[[_Text], Reading | None]) -> Callable[[_Text], Reading | None]:
    _READERS.append(fn)
    return fn


def _lines(t: _Text, consumed: list[tuple[int, int]]) -> int | None:
    m = re.search(r"\b(?:last|latest|final|newest|recent|tail|top)\s+(\d{1,6})"
                  r"(?:\s+(?:log\s+)?(?:lines|entries|events|matches|hits|results|occurrences))?"
                  r"|\b(\d{1,6})\s+(?:log\s+)?(?:lines|entries|events|matches|hits|results|occurrences|most\s+recent|"
                  r"latest|newest)\b",
                  t.protected, _I)
    if m is None:
        return None
    consumed.append(m.span())
    return int(m.group(1) or m.group(2))


def _first_path(t: _Text, consumed: list[tuple[int, int]]) -> str | None:
    """The first path the request names (consumed), or None."""
    for m in re.finditer(_PH, t.protected):
        span = t.value(m.group(0))
        if span is not None and span.kind == "p":
            consumed.append(m.span())
            return span.value
    return None


def _log_source(t: _Text, consumed: list[tuple[int, int]]) -> dict[str, object] | None:
    """A log file path, a journal unit or a Windows event log named in the request."""
    if _log_path(t) and (path := _first_path(t, consumed)):  # "the IIS log C:\...\u_ex.log": the file it names
        return {"path": path}
    m = re.search(r"\b(?:the\s+)?(?P<unit>" + _WORD + r")\s+(?:service\s+|unit\s+)?"
                  r"(?:journal|journald|event\s*log|eventlog|logs?)\b", t.protected, _I)
    if m is not None and m.group("unit").lower() not in _NOT_UNITS:
        consumed.append(m.span())
        unit = m.group("unit")
        return {"unit": _EVENT_LOGS.get(unit.lower(), unit)}  # "application log" is the Application event log
    m = re.search(r"\b(?:the\s+)?(?P<unit>system|application|security|setup)\s+(?:event\s*)?(?:logs?|events?)\b",
                  t.protected, _I)
    after = re.search(r"\b(?:logs?|journal)\s+(?:for\s+|of\s+)?(?P<unit>" + _WORD + r")", t.protected, _I)  # logs nginx
    if m is None and after is not None and after.group("unit").lower() not in _NOT_UNITS \
            and not HOSTLIKE_RX.match(after.group("unit").lower()) and not after.group("unit").isdigit() \
            and not re.match(r"(?:last|on|from|errors?|lines?|here|there|please|pls)$", after.group("unit"), _I):
        consumed.append(after.span())
        return {"unit": after.group("unit")}
    if m is not None:
        consumed.append(m.span())
        return {"unit": _EVENT_LOGS[m.group("unit").lower()]}
    path = _first_path(t, consumed)
    return {"path": path} if path else None


_LOG_WORDS = re.compile(r"(?<![\w.=-])(?:logs?|journal|journald|journalctl|event\s*log|eventlog|syslog|tail|"
                        r"(?:system|application|security|setup)\s+events?)(?![\w.=-])", _I)  # not "log.level=INFO"
_SEARCH = re.compile(r"\b(?:search|grep|scan|look(?:ing)?\s+for|find|(?:are|is)\s+there\s+any|any|are\s+there|"
                     r"is\s+there|check\s+for|"
                     r"occurrences?\s+of|"
                     r"mentions?\s+of)\b", _I)


def _log_path(t: _Text) -> bool:
    return any(s.kind == "p" and re.search(r"\.(?:log|txt|out|err)(?:\.\d+)?$|[\\/]logs?[\\/]|^/var/log\b", s.value, _I)
               for s in t.spans)


_PHRASE_END = re.compile(r"\s+(?:on|in|across|from|at|within|and|then|since|over|during|inside|under|for|to|of\s+the|"
                         r"in\s+the|please|pls|thanks|today|yesterday)\b|\s*[.,;:!?]|\s+__|\s*$", _I)


def _phrase(text: str) -> str:
    """The words of an unquoted search pattern: "out of memory on db-02" -> "out of memory" (at most five words)."""
    first = re.match(_WORD, text)
    if first is None:
        return ""
    words = [first.group(0).rstrip(".,;:!?")]
    rest = text[first.end():]
    while len(words) < 5 and not _PHRASE_END.match(rest):
        nxt = re.match(r"\s+(" + _WORD + r")", rest)
        if nxt is None or re.fullmatch(r"[A-Za-z][\w.-]*-\d+[a-z]?", nxt.group(1)):  # a host name ends it
            break
        words.append(nxt.group(1).rstrip(".,;:!?"))
        rest = rest[nxt.end():]
    return " ".join(words)


@_reader
def _logs(t: _Text) -> Reading | None:
    read_words = re.search(r"\b(?:show|read|view|print|cat|tail|contents?|end\s+of|last|lines|errors?|warnings?)\b",
                           t.protected, _I)
    if not _LOG_WORDS.search(t.protected) and not (_log_path(t) and (read_words or _SEARCH.search(t.protected))) \
            and not re.search(r"\b(?:last|first)\s+\d+\s+lines\b", t.protected, _I):
        return None
    if re.search(r"\b(?:rotate|delete|remove|clear|purge|truncate|clean(?:-?up)?|archive|ship|forward|edit)\b",
                 t.protected, _I):
        return None  # a change to logs is not reading them
    consumed: list[tuple[int, int]] = []
    pattern = None
    s = _SEARCH.search(t.protected)
    if s is not None:
        after = t.protected[s.end():]
        m = re.search(r"\bfor\s+(?:(?:the\s+)?(?:words?|strings?|phrases?|text|terms?|keywords?)\s+)?"
                      r"(?:(?P<ph>__q\d+__)|(?P<w>" + _WORD + r"))", after, _I)  # "for the word timeout": timeout
        if m is not None and not _SEARCH.match(after[m.start():]):  # "search X for PATTERN"
            end = m.end() if m.group("ph") else m.start("w") + len(_phrase(after[m.start("w"):]))
            pattern = t.value(m.group("ph")).value if m.group("ph") else _phrase(after[m.start("w"):])  # type: ignore[union-attr]
            consumed.append((s.end() + m.start(), s.end() + end))
        else:  # "grep PATTERN in X", "any PATTERN in X", "look for PATTERN in X"
            m = re.match(r"\s+(?:(?P<ph>__q\d+__)|(?P<w>" + _WORD + r"))\s+(?:(?:log\s+)?(?:lines?|entries|messages|"
                         r"errors?|warnings?|events?|hits?|mentions?|records?)\s+)?(?:in|from|inside|within)\b",
                         after, _I)
            if m is not None:
                pattern = t.value(m.group("ph")).value if m.group("ph") else m.group("w")  # type: ignore[union-attr]
                consumed.append((s.end(), s.end() + m.end()))
            else:  # "did the Application log record any 'Faulting application' entries", "search 'X' pls": quoted
                m = re.search(r"\bany\s+(?P<ph>__q\d+__)", t.protected, _I)
                if m is None and s.group(0).lower() in ("search", "grep", "find", "scan"):
                    m = re.compile(r"\s+(?P<ph>__q\d+__)").match(t.protected, s.end())
                if m is not None:
                    pattern = t.value(m.group("ph")).value  # type: ignore[union-attr]
                    consumed.append(m.span())
        if pattern is not None:
            consumed.append(s.span())
    journal_of = re.search(r"\b(?:journal|journald|logs)\s+(?:for|of)\s+(?:the\s+)?(?P<unit>" + _WORD + r")"
                           r"(?:\s+(?:service|unit|daemon))?", t.protected, _I)
    if journal_of is not None and (journal_of.group("unit").lower() in _NOT_UNITS
                                   or re.match(r"errors?|warnings?|failures?|crash", journal_of.group("unit"), _I)):
        journal_of = None
    if pattern is None and journal_of is None:  # "check the Application event log on app-03 for errors": "for PATTERN"
        m = re.search(r"(?:journal|event\s*log|logs?)\b.*?\bfor\s+(?:(?P<ph>__q\d+__)|(?P<w>" + _WORD + r"))",
                      t.protected, _I)
        if m is not None:
            start = m.start("ph") if m.group("ph") else m.start("w")
            words = "" if m.group("ph") else _phrase(t.protected[start:])
            pattern = t.value(m.group("ph")).value if m.group("ph") else words  # type: ignore[union-attr]
            consumed.append((t.protected.rfind("for", 0, start), m.end() if m.group("ph") else start + len(words)))
    lines = _lines(t, consumed)
    source = _log_source(t, consumed)
    if source is None and journal_of is not None:  # "the journal for nginx", "logs of postgresql"
        consumed.append(journal_of.span())
        source = {"unit": journal_of.group("unit")}
    consumed += [m.span() for m in _LOG_WORDS.finditer(t.protected)]
    if pattern is None and re.search(r"\b(?:search|grep|scan|look(?:ing)?\s+for|find)\b", t.protected, _I):
        return Reading("logs.search", dict(source or {}), consumed, "search words without a pattern")  # it asks
    if pattern is not None:
        params: dict[str, object] = {"pattern": pattern, **(source or {}), **({"lines": lines} if lines else {})}
        return Reading("logs.search", params, consumed, "search words and a pattern")
    params = {**(source or {}), **({"lines": lines} if lines else {})}
    return Reading("logs.tail", params, consumed, "log words")


@_reader
def _cron(t: _Text) -> Reading | None:
    m = re.search(r"\b(?:cron\s*jobs?|crons|cron\s+list|list\s+(?:the\s+)?crons?\b|cron\s*tabs?|crontabs?|"
                  r"cron\s+entries|scheduled\s+(?:tasks?|jobs?)|"
                  r"task\s+scheduler\s+(?:tasks|jobs|entries)|schtasks)\b", t.protected, _I)
    if m is None:
        return None
    if re.search(r"\b(?:edit|add|create|remove|delete|disable|enable|change|modify|schedule|set\s+up|install)\b",
                 t.protected, _I):
        return None  # changing schedules is not in the catalog
    consumed = [m.span()]
    params: dict[str, object] = {}
    u = (re.search(r"\b(?:the\s+)?(?P<u>" + _WORD + r")\s+users?\s+(?:cron|crontab)", t.protected, _I)
         or re.search(r"(?:cron\s*jobs?|crontabs?|cron|scheduled\s+(?:tasks?|jobs?))\s+(?:of|for|owned\s+by)\s+"
                      r"(?:the\s+)?(?:user\s+)?(?P<u>" + _WORD + r")", t.protected, _I)
         or re.search(r"\buser\s+(?P<u>" + _WORD + r")", t.protected, _I))
    if u is not None and u.group("u").lower() not in _NOT_NAMES | {"every", "all", "users"}:
        params["user"] = u.group("u").rstrip(".")  # "... for svc_reports.": the sentence's full stop is no part
        consumed.append(u.span())
    return Reading("cron.list", params, consumed, "schedule words")


@_reader
def _containers(t: _Text) -> Reading | None:
    m = re.search(r"\bcontainers?\b", t.protected, _I)
    if m is None:
        return None
    consumed = [m.span()]
    restart = re.search(r"\b(?:restart|bounce|recycle|kick|cycle)\b", t.protected, _I)
    not_names = _NOT_NAMES | FILLER | PREPS | {"restart", "bounce", "check", "list", "show", "on", "up", "status",
                                               "for", "output",
                              "exist", "exists", "state", "health", "logs", "log", "everywhere", "everything", "all"}
    name = next((n for n in (re.search(r"(?:\b(?:the|a)\s+)?(?<![\w])(?P<n>__q\d+__|" + _WORD + r")\s+containers?\b",
                                       t.protected, _I),
                             re.search(r"\bcontainers?\s+(?:called\s+|named\s+|for\s+|of\s+)?(?P<n>__q\d+__|"
                                       + _WORD + r")",
                                       t.protected, _I))
                 if n is not None and n.group("n").lower() not in not_names), None)
    params: dict[str, object] = {}
    if name is not None and HOSTLIKE_RX.match(name.group("n").lower()) \
            and not re.search(r"\b(?:on|at)\s+\S", t.protected[name.end():], _I):
        name = None  # "containers app-01": the host, not a container ("container gs-eu-1 on app-01": the container)
    if name is not None:
        held = t.value(name.group("n"))
        params["name"] = held.value if held is not None else name.group("n")
        consumed.append(name.span())
    if restart is not None:
        return Reading("container.restart", params, [*consumed, restart.span()], "restart + container")
    return Reading("container.status", params, consumed, "container words")


_ENDPOINT = r"(?P<ep>[A-Za-z0-9][A-Za-z0-9_.\-]*:\d{1,5})\b"


@_reader
def _cert(t: _Text) -> Reading | None:
    m = re.search(r"\b(?:certs?|certificates?|ssl|tls|x509|issuer)\b", t.protected, _I)
    if m is None:  # a certificate file named alone: "days left on C:\\Certs\\x.cer"
        cert_file = next((s for s in t.spans
                          if s.kind == "p" and re.search(r"\.(?:cer|crt|pem|pfx|p12|der)$", s.value, _I)), None)
        m = re.search(r"\b(?:days?\s+left|expir\w*|valid\w*|when|until)\b", t.protected, _I) if cert_file else None
        if m is None and cert_file and not re.search(r"\b(?:exists?|size|big|checksums?|hash\w*|sha\w*|md5|owner|"
                                                     r"permissions?|modified|copy|move|delete|remove)\b",
                                                     t.protected, _I):
            m = re.search(r"\b(?:check|read|inspect|show|look\s+at|verify|details?\s+of)\b", t.protected, _I)
    if m is None:
        return None
    if re.search(r"\b(?:renew|replace|install|issue|request|rotate|deploy|update|generate|create)\b", t.protected, _I):
        return None
    consumed = [m.span()]
    params: dict[str, object] = {}
    e = re.search(_ENDPOINT, t.protected)
    if e is not None:
        params["endpoint"] = e.group("ep")
        consumed.append(e.span())
    elif (path := _first_path(t, consumed)) is not None:
        params["path"] = path
    consumed += [x.span() for x in re.finditer(r"\b(?:certs?|certificates?|ssl|tls|served|expire[sd]?|expiry|issuer|"
                                               r"subject|present(?:s|ed)?|how\s+many\s+days(?:\s+are)?(?:\s+left)?|"
                                               r"days?\s+(?:are\s+)?left|valid(?:ity)?)\b",
                                               t.protected, _I)]
    found = Reading("cert.check", params, consumed, "certificate words")
    if e is not None:
        found.default_host = e.group("ep").rsplit(":", 1)[0]  # checked on the host serving it, unless told otherwise
    return found


@_reader
def _reach(t: _Text) -> Reading | None:
    e = re.search(_ENDPOINT, t.protected)
    if e is None:
        return None
    m = re.search(r"\b(?:reach|reachable|connect|connects|connection|connectivity|talk\s+to|get\s+to|telnet|"
                  r"open\s+to|firewall)\b", t.protected, _I)
    if m is None and re.search(r"\bfrom\s+\S+\s+to\s+" + re.escape(e.group("ep")), t.protected, _I):
        m = re.search(r"\bto\s+(?=" + re.escape(e.group("ep")) + ")", t.protected, _I)  # "from app-01 to db-01:5432"
    if m is None:
        return None
    return Reading("tcp.reach", {"endpoint": e.group("ep")}, [e.span(), m.span()], "reach words and host:port")


@_reader
def _top(t: _Text) -> Reading | None:
    sort = re.search(r"\b(?:hogging|eating|using|consuming|consumes?|burning|chewing|taking|takes?|uses|use|most|"
                     r"highest|"
                     r"by|top|"
                     r"sorted\s+by)\s+(?:up\s+)?(?:all\s+)?(?:the\s+)?(?:most\s+|so\s+much\s+|too\s+much\s+|a\s+lot\s+of\s+|"
                     r"lots\s+of\s+)?(?P<s>cpu|memory|ram|mem)\b",
                     t.protected, _I)
    sort = sort or re.search(r"\b(?P<s>cpu|memory|ram|mem)\s+(?:consumers?|users?|hogs?|eaters?|heavy|intensive|hungry|"
                             r"gobblers?|pigs?)\b|\b(?:biggest|largest|heaviest|hungriest|greediest|worst)\s+"
                             r"(?P<s2>cpu|memory|ram|mem)\b", t.protected, _I)
    top = re.search(r"\btop\s+(?P<n>\d{1,4})\b|\btop\s+(?:processes|procs)\b|\b(?:busiest|heaviest|hungriest)\b"
                    r"|\b(?:the|first|which|what)\s+(?P<n2>\d{1,4})\s+(?:biggest|largest|heaviest|hungriest|greediest|busiest|"
                    r"worst|most|processes|procs)\b", t.protected, _I)
    if (sort is not None or top is not None) and re.search(r"\b(?:kill|terminate|end|stop|pkill)\b", t.protected, _I):
        return Reading("process.kill", {}, [], "kill + busiest-process words (it asks which process)")
    if sort is None and top is None:
        return None
    params: dict[str, object] = {}
    consumed = []
    if sort is not None:
        word = sort.group("s") or sort.groupdict().get("s2") or ""
        params["sort"] = "cpu" if word.lower() == "cpu" else "memory"
        consumed.append(sort.span())
    if top is not None:
        if top.group("n") or top.group("n2"):
            params["count"] = int(top.group("n") or top.group("n2"))
        consumed.append(top.span())
    consumed += [x.span() for x in re.finditer(r"\b(?:processes|procs|process)\b", t.protected, _I)]
    return Reading("process.top", params, consumed, "busiest-process words")


def read(text: str) -> tuple[Reading, str] | None:
    """The first family reading of ``text`` and the request's remaining words (for targets), or None."""
    t = _Text(text)
    for reader in _READERS:
        found = reader(t)
        if found is not None:
            return found, t.rest(found.consumed)
    return None


# the readers of files and accounts register after the ones above (the first reader that reads a request wins)
from app.planner import readers_files  # noqa: E402,F401
