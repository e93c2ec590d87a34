"""Markdown in a chat message or ticket, read as the plain request it formats.

Bullets and numbered lists are steps, headings and emphasis are words, emoji and @mentions are nothing, a fenced
code block holds hosts, a path, labelled values (name: / source: / path:) or a command, and a table holds hosts
that "the hosts above" or "as per the table" then name. Inline code around one plain name (`nginx`, `db-01:5432`)
is that name; inline code with spaces or shell characters stays quoted (a command).
"""
from __future__ import annotations

import re

from app.planner.rewrite import Lazy
from app.planner.vocabulary import Vocabulary

_I = re.IGNORECASE
_GATE = re.compile(r"```|\*\*|~~|^\s*\||^\s*#{1,6}\s|^\s*(?:[-*+•]|\d+[.)])\s|(?<![\w:]):[a-z0-9_+\-]{2,40}:(?![\w:])"
                   r"|(?<![\w.])@[A-Za-z]|`|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]", re.MULTILINE)
_FENCE = Lazy(r"```[\w+#.-]*[ \t]*\n?(?P<body>.*?)\n?[ \t]*```", re.DOTALL)
_EMOJI = Lazy(r"(?<![\w:/\\]):[a-z0-9_+\-]{2,40}:(?![\w:\\/])|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF"
                    r"\uFE0F\u200D]")
