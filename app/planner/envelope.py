"""What comes around a pasted request: mail headers and quoted replies, signatures and disclaimers, ticket fields,
chat timestamps and @mentions, alert labels. The lines that remain are joined with a line mark (``LINE``) that the
story filter (``app.planner.commentary``) reads as a sentence end; a line break is punctuation, never a smuggled
command separator (a value holding one is still refused).
"""
from __future__ import annotations

import re

LINE = "\x03"
_I = re.IGNORECASE
_DROP = re.compile(
    r"^(?:>.*|(?:from|sent|to|cc|bcc|date|reporter|assignee|status|labels?|priority|severity|component|created|"
    r"updated|resolution|sprint|story\s+points|watchers|environment\s+details|tel|phone|mobile|m|t|e|email|web|caller|"
    r"requester|rollback|back-?out(?:\s+plan)?|verification|validation|test\s+plan|impact|risk|justification|reason|"
    r"direct|office|fax|change|ref|reference|ticket|approved(?:\s+by)?|approver|cab)"
    r"\s*[:=].*|on\s.{0,80}\swrote:\s*|[-_=*]{3,}\s*|.*\b(?:confidential|intended\s+solely|intended\s+only|"
    r"unsubscribe|disclaimer|privileged)\b.*|sent\s+from\s+my\s.*|.*\|\s*.*\|\s*.*)$", _I)
# a sign-off line: "Thanks,", "Best regards", "Thanks, Maria" (a name after it: the mail ends there)
_SIGNATURE = re.compile(r"^(?:--|—|-- |(?:(?:best|kind|warm)(?:\s+regards)?|regards|cheers|thanks|thx|br|many\s+thanks|"
                        r"thank\s+you)(?:,?\s+(?-i:[A-Z])[\w.'-]*(?:\s+(?-i:[A-Z])[\w.'-]*)?)?[,.!]?)\s*$",
                        _I)
_TITLE_FIELDS = ("summary", "title", "subject")
_FIELD = re.compile(r"^(?P<field>summary|title|subject|description|details|request|ask|action(?:\s+required)?|steps?|"
                    r"affected\s+(?:ci|host|hosts|server|servers|system)|ci|host|hosts|server|instance|target)\s*[:=]\s*",
                    _I)
_CHAT = re.compile(r"^\s*(?:\[\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]m)?\s*\]\s*)?(?:[\w.-]+\s*:\s+(?=\S))?", _I)
_LEADING_TIME = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:utc|z|[ap]m))?\s+(?=\S)", _I)
# a chat line's time, then a host: "14:02 web-01 throwing 502s"
_STAMPED_HOST = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s+[A-Za-z][\w.-]*-\d+[a-z]?\s")
_MENTION = re.compile(r"(?<![\w@])@[\w.-]+:?")
# "INC0048213 | 14:02 | @priya.n users report ...": a line's leading fields (ticket, time, date, who, priority)
_FIELD_PREFIX = re.compile(r"^[ \t]*(?:(?:(?-i:[A-Z]{2,10})-?\d{3,}|#\d{3,}|\d{1,2}:\d{2}(?::\d{2})?|\d{4}-\d{2}-\d{2}"
                           r"|@[\w.-]+|P[1-5]|sev\s*[1-5])[ \t]*\|[ \t]*)+", re.I | re.M)
_SUBJECT_PREFIX = re.compile(r"^(?:(?:re|fwd?|aw|wg|tr)\s*:\s*)+", _I)
_ALERT = re.compile(r"^\s*(?:(?i:\[\s*(?:crit(?:ical)?|warn(?:ing)?|alert|firing|error|err|major|minor|page)"
                    r"(?:\s*:\s*\d+)?\s*\])\s+\S"
                    r"|\[?(?:firing|resolved|alert|critical|warning|warn|crit)\]?(?:\s*\[\d+\])?\s*:"
                    r"|(?:CRITICAL|ERROR|WARNING|FIRING|ALERT)\b)")  # "CRITICAL https://x returned 503" (a bot's line)
