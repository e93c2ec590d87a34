"""The rule planner: verbs, objects and targets of a plain-language request -> a Plan (no network, fast)."""
from __future__ import annotations

import re

from app.defaults import MAX_REQUEST_CHARS
from app.planner import (
    adhoc,
    commentary,
    envelope,
    markdown,
    naming,
    phrases,
    placeholders,
    readers,
    safety,
    scope,
    sequence,
    spoken,
)
from app.planner.clauses import Clause, parse_clauses
from app.planner.commentary import has_targets
from app.planner.lexer import HOSTLIKE_RX, TARGET_PREPS, VAGUE, Tok, protect, requote, tokenize
from app.planner.normalize import normalize
from app.planner.objects import KNOWN_OBJECTS, PROCESS_NAMES, SYSTEM_DIR
from app.planner.resolve import finalize, resolve_targets
from app.planner.vocabulary import Vocabulary
from compiler.models import Plan, PlanStatus, Risk, Step, Targets

PLANNER_NAME = "rules"
# The actions the hand-written rules below read from verbs and keywords; every other action (the everyday
# ones, a team's added ones) is read from its definition's phrases (app.planner.phrases); a phrase of such an
# action with two or more words replaces what the rules made of the same request.
RULE_READS = frozenset({
    "host.ping", "system.info", "disk.check", "process.check", "service.status", "package.check", "file.stat",
    "port.check", "http.check", "service.start", "service.stop", "service.restart", "package.install",
    "package.update", "package.remove", "file.copy", "app.update", "process.kill", "command.run", "host.reboot",
})
_EXT = (".exe", ".msi", ".jar", ".war", ".dll", ".zip", ".bin", ".tar.gz", ".tgz")
# Words that name a kind of thing, not one thing: "install the latest agent", "remove the printers"
GENERIC_NAMES = frozenset(("thing", "something", "whatever", "vendor", "approved", "latest", "current", "required",
                           "attached", "attachment", "mentioned",
                           "usual", "relevant", "dataset", "datasets", "correct", "right", "same", "other",
                           "agent", "agents", "client", "clients", "app", "apps", "application", "applications", "tool",
                           "tools", "driver", "drivers", "printer", "printers", "software", "program", "programs",
                           "updates", "patches", "package", "packages", "service", "services", "stuff", "things",
                           "everything", "all", "files", "logs", "backups", "users", "jobs", "tasks", "processes",
                           # what a program is for, not its name ("restart the SQL service": MSSQLSERVER? the agent?)
                           "sql", "database", "db", "web", "webserver", "mail", "email", "proxy", "backup",
                           "monitoring", "antivirus"))
_MULTI_STEP = re.compile(r"\b(?:then|afterwards|after\s+that|and\s+also)\b|;", re.IGNORECASE)


_ADVERB = re.compile(r"^[a-z]{4,}ly$")
# "restart all production servers simultaneously": how, not what; "the process that's hogging it": no name
_RELATIVE_WORDS = frozenset(("thats", "whats", "which", "who", "whose", "whom"))


def _names(c: Clause) -> list[str]:
    names = []
    preferred = set(c.kw_objects.values())
    for group in c.objects:
        words = [t.text for t in group]
        exes = [w for w in words if w.lower().endswith(_EXT) and len(w) > 4]
        words = [w for w in words if not _ADVERB.match(w) and w.lower() not in _RELATIVE_WORDS]
        if len(words) > 1 and len(exes) == 1:  # "any w3wp.exe worker processes": the executable is the name
            words = exes
        elif len(words) > 1 and preferred & set(words):
            words = [w for w in words if w in preferred][:1]
        if words:
            names.append(" ".join(words))
    for span, _ in c.spans:
        if span.kind == "q" and c.verb != "run":
            names.append(span.value)
    return names


def _first(c: Clause, kinds: str, preps: tuple[str, ...] | None = None, exclude_preps: tuple[str, ...] = ()):
    for span, prep in c.spans:
        if span.kind in kinds and (preps is None or prep in preps) and prep not in exclude_preps:
            return span.value
    return None