_MENTION = Lazy(r"(?<![\w.@])@[A-Za-z][\w.-]*\b")
_BULLET = Lazy(r"^[ \t]*(?:[-*+•]|\d{1,2}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?", re.MULTILINE)
_HEADING = Lazy(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_BOLD = Lazy(r"\*\*(?P<t>[^*\n]+?)\*\*|(?<![\w_])__(?P<u>[^_\n]+?)__(?![\w_])")
_STRUCK = Lazy(r"~~[^~\n]+~~")
_ITALIC = Lazy(r"(?<![\w*])\*(?P<t>[A-Za-z][A-Za-z ]{0,40}[A-Za-z])\*(?![\w*])")  # *everything*, not *.log
_INLINE = Lazy(r"(?<![\w`])`(?P<t>[^`\n]+)`(?![\w`])")  # next to a word it is no markup: it smuggles
_RUN_THIS = Lazy(r"\^?\s*\b(?P<v>run|execute|exec)\b(?:\s+(?:this|that|it|these|the\s+following|the\s+below|"
                       r"below|the\s+command(?:\s+below)?)\b)?", _I)
_PLAIN_TOKEN = Lazy(r"^[A-Za-z0-9_.@+:\-/\\$]+$")
_RUN_WORDS = Lazy(r"\b(?:run|execute|exec|invoke|type|paste|command|cmd|powershell|bash|shell)\b", _I)
_KEYS = ("name", "app", "application", "source", "src", "from", "path", "dest", "destination", "target", "to",
         "version", "package", "service", "port", "url", "user", "pattern", "line")
_KV = Lazy(r"^\s*[-*]?\s*(?P<k>" + "|".join(_KEYS) + r")\s*[:=]\s*(?P<v>\S.*?)\s*$", _I)
_HOSTS_LINE = Lazy(r"^\s*(?:hosts?|servers?|targets?|machines?|boxes)\s*[:=]\s*(?P<v>.+)$", _I)
_REFERENCE = Lazy(
    r"\b(?:on\s+|to\s+|from\s+)?(?:all\s+(?:of\s+)?)?(?:the\s+|these\s+|those\s+|both\s+(?:of\s+)?)?"
    r"(?:(?:hosts?|servers?|boxes|machines|nodes|ones)\s+(?:in|from|of)\s+the\s+(?:table|list|block)"
    r"|(?:hosts?|servers?|boxes|machines|nodes|ones)\s+(?:above|below|listed(?:\s+(?:above|below))?)"
    r"|(?:hosts?|servers?|boxes|machines|nodes)(?=\s*[:.!?]|\s*$)"
    r"|(?:of\s+)?(?:the\s+)?above|as\s+per\s+the\s+(?:table|list)|(?:these|those|them)(?:\s+(?:all|two|three))?"
    r"(?=\s*[:.!?,]|\s+(?:please|pls|thanks)\b|\s*$))", _I)


# "mon-01: 1) docker ps 2) docker restart grafana 3) curl -I URL": numbered steps on one line
# "Step 1: check ... Step 2: list ...": the same, with the word
_INLINE_STEP = re.compile(r"(?:(?<=^)|(?<=[\s:>(–—.])|(?<=(?<![\w.])-))"
                          r"(?:(?:step|stage)\s*(?P<s>\d{1,2})\s*[:.)\-–—]|(?P<n>\d{1,2})[.)])\s+(?=\S)", re.IGNORECASE)
_STEP_WORD = re.compile(r"\b(?:step|stage)\s*1\b", re.IGNORECASE)


def _number(m: re.Match[str]) -> int:
    return int(m["n"] or m["s"])


def inline_steps(text: str) -> str:
    """Steps numbered 1), 2), ... (or 1. 2. ..., or Step 1: Step 2: ...) inside one line, as instructions one after
    the other."""
    if "1" not in text or ("1)" not in text and "1." not in text and not _STEP_WORD.search(text)):
        return text
    marks = list(_INLINE_STEP.finditer(text))
    numbers = [_number(m) for m in marks]
    start = next((i for i, n in enumerate(numbers) if n == 1), None)
    if start is None:
        return text
    run = [marks[start]]
    for m in marks[start + 1:]:
        if _number(m) == _number(run[-1]) + 1:
            run.append(m)
    if len(run) < 2:
        return text
    out, last = [], 0
    for i, m in enumerate(run):
        out.append(text[last:m.start()].rstrip(" ,;" if i == 0 else " ,;."))  # a sentence before step 1 stays one
        out.append(" " if i == 0 else "; then ")
        last = m.end()
    return "".join(out) + text[last:]


def plain(text: str, vocab: Vocabulary) -> str:
    """``text`` without its markdown (unchanged when it has none)."""
    text = inline_steps(text)
    if not _GATE.search(text):
        return text
    hosts: list[str] = []
    commands: list[str] = []
    out = _STRUCK.sub(" ", text)
    out = _FENCE.sub(lambda m: _block(m.group("body"), vocab, hosts, commands), out)
    out = _tables(out, vocab, hosts)
    out = _labelled_lines(_HEADING.sub("", _BULLET.sub("", out)))
    out = _ITALIC.sub(r"\g<t>", _BOLD.sub(lambda m: m.group("t") or m.group("u"), out))
    out = _MENTION.sub(" ", _EMOJI.sub(" ", out))
    out = _INLINE.sub(lambda m: _inline(m, out), out)
    for i, command in enumerate(commands):  # "run this on db-01:" + a fenced command: run "the command" on db-01
        quoted = f'"{command}"' if '"' not in command else f"'{command}'"
        hole = f"\x04{i}\x04"
        run = _RUN_THIS.search(out)
        if run is not None:
            out = out.replace(hole, " ")
            out = f"{out[:run.start()]} {run['v']} {quoted} {out[run.end():]}"
        else:
            out = out.replace(hole, f" {quoted} ")
    if hosts:
        named = ", ".join(dict.fromkeys(hosts))
        out, n = _REFERENCE.subn(f" on {named} ", out, count=1)
        if not n:
            out = f"{out.rstrip()} on {named}"
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def _host(word: str, vocab: Vocabulary) -> str | None:
    return vocab.host(word.strip(" ,;|*`"))


def _block(body: str, vocab: Vocabulary, hosts: list[str], commands: list[str]) -> str:
    """A fenced block: hosts (kept for a reference to them), labelled values, a path or a command (quoted)."""
    lines = [ln.strip() for ln in body.strip().splitlines() if ln.strip()]
    if not lines:
        return " "
    words = [w for ln in lines for w in re.split(r"[\s,;]+", _HOSTS_LINE.sub(r"\g<v>", ln)) if w]
    found = [_host(w, vocab) for w in words]
    if words and all(found):
        hosts.extend(h for h in found if h)
        return " "
    labelled = [_KV.match(ln) for ln in lines]
    if all(labelled):
        return " " + ", ".join(f"{m['k'].lower()} {m['v']}" for m in labelled if m) + " "
    if len(lines) == 1 and re.match(r"^(?:/|[A-Za-z]:\\|\\\\|https?://)\S*$", lines[0]):
        return f" {lines[0]} "
    commands.append("\n".join(lines))
    return f" \x04{len(commands) - 1}\x04 "


def _labelled_lines(text: str) -> str:
    """Consecutive 'name: x' / 'source: y' / 'path: z' lines are one list of values: "name x, source y, path z"."""
    out: list[str] = []
    run: list[str] = []
    for line in [*text.split("\n"), ""]:
        m = _KV.match(line)
        if m is not None and line.strip():
            run.append(f"{m['k'].lower()} {m['v']}")
            continue
        if run:
            out.append(", ".join(run) if len(run) > 1 else line_of(run[0]))
            run = []
        out.append(line)
    return "\n".join(out[:-1])


def line_of(value: str) -> str:
    key, _, rest = value.partition(" ")
    return f"{key}: {rest}"


def _tables(text: str, vocab: Vocabulary, hosts: list[str]) -> str:
    """Markdown tables are dropped; the hosts in them are kept for a reference ("the hosts in the table")."""
    kept: list[str] = []
    for line in text.split("\n"):
        if not re.match(r"^\s*\|.*\|\s*$", line):
            kept.append(line)
            continue
        cells = [c.strip(" *`") for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue
        hosts.extend(h for c in cells if (h := _host(c, vocab)))
    return "\n".join(kept)


def _inline(m: re.Match[str], text: str) -> str:
    """`nginx` is the name nginx; `df -h` (spaces, shell characters) or code after 'run' stays quoted."""
    inner = m.group("t").strip()
    line_start = text.rfind("\n", 0, m.start()) + 1
    before = text[line_start:m.start()]
    if _PLAIN_TOKEN.match(inner) and not _RUN_WORDS.search(before):
        return inner
    return m.group(0)
