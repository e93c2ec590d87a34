"""Hosts the writer says are not the target: "web-02 is fine, it's web-01 that's throwing 502s - restart php-fpm there",
"cis-01 was yesterday's problem; today it's cis-02", "Forget web-05, the dev db box needs it instead", "web-04 -> wrong
one. it's web-03", "the alert named db-02 but the real host is db-01", "not app-01, the windows app server". Read word
by word the host named first became a target too (a change on a host the writer ruled out).

The words that rule a host out are left out, so the request names only the hosts meant. "The other one" after a host
ruled out ("not iis-02, the other windows box") is asked about: which host that is, the writer knows and says.
"""
from __future__ import annotations

import re

from app.planner.lexer import HOSTLIKE_RX
from app.planner.vocabulary import Vocabulary

_I = re.IGNORECASE
_H = r"(?P<h>[A-Za-z][\w]*(?:-[\w]+)*-\d+[a-z]?)"
_END = r"\s*(?:[,;:!\n]+|\.+(?=\s|$)|\s[-–—]+|->|=>)\s*"
_FINE = (r"(?:fine|ok|okay|good|healthy|all\s+good|not\s+the\s+(?:problem|issue|one)|the\s+wrong\s+one|wrong|"
         r"yesterday'?s\s+problem|(?:already\s+)?done|not\s+affected|unaffected|just\s+the\s+[\w-]+\s+server)")
_RULED_OUT = (
    # "web-02 is fine, it's web-01 ...", "cis-01 was yesterday's problem; today it's cis-02", "file-01 is just the share
    # server, leave it alone; on cis-04 ..."
    re.compile(rf"(?:^|(?<=[.;!?\n]))\s*{_H}\s+(?:is|was|looks|seems|'s)\s+(?:\w+\s+)?{_FINE}\b(?:[^,;.\n]|\.(?=\S))*"
               rf"(?:{_END}(?:so\s+)?(?:leave\s+it(?:\s+alone)?|don'?t\s+touch\s+it){_END}?|{_END})", _I),
    # "web-01 already bounced by Tom, leave it", "db-04 has already been patched;"
    re.compile(rf"(?:^|(?<=[.;!?\n]))\s*{_H}\s+(?:(?:is|was|has\s+been|got|'s)\s+)?already\s+(?:been\s+)?\w+(?:\s+by\s+\w+)?"
               rf"(?:{_END}(?:so\s+)?(?:leave\s+it(?:\s+alone)?|don'?t\s+touch\s+it|skip\s+it){_END}?|{_END})", _I),
    # "Forget web-05, ...", "skip db-01;"
    re.compile(rf"(?:^|(?<=[.;!?\n]))\s*(?:forget|skip|scratch|ignore)\s+(?:about\s+)?{_H}{_END}", _I),
    # "web-04 -> wrong one. it's web-03", "web-04: wrong box"
    re.compile(rf"(?:^|(?<=[.;!?\n]))\s*{_H}\s*(?:->|=>|:|-)?\s*(?:is\s+the\s+)?wrong\s+(?:one|host|box|server|machine)"
               rf"{_END}", _I),
    # "the alert named db-02 but the real host is db-01"
    re.compile(rf"\bthe\s+(?:alert|page|ticket|monitor(?:ing)?)\s+(?:named|said|says|shows|showed|mentions|mentioned)\s+"
               rf"{_H}\s*,?\s*but\s+", _I),
    # "not app-01, the windows app server - ...", "it's not db-01, it's db-02 - ..."
    re.compile(rf"(?:^|(?<=[.;!?\n]))\s*(?:it'?s\s+|its\s+)?not\s+(?:on\s+)?{_H}(?:{_END}|\s+but\s+)(?!\s*(?:the\s+)?other\b)",
               _I),
)
_OTHER = re.compile(rf"(?:^|(?<=[.;!?\n]))\s*(?:it'?s\s+|its\s+)?not\s+(?:on\s+)?{_H}(?:{_END}|\s+but\s+)"
                    r"(?:the\s+)?other\b", _I)
ASK = "You ruled one host out and named 'the other' one; which host is it? Name it as the inventory does."


def _host(word: str, vocab: Vocabulary) -> bool:
    return bool(vocab.host(word)) or bool(HOSTLIKE_RX.match(word.lower()))


def ruled_out(text: str, vocab: Vocabulary) -> str | None:
    """The request without the words that rule a host out, ``ASK`` for "not H, the other one", None when no host is
    ruled out."""
    m = _OTHER.search(text)
    if m and _host(m["h"], vocab):
        return ASK
    out = text
    for rx in _RULED_OUT:
        out = rx.sub(lambda m: m.group(0) if not _host(m["h"], vocab) else " ", out)
    return out.strip() if out != text else None