def _strip_ext(name: str) -> str:
    low = name.lower()
    for ext in _EXT:
        if low.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)]
    return name


def build(c: Clause, prev_names: list[str], shared: list[str] | None = None
          ) -> tuple[list[tuple[str, dict]], list[str], str | None]:
    """(steps as (action, params), questions, rejection reason) for one clause.

    ``shared``: the next clause's object, for a verb with none of its own ("enable and start chronyd")."""
    names = _names(c)
    said_before: set[str] = set()  # names taken from the clause before ("stop the Print Spooler, then disable it")
    if not names and c.pronoun and prev_names and c.verb not in ("reboot", "ping"):  # "reboot it": the host
        names = list(prev_names)
        said_before = set(names)
    if not names and shared and c.verb and not (c.spans or c.has_targets() or c.kws):
        names = list(shared)
        c.objects = [[Tok("WORD", n.lower(), n)] for n in names]
    if names and not (c.verb or c.has_targets() or c.kws or c.states or c.spans) and len(" ".join(names).split()) >= 3:
        return [], [], ("Refused: that does not look like an operations request. I can plan actions on the fleet, "
                        "e.g. 'restart nginx on the staging web servers'.")
    steps, questions, why = _build(c, names)
    if c.either and len(names) > 1 and steps:  # "restart nginx or apache2": one of them, which?
        return steps, [f"You wrote {' or '.join(names)}: which one do you mean?"], None
    values = [sp.value for sp, _ in c.spans] or c.numbers
    if c.either and len(values) > 1 and steps:  # two sources, two paths, "or" between them
        return steps, [f"You gave {' or '.join(values)}: which one do you mean?"], None
    quoted_names = [span.value for span, _ in c.spans if span.kind == "q"]
    if quoted_names and any(n.lower() in GENERIC_NAMES for n in names) and c.verb != "run":
        names = [n for n in names if n.lower() not in GENERIC_NAMES]  # "the old agent package 'oldmon-agent'"
        steps, questions, why = _build(c, names)
    generic = [n for n in names if n.lower() in GENERIC_NAMES]
    if generic and steps and not c.spans:  # "install the latest agent": which package is "agent"?
        return steps, [f"Which {steps[0][0].split('.')[0]} do you mean by '{generic[0]}'? Give its exact name."], None
    quoted = {span.value for span, _ in c.spans if span.kind == "q"}
    for action, params in steps:
        name = str(params.get("name") or "")
        if " " in name and name not in quoted and name not in said_before:  # "give nginx a kick": words, not a name
            return [(action, {k: v for k, v in params.items() if k != "name"})], [
                f"I read '{name}' as the {action.split('.')[0]} name, which is not one name. Which do you "
                "mean? Put a name with spaces in quotes, e.g. restart \"Print Spooler\"."], None
        if action == "process.kill" and name.isdigit():
            return [], [f"Opsplan stops processes by name, not by process id. Which process is {name}?"], None
    return steps, questions, why


