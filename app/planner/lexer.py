"""Lexer of the rule planner: protects quoted strings, URLs and paths, then classifies words.

Every table is a dict or a precompiled regex built once; classifying a word is a dict lookup.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from app.planner.objects import KNOWN_OBJECTS
from app.planner.vocabulary import HOST_NOUNS, OS_WORDS, PLURAL_HOST_NOUNS, Vocabulary

# Windows paths keep inner spaces ("C:\\Program Files\\Acme\\app.exe"): a segment followed by a backslash may
# contain single spaces; the last segment ends at the first space
# A last segment goes on over capitalised words ("D:\\Shared Data on file-01", "\\\\file-01\\Finance Reports"): a
# folder's name as Explorer shows it; a lower-case word, a drive, a dotted name or a sentence word ends it
_STOP = r"On|In|At|For|From|To|And|Then|Please|Pls|Thanks|Via|With|Using|Or|But|If|When|Is|Are|Was|It|The|A|An|I|We"
_TITLE_WORDS = (r"(?:\s(?![A-Za-z]:)(?!(?:" + _STOP + r"|Also|Now|Asap|ASAP|Thx|Ty)\b)[A-Z][A-Za-z0-9_()&-]*"
                r"(?=$|[\s,\"'<>?!;:]|\.(?:\s|$)))*")
_LAST = r"(?:[^\s,\"'<>.]*(?=$|[\s,\"'<>?!;:])" + _TITLE_WORDS + r"|[^\s,\"'<>]*)"  # "web.config" ends there
_WIN_PATHS = (r"(?P<unc>\\\\(?:[^\\\s\"'<>,:]+(?: [^\\\s\"'<>,:]+)*\\)*" + _LAST + ")"
              r"|(?<![\w])(?P<win>[A-Za-z]:[\\/](?:[^\\\s\"'<>,:]+(?: [^\\\s\"'<>,:]+)*\\)*"
              # a last segment that is a known folder with spaces ("C:\\Program Files"), else up to the first space
              r"(?:(?:Program Files(?: \(x86\))?|Common Files|Windows NT|Windows Defender|Internet Explorer|"
              r"Microsoft SQL Server|Windows Kits)(?=$|[\s,\"'<>])|" + _LAST + "))")
WIN_PATH_RX = re.compile(_WIN_PATHS)
_SPANS = re.compile(
    r'"(?P<dq>[^"\n]*)"|“(?P<sq>[^”\n]*)”|(?<![\w])\'(?P<q1>[^\'\n]*)\'(?![\w])'
    r"|(?P<url>https?://[^\s\"'<>]+)|" + _WIN_PATHS +
    r"|(?<![\w\\/])(?P<drive>[A-Z]:)(?![\\/\w])"
    r"|(?<![\w.~:/\\-])(?P<posix>/[^\s,\"'<>]*)"
)
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])['’](?=(?:s|t|re|ve|ll|d|m)\b)")
# "1:9.6p1-3" (a version with its epoch) is one token; a "+" between spaces joins like "and"
_TOKENS = re.compile(r"__[qup]\d+__|\d+:\d[\w.+~\-]*|[A-Za-z0-9][A-Za-z0-9_.@+\-]*|[,;&?!]|(?<=\s)\+(?=\s)")
_URL_RX = re.compile(r"^https?://\S+$")
_PATH_RX = re.compile(r"^(?:[A-Za-z]:[\\/]|[A-Za-z]:$|\\\\|/)")
VERSION_RX = re.compile(r"^(?:\d+:)?v?\d+(?:\.[0-9A-Za-z]+)+(?:[-+~][0-9A-Za-z.]+)?$")
_COMPOUND = ("servers", "hosts", "boxes", "machines", "nodes")
HOSTLIKE_RX = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z]?$|^[a-z0-9-]+(?:\.[a-z0-9-]+){2,}$")

VERBS = {
    **dict.fromkeys(("restart", "restarts", "bounce", "recycle", "cycle", "reload", "reloaded", "restarted", "bounced",
                     "recycled", "reloads"), "restart"),
    **dict.fromkeys(("reboot", "reboots", "rebooted", "rbt"), "reboot"),
    **dict.fromkeys(("start", "launch"), "start"),
    **dict.fromkeys(("stop",), "stop"),
    **dict.fromkeys(("update", "upgrade", "patch", "updates", "upgrades", "updated", "upgraded", "patched", "upd",
                     "bump"), "update"),
    **dict.fromkeys(("install", "installs", "inst"), "install"),
    **dict.fromkeys(("remove", "uninstall", "purge", "delete", "erase", "removed", "uninstalled", "rm"), "remove"),
    **dict.fromkeys(("check", "verify", "test", "probe", "inspect", "query", "show", "get", "view", "report", "pull",
                     "control",
                     "grab",
                     "tell", "give", "display", "list", "find", "confirm", "see", "look", "hit"), "check"),
    **dict.fromkeys(("ping", "reach", "pinging"), "ping"),
    **dict.fromkeys(("copy", "cp", "transfer", "upload", "push", "download", "fetch"), "copy"),
    **dict.fromkeys(("enable",), "enable"),
    **dict.fromkeys(("disable",), "disable"),
    **dict.fromkeys(("replace",), "deploy"),
    **dict.fromkeys(("kill", "terminate", "pkill", "taskkill", "kil"), "kill"),
    **dict.fromkeys(("run", "execute", "exec"), "run"),
    **dict.fromkeys(("stat",), "stat"),
    **dict.fromkeys(("deploy", "rollout"), "deploy"),
}
PHRASES = {  # multi-word expressions -> (kind, value)
    ("shut", "down"): ("V", "stop"), ("shutdown",): ("V", "stop"), ("bring", "up"): ("V", "start"),
    ("bring", "down"): ("V", "stop"), ("spin", "up"): ("V", "start"), ("spin", "down"): ("V", "stop"),
    ("fire", "up"): ("V", "start"),
    ("turn", "on"): ("V", "start"), ("turn", "off"): ("V", "stop"), ("get", "rid", "of"): ("V", "remove"),
    ("make", "sure"): ("ENSURE", ""), ("ensure",): ("ENSURE", ""), ("but", "not"): ("EXCEPT", ""),
    ("other", "than"): ("EXCEPT", ""), ("apart", "from"): ("EXCEPT", ""), ("except", "for"): ("EXCEPT", ""),
    ("not", "on"): ("EXCEPT", ""), ("and", "then"): ("THEN", ""), ("after", "that"): ("THEN", ""),
    (",", "then"): ("THEN", ""), ("switch", "off"): ("V", "stop"), ("switch", "on"): ("V", "start"),
    (",", "and", "then"): ("THEN", ""), ("as", "well", "as"): ("CONJ", ""),
    ("disk", "space"): ("KW", "disk"), ("disk", "usage"): ("KW", "disk"), ("free", "space"): ("KW", "disk"),
    ("system", "info"): ("KW", "info"), ("system", "information"): ("KW", "info"), ("os", "version"): ("KW", "info"),
    ("memory", "usage"): ("KW", "info"), ("mem", "usage"): ("KW", "info"), ("ram", "usage"): ("KW", "info"),
    ("cpu", "usage"): ("KW", "info"), ("cpu", "load"): ("KW", "info"),
    ("up", "and", "running"): ("STATE", "running"), ("roll", "out"): ("V", "deploy"), ("is", "there"): ("FILL", ""),
}
_MAX_PHRASE = max(len(k) for k in PHRASES)
STATES = {
    **dict.fromkeys(("running", "active", "started"), "running"),
    **dict.fromkeys(("up", "alive", "reachable", "online", "responding", "pingable", "responsive", "accessible",
                     "available"), "up"),
    **dict.fromkeys(("installed", "present"), "installed"),
    **dict.fromkeys(("stopped", "down", "disabled"), "stopped"),
    **dict.fromkeys(("open", "listening", "listen", "opened"), "open"),
    **dict.fromkeys(("exist", "exists", "existing"), "exist"),
}
KEYWORDS = {
    **dict.fromkeys(("process", "processes", "proc", "procs", "pid"), "process"),
    **dict.fromkeys(("service", "services", "daemon", "daemons", "svc", "unit", "units"), "service"),
    **dict.fromkeys(("package", "packages", "pkg", "rpm", "deb"), "package"),
    **dict.fromkeys(("port", "ports", "tcp"), "port"),
    **dict.fromkeys(("disk", "disks", "df", "storage", "filesystem", "filesystems", "space", "usage", "full"), "disk"),
    **dict.fromkeys(("uptime", "info", "information", "informations", "facts", "memory", "ram", "cpu", "hardware",
                     "sysinfo", "specs",
                     "specifications", "cores", "cpus",
                     "load", "kernel", "os"), "info"),
    **dict.fromkeys(("file", "files", "directory", "folder", "path"), "file"),
    **dict.fromkeys(("app", "application", "executable", "binary", "exe", "release", "build", "msi"), "app"),
    **dict.fromkeys(("version", "versions", "ver"), "version"),
    **dict.fromkeys(("http", "https", "url", "website", "site", "endpoint", "webpage", "page"), "http"),
    **dict.fromkeys(("command", "cmd", "script", "shell"), "command"),
    **dict.fromkeys(("status", "state", "health", "sts"), "status"),
}
PREPS = frozenset(("on", "in", "across", "at", "for", "from", "to", "into", "onto", "via", "using", "with",
                   "against", "within", "of", "over", "throughout", "inside", "under", "beneath", "below"))
TARGET_PREPS = frozenset(("on", "in", "across", "at", "onto", "within", "throughout", "over", "inside", "against"))
CONJ = frozenset(("and", ",", "&", "+", "plus", "or", "also", "both"))
THEN = frozenset((";", "then", "afterwards", "afterward", "next", "finally", "lastly", "subsequently"))
EXCEPT = frozenset(("except", "excluding", "exclude", "besides", "minus", "without", "skip", "skipping", "not"))
ALL = frozenset(("all", "every", "each", "everything", "everywhere", "entire", "whole"))
VAGUE = frozenset(("something", "anything", "stuff", "things", "thing", "it", "them", "this", "that", "these",
                   "those", "one", "whatever", "everything"))
PRONOUNS = frozenset(("it", "them", "again", "its"))
FILLER = frozenset(["the", "a", "an", "please", "pls", "can", "could", "would", "will", "you", "u", "me", "us", "i",
                    "we", "want", "need", "needs", "like", "kindly", "now", "right", "asap", "quickly", "immediately",
                    "my", "our", "your", "their", "is", "are", "was", "were", "be", "been", "being", "do", "does",
                    "did", "if", "whether", "there", "how", "much", "many", "what", "whats", "which", "who", "when",
                    "where", "why", "hey", "hi", "hello", "ok", "okay", "thanks", "thank", "lets", "let", "go",
                    "ahead", "some", "any", "current", "currently", "still", "just", "hung", "stuck", "frozen",
                    "stale", "zombie", "runaway", "broken", "old", "new", "latest", "newest", "fresh", "again", "too",
                    "as", "well", "named", "called", "so", "left", "free", "sure", "gracefully", "safely", "soon",
                    "up-to-date", "available", "should", "shall", "may", "might", "must", "have", "has", "had",
                    "quick", "thx", "agian", "anyway", "real", "quickly", "someone", "somebody", "anyone",
                    "anybody", "folks", "guys", "team", "lately", "recently", "today", "tonight", "other", "others",
                    "gracefully", "forcefully", "carefully", "got", "gets", "plz", "pls", "actual", "first", "back",
                    "this", "that", "k", "kk", "ty", "cheers", "cool", "great", "nice", "perfect", "awesome",
                    # chat shorthand around a request: "fyi [Zabbix] ...", "btw", "imo", "afaik", "np", "tia"
                    "fyi", "btw", "imo", "imho", "afaik", "iirc", "np", "tia", "tbh", "ftr", "anywhere", "somewhere",
                    "though", "tho",  # "not web-02 though": a remark, not a host to leave out
                    "ended", "wound",  # "which version it ended up with": what it has now
                    # "do we know whether ...", "any idea if ... is even installed", "whether they're up"
                    "know", "idea", "even", "theyre", "theres", "landed", "gimme", "lemme", "idc", "prob",
                    # courtesy in other languages around a request: "bitte schnell", "muchas gracias", "Hola,"
                    "bitte", "schnell", "danke", "gracias", "muchas", "hola", "merci", "grazie", "prego", "obrigado",
                    "obrigada", "tack", "dziekuje", "ola", "olá", "oi", "bonjour", "salut", "hallo", "servus", "ciao",
                    "buongiorno", "hej", "moin", "valeu", "le", "les", "el", "los", "las", "des", "du", "der", "das",
                    # "I think I need to restart something": an opinion, never a name
                    "think",
                    # how many hosts a target names ("the two prod web servers"): app.planner.rules checks the
                    # count against the selection; "one"/"single" make a target singular (NOUN)
                    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]) \
    - VAGUE - PRONOUNS


@dataclass(slots=True)
class Tok:
    kind: str   # V ENSURE EXCEPT THEN CONJ PREP HOST GROUP ENV OS ALL NOUN KW STATE NUM VER PH FILL WORD
    value: str  # canonical value (verb, host name, keyword, ...)
    text: str   # the word as written


@dataclass(slots=True)
class Span:
    kind: str   # q (quoted text), u (url), p (path)
    value: str
    quoted: bool


def requote(span: Span) -> str:
    """A span as it was written: quoted text in quotes that do not clash with what it holds."""
    if not span.quoted:
        return span.value
    return f"'{span.value}'" if '"' in span.value and "'" not in span.value else f'"{span.value}"'


def protect(text: str) -> tuple[str, list[Span]]:
    """Replace quoted strings, URLs and paths by __<kind><n>__ placeholders."""
    spans: list[Span] = []

    def sub(m: re.Match) -> str:
        quoted = m.lastgroup in ("dq", "sq", "q1")
        value = m.group(m.lastgroup or 0)
        if not quoted and m.lastgroup != "drive":
            value = value.rstrip(".,;:!?)") if not value.endswith(":\\") else value
        kind = "u" if _URL_RX.match(value) else "p" if _PATH_RX.match(value) else "q"
        spans.append(Span(kind, value, quoted))
        return f" __{kind}{len(spans) - 1}__ "

    return _SPANS.sub(sub, _APOSTROPHE.sub("", text)), spans


def tokenize(text: str, vocab: Vocabulary) -> tuple[list[Tok], list[Span]]:
    protected, spans = protect(text)
    words = []
    for w in _TOKENS.findall(protected):
        if not w.startswith("__"):
            w = w.rstrip(".-") or w
        words.append(w)
    lows = [w.lower() for w in words]
    toks: list[Tok] = []
    i, n = 0, len(words)
    while i < n:
        for size in range(min(_MAX_PHRASE, n - i), 0, -1):
            hit = PHRASES.get(tuple(lows[i:i + size]))
            if hit:
                toks.append(Tok(hit[0], hit[1], " ".join(words[i:i + size])))
                i += size
                break
        else:
            tok = classify(words[i], lows[i], lows[i - 1] if i else "", lows[i + 1] if i + 1 < n else "", vocab)
            toks.append(Tok("FILL", lows[i], words[i]) if tok.kind == "V" and _remark_participle(lows, i) else tok)
            i += 1
    return toks, spans


# words before a past participle that make it an instruction ("get it patched", "needs restarted", "have X updated")
_PARTICIPLE_HELPERS = frozenset(("get", "got", "gets", "getting", "have", "has", "had", "be", "been", "being", "is",
                                 "are", "was", "were", "want", "wants", "wanted", "need", "needs", "needed", "it",
                                 "them"))


# before an -ing form, words that make it a description of what something does: "keeps rebooting", "was restarting"
_PROGRESSIVE = frozenset(("keeps", "keep", "kept", "is", "are", "was", "were", "been", "started", "stopped", "stop",
                          "begins", "began", "constantly", "randomly", "repeatedly"))
_BE = frozenset(("is", "are", "was", "were", "isnt", "arent", "wasnt"))
_WHEN = frozenset(("time", "whenever", "after", "since", "once"))


def _remark_participle(lows: list[str], i: int) -> bool:
    """A verb's past form right after a noun, with no "get"/"have"/"need" before them: "kernel patched", "disk
    replaced" tell what happened ("need nginx reloaded", "get it patched" still ask). An -ing form after "keeps",
    "was" ("cis-04 keeps rebooting mid shift") tells what it does."""
    low = lows[i]
    if low.endswith("ing") and i > 0 and (lows[i - 1] in _PROGRESSIVE or (i > 1 and lows[i - 2] in _BE)):
        return True  # "why is nginx restarting on web-01": a question about it, not a restart
    if low.endswith("ed") and any(w in _WHEN for w in lows[max(0, i - 4):i]):
        return True  # "every time app-01 gets patched ...": when something happens, not an instruction
    if not low.endswith("ed") or VERBS.get(low, low) == low or i == 0:
        return False
    before = lows[max(0, i - 2):i]
    return lows[i - 1].isalpha() and lows[i - 1] not in VERBS and not any(w in _PARTICIPLE_HELPERS for w in before)


def classify(word: str, low: str, prev: str, nxt: str, vocab: Vocabulary) -> Tok:
    if low.startswith("__") and low.endswith("__"):
        return Tok("PH", low[2:-2], word)
    host = vocab.host_index.get(low) or vocab.address_index.get(low) or (
        vocab.host_index.get(low.split(".", 1)[0]) if "." in low else None) or (
        vocab.host_variant(low) if low[-1:].isdigit() or "." in low else None)  # "web01", "WEB_1", "db01.corp.local"
    if host:  # "web-01" or its fully qualified name "web-01.corp.local"
        return Tok("HOST", host, word)
    noun_next = nxt in HOST_NOUNS
    if low in vocab.env_family_words and ((low not in VERBS and _doing(low) is None) or noun_next
                                           or prev in ("in", "on", "the", "to", "across")):
        return Tok("ENV", vocab.env_index.get(low) or low, word)
    group = vocab.group_index.get(low)
    if group and (noun_next or prev in TARGET_PREPS or prev in ALL or low.endswith(_COMPOUND)):
        return Tok("GROUP", group, word)
    if low in VERBS:
        return Tok("V", VERBS[low], word)
    if low in OS_WORDS:
        return Tok("OS", OS_WORDS[low], word)
    if low in ALL:
        return Tok("ALL", low, word)
    if low in HOST_NOUNS:
        return Tok("NOUN", "plural" if low in PLURAL_HOST_NOUNS else "singular", word)
    if low in STATES:
        return Tok("STATE", STATES[low], word)
    if low in KEYWORDS:
        return Tok("KW", KEYWORDS[low], word)
    if low in PREPS:
        return Tok("PREP", low, word)
    if low in CONJ:
        return Tok("CONJ", low, word)
    if low in THEN:
        return Tok("THEN", low, word)
    if low in EXCEPT:
        return Tok("EXCEPT", low, word)
    if low.isdigit():
        return Tok("NUM", low, word)
    if VERSION_RX.match(low):
        return Tok("VER", word, word)
    if low in FILLER or low in ("?", "!"):
        if word.isupper() and len(word) >= 3:  # "WAS", "ANY": a name in capitals (shouting was lowered before)
            return Tok("WORD", low, word)
        return Tok("FILL", low, word)
    doing = _doing(low)
    if doing is not None:  # "bouncing nginx", "restarting W3SVC": the verb
        return Tok("V", VERBS[doing], word)

    fixed = typos().get(low) if len(low) >= 5 and not any(c.isdigit() for c in low) else None
    if fixed is not None:
        return classify(fixed, fixed, prev, nxt, vocab)
    return Tok("WORD", low, word)


# a request piece whose first meaningful word is one of these asks for it ("status of service X", "disk usage of /var")
ASKING_KEYWORDS = frozenset(("status", "version", "disk", "info", "port", "uptime"))
# what a verbless list of checks names, one check each ("redis status, disk usage and the top 5 processes")
CHECK_KEYWORDS = frozenset(("disk", "status", "info", "process"))


def starts_asking(toks: list[Tok]) -> bool:
    """The first meaningful token (FILL words skipped) is a keyword that asks for something."""
    words = [t for t in toks if t.kind != "FILL"]
    return bool(words) and words[0].kind == "KW" and words[0].value in ASKING_KEYWORDS


def _doing(low: str) -> str | None:
    """The verb of an -ing form ("bouncing" -> "bounce", "stopping" -> "stop", "restarting" -> "restart"), or None."""
    if not low.endswith("ing") or len(low) < 6:
        return None
    stem = low[:-3]
    return next((v for v in (stem, stem + "e", stem[:-1]) if v in VERBS and len(v) >= 3), None)


def _edits1(word: str) -> set[str]:
    """Every string one deletion, transposition or substitution away (the typos hands make)."""
    letters = "abcdefghijklmnopqrstuvwxyz-"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    return out


_TYPO_KEYWORDS = ("status", "running", "stopped", "installed", "process", "processes", "service", "services",
                  "package", "packages", "version")


def _typo_table() -> dict[str, str]:
    """Misspellings of the planner's own verbs and keywords (5+ letters) -> the word; ambiguous ones left out."""
    words = [w for w in (*VERBS, *_TYPO_KEYWORDS) if len(w) >= 5 and w.isalpha()]
    table: dict[str, str] = {}
    clash: set[str] = set()
    for w in words:
        for typo in _edits1(w):
            if typo in table and table[typo] != w:
                clash.add(typo)
            table.setdefault(typo, w)
    inflected = {w + end for w in words for end in ("s", "es", "d", "ed", "ing")}  # "patches" is no typo
    real = {"remote", "report", "restore", "resort", "revert", "insert", "invert", "export", "import", "restate",
            "result", "resist", "retort", "reset", "stall", "start", "stat", "check", "chick", "kilo"}  # English words
    known = real | inflected | set(words) | set(FILLER) | set(PREPS) | set(OS_WORDS) | set(HOST_NOUNS) | set(KEYWORDS) \
        | set(STATES) \
        | KNOWN_OBJECTS
    return {t: w for t, w in table.items() if t not in clash and t not in known}


@functools.cache
def typos() -> dict[str, str]:
    """The typo table, built on first need (most requests have no unknown long word)."""
    return _typo_table()
