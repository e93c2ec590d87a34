"""Clauses of a tokenized request: what each asks (verb, keywords, states, objects, values) and where (hosts,
groups, environments, OS, exclusions, how many). ``app.planner.rules`` builds steps from them."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from app.planner.lexer import CHECK_KEYWORDS, HOSTLIKE_RX, PRONOUNS, TARGET_PREPS, VAGUE, Span, Tok
from app.planner.vocabulary import Selection, Vocabulary

_RELATIVE = frozenset(("which", "that", "who", "where", "when", "as", "if", "why"))
_SUBJECTS = frozenset(("we", "i", "you", "they", "he", "she", "someone", "somebody", "everyone", "nobody"))
_DETERMINERS = frozenset(("the", "a", "an", "this", "that", "each", "every", "any", "which", "one", "my", "our"))

_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_ONE = frozenset(("single", "only", "sole", "lone"))
_MAX_EXCLUDED = 200  # an environment left out is written as its hosts; a bigger one is asked about instead


@dataclass
class Clause:
    verb: str | None = None
    ensure: bool = False
    states: set[str] = field(default_factory=set)
    kws: list[str] = field(default_factory=list)
    objects: list[list[Tok]] = field(default_factory=lambda: [[]])
    kw_objects: dict[str, str] = field(default_factory=dict)  # "process" -> word next to it
    spans: list[tuple[Span, str]] = field(default_factory=list)  # (span, preposition before it)
    port: str | None = None
    ports: list[str] = field(default_factory=list)  # "ports 80, 443 and 8443": the numbers listed after 'port'
    numbers: list[str] = field(default_factory=list)
    version: str | None = None
    hosts: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)
    oses: list[str] = field(default_factory=list)
    all: bool = False
    exclude: list[str] = field(default_factory=list)
    singular: bool = False
    singulars: int = 0  # how many singular host nouns ("the file server and the monitoring box": 2)
    quantified: bool = False
    host_noun: bool = False
    dangling_source: bool = False
    pronoun: bool = False
    vague: bool = False
    either: bool = False
    follows_then: bool = False
    then_word: str = ""  # the word that started it ("" for then/after that/;, "next" for "next:")
    count: int = 0  # "the two prod web servers": how many hosts the target is said to be
    stemmed: bool = False  # "the iis box": hosts named by their shared stem (a singular noun still asks)
    # words of the objects said before the verb or after a target ("heyy, can someone ping web-01", "reboot db-03
    # pls, no cab needed"): not the verb's own object, so never a host for a verb that takes hosts
    loose: set[str] = field(default_factory=set)
    before_verb: int = 0  # how many object groups were said before the verb
    spans_before_verb: int = 0  # how many quoted values were said before the verb

    def has_targets(self) -> bool:
        return bool(self.hosts or self.groups or self.envs or self.oses or self.all)

    def has_content(self) -> bool:
        return bool(self.verb or self.ensure or self.states or self.kws or any(self.objects) or self.spans
                    or self.has_targets())


def parse_clauses(toks: list[Tok], spans: list[Span], vocab: Vocabulary) -> list[Clause]:
    clauses = [Clause()]
    mode = "OBJ"
    prep = ""  # last preposition not yet followed by a meaningful word
    prev: Tok | None = None
    for idx, tok in enumerate(toks):
        c = clauses[-1]
        k = tok.kind
        nxt = toks[idx + 1] if idx + 1 < len(toks) else None
        if k == "FILL":
            if tok.text.lower() == "any" and mode == "TGT" or (prep and tok.text.lower() == "any"):
                c.quantified = True  # "on any production host": every one of them, not one
            if tok.text.lower() in _COUNTS and nxt is not None and (
                    nxt.kind in ("GROUP", "ENV", "OS", "NOUN") or (nxt.kind == "WORD" and vocab.stem_hosts(nxt.value))):
                c.count = _COUNTS[tok.text.lower()]
            continue
        if k == "THEN" and tok.value == ";" and (nxt is None or nxt.kind not in ("V", "KW", "ENSURE")):
            continue  # "...; staging first", "...; it's installed at P": the same instruction goes on
        # a new instruction: "then", a second verb, "status of X on H, and restart it on H2" (a verb after a verbless
        # check), "postgresql status, disk usage, then ..." (a verbless list goes on with another check)
        if k == "THEN" or (k in ("V", "ENSURE") and (c.verb or c.ensure)) \
                or (k == "V" and c.states and prev is not None and prev.kind == "CONJ") \
                or (k == "V" and c.verb is None and c.kws and c.has_targets() and prev is not None
                    and prev.kind == "CONJ" and prev.value == "and") \
                or (k == "CONJ" and _another_check(c, toks, idx)):
            if c.has_content():
                clauses.append(Clause())
                c = clauses[-1]
            mode, prep = "OBJ", ""
            if k == "CONJ":  # "postgresql status, disk usage": the list goes on with another check
                prev = tok
                continue
            if k == "THEN":
                # "restart nginx then status": an instruction of its own, even without a verb
                c.follows_then, c.then_word = True, tok.value
                prev = tok
                continue
        if k == "V":
            # "store 0417 still down - restart PosBridge": the words before the verb are a group of their own (a
            # remark when the verb has an object); not "traceroute X and give me Y", two asks joined by "and"
            if c.verb is None and c.objects[-1] and (prev is None or prev.kind != "CONJ") \
                    and {t.text for t in c.objects[-1]} <= c.loose:  # ("iis-02 runbook: stop W3SVC": asked)
                c.objects.append([])
                c.before_verb = len(c.objects) - 1
            c.verb, mode = tok.value, "OBJ"
        elif k == "ENSURE":
            c.ensure, mode = True, "OBJ"
        elif k == "PREP":
            prep = tok.value
            prev = tok
            continue
        elif k == "EXCEPT":
            mode = "EXC"
        elif k == "PH":
            span = spans[int(tok.value[1:])]
            if c.spans and prev is not None and prev.kind == "CONJ" and prev.value == "or":
                c.either = True  # "from \\\\a\\4.3 or \\\\a\\4.4": one of the two values
            c.spans.append((span, prep))
            if c.verb is None and not c.ensure:
                c.spans_before_verb = len(c.spans)
        elif k in ("HOST", "GROUP"):
            if mode == "EXC":
                c.exclude.append(tok.value)
            else:
                (c.hosts if k == "HOST" else c.groups).append(tok.value)
                mode = "TGT"
        elif k == "ENV" and mode == "EXC":  # "all web servers except staging": that environment's hosts are left out
            c.exclude.extend(_environment_hosts(tok.value, vocab, c))
        elif k == "ENV" and _after_for(toks, idx) and _named_host(c, vocab):
            c.vague = True  # "install nodejs on app-02 for the web dev module": what it is for, not where
        elif k == "ENV":
            if tok.value not in c.envs:
                c.envs.append(tok.value)
            mode = "TGT"
        elif k == "OS" and mode == "EXC":  # "all of staging except the windows machines": the other OS
            other = "windows" if tok.value == "linux" else "linux"
            if other not in c.oses:
                c.oses.append(other)
        elif k == "OS":
            if tok.value not in c.oses:
                c.oses.append(tok.value)
            mode = "TGT" if mode != "EXC" else mode
        elif k == "ALL" and (  # "... then hit URL on each", "check it on all of them": the hosts already named
                (nxt is None and tok.text.lower() in ("each", "every"))
                or (nxt is not None and nxt.kind == "PREP" and nxt.value == "of" and idx + 2 < len(toks)
                    and toks[idx + 2].text.lower() in ("them", "those", "these", "it", "both"))):
            c.quantified = True
        elif k == "ALL":
            c.quantified = True
            if mode != "EXC" and (nxt is None or nxt.kind in ("NOUN", "EXCEPT", "CONJ", "THEN", "PREP", "V")
                                  or tok.value in ("everything", "everywhere")):
                c.all = True
                mode = "TGT"
        elif k == "NOUN" and mode != "EXC" and tok.value == "singular" and (
                (nxt is not None and nxt.kind == "KW" and nxt.value in ("process", "service"))  # even after hosts
                or (mode == "OBJ" and c.verb == "kill" and not any(c.objects))
                or (mode == "OBJ" and _next_word(toks, idx) is not None
                    and _next_word(toks, idx).kind == "STATE"  # type: ignore[union-attr]
                    and _next_word(toks, idx).value == "running"  # type: ignore[union-attr]
                    and (prev is None or prev.text.lower() not in _DETERMINERS))):  # "the node process", "pkill node"
            c.objects[-1].append(Tok("WORD", tok.text.lower(), tok.text))
            tok = c.objects[-1][-1]
        elif k == "NOUN":
            c.host_noun = True
            if tok.value == "singular" and not c.quantified:
                c.singular = True
                c.singulars += 1
            if mode == "OBJ" and c.has_targets():
                mode = "TGT"
        elif k == "KW" and nxt is not None and nxt.kind == "NOUN" and (
                named := vocab.stem_hosts(tok.text, one=True)):  # "the file server": file-01, not a file
            (c.exclude if mode == "EXC" else c.hosts).extend(named)
            c.stemmed = True
            mode = mode if mode == "EXC" else "TGT"
        elif k == "KW":
            c.kws.append(tok.value)
            if tok.value in ("process", "service", "package"):
                if prev is not None and prev.kind == "WORD" and mode == "OBJ":
                    c.kw_objects[tok.value] = prev.text
                elif nxt is not None and nxt.kind == "WORD":
                    c.kw_objects[tok.value] = nxt.text
            if tok.value == "port" and nxt is not None and nxt.kind == "NUM":
                c.port = nxt.value
        elif k == "STATE":
            c.states.add(tok.value)
        elif k == "NUM":
            if c.numbers and prev is not None and prev.kind == "CONJ" and prev.value == "or":
                c.either = True  # "port 5432 or 6432": one of them
            listed = bool(c.ports) and prev is not None and prev.kind == "CONJ" and c.numbers[-1:] == c.ports[-1:]
            if (prev is not None and prev.kind == "KW" and prev.value == "port") or listed:
                c.ports.append(tok.value)
            c.numbers.append(tok.value)
        elif k == "VER":
            if c.version is None and (prep == "to" or (prev and prev.kind in ("WORD", "KW"))
                                      or c.verb in ("install", "update")):
                c.version = tok.value  # as typed ("v1.24.0" too): the package manager is the judge
        elif k == "CONJ" and tok.value == "both" and nxt is not None and (
                nxt.kind in ("GROUP", "ENV", "OS", "NOUN") or (nxt.kind == "WORD" and vocab.stem_hosts(nxt.value))):
            c.count = 2  # "on both staging web servers": two hosts (asked about when more match)
        elif k == "CONJ":
            if mode == "OBJ" and c.objects[-1]:
                c.objects.append([])
                if tok.value == "or":  # "restart nginx or apache2": one of them
                    c.either = True
            if mode == "TGT" and tok.value == "or":  # "web-01 or web-02, whichever ...": one of them, not both
                c.either = True
        elif k == "WORD" and tok.value == "but" and mode == "TGT" and nxt is not None \
                and nxt.text.lower() in ("only", "just") \
                and (after := _next_word(toks, idx + 1)) is not None and after.kind in ("ENV", "OS", "HOST"):
            # "all web servers, but only the staging ones": the environment narrows the hosts already said;
            # "the web servers but only web-03": that host instead of them
            if after.kind == "HOST":
                c.hosts, c.groups, c.envs, c.oses, c.all = [], [], [], [], False
        elif k == "WORD" and tok.value == "but" and mode == "TGT" and (after := _next_word(toks, idx)) is not None \
                and after.kind in ("HOST", "GROUP", "ENV", "OS"):  # "all windows hosts but (the) file-01"
            mode = "EXC"
        elif k == "WORD" and tok.value in _ONE and nxt is not None and (
                nxt.kind in ("GROUP", "ENV", "OS", "NOUN") or (nxt.kind == "WORD" and vocab.stem_hosts(nxt.value))):
            c.count = 1  # "the single dev cis station", "the only prod linux app server": one host
        elif k == "WORD":
            low = tok.value
            group = vocab.group_index.get(low)
            purpose = group is not None and _after_for(toks, idx) and _named_host(c, vocab)  # "for the web team"
            target_ctx = not purpose and (prep in TARGET_PREPS or mode in ("TGT", "EXC")
                                          or (prep in ("from", "to", "for") and group))
            raw_prev = toks[idx - 1] if idx else None  # "the process on app-02 which hangs": a relative clause
            if prep == "with" and nxt is not None and nxt.kind in ("WORD", "KW"):
                target_ctx = False  # "iis-01 is filling up with IIS logs": what it is full of, no host
            if target_ctx and mode == "TGT" and not prep and raw_prev is not None and raw_prev.kind == "FILL" \
                    and raw_prev.value in ("is", "are") and HOSTLIKE_RX.match(low) and not vocab.host_index.get(low) \
                    and not _host_stem(low, vocab):
                target_ctx = False  # "db-02: is postgresql-15 up?": no host is called so; what runs on db-02
            after_target = (mode == "TGT" and not prep and not group and not HOSTLIKE_RX.match(low)
                            and (prev is None or prev.kind != "CONJ") and (nxt is None or nxt.kind != "NOUN")
                            and not (raw_prev is not None and raw_prev.kind == "FILL"
                                     and raw_prev.value in _RELATIVE))
            if raw_prev is not None and raw_prev.kind == "FILL" and raw_prev.value in ("which", "that", "who", "why"):
                c.vague = True
            stem = [] if group or not (target_ctx or (nxt is not None and nxt.kind == "NOUN")) \
                or (nxt is not None and nxt.kind in ("WORD", "KW") and prep not in TARGET_PREPS) \
                else vocab.stem_hosts(low, one=nxt is not None and nxt.kind == "NOUN")  # not "with IIS logs"
            if purpose:
                c.vague = True
            elif low == "it" and prep in ("from", "on", "at", "in", "into", "onto"):
                c.vague = True  # "fetch URL from it": the host before, not the object before
            elif stem:  # "both iis servers", "except the iis ones": the hosts named iis-<n>
                c.stemmed = True
                if mode == "EXC":
                    c.exclude.extend(stem)
                else:
                    c.hosts.extend(stem)
                    mode = "TGT"
            elif low in PRONOUNS:
                c.pronoun = True
            elif (after_target and (any(c.objects) or any(sp.kind == "q" for sp, _ in c.spans) or c.vague)) \
                    or low in VAGUE:  # "web-01: anything on port 80"
                # ('stop "Print Spooler" on cis-01 - security baseline': a remark after the quoted object, no object)
                c.vague = True
            elif after_target and raw_prev is not None and raw_prev.kind == "FILL" and raw_prev.value in _SUBJECTS:
                c.vague = True  # "install the pkg on web-01 we talked about": a clause about it, not its name
            elif after_target and not (nxt is not None and nxt.kind == "FILL"
                                       and nxt.value in ("is", "are", "was", "were")):
                c.objects[-1].append(tok)  # "web-02 nginx status": terse, the object after the host
                if raw_prev is None or raw_prev.kind != "HOST":  # "reboot web-01 jumpbox": a host still (asked)
                    c.loose.add(tok.text)
            elif after_target:  # "restart web-02 asap nginx is acting up": a remark, not the object
                c.vague = True
            elif target_ctx or (mode == "OBJ" and HOSTLIKE_RX.match(low) and not _named_object(prev, nxt, low, vocab)):
                name = group or tok.text
                if (_remark_noun(tok, raw_prev, nxt, group, mode, c, vocab) or prep == "of" and not group
                    and mode == "TGT" and not HOSTLIKE_RX.match(low)) \
                        and (prep not in ("to", "into", "from", "onto") or low in _PLACE_REMARKS) \
                        and not any(t.kind == "HOST" for t in toks[idx + 1:]):  # "the job belongs on app-01": asked
                    c.vague = True  # "kill X on file-01 holding a lock on the share": a thing of the story
                elif mode == "EXC":
                    c.exclude.append(name)
                elif group or (nxt is not None and nxt.kind == "NOUN"):
                    c.groups.append(name)
                    if low == "database" and not (c.quantified or c.all) and (nxt is None or nxt.kind != "NOUN"):
                        c.singular = True  # "on the prod database": one host (asked about when the group has more)
                else:
                    c.hosts.append(name)
                if mode != "EXC":
                    mode = "TGT"
            elif low in PRONOUNS:
                c.pronoun = True
            elif low in VAGUE:
                c.vague = True
            else:
                c.objects[-1].append(tok)
                after = _next_word(toks, idx)
                if (not (c.verb or c.ensure) and (after is None or after.kind != "CONJ") or c.has_targets()) \
                        and not vocab.group_index.get(low):  # "reach the database": a group's word is a target
                    c.loose.add(tok.text)  # ("jumpbox and web-01 need a reboot": a list, asked about)
        prep = ""
        prev = tok
    if prep in ("from", "using", "with") and clauses[-1].verb in ("update", "deploy"):
        clauses[-1].dangling_source = True
    return [c for c in clauses if c.has_content()]


def _another_check(c: Clause, toks: list[Tok], idx: int) -> bool:
    """A verbless list of checks goes on to another at this comma or "and" ("on db-02: postgresql status and disk
    usage", "facts, usage of every mount, and the top 10 processes"): each its own instruction (one was dropped)."""
    if toks[idx].value not in ("and", ",") or c.verb is not None or c.ensure or not c.kws or c.states:
        return False
    for after in toks[idx + 1:]:  # on to the next check's word, over "the top 10", "nginx"
        if after.kind == "KW":
            return after.value in CHECK_KEYWORDS and after.value not in c.kws
        if after.kind not in ("FILL", "WORD", "NUM") and not (after.kind == "CONJ" and after.value == "and"):
            return False
    return False


def _after_for(toks: list[Tok], idx: int) -> bool:
    """The word stands in a "for the ..." phrase (only articles and words between): what it is for."""
    for t in reversed(toks[:idx]):
        if t.kind == "PREP":
            return t.value == "for"
        if t.kind not in ("FILL", "WORD", "ENV", "GROUP"):
            return False
    return False


def _named_host(c: Clause, vocab: Vocabulary) -> bool:
    return any(vocab.host(h) for h in c.hosts)


_PLACE_REMARKS = ("end", "side")  # "ping it from your end and ...": where the asker stands, never a host
_ARTICLES = frozenset(("the", "a", "an", "this", "that", "our", "my", "his", "her", "their", "its", "your"))


def _remark_noun(tok: Tok, raw_prev: Tok | None, nxt: Tok | None, group: str | None, mode: str, c: Clause,
                 vocab: Vocabulary) -> bool:
    """A plain word after an article where a target could stand ("for the capacity sheet", "a lock on the share"),
    in a clause that already names a known host, and not listed with hosts: a thing of the story, not an unknown
    host ("web-01, bastion and jumpbox" still asks about the two)."""
    if group or mode == "EXC" or HOSTLIKE_RX.match(tok.value) or any(ch.isdigit() for ch in tok.value):
        return False
    if raw_prev is None or raw_prev.kind != "FILL" or raw_prev.value not in _ARTICLES:
        return False
    if nxt is not None and nxt.kind in ("CONJ", "HOST") and tok.value.lower() not in _PLACE_REMARKS:
        return False
    return any(vocab.host(h) for h in c.hosts) or bool(c.envs or c.oses) \
        or any(vocab.is_group(g) for g in c.groups)  # "from all dev hosts for the capacity sheet"


def _next_word(toks: list[Tok], idx: int) -> Tok | None:
    """The next token that is not filler ("node is running": "running")."""
    return next((t for t in toks[idx + 1:] if t.kind != "FILL"), None)


def _host_stem(low: str, vocab: Vocabulary) -> bool:
    """Whether some host's name starts like ``low`` up to its last '-' ("web-09": web-01 does)."""
    stem = low.rsplit("-", 1)[0] + "-"
    names = vocab._sorted_hosts
    at = bisect.bisect_left(names, stem)
    return at < len(names) and names[at].startswith(stem)


def _named_object(prev: Tok | None, nxt: Tok | None, low: str, vocab: Vocabulary) -> bool:
    """A host-like word that names the object ("dpkg -s postgresql-15", "install python3-11 on web-01"): it follows
    a package/process/service word or an install/update/remove verb, is no known host and a target follows."""
    if vocab.host_index.get(low):
        return False
    if not _host_stem(low, vocab):  # "postgresql-15", "openjdk-17": no host is called like that
        return True
    if nxt is not None and nxt.kind == "KW" and nxt.value in ("package", "process", "service"):
        return True  # "the openssl-3 package"
    if prev is None:
        return False
    after_kw = prev.kind == "KW" and prev.value in ("package", "process", "service")
    after_verb = prev.kind == "V" and prev.value in ("install", "update", "remove")
    return (after_kw or after_verb) and (nxt is None or nxt.kind in ("PREP", "STATE", "VER", "FILL"))


def _environment_hosts(word: str, vocab: Vocabulary, c: Clause) -> list[str]:
    """The hosts of the environment an exclusion names (one indexed query), as names ``exclude`` takes."""
    env = word if word in vocab.environments else vocab.environment(word)
    hosts = sorted(vocab.select_hosts(Selection(everything=True, environment=env))) if env else []
    if not hosts or len(hosts) > _MAX_EXCLUDED:
        c.vague = True  # nothing to leave out, or too many to list: the planner asks which hosts
        return []
    return hosts