def _build(c: Clause, names: list[str]) -> tuple[list[tuple[str, dict]], list[str], str | None]:
    verb, st, kws = c.verb, c.states, set(c.kws)

    def each(action: str, extra: dict | None = None) -> list[tuple[str, dict]]:
        return [(action, {"name": n, **(extra or {})}) for n in names] or [(action, dict(extra or {}))]

    ver = {"version": c.version} if c.version else {}
    if verb == "run":
        cmd = next((s.value for s, _ in c.spans if s.quoted), None)
        return [("command.run", {"command": cmd} if cmd is not None else {})], [], None
    if verb == "copy":
        params = {"src": _first(c, "pu", exclude_preps=("to", "into", "onto", "under", "at")),
                  "dest": _first(c, "p", ("to", "into", "onto", "under", "at"))}  # "copy X to web-05 under /data"
        paths = [sp.value for sp, _ in c.spans if sp.kind in "pu"]
        if not params["dest"] and len(paths) == 2 and params["src"] == paths[0]:  # cp SRC DEST
            params["dest"] = paths[1]
        if params["src"] and params["dest"] and names and "app" in kws:  # "push new orderd binary from A to B"
            update = {"name": _strip_ext(names[0]), "source": params["src"], "path": params["dest"]}
            return [("app.update", update)], [], None
        if not params["dest"] and params["src"] and names and _first(c, "pu", ("from",)):  # "push the new X from SRC"
            return [("app.update", {"name": _strip_ext(names[0]), "source": params["src"]})], [], None
        if params["src"] and "://" in params["src"] and not params["dest"] and not names:  # "fetch URL": a check
            return [("http.check", {"url": params["src"]})], [], None
        return [("file.copy", {k: v for k, v in params.items() if v})], [], None
    if verb == "kill":
        return each("process.kill"), [], None
    if verb == "stat":
        return [("file.stat", {"path": _first(c, "p")})], [], None
    if verb in ("reboot", "ping") and names:  # these verbs take hosts as their object (not a remark's words)
        c.hosts.extend(n for n in names if not (c.has_targets() and set(n.split()) <= c.loose))
        names = []
    if verb == "reboot":
        return [("host.reboot", {})], [], None
    if verb == "restart":
        if names:
            return each("service.restart"), [], None
        service_meant = bool(kws & {"service", "app", "process"})  # "restart the service on web-01": which one?
        if c.pronoun and c.has_targets():  # "can you restart it on web-02?" with nothing "it" could be: ask
            return [], [f"What should I restart on {_target_text(c)}? Name the service, or say 'reboot "
                        f"{_target_text(c)}'."], None
        if c.vague and c.has_targets() and not service_meant:  # words left unread: never guess a reboot
            return [], [f"Do you mean a reboot of {_target_text(c)}, or a restart of a service on it? Say 'reboot "
                        f"{_target_text(c)}' or 'restart SERVICE on {_target_text(c)}'."], None
        return ([("host.reboot", {})] if (c.has_targets() or c.host_noun) and not service_meant
                else [("service.restart", {})]), [], None
    if verb in ("enable", "disable"):
        return each(f"service.{verb}"), [], None
    if c.ensure and "installed" in st or verb == "install":
        return each("package.install", ver), [], None
    if c.ensure and "running" in st or verb == "start":
        return each("service.start"), [], None
    if c.ensure and "stopped" in st or verb == "stop":
        return each("service.stop"), [], None
    if verb == "remove":
        path = _first(c, "p")
        inside = _first(c, "p", ("in", "under", "from", "inside", "within", "beneath", "below", "of"))
        files = bool(path) and (not names or inside is not None)  # what lives in a path is files, not packages
        if files and SYSTEM_DIR.match(str(path)):
            return [], [], (f"Refused: the request involves deleting {path}, a system directory, which Opsplan "
                            "never does.")
        if files and re.search(r"\.\w{1,5}$", str(path)):  # one file
            return [], [], "Refused: deleting files is not an action in the catalog."
        if files:  # "delete old files in D:\\Logs": only files older than N days can go
            return [("file.cleanup", {"path": path})], [
                f"I can delete files under {path} that are older than a number of days (file.cleanup); deleting "
                "other files is not an action in the catalog. Older than how many days?"], None
        return each("package.remove"), [], None
    if verb in ("update", "deploy"):
        source = (_first(c, "pu", ("from", "using", "with", "via"))
                  or _first(c, "pu", exclude_preps=("at", "in", "into", "to")))
        path = _first(c, "p", ("at", "in", "into", "to"))
        if path is None and source:  # "roll out URL as C:\\apps\\x.exe": a second path, after the source, is where
            path = next((str(s.value) for s, _ in c.spans if s.kind == "p" and s.value != source), None)
        is_app = verb == "deploy" or source or c.dangling_source or "app" in kws \
            or any(n.lower().endswith(_EXT) for n in names)
        if is_app:
            params = {"name": _strip_ext(names[0]) if names else None, "source": source,
                      "path": path if path != source else None}
            return [("app.update", {k: v for k, v in params.items() if v})], [], None
        return each("package.update", ver), [], None
    if verb == "ping":
        url = _first(c, "u")
        return ([("http.check", {"url": url})] if url else [("host.ping", {})]), [], None
    # check / status / questions without a verb
    url = _first(c, "u")
    if url:
        return [("http.check", {"url": url})], [], None
    if "port" in kws or "open" in st:
        port = c.port or (c.numbers[0] if c.numbers else None)
        ports = list(dict.fromkeys(c.ports)) if not c.either else []
        if len(ports) > 1 and all(p.isdigit() and 0 < int(p) < 65536 for p in ports):  # "ports 80 and 443"
            return [("port.check", {"port": p}) for p in ports], [], None
        return [("port.check", {"port": port} if port else {})], [], None
    if "disk" in kws:
        path = _first(c, "p")
        disk = ("disk.check", {"path": path} if path else {})
        if "info" not in kws:
            return [disk], [], None
        info: tuple[str, dict] = ("system.info", {})  # "check disk and uptime", "memory and disk": both, in order
        return ([disk, info] if c.kws.index("info") > c.kws.index("disk") else [info, disk]), [], None
    if "info" in kws:
        return [("system.info", {})], [], None
    path = _first(c, "p")
    if path and ("exist" in st or ("installed" in st and "package" not in kws) or not names) \
            or "exist" in st and "file" in kws:
        return [("file.stat", {"path": path} if path else {})], [], None
    if "installed" in st or "package" in kws or ("version" in kws and names):
        return each("package.check"), [], None
    if "http" in kws:
        return [("http.check", {})], [], None
    if "process" in kws or (names and all(n.lower().endswith(".exe") or n.lower() in PROCESS_NAMES for n in names)
                            and st & {"running", "up", "stopped"} and "service" not in kws):
        return each("process.check"), [], None
    if names and (verb or st & {"running", "stopped", "up"} or kws & {"status", "service"}):
        if path and len(path) > 1 and not kws & {"status", "service"}:  # "show me the contents of /etc/x.key"
            return [], [f"What should I do with {path}? I can check a file (exists, size, checksum), its disk "
                        "usage, search or tail a log, or copy it."], None
        return each("service.status"), [], None
    if "service" in kws and not names and st & {"up", "running", "stopped"}:
        return [], [f"Which service should I check on {_target_text(c)}?"], None
    if c.pronoun and not names and st & {"running", "stopped"}:  # "is it running on cis-02?" - what is it?
        return [], ["What do you mean by 'it'? Name the service or process."], None
    if st & {"up", "running"} and c.has_targets():
        return [("host.ping", {})], [], None
    if names and c.vague is False and not verb:
        return [], [f"What should I do with {names[0]}, and on which hosts?"], None
    if verb == "check" and c.has_targets():
        return [], [f"What should I check on {_target_text(c)}? "
                    "For example: ping, disk space, a service's status."], None
    if c.has_targets() or verb or kws or c.spans:
        where = f" on {_target_text(c)}" if c.has_targets() else ""
        return [], [f"What should I do{where}? For example: 'restart nginx', 'check disk space', 'ping'."], None
    return [], [], None