# A change's or incident's title line: "CHG0042050 - push new nginx snippet"
_TICKET_TITLE = re.compile(r"^\s*(?:INC|CHG|RITM|REQ|PRB|SCTASK|TASK|OPS|JIRA|CR|WO|SR)-?\d{3,}\s*[-:–—]\s+\S", _I)
# hosts an alert or a title names ("instance=db-02" -> "on db-02"): kept as a line the story filter can use
_NAMED_HOST = re.compile(r"\bon\s+(?P<h>[A-Za-z][\w.-]*\d[\w.-]*(?:\s*(?:,|and|&)\s*[A-Za-z][\w.-]*\d[\w.-]*)*)", _I)
_ALERT_LABEL = re.compile(r"\b(?:instance|host|hostname|node|server)=(?P<h>[A-Za-z][\w.-]*?)(?::\d+)?(?=[\s,}]|$)"
                          r"|\b(?:mountpoint|path|file)=(?P<p>/\S*|[A-Za-z]:\\\S*)"
                          r"|\b(?:container|container_name)=(?P<c>[\w.-]+)", _I)  # "container=payments-worker"


# One line: an alert's tag and text, then what to do ("[WARN] 02:31 host mon-01 unreachable for 3m. ping it")
_HEADLINE = re.compile(r"^\s*(?P<alert>\[\s*(?:crit(?:ical)?|warn(?:ing)?|alert|firing|error|err|major|minor|page)"
                       r"(?:\s*:\s*\d+)?\s*\][^\n]*?)(?:\s+[-–—/]{1,2}\s+|[.!]\s+)(?P<ask>\S[^\n]*)$", _I)
_THAT_CONTAINER = re.compile(r"\b(?:that|this|the)\s+container\b(?!\s+(?:called|named)\b|\s*[\"'])", _I)
_PATHISH = re.compile(r"(?<![\w:])(?:/[\w.-]+)+/?|\b[A-Za-z]:\\[^\s,;]*")
# a host name as monitoring writes it, in an alert's text
_ALERT_HOST = re.compile(r"(?<![\w./:\\-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-\d+[a-z]?(?![\w./:\\-])")


def _line(raw: str) -> str | None:
    line = raw.strip()
    if not line or _DROP.match(line):
        return None
    line = _CHAT.sub("", line, count=1) if re.match(r"^\s*\[\s*\d", line) else line
    field = _FIELD.match(line)
    if field is not None:
        rest = line[field.end():]
        kind = field.group("field").lower()
        line = f"on {rest}" if kind.startswith(("affected", "ci", "host", "server", "instance", "target")) else rest
    line = _SUBJECT_PREFIX.sub("", line)
    line = _MENTION.sub(" ", line)
    line = _ALERT_LABEL.sub(lambda m: f" on {m['h']} " if m["h"] else f' "{m["c"]}" container ' if m["c"]
                            else f" {m['p']} ", line)
    return line.strip() or None


_SPEAKER = re.compile(r"^\s*\[\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]m)?\s*\]\s*(?P<who>[\w.-]+)\s*:", _I)


def _others_in_chat(raws: list[str]) -> list[bool]:
    """For a pasted chat ("[09:09] hr-bot: Leaver: jdoe ...", "[09:10] tam: @oncall does jdoe still exist on db-01?"):
    which lines someone other than the asker wrote (context, like an alert: their hosts are kept for an ask that
    names none). The asker: whoever @mentions someone, else the last speaker. A line without a speaker continues the
    speaker before it. All False when the text is no chat of two speakers or more."""
    speakers: list[str | None] = []
    current: str | None = None
    for raw in raws:
        m = _SPEAKER.match(raw)
        current = m["who"].lower() if m else current
        speakers.append(current)
    named = {who for who in speakers if who}
    if len(named) < 2:
        return [False] * len(raws)
    askers = {who for raw, who in zip(raws, speakers, strict=True) if who and _MENTION.search(raw)}
    if not askers:
        askers = {next(who for who in reversed(speakers) if who)}
    return [who is not None and who not in askers for who in speakers]


