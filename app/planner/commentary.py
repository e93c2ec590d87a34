"""The story around a request, told apart from the request itself.

Operators explain as they ask: "Ticket 4411: users report the intranet is down. Restart W3SVC on iis-01",
"stop apache2 on web-03, we're moving staging to nginx", "reboot cis-03 please, patches pending",
"chronyd active on mon-01? graphs show clock drift". Read word by word, the story becomes unknown hosts or a
second step. This module drops it:

* sentences that name no target and hold no value, when another sentence names the targets (the context);
* a heading before a colon that names no target, when what follows is an instruction;
* trailing pieces (after a comma, a dash or a question mark) that read as narrative: a subject then a verb
  ("graphs show ..."), a subject pronoun ("we're", "nobody"), a participle ("flagged", "pending") or three
  words or more, with no target, value, number or instruction of their own.

A piece that names a target, holds a value or a number, or starts with an instruction is always kept.
"""
from __future__ import annotations

import re

from app.planner import scope
from app.planner.lexer import CHECK_KEYWORDS, HOSTLIKE_RX, VERBS, Tok, protect, requote, starts_asking, tokenize
from app.planner.vocabulary import Vocabulary

# \x03: a line break (app.planner.envelope); a lower-case sentence that starts with an instruction or a question
# ("W3SVC stopped on iis-02. restart W3SVC") starts a sentence too
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z])|\s*\x03\s*|(?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)\s+(?=(?:"
                           + "|".join(sorted(VERBS, key=len, reverse=True))
                           + r"|pls|please|can|could|is|are|does|do|check|show|what|which"
                           + r"|we|i|they|nobody|users?|our|my)\b)"
                           # "...:5432? app-02 can't reach db-03 either": a host starts a sentence of its own
                           + r"|(?<=[?!.])\s+(?=[a-z][a-z0-9]*-\d+[a-z]?\s+[a-z]{2,}\s+\w)")
# how a host is said to be fine, or what happened to it before: its story, not where the ask applies
_FINE = re.compile(r"\b(?:fine|ok|okay|healthy|working|works|worked|done|already|finished|recovered|clean|unaffected|"
                   r"up\s+to\s+date)\b", re.IGNORECASE)
_HISTORY = re.compile(r"\b(?:was|were|had|did|done|already|fine|ok|okay|healthy|worked|works|came\s+back|got|recovered|"
                      r"finished|tried|pushed|keeps|stays|same|like\s+we|last\s+(?:week|night|time|month)|yesterday|"
                      r"earlier|ran|went|broke|crashed|died|happened|once|ago|starts|begins|ends|in\s+\d+\s*(?:min|mins|"
                      r"minutes|h|hours?))\b", re.IGNORECASE)
# a sentence that says its matter is dealt with elsewhere: context, not the ask
_ELSEWHERE = re.compile(r"\b(?:(?:a|another|different)\s+(?:separate\s+)?(?:issue|ticket|problem|story)"
                        r"|separate\s+(?:issue|ticket|problem)|tracked\s+(?:elsewhere|separately|in\s+another)|unrelated|not\s+(?:my|our|your)\s+"
                        r"(?:concern|problem))\b", re.IGNORECASE)
_PIECES = re.compile(r"(,\s+|;\s+|\s+[-–—]{1,2}\s+|\?\s+(?=[a-z]))")
# a piece that asks someone to do something ("..., can you clear some space on it"), even what no action does
_ASKED = re.compile(r"\s*(?:and\s+|so\s+)?(?:(?:can|could|would|will)\s+(?:you|someone|somebody|u|we)|please|pls|plz"
                    r"|kindly)\b", re.IGNORECASE)
# a piece that only says how many ("top 3 please", "last 50", "just the first 10"): a count for the piece before
COUNT_ONLY = re.compile(r"\s*(?:just\s+|only\s+)?(?:the\s+)?(?:top|last|first|latest)\s+\d{1,5}(?:\s+(?:please|pls|plz|"
                         r"only|lines|entries|hits|matches|processes|procs|ones|of\s+them|is\s+enough|will\s+do))*"
                         r"[\s.!?]*$", re.IGNORECASE)
_TARGETS = frozenset(("HOST", "GROUP", "ENV", "OS", "ALL"))
_INSTRUCTION = frozenset(("V", "ENSURE", "THEN"))
_BEING = frozenset(("is", "are", "was", "were", "has", "have", "had", "been", "got", "gets"))
_TARGET_WORDS = frozenset(("HOST", "GROUP", "ENV", "OS", "ALL", "NOUN", "EXCEPT"))
_READ_VERBS = frozenset(("search", "grep", "tail", "look", "find", "show", "list", "read", "count"))
_SUBJECTS = frozenset(("we", "were", "i", "im", "they", "theyre", "nobody", "noone", "everyone", "everything",
                       "everythings", "nothing", "nothings", "user", "users",
                       "customer", "customers", "he", "she", "someone", "somebody", "people", "graphs", "monitoring",
                       "alerts", "it", "its", "this", "that"))
_STILL_ASKING = frozenset(("need", "needs", "want", "wants", "also", "too", "same", "please", "pls", "plz"))
_HOW = frozenset(("replace", "keep", "use", "include", "exclude", "skip", "overwrite", "match", "leave", "add", "set"))
_PAST = re.compile(r"^(?:[a-z]{3,}ed|went|was|were|is|are|got|came|broke|ran|took|did|has|had|keeps|seems|looks|"
                   r"failed|died|hung|crashed)$")
_PARTICIPLE = re.compile(r"^[a-z]{3,}(?:ed|ing)$")
_HAPPENED = frozenset(("failed", "broke", "crashed", "died", "errored", "froze", "hung", "fails", "crashes", "dies",
                       "breaks", "timed", "bombed"))


def _instructs(tok: Tok) -> bool:
    """An instruction word, not a progressive form ("the box keeps rebooting")."""
    return tok.kind in _INSTRUCTION and not _gerund(tok)


def _instructions(toks: list[Tok]) -> list[Tok]:
    """The instruction words of ``toks``, not a noun that looks like one ("the health check is red")."""
    return [t for i, t in enumerate(toks) if _instructs(t)
            and not (i + 1 < len(toks) and toks[i + 1].value in ("is", "are", "was", "were")
                     and i > 0 and toks[i - 1].kind in ("WORD", "ENV", "KW"))
            and not _after_article(toks, i)]  # "the kernel update needs a restart": nouns


_ARTICLES = frozenset(("a", "an", "the", "this", "that", "its", "their", "our", "my", "your", "his", "her", "another"))


def _after_article(toks: list[Tok], i: int) -> bool:
    """A verb's word used as a noun: right after an article, or after an article and one modifier word."""
    before = [t for t in toks[max(0, i - 2):i]]
    if before and before[-1].kind == "FILL" and before[-1].value in _ARTICLES:
        return True
    return len(before) == 2 and before[0].kind == "FILL" and before[0].value in _ARTICLES \
        and before[1].kind in ("WORD", "KW")


def _doing(word: str) -> bool:
    """An -ing form of an instruction verb ("replacing", "keeping", "using")."""
    if not word.endswith("ing") or len(word) < 6:
        return False
    stem = word[:-3]
    return any(w in _HOW for w in (stem, stem + "e", stem[:-1]))


def _meaningful(toks: list[Tok]) -> list[Tok]:
    return [t for t in toks if t.kind != "FILL" or t.value in _SUBJECTS or t.value in _STILL_ASKING]


def _asks_for(piece: str, vocab: Vocabulary) -> bool:
    """A piece that starts with what it asks for ("status of service X", "disk usage of /var")."""
    return starts_asking(tokenize(piece, vocab)[0])


def _gerund(tok: Tok) -> bool:
    """"reloading", "restarting": a verb's -ing form (what is happening), not "ping" or "bring"."""
    low = tok.text.lower()
    return low.endswith("ing") and len(low) >= 6


def _instruction(text: str, vocab: Vocabulary) -> bool:
    """Asks for something: its first meaningful word is an instruction verb ("Remove anything older than 7 days",
    "Please restart X"), not a subject ("users report ...")."""
    words = [t for t in tokenize(text, vocab)[0] if t.kind not in ("FILL", "PREP", "CONJ")]
    return bool(words) and words[0].kind in ("V", "ENSURE", "THEN") and not _gerund(words[0])


_QUESTION = re.compile(r"^\W*(?:is|are|does|do|did|can|could|will|would|which|what|whats|how|when|where|who|whether)\b",
                       re.I)


def question_or_instruction(piece: str, vocab: Vocabulary) -> bool:
    """Starts as a question ("is ...", "what ...", "how ...") or an instruction ("check ...", "please ping ...")."""
    return bool(_QUESTION.match(piece)) or _instruction(piece, vocab)


def _ask(sentence: str, vocab: Vocabulary, spans: list | None = None) -> bool:
    """A sentence that asks for something: an instruction, or a question ("is nginx running on web-01?")."""
    if re.match(r"^\W*why\b", sentence, re.IGNORECASE):  # "Why is nmap on app-02? Uninstall it.": a reason asked
        return False
    if _instruction(sentence, vocab) or bool(_QUESTION.match(sentence)) or sentence.rstrip().endswith("?"):
        return True
    from app.planner import readers  # a sentence a reader reads asks for it ("set 'x = 1' in /etc/app.conf on web-03.")

    text = re.sub(r"__[qpu](\d+)__", lambda m: requote(spans[int(m.group(1))]), sentence) if spans else sentence
    return readers.read(text) is not None


def _chat_label(head: str, body: str, vocab: Vocabulary, spans: list) -> bool:
    """A few words before a colon, then a question or what is asked for: "audit q: is rsh-server installed on ...?",
    "manager asking: are the staging web boxes reachable?", "one more: status of W3SVC on iis-02". Not a drive
    letter ("D: is almost full")."""
    words = head.split()
    return 1 <= len(words) <= 4 and len(head.strip()) >= 2 and not _instruction(head, vocab) \
        and (_ask(body, vocab, spans) or starts_asking(tokenize(body, vocab)[0]))


def _hosts_of(sentences: list[str], vocab: Vocabulary) -> list[str]:
    return [t.text for s in sentences for t in tokenize(s, vocab)[0] if t.kind == "HOST"]


# "db-01:5432", "smtp.corp.local:25": an endpoint to connect to, never a host to run on
_ENDPOINT = re.compile(r"(?<![\w.:/\\-])[A-Za-z][\w.-]*:\d{1,5}(?![\w.:])")


def has_targets(text: str, vocab: Vocabulary, *, endpoints: bool = True) -> bool:
    """Whether ``text`` names hosts, groups, environments or an OS (``endpoints=False``: not counting the host of a
    "host:port" the request connects to)."""
    toks, _ = tokenize(text if endpoints else _ENDPOINT.sub(" ", text), vocab)
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.kind == "ALL" and nxt is not None and nxt.kind in ("KW", "WORD"):
            continue  # "list all containers there": every container, not every host
        if t.kind in _TARGETS or (t.kind == "WORD" and HOSTLIKE_RX.match(t.value)):
            return True
        if t.kind in ("WORD", "KW") and nxt is not None and nxt.kind == "NOUN" and vocab.stem_hosts(t.value.lower()):
            return True  # "both IIS servers", "the file server": hosts named by their stem
    return False


def _narrative(piece: str, vocab: Vocabulary) -> bool:
    """A trailing piece that tells the story rather than asks (see the module docstring)."""
    toks, _ = tokenize(piece, vocab)
    words = _meaningful(toks)
    if any(t.kind in ("HOST", "GROUP") or (t.kind == "WORD" and vocab.group_index.get(t.value)) for t in toks) \
            and not _instructions(toks) and _HISTORY.search(piece):
        return True  # "; db-04 was done last night", "- the one on web-04 finished on its own": other hosts' story
    if not words or "*" in piece or any(t.kind in ("PH", "NUM", "VER") for t in toks):  # "only *.log files": a value
        return False
    if all(t.kind in ("WORD", "CONJ", "HOST") for t in words) and any(t.kind == "CONJ" for t in words) \
            and sum(t.kind == "WORD" for t in words) <= 4 \
            and not any(a.kind != "CONJ" and b.kind != "CONJ" for a, b in zip(words, words[1:], strict=False)):
        return False  # "..., bastion and jumpbox": a list of more names (asked about when unknown), not a remark
    lows = {t.text.lower().replace("'", "") for t in toks}
    while len(words) > 1 and words[0].text.lower() in ("please", "pls", "plz", "kindly"):
        words = words[1:]  # "could you please restart it for me?": the verb leads (no subject before it)
    subject = words[0].text.lower().replace("'", "").replace("’", "") in _SUBJECTS
    if any(t.kind in _TARGETS - {"ALL"} for t in toks):  # "we're moving staging to nginx": a story naming a target
        # "web-01 throwing 502s": a headline, the host and what it does
        headline = len(words) > 1 and words[0].kind in _TARGETS and bool(_PARTICIPLE.match(words[1].text.lower()))
        happened = any(t.text.lower() in _HAPPENED for t in words)  # "the backup job failed on web-02"
        return (subject or statement(piece, vocab) or headline or happened) and not _instructions(toks) \
            and not lows & {"also", "too", "same", "please", "pls", "plz"}
    first = words[0].text.lower()
    if words[0].kind == "V" and ((first.endswith("s") and not words[0].value.endswith("s"))  # "updates pending"
                                 or (len(words) > 1 and _PAST.match(words[1].text.lower()))):  # "deploy went out"
        words = [Tok("WORD", first, words[0].text), *words[1:]]  # a noun, not an instruction
    if words[0].kind in _INSTRUCTION or first in _READ_VERBS \
            or (words[0].kind == "CONJ" and len(words) > 1 and words[1].kind in _INSTRUCTION):
        return False
    if _doing(first):  # "replacing the line that matches ^X=": how, not why
        return False
    if words[0].kind == "KW" and words[0].value in CHECK_KEYWORDS \
            and not any(t.kind == "FILL" and t.value in _BEING for t in toks) \
            and not any(_PARTICIPLE.match(t.text.lower()) for t in words) and not statement(piece, vocab):
        return False  # "facts, usage of every mount, and the top 10 processes": one more check in a list
    if any(_instructs(t) for t in words[1:]):  # "graphs show clock drift": a subject, then its verb
        return True
    asking = lows & {"also", "too", "same", "please", "pls", "plz"} or (
        first in ("we", "i", "you") and lows & {"need", "needs", "want", "wants"})
    if asking:
        return False
    if lows & {"it", "its", "them"}:  # "who owns it now?": about the same object, nothing to plan
        return True
    return subject or statement(piece, vocab) or any(_PARTICIPLE.match(t.text.lower()) for t in words) \
        or len(words) >= 3


# "app-02: is the node process running", "web-01 -> are the certs valid": the hosts as a label, then a question
_LABELLED_QUESTION = re.compile(r"\s*(?:on\s+)?[\w.-]{2,}\s*(?::|-+>|=>|\bto\b)\s*(?:is|are|was|were)\b", re.IGNORECASE)


def _subject_remark(piece: str, vocab: Vocabulary) -> bool:
    """A sentence about what people do, not an ask: "we never print from a database server lol" (a subject first, no
    instruction verb)."""
    toks, _ = tokenize(piece, vocab)
    words = _meaningful(toks)
    return bool(words) and words[0].text.lower().replace("'", "") in _SUBJECTS and not _instructions(toks) \
        and not re.search(r"\b(?:need|needs|want|wants|would\s+like|please|pls|can\s+you|could\s+you)\b", piece, re.I)


def statement(piece: str, vocab: Vocabulary) -> bool:
    """A piece that tells how things are ("X is out of memory") rather than asks (no instruction verb, and its
    "is" is not a question's first word)."""
    toks, _ = tokenize(piece, vocab)
    words = [t for t in toks if t.kind != "FILL" or t.value in ("is", "are", "was", "were", "has")]
    verbs = _instructions(toks)  # not "is reloading", not "the health check is red"
    if not words or verbs or words[0].value in ("is", "are", "was", "were") or _LABELLED_QUESTION.match(piece) \
            or re.match(r"\s*(?:whether|if)\b", piece, re.IGNORECASE):  # "whether 6379 is listening": asked
        return False
    return bool(re.search(r"\b(?:is|are|was|were|has\s+been|seems|looks|keeps)\b|^\W*(?:it|that|there)['’]?s\b", piece,
                          re.IGNORECASE))  # "It's the dev box and ...": how things are


_TARGET_KINDS = frozenset(("FILL", "PREP", "CONJ", "HOST", "GROUP", "ENV", "OS", "ALL", "NOUN", "EXCEPT"))


def only_targets(words: str, vocab: Vocabulary) -> bool:
    """Words that only say which hosts ("from the monitoring box", "the staging app box", "every windows machine
    except the file server"), not what ("netstat on db-04", "mysql on db-04")."""
    toks = tokenize(words, vocab)[0]
    excepting = named = False
    for i, tok in enumerate(toks):
        excepting = excepting or tok.kind == "EXCEPT"
        if tok.kind in _TARGET_KINDS or (excepting and tok.kind == "KW"):
            named = named or tok.kind in ("HOST", "GROUP", "ENV", "OS", "ALL", "NOUN")
        elif tok.kind == "WORD" and (vocab.stem_hosts(tok.value.lower()) or vocab.group_index.get(tok.value)):
            named = True
        elif not (tok.kind == "WORD" and i + 1 < len(toks) and toks[i + 1].kind == "NOUN"):  # "the monitoring box"
            return False
    return named


def target_words(piece: str, vocab: Vocabulary) -> str:
    toks, _ = tokenize(_ENDPOINT.sub(" ", piece), vocab)
    kept, inside = [], False
    for tok in toks:
        if tok.kind in _TARGET_WORDS:
            kept.append(tok.text)
            inside = True
        elif inside and tok.kind == "CONJ":
            kept.append(tok.text)
    while kept and kept[-1].lower() in ("and", ",", "&", "or", "plus"):
        kept.pop()
    return " ".join(kept)


def _put_back(protected: str, spans: list) -> str:
    for i, span in enumerate(spans):
        protected = protected.replace(f"__{span.kind}{i}__", requote(span))
    return protected


_THERE = re.compile(r"(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)\bthere\b(?!\s+(?:is|are|was|were|'s)\b)", re.IGNORECASE)


def _there(asks: list[str], told: list[str], vocab: Vocabulary) -> list[str]:
    """"The print queues died in prod and dev. Restart the Spooler on the cis boxes there.": "there" is the
    environments the story names (two of them are asked about), not every cis box."""
    envs = list(dict.fromkeys(t.value for s in told for t in tokenize(s, vocab)[0] if t.kind == "ENV"))
    if not envs:
        return asks
    return [f"{s.rstrip(' .!')} in {' and '.join(envs)}" if _THERE.search(s) and has_targets(s, vocab)
            and not any(t.kind in ("ENV", "HOST") for t in tokenize(s, vocab)[0]) else s for s in asks]


def without_story(text: str, vocab: Vocabulary) -> str:
    """``text`` without the sentences, heading and trailing pieces that only tell the story."""
    protected, spans = protect(text)
    original = protected
    sentences = [s for s in _SENTENCE_END.split(protected) if s.strip()]
    asks = [s for s in sentences if (_ask(s, vocab, spans) or COUNT_ONLY.match(s))  # "... on app-01? Top 10 please."
            and not _ELSEWHERE.search(s)]  # "app-02 can't reach db-03 either but that's a separate issue"
    if asks and len(asks) < len(sentences):  # a ticket, a mail, a chat: the sentences that ask are the request
        told = [s for s in sentences if s not in asks]
        paths = {s for s in told if re.search(r"__[pu]\d+__", s) and not _ask(s, vocab, spans)
                 and not statement(s, vocab) and "__q" not in s}  # "the new build is at /tmp/x"
        keep = [s for s in sentences if s in asks or s in paths]  # in the order written: steps stay in order
        if not any(has_targets(s, vocab) for s in keep):  # "Affected CI: db-01, db-02": where the ask applies
            named = _hosts_of([t for t in told if not _FINE.search(t)], vocab)  # "Affected CI: db-01" (not "is fine")
            where = " ".join(named) if named else " ".join(
                w for s in told if has_targets(s, vocab) and (w := target_words(s, vocab)))
            keep = [*keep, f"on {where}"] if where else keep
        keep = _there(keep, told, vocab)
        protected = " \x03 ".join(keep)
        sentences = keep
    if len(sentences) >= 2:
        keep = [s for s in sentences if "__" in s or has_targets(s, vocab) or _instruction(s, vocab)
                or COUNT_ONLY.match(s)]
        told = [s for s in keep if "__" not in s and (statement(s, vocab) or _subject_remark(s, vocab))]
        rest = [s for s in keep if s not in told]
        if told and rest:
            if not any(has_targets(s, vocab) for s in rest):  # the story names the hosts: keep them for the ask
                rest = [*rest, " ".join(f"on {w}" for w in _hosts_of([t for t in told if not _FINE.search(t)], vocab))]
            keep = _there(rest, told, vocab)
        if keep and len(keep) < len(sentences):
            protected = " \x03 ".join(keep)  # still one line each: the instructions stay apart
    for paren in re.findall(r"\s*\([^()]*\)", protected):  # an aside that names no host and holds no value
        kinds = {t.kind for t in tokenize(paren, vocab)[0]}
        annotation = not kinds & {"HOST", "GROUP"} and bool(kinds & {"ENV", "OS"})  # "Reboot web-04 (staging)"
        # "(we tried it on web-05 first, worked fine)": another host's story
        history = _HISTORY.search(paren) and not _instructions(tokenize(paren, vocab)[0])
        scored = re.search(r"\b(?:cvss|cve|score|severity|sev|priority|p[1-5])\b", paren, re.IGNORECASE) \
            and not kinds & {"HOST", "GROUP"}  # "(CVSS 9.8)": the reason's numbers, not a version
        if "__" not in paren and (history or scored or not re.search(r"[\d*]", paren)
                                  and (annotation or not has_targets(paren, vocab))):
            protected = protected.replace(paren, " ", 1)
    head, colon, body = protected.partition(": ")
    if colon and "__" not in head and not has_targets(head, vocab) \
            and (any(t.kind in _INSTRUCTION for t in tokenize(body, vocab)[0])
                 or _chat_label(head, body, vocab, spans)):
        protected = body  # "deploy the new build: update app myapp on app-01 ...", "audit q: is X installed ...?"
    parts = _PIECES.split(protected)
    later = " ".join(parts[2::2]).lower()
    if len(parts) >= 3 and "__" not in parts[0] and not _instruction(parts[0], vocab) \
            and any(_instruction(p, vocab) for p in parts[2::2]) and _narrative(parts[0], vocab) \
            and not only_targets(parts[0], vocab) \
            and not re.search(r"\b(?:it|them|that|this|its)\b", later):  # "X is wedged, recycle it": X is the object
        told = [x for x in _SENTENCE_END.split(parts[0]) if x.strip() and not _FINE.search(x)]  # not "X is fine."
        where = target_words(" ".join(told), vocab)  # "Customer's tool can't connect - please start X on app-03"
        parts = parts[2:]
        if where and not any(has_targets(p, vocab) for p in parts[::2]):
            parts[0] = f"{parts[0]} on {where}"
        protected = "".join(parts)
    if len(parts) >= 3:
        kept = [parts[0]]
        for sep, piece in zip(parts[1::2], parts[2::2], strict=True):
            if not _narrative(piece, vocab) or (sep.strip() == ";" and _asks_for(piece, vocab)) \
                    or (_ASKED.match(piece) and scope.out_of_catalog(piece)):  # "..., can you clear some space"
                kept += [sep, piece]  # "...; status of service X": a step after ';', not a remark
        protected = "".join(kept)
    return text if protected == original else _put_back(protected, spans)