def _target_text(c: Clause) -> str:
    parts = list(c.hosts) + [f"the {g} servers" for g in c.groups]
    quals = " ".join(c.envs + c.oses)
    if not parts:
        return f"the {quals} hosts" if quals else "every host"
    return ", ".join(parts) + (f" ({quals})" if quals else "")


def _targets(c: Clause) -> tuple[Targets, list[str]]:
    questions = []
    env = c.envs[0] if c.envs else None
    if len(c.envs) > 1:
        questions.append(f"You mentioned several environments ({', '.join(c.envs)}); which one do you mean?")
    if c.either and len(c.hosts) + len(c.groups) > 1:
        questions.append(f"You wrote {' or '.join(c.hosts + c.groups)}: which one do you mean (or all of them)?")
    os_ = c.oses[0] if len(c.oses) == 1 else None
    t = Targets(hosts=list(dict.fromkeys(c.hosts)), groups=list(dict.fromkeys(c.groups)), environment=env, os=os_,
                exclude=list(dict.fromkeys(c.exclude)))
    if c.all or len(c.oses) > 1:
        t.all = t.is_empty()
    return t, questions


def _reject(text: str, reason: str) -> Plan:
    kind, risk, read_only = safety.refusal_kind(reason)
    return Plan(status=PlanStatus.REJECTED, reason=reason, request=text, planner=PLANNER_NAME, refusal_kind=kind,
                risk=Risk(risk), read_only=read_only)


