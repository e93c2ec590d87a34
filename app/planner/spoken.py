"""Dictated requests in written form: what speech-to-text (or a phone call typed up) makes of a request.

"ping web oh five", "port fifty four thirty two", "slash var slash log slash syslog", "c colon backslash temp",
"h t t p s colon slash slash repo dot example dot com", "quote df dash h unquote". Each spoken form is
rewritten only where its context says it is one: a host name the fleet has, a number after 'port' or before
'lines' (or several number words in a row), a symbol word next to a word. Written requests pass unchanged.
"""
from __future__ import annotations

import re

from app.planner.lexer import VERBS
from app.planner.objects import CANONICAL_SERVICES, KNOWN_OBJECTS, WINDOWS_PACKAGES
from app.planner.rewrite import Lazy
from app.planner.vocabulary import Vocabulary

FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "erm", "hmm", "mhm"})
UNITS = {"zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9}
TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
         "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
SYMBOLS = {"slash": "/", "backslash": "\\", "colon": ":", "dot": ".", "underscore": "_", "dash": "-",
           "hyphen": "-", "star": "*", "asterisk": "*", "tilde": "~"}
# a single number word is a number only next to these ("port eighty", "fifty lines", "older than thirty days")
NUM_BEFORE = frozenset({"port", "ports", "top", "than", "count"})
NUM_AFTER = frozenset({"lines", "line", "days", "day", "processes", "procs", "entries", "events", "results",
                       "percent", "hours", "minutes"})
# spelled-out letters that form a word ("h t t p s", "d n s"); a host stem or a known name qualifies too
ACRONYMS = frozenset({"http", "https", "ftp", "sftp", "ssl", "tls", "dns", "ssh", "sshd", "iis", "sql", "cpu",
                      "rdp", "smb", "nfs", "vm", "db", "ntp", "ldap", "smtp", "tcp", "udp", "url", "api", "pid"})
# words that open and close a dictated quotation
_OPEN = ("quote", "open quote", "begin quote")
_CLOSE = ("unquote", "end quote", "close quote", "end of quote")
_TOKEN = re.compile(r"[\"'“”‘’][^\"'“”‘’]*[\"'“”‘’]|[^\s]+")
_EDGE = Lazy(r"^(?P<lead>[(\[]*)(?P<word>.*?)(?P<trail>[,.?!;:)\]]*)$", re.DOTALL)
_MARKER_WORDS = frozenset([*FILLERS, *UNITS, *TEENS, *TENS, *SCALES, *SYMBOLS, "quote", "won", "backslash"])
_MARKER_SHAPES = re.compile(r"\b[a-z]\s+[a-z]\b|\b[a-z]+\s+\d{1,4}\b", re.IGNORECASE)  # "i i s", "cis 01"
# symbols that join the word before them ("error dot log", "c colon", "svc underscore backup"); a slash after a
# word starts a path ("search slash var slash log")
_GLUE_LEFT = frozenset({"colon", "dot", "underscore"})
# what speech-to-text makes of names it does not know
MISHEARD = {"engine x": "nginx", "engine-x": "nginx", "my sequel": "mysql", "post gres": "postgres",
            "postgres sequel": "postgresql", "postgre sequel": "postgresql", "red is": "redis",
            "cron tab": "crontab", "sis log": "syslog"}
_MISHEARD = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in MISHEARD) + r")\b", re.IGNORECASE)
_STOP = frozenset({"on", "in", "from", "to", "into", "and", "or", "the", "a", "an", "for", "of", "at", "with",
                   "then", "is", "are", "it", "please", "via", "under", "as"})


class _Tok:
    __slots__ = ("word", "lead", "trail", "quoted")

    def __init__(self, raw: str):
        self.quoted = raw[:1] in "\"'“”‘’" and len(raw) > 1 and raw[-1:] in "\"'“”‘’"
        m = _EDGE.match(raw)
        self.lead, self.word, self.trail = (("", raw, "") if self.quoted or m is None
                                            else (m["lead"], m["word"], m["trail"]))

    @property
    def low(self) -> str:
        return "" if self.quoted else self.word.lower()

    def text(self) -> str:
        return f"{self.lead}{self.word}{self.trail}"


def written(text: str, vocab: Vocabulary) -> str:
    """``text`` with its spoken forms written out (unchanged when it has none)."""
    text = _MISHEARD.sub(lambda m: MISHEARD[m.group(0).lower()], text)
    if _MARKER_WORDS.isdisjoint(re.findall(r"[a-z]+", text.lower())) and not _MARKER_SHAPES.search(text):
        return text
    return "\n".join(_line(line, vocab) for line in text.split("\n"))


def _line(line: str, vocab: Vocabulary) -> str:
    raw = [_Tok(r) for r in _TOKEN.findall(line)]
    before = " ".join(t.text() for t in raw)
    toks = [t for t in raw if t.low not in FILLERS]
    if len(toks) >= 2 and toks[0].low == "so" and toks[1].low == "yeah":
        toks = toks[2:]
    toks = _quotations(_numbers(_letters(toks, vocab), vocab))
    out = " ".join(t.text() for t in _symbols(toks) if t.text())
    return line if out == before or not out.strip() else out