# a ticket's fields on one line, apart by "|": one field a line, as a ticket shows them
_PIPED_FIELD = re.compile(r"[ \t]*\|[ \t]*(?=(?:summary|title|subject|description|details|priority|affected\s+"
                          r"(?:ci|hosts?|servers?|systems?)|impact|urgency|category|caller|requester|state|status|assignment\s+group)"
                          r"\s*:)", _I)


def unwrap(text: str) -> str:
    """The lines of ``text`` that carry the request, joined by ``LINE``. A one-line request only loses its chat
    decorations (timestamp, speaker, @mentions)."""
    text = _PIPED_FIELD.sub("\n", _FIELD_PREFIX.sub("", text))  # "Summary: X | Description: Y | Affected CI: db-02"
    if "\n" not in text and "\r" not in text:
        headline = _HEADLINE.match(text)
        if headline is not None:  # "[CRIT] 05:20 nginx web-01 -- check nginx status, ...": the alert, then the ask
            text = f"{headline['alert']}\n{headline['ask']}"
        else:
            chat = re.match(r"^\s*\[\s*\d", text) or "@" in text or _STAMPED_HOST.match(text)
            # "@here 14:02 web-01 throwing 502s, ...": the time a chat line was written, before what it says
            return _LEADING_TIME.sub("", _MENTION.sub(" ", _CHAT.sub("", text, count=1))) if chat else text
    lines: list[tuple[str, str]] = []  # (kind, line): title, alert or body
    raws = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for raw, aside in zip(raws, _others_in_chat(raws), strict=True):
        if _SIGNATURE.match(raw.strip()) and lines:
            break  # a signature: nothing after it is the request
        field = _FIELD.match(raw.strip())
        alert = aside or _ALERT.match(raw.strip()) \
            or _ALERT.match(_MENTION.sub("", _CHAT.sub("", raw.strip(), count=1)).strip())
        kind = "alert" if alert else \
            "title" if (field is not None and field.group("field").lower() in _TITLE_FIELDS) or (
                not lines and (_TICKET_TITLE.match(raw) or _SUBJECT_PREFIX.match(raw.strip()))) else "body"
        line = _line(raw)
        if line is not None:
            lines.append((kind, line))
    if any(kind == "body" for kind, _ in lines):  # a title or an alert says what the body asks: the body is the ask
        named = dict.fromkeys(h for kind, line in lines if kind != "body" for m in _NAMED_HOST.finditer(line)
                              for h in re.split(r"\s*(?:,|\band\b|&)\s*", m["h"]) if h)
        named.update(dict.fromkeys(m.group(0) for kind, line in lines if kind == "alert"
                                   for m in _ALERT_HOST.finditer(line)))  # "host mon-01 unreachable for 3m"
        if not any(_PATHISH.search(line) for kind, line in lines if kind == "body"):  # "... -- check the cert"
            paths = [m.group(0) for kind, line in lines if kind == "alert" for m in _PATHISH.finditer(line)]
            first = next(i for i, (kind, _) in enumerate(lines) if kind == "body")
            if len(paths) == 1:  # the one file the alert is about
                lines[first] = ("body", f"{lines[first][1]} {paths[0]}")
        alerts = [(kind, line) for kind, line in lines if kind == "alert"]
        lines = [(kind, line) for kind, line in lines if kind == "body"]
        if named:  # "FIRING ... instance=db-02" then "check disk on /var for that box": where, if the ask names none
            lines.append(("body", "on " + " ".join(named)))
        containers = {m.group(1) for kind, line in alerts for m in re.finditer(r'"([\w.-]+)" container', line)}
        if len(containers) == 1:  # "ContainerDown container=payments-worker" then "bounce that container"
            lines = [(kind, _THAT_CONTAINER.sub(f'the container "{next(iter(containers))}"', line))
                     for kind, line in lines]
    return f" {LINE} ".join(line for _, line in lines)