def _raw_reason(text: str) -> str | None:
    """Refusals read on the request as typed (before any rewriting)."""
    if len(text) > MAX_REQUEST_CHARS:
        return f"Refused: the request is too long (at most {MAX_REQUEST_CHARS} characters)."
    return safety.injection_reason(text) or safety.catastrophic_reason(text) or safety.secrets_reason(text)


def precheck(text: str) -> str | None:
    """Refusal reason that applies to the raw request text whichever planner runs (or None)."""
    if len(text) > MAX_REQUEST_CHARS:
        return f"Refused: the request is too long (at most {MAX_REQUEST_CHARS} characters)."
    reason = safety.injection_reason(text) or safety.catastrophic_reason(text) or safety.secrets_reason(text)
    if reason:
        return reason
    protected, spans = protect(text)
    for i, span in enumerate(spans):  # only explicitly quoted text may carry metacharacters (run "...")
        if not span.quoted:
            protected = protected.replace(f"__{span.kind}{i}__", span.value, 1)
    protected = re.sub(r"\s*(?:\r?\n|\r|\x03)\s*", ". ", protected)  # a line break is punctuation
    return safety.smuggled_reason(protected) or safety.secret_read_reason(text) or safety.off_topic_reason(text)


def plan_rules(text: str, vocab: Vocabulary) -> Plan:
    text = (text or "").strip()
    if not text:
        return Plan(status=PlanStatus.NEEDS_CLARIFICATION,
                    questions=["What would you like me to do, and on which hosts?"],
                    request=text, planner=PLANNER_NAME)
    reason = _raw_reason(text)
    if reason:
        return _reject(text, reason)
    # markdown ("- restart `nginx`", fenced hosts, tables) and dictation ("ping web oh five") as plain requests
    said = spoken.written(adhoc.plain(markdown.plain(text, vocab)), vocab)
    named = naming.stated(said)  # "... The package name is python3.11.": planned without it, then applied
    if named is not None:
        said = named[0]
    what = scope.conditional(envelope.unwrap(said))  # the request, not a mail's disclaimer or quoted lines
    if what is not None:
        return Plan(status=PlanStatus.NEEDS_CLARIFICATION, request=text, planner=PLANNER_NAME,
                    questions=_with_nearest(said, [f"I can't {what}: no action in the catalog does that."], vocab),
                    interpretation=[f"out of the catalog: {what}"])
    plan = _plan_normalized(normalize(said), vocab)
    if plan.status is PlanStatus.REJECTED:
        return plan.model_copy(update={"request": text})
    if named is not None and (plan.status is PlanStatus.READY or naming.only_name_questions(plan)):
        steps = naming.renamed(plan, named[1], named[2])
        if steps is None and plan.status is PlanStatus.READY and not plan.read_only:  # a change, another name: ask
            return plan.model_copy(update={
                "status": PlanStatus.NEEDS_CLARIFICATION, "hosts": [], "request": text,
                "steps": [st.model_copy(update={"hosts": []}) for st in plan.steps],
                "questions": [f"You said the {named[1] or 'name'} is {named[2]}; which step is that for? Name it in "
                              f"the instruction, e.g. '{plan.steps[0].action.split('.')[1]} {named[2]}'."]})
        if steps is not None:
            plan = finalize(plan.model_copy(update={"status": PlanStatus.READY, "questions": [], "hosts": [],
                                                    "steps": steps}), vocab)
            if plan.status is PlanStatus.REJECTED:
                return plan.model_copy(update={"request": text})
    # a misheard host, a template's placeholder, a choice of hosts left to the planner: ask
    ask = spoken.ambiguous(said, vocab) or placeholders.placeholder(said) or placeholders.subset(said)
    guessed = placeholders.padding_guesses(said, vocab)
    if ask is None and guessed and plan.status is PlanStatus.READY and not plan.read_only:
        ask = f"Did you mean {guessed[0][1]} ('{guessed[0][0]}')? For a change, name the host as the inventory does."
    if ask is not None:
        return plan.model_copy(update={"status": PlanStatus.NEEDS_CLARIFICATION, "hosts": [], "request": text,
                                       "steps": [st.model_copy(update={"hosts": []}) for st in plan.steps],
                                       "questions": [ask]})
    update: dict = {"request": text}
    if said != text:
        update["interpretation"] = [f"read as: {said!r}", *plan.interpretation]
    return plan.model_copy(update=update)