def _letters(toks: list[_Tok], vocab: Vocabulary) -> list[_Tok]:
    """Spelled-out letters joined: "h t t p s" -> https, "i i s oh two" -> iis oh two, "win r m" -> winrm."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        j = i
        while j < len(toks) and len(toks[j].low) == 1 and toks[j].low.isalpha() and not toks[j].lead \
                and (j == i or not toks[j - 1].trail):
            j += 1
        if j - i >= 2:
            joined = "".join(t.word for t in toks[i:j]).lower()
            prev = out[-1].low if out else ""
            if prev and prev + joined in _NAMES:
                out[-1].word = prev + joined
                out[-1].trail = toks[j - 1].trail
                i = j
                continue
            if joined in ACRONYMS or _is_stem(joined, toks[j:], vocab):
                tok = toks[j - 1]
                tok.word = joined
                tok.lead = toks[i].lead
                out.append(tok)
                i = j
                continue
        out.append(toks[i])
        i += 1
    return out


_NAMES = frozenset(CANONICAL_SERVICES) | frozenset(n.lower() for n in KNOWN_OBJECTS) | WINDOWS_PACKAGES


def _number_run(toks: list[_Tok], i: int, after_stem: bool) -> int:
    """The end (exclusive) of the number words starting at ``i`` ("oh" and "point" only between numbers)."""
    j = i
    while j < len(toks):
        low = toks[j].low
        prev = toks[j - 1].low if j > i else ""
        nxt = toks[j + 1].low if j + 1 < len(toks) else ""
        if not _number_word(low, prev, nxt, first=j == i, after_stem=after_stem):
            break
        if toks[j].trail and j + 1 < len(toks):
            return j + 1
        j += 1
    while j > i and toks[j - 1].low in ("point", "and"):
        j -= 1
    return j


def _number_word(low: str, prev: str, nxt: str, *, first: bool, after_stem: bool) -> bool:
    """Whether ``low`` continues a run of number words ("oh", "point", "and" and homophones only in place)."""
    numeric = (UNITS, TEENS, TENS)
    return (low in TEENS or low in TENS or low in SCALES or (low in UNITS and low != "oh")
            or (low == "oh" and (not first or after_stem or nxt in UNITS or nxt in ("for", "fore")))
            or (low in ("for", "fore") and prev in ("oh", "zero"))
            or (low == "won" and after_stem and first)
            or (low == "point" and not first and any(nxt in d for d in numeric))
            or (low == "and" and prev in SCALES and any(nxt in d for d in numeric)))


def _digits(words: list[str]) -> str:
    """Number words as digits: "fifty four thirty two" -> 5432, "two hundred" -> 200, "one point two" -> 1.2."""
    parts: list[list[str]] = []
    part: list[str] = []
    for w in words:
        if w == "point":
            parts.append(part)
            part = []
        else:
            part.append(w)
    parts.append(part)
    return ".".join(_group_digits(p) for p in parts)


def _group_digits(words: list[str]) -> str:
    words = [w for w in words if w != "and"]
    if any(w in SCALES for w in words):
        total = current = 0
        for w in words:
            if w == "thousand":
                total += (current or 1) * 1000
                current = 0
            elif w == "hundred":
                current = (current or 1) * 100
            else:
                current += _value(w)
        return str(total + current)
    out, k = "", 0
    while k < len(words):
        w = words[k]
        if w in TENS and k + 1 < len(words) and words[k + 1] in UNITS and _value(words[k + 1]) > 0:
            out += str(TENS[w] + _value(words[k + 1]))
            k += 2
            continue
        out += str(_value(w))
        k += 1
    return out


def _value(word: str) -> int:
    if word in ("for", "fore"):
        return 4
    if word == "won":
        return 1
    return UNITS.get(word, TEENS.get(word, TENS.get(word, 0)))


def _host(stem: str, digits: str, vocab: Vocabulary) -> str | None:
    if not digits.isdigit() or not stem.isalnum():
        return None
    return vocab.host(f"{stem}-{digits}") or vocab.host_variant(f"{stem}-{digits}")


def _is_stem(word: str, rest: list[_Tok], vocab: Vocabulary) -> bool:
    if rest and rest[0].low in ("dash", "hyphen"):
        rest = rest[1:]
    end = _number_run(rest, 0, after_stem=True)
    return end > 0 and _host(word, _digits([t.low for t in rest[:end]]), vocab) is not None


def _numbers(toks: list[_Tok], vocab: Vocabulary) -> list[_Tok]:
    """Spoken host names ("web oh one" -> web-01) and numbers in a number's place ("port eighty" -> port 80)."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        stem_end = i + 1
        if stem_end < len(toks) and toks[stem_end].low in ("dash", "hyphen") and not tok.trail:
            stem_end += 1
        if tok.low.isalpha() and not tok.trail and stem_end < len(toks) \
                and re.fullmatch(r"\d{1,4}", toks[stem_end].low):
            name = _host(tok.low, toks[stem_end].low, vocab)  # "cis 01", "app 3": a host, typed with a space
            if name:
                tok.word, tok.trail = name, toks[stem_end].trail
                out.append(tok)
                i = stem_end + 1
                continue
        end = _number_run(toks, stem_end, after_stem=True) if tok.low.isalnum() and not tok.trail else stem_end
        if end > stem_end:
            name = _host(tok.low, _digits([t.low for t in toks[stem_end:end]]), vocab)
            if name:
                tok.word, tok.trail = name, toks[end - 1].trail
                out.append(tok)
                i = end
                continue
        end = _number_run(toks, i, after_stem=False)
        if end > i:
            words = [t.low for t in toks[i:end]]
            prev = out[-1].low if out else ""
            nxt = toks[end].low if end < len(toks) else ""
            several = len([w for w in words if w not in ("point", "and")]) >= 2
            if several or "point" in words or prev in NUM_BEFORE or nxt in NUM_AFTER \
                    or (words[0] in SCALES and prev in ("last", "first")):
                first, last = toks[i], toks[end - 1]
                first.word, first.trail = _digits(words), last.trail
                out.append(first)
                i = end
                continue
        out.append(tok)
        i += 1
    return out