def _plan_normalized(text: str, vocab: Vocabulary) -> Plan:
    reason = precheck(text)
    if reason:
        return _reject(text, reason)
    text = commentary.without_story(text, vocab)
    what = scope.out_of_catalog(protect(text)[0])
    defined = phrases.match(text, vocab.catalog) if what is not None else None
    if defined is not None and what is not None:  # an added action's phrase may say those very words
        said_at = scope.out_of_catalog_span(what, text)
        if said_at is not None and not (defined.span[0] < said_at[1] and said_at[0] < defined.span[1]):
            defined = None  # "at 96% disk, free up some space": "disk usage" is said, "free up" is not its
    if what is not None and not (defined is not None and defined.words >= 2):  # an added action may do it after all
        questions = _with_nearest(text, [f"I can't {what}: no action in the catalog does that."], vocab)
        return Plan(status=PlanStatus.NEEDS_CLARIFICATION, questions=questions, request=text, planner=PLANNER_NAME,
                    interpretation=[f"out of the catalog: {what}"])
    several = sequence.plan_sequence(text, vocab, _plan_normalized)
    if several is not None:
        return several
    reading = None if _MULTI_STEP.search(protect(text)[0]) else readers.read(text)
    if reading is not None:
        found, rest = reading
        note = f"{found.action}: read from {found.why}"
        if found.default_host and vocab.host(found.default_host) and not has_targets(rest, vocab):
            rest = f"{rest} on {found.default_host}"
            note += f"; run on {found.default_host}, the host serving it (no other host was named)"
        return _one_step(text, rest, found.action, found.params, vocab, note)
    toks, spans = tokenize(text, vocab)
    clauses = parse_clauses(toks, spans, vocab)
    if any(c.verb or c.ensure for c in clauses):  # "Ticket 4411: users say X is down. Restart W3SVC on iis-01."
        clauses = [c for i, c in enumerate(clauses) if c.verb or c.ensure or c.has_targets() or c.spans or c.exclude
                   or (c.kws and (c.follows_then or (i + 1 < len(clauses) and clauses[i + 1].follows_then)))] or clauses
    built: list[tuple[Clause, list[tuple[str, dict]]]] = []
    questions = []
    # how many hosts each step's target was said to be (0: not said), and how many its words name before OS narrowing
    singular: list[tuple[int, list[str] | None]] = []
    prev_names: list[str] = []
    phrase = phrases.match(text, vocab.catalog)
    if phrase is not None and any(str(v).lower() in VAGUE | GENERIC_NAMES for v in phrase.params.values()):
        phrase = None  # "restart the thing on iis-01": a phrase's slot holding a vague word names nothing
    for i, c in enumerate(clauses):
        shared = _names(clauses[i + 1]) if i + 1 < len(clauses) else None
        if not shared and i + 1 < len(clauses) and clauses[i + 1].pronoun and prev_names:
            shared = prev_names  # "install redis, then enable and start it": "it" is redis for both verbs
        if not _names(c) and not c.pronoun and prev_names and built and c.kws and not c.spans \
                and set(c.kws) <= {"status", "version", "service", "package", "process"} \
                and any(a.split(".")[0] in ("service", "package", "process") for a, _ in built[-1][1]):
            c.pronoun = True  # "nginx web-01 restart then status": the status of the same nginx
        steps, qs, why = build(c, prev_names, shared)
        odd = _not_a_service(c, steps, vocab)
        if odd:  # "check connectivity from app-01", "check what it resolves to": words of the request, not a name
            steps, qs = [], [f"What should I check on {_target_text(c)}? '{odd}' does not name a service. For "
                             "example: a service's status, ping, disk space."]
        if why:
            if phrase is not None and phrase.words >= 2:  # a definition reads it: e.g. "delete files older than"
                return _from_phrase(text, phrase, vocab)
            return _reject(text, why)
        questions += qs
        built.append((c, steps))
        names = _names(c)
        prev_names = names or prev_names
    read = {a for _, steps in built for a, _ in steps}
    if phrase is not None and (not read or (phrase.words >= 2 and phrase.action not in RULE_READS | read)
                               or _phrase_verb_as_name(built, phrase)):
        return _from_phrase(text, phrase, vocab)
    if not read and questions:
        questions = _with_nearest(text, questions, vocab)
    if not any(steps for _, steps in built) and not questions:
        return _reject(text, "Refused: that does not look like an operations request. I can plan actions on the fleet, "
                             "e.g. 'restart nginx on the staging web servers'.")
    # clauses without targets share those of the nearest following clause (else the preceding one)
    specs = [c if c.has_targets() or c.exclude else None for c, _ in built]
    for i, spec in enumerate(specs):
        if spec is None:
            specs[i] = next((s for s in specs[i + 1:] if s is not None), None) or next(
                (s for s in reversed(specs[:i]) if s is not None), None)
    plan_steps: list[Step] = []
    for (_c, steps), spec in zip(built, specs, strict=True):
        targets, qs = _targets(spec) if spec is not None else (Targets(), [])
        questions += [q for q in qs if q not in questions]
        for action, params in steps:
            step = Step(action=action, params=params, targets=targets)
            if plan_steps and plan_steps[-1] == step:
                continue  # the same step said twice ("let's bounce it. Restart redis ...") is one step
            plan_steps.append(step)
            want = _wanted(spec)
            # several singular nouns ("the file server and the app server"): one host each, before any OS narrowing
            singular.append((want, resolve_targets(targets, vocab, step)[0] if want > 1 and spec is not None
                             and spec.singulars > 1 else None))
    status = PlanStatus.NEEDS_CLARIFICATION if questions else PlanStatus.READY
    plan = finalize(Plan(status=status, questions=questions, steps=plan_steps, request=text, planner=PLANNER_NAME),
                    vocab)
    if plan.status is PlanStatus.READY:
        for step, (want, named) in zip(plan.steps, singular, strict=True):
            asked = _count_question(want, step.hosts if named is None else named)
            if asked:
                return plan.model_copy(update={
                    "status": PlanStatus.NEEDS_CLARIFICATION, "hosts": [],
                    "steps": [s.model_copy(update={"hosts": []}) for s in plan.steps], "questions": [asked]})
    return scope.ambiguous_update(plan, text, vocab)


def _wanted(spec: Clause | None) -> int:
    """How many hosts the target was said to be: 1 for "the web server", n for "the two prod web servers", else 0."""
    if spec is None:
        return 0
    if spec.singular and (not spec.hosts or spec.stemmed):
        return max(1, spec.singulars)  # one host per singular noun
    return spec.count


def _count_question(want: int, hosts: list[str]) -> str | None:
    if not want or (len(hosts) <= 1 if want == 1 else len(hosts) == want):
        return None
    shown = ", ".join(hosts[:10]) + (" ..." if len(hosts) > 10 else "")
    said = "one server" if want == 1 else f"{want} servers"
    return f"You asked for {said}, but that matches {len(hosts)} hosts ({shown}). Which one(s) do you mean?"


_FUNCTION_WORDS = frozenset(("whether", "if", "why", "where", "what", "which", "how", "who", "r", "u", "and", "or"))


def _not_a_service(c: Clause, steps: list[tuple[str, dict]], vocab: Vocabulary) -> str | None:
    """The name of a service status read from a bare verb ("check X") that is a word of the actions' own phrases or
    a question word ("connectivity", "resolves", "whether"), not a known service: None when every name may be one."""
    if "service" in c.kws or not steps or any(a != "service.status" for a, _ in steps):
        return None
    words = {w.lower() for spec in vocab.catalog.values() for p in spec.phrases
             for w in re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", " ", p))}
    for _, params in steps:
        name = str(params.get("name") or "").lower()
        stems = {name, name[:-1], name[:-2], name[:-3]} if name.endswith(("s", "d", "ing", "ed")) else {name}
        if name and name not in KNOWN_OBJECTS and (stems & words or name in _FUNCTION_WORDS):
            return str(params["name"])
    return None


def _phrase_verb_as_name(built: list[tuple[Clause, list[tuple[str, dict]]]], phrase: phrases.Match) -> bool:
    """The rules read a status check of a "service" that is the phrase's own word ("check resolve db.internal"
    -> a service called 'resolve'): the phrase says what is asked."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", " ", phrase.phrase))}
    steps = [(a, p) for _, st in built for a, p in st]
    return bool(steps) and all(a == "service.status" and str(p.get("name", "")).lower() in words for a, p in steps)


def _from_phrase(text: str, phrase: phrases.Match, vocab: Vocabulary) -> Plan:
    """One step read from an action definition's phrase; targets from the request's other words."""
    rest = f"{text[:phrase.span[0]]} {text[phrase.span[1]:]}"  # the phrase's own words are not targets
    return _one_step(text, rest, phrase.action, dict(phrase.params), vocab)


def _one_step(text: str, rest: str, action: str, params: dict, vocab: Vocabulary, note: str = "") -> Plan:
    """A plan of one step whose action and params are read; targets from ``rest`` (the other words)."""
    toks, spans = tokenize(rest, vocab)
    clauses = parse_clauses(toks, spans, vocab)
    spec = next((c for c in clauses if c.has_targets() or c.exclude), None)
    targets, questions = _targets(spec) if spec is not None else (Targets(), [])
    step = Step(action=action, params=params, targets=targets)
    status = PlanStatus.NEEDS_CLARIFICATION if questions else PlanStatus.READY
    plan = finalize(Plan(status=status, questions=questions, steps=[step], request=text, planner=PLANNER_NAME,
                         interpretation=[note] if note else []), vocab)
    asked = _count_question(_wanted(spec), plan.hosts) if plan.status is PlanStatus.READY else None
    if asked:
        return plan.model_copy(update={
            "status": PlanStatus.NEEDS_CLARIFICATION, "hosts": [],
            "steps": [s.model_copy(update={"hosts": []}) for s in plan.steps], "questions": [asked]})
    return plan


def _with_nearest(text: str, questions: list[str], vocab: Vocabulary) -> list[str]:
    """When no action reads the request, say which ones come closest (instead of guessing one)."""
    close = phrases.nearest(text, vocab.catalog)
    if not close:
        return questions
    offer = "; ".join(f"{a.name} ({a.description[0].lower() + a.description[1:]})" for a in close)
    return [f"{questions[0]} I can't do that as asked; the closest actions I have: {offer}.", *questions[1:]]


_TARGET_TOKS = frozenset(("HOST", "GROUP", "ENV", "OS", "ALL", "NOUN", "EXCEPT"))


def has_verb(text: str, vocab: Vocabulary) -> bool:
    return any(t.kind in ("V", "ENSURE") for t in tokenize(text, vocab)[0])


def strip_targets(text: str, vocab: Vocabulary) -> str:
    """The request without its target phrases (used when a clarifying answer names new targets)."""
    toks, spans = tokenize(text, vocab)
    out: list[Tok] = []
    dropping = False
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        target = t.kind in _TARGET_TOKS or (t.kind == "WORD" and (
            dropping or HOSTLIKE_RX.match(t.value) or (nxt is not None and nxt.kind == "NOUN")))
        if target or (dropping and t.kind in ("CONJ", "FILL")):
            while out and (out[-1].kind == "FILL" or (out[-1].kind == "PREP" and out[-1].value not in ("of",))):
                out.pop()
            dropping = True
            continue
        dropping = t.kind == "PREP" and t.value in TARGET_PREPS
        out.append(t)
    words = []
    for t in out:
        if t.kind == "PH":
            span = spans[int(t.value[1:])]
            words.append(requote(span))
        else:
            words.append(t.text)
    while words and words[-1] in ("on", "in", "at", "across", "for", "from", "to"):
        words.pop()
    return " ".join(words)