def _quotations(toks: list[_Tok]) -> list[_Tok]:
    """quote ... unquote (or end quote): the words between, as one quoted value."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        opened = _phrase_at(toks, i, _OPEN)
        if opened:
            close = next(((k, n) for k in range(i + opened, len(toks))
                          if (n := _phrase_at(toks, k, _CLOSE))), None)
            if close is not None and close[0] > i + opened:
                inner = " ".join(t.text() for t in _symbols(toks[i + opened:close[0]]))
                tok = toks[close[0] + close[1] - 1]
                tok.lead, tok.word = toks[i].lead, f'"{inner}"'
                tok.quoted = True
                out.append(tok)
                i = close[0] + close[1]
                continue
        out.append(toks[i])
        i += 1
    return out


def _phrase_at(toks: list[_Tok], i: int, phrases: tuple[str, ...]) -> int:
    for phrase in sorted(phrases, key=len, reverse=True):
        words = phrase.split()
        if [t.low for t in toks[i:i + len(words)]] == words:
            return len(words)
    return 0


def _symbols(toks: list[_Tok]) -> list[_Tok]:
    """Symbol words glued to their neighbours: "slash var slash log" -> /var/log, "df dash h" -> df -h."""
    toks = _merged_words(toks)
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.low not in SYMBOLS:
            out.append(tok)
            i += 1
            continue
        glue_left = bool(out) and out[-1].low not in _STOP and out[-1].low not in VERBS and not out[-1].trail \
            and out[-1].low not in SYMBOLS and not out[-1].quoted and tok.low in _GLUE_LEFT
        if tok.low in _GLUE_LEFT and not glue_left:  # "install dot net": a word, not ".net"
            out.append(tok)
            i += 1
            continue
        value = ""
        j = i
        expect_symbol = True
        while j < len(toks):
            cur = toks[j]
            if cur.low in SYMBOLS:
                value += SYMBOLS[cur.low]
                expect_symbol = False
            elif not expect_symbol and not cur.quoted and cur.low not in _STOP:
                value += cur.word
                expect_symbol = True
            else:
                break
            j += 1
            if cur.trail:
                break
        if not expect_symbol and j == len(toks) and value in ("-", "--"):
            out.append(tok)
            i += 1
            continue
        lead = tok.lead
        if glue_left:
            left = out.pop()
            value, lead = left.word + value, left.lead
        if re.match(r"^[a-z]:\\", value):
            value = value[0].upper() + value[1:]
        last = toks[j - 1]
        last.lead, last.word = lead, value
        out.append(last)
        i = j
    return out


def _merged_words(toks: list[_Tok]) -> list[_Tok]:
    """'forward slash' is a slash, 'back slash' a backslash."""
    out: list[_Tok] = []
    for tok in toks:
        if out and tok.low == "slash" and out[-1].low in ("forward", "back") and not out[-1].trail:
            tok.word = "backslash" if out[-1].low == "back" else "slash"
            tok.lead = out.pop().lead
        out.append(tok)
    return out


_HOMOPHONES = {"too": "2", "to": "2", "two": "2", "for": "4", "fore": "4", "ate": "8"}
_SOUNDS_LIKE = Lazy(r"\b(?P<stem>[A-Za-z]+)\s+(?P<w>too|to|for|fore|ate)\s*[.!?]*\s*$",
                          re.IGNORECASE | re.MULTILINE)


def ambiguous(text: str, vocab: Vocabulary) -> str | None:
    """A question when a group's name ends the request followed by a word that sounds like a number: "restart
    nginx on web too" is every web host, or web-02 misheard."""
    for m in _SOUNDS_LIKE.finditer(text):
        stem, word = m["stem"].lower(), m["w"].lower()
        host = _host(stem, _HOMOPHONES[word], vocab)
        if host and vocab.group(stem):
            return (f"Did you mean {host}, or every host in {vocab.group(stem)} ('{m['stem']} {m['w']}')? "
                    f"Name the host, or say 'the {vocab.group(stem)} servers'.")
    return None
