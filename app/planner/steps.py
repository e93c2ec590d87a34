"""One clause's steps: which actions and params the rules read from a clause's verb, keywords, states, objects
and values (``build``), and the targets it names (``targets_of``). ``app.planner.rules`` strings the clauses
of a request together into a plan."""
from __future__ import annotations

import re

from app.planner.clauses import Clause
from app.planner.lexer import Tok
from app.planner.objects import KNOWN_OBJECTS, PROCESS_NAMES, SYSTEM_DIR
from app.planner.vocabulary import Vocabulary
from compiler.models import Targets

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
                           "monitoring", "antivirus",
                           # what a configuration holds, not a package: "ensure the line is present in /etc/x.conf"
                           "line", "lines", "entry", "entries", "setting", "settings", "value", "option"))

_ADVERB = re.compile(r"^[a-z]{4,}ly$")
# "restart all production servers simultaneously": how, not what; "the process that's hogging it": no name
_RELATIVE_WORDS = frozenset(("thats", "whats", "which", "who", "whose", "whom",
                             # "my service on app-01 keeps dying": what has been happening, never a name
                             "keeps", "kept", "dying", "crashing", "flapping", "hanging", "freezing", "misbehaving",
                             "only", "keep"))  # "Stop only - do not disable it": how much, not what


def names_of(c: Clause) -> list[str]:
    names = []
    preferred = set(c.kw_objects.values())
    groups = c.objects
    own = any(groups[c.before_verb:]) or any(  # the verb has an object of its own (a word, a quoted name)
        sp.kind == "q" for sp, _ in c.spans[c.spans_before_verb:])
    if c.before_verb and own:  # loose words before it are a remark
        groups = [g for g in groups[:c.before_verb] if not {t.text for t in g} <= c.loose] + groups[c.before_verb:]
    quoted_after = [sp for sp, _ in c.spans[c.spans_before_verb:] if sp.kind == "q"]
    if quoted_after and c.kw_objects and c.verb != "run":  # "the HL7 interface service 'HL7Listener'": the quoted
        described = set(c.kw_objects.values())  # one is the name, the words before 'service' describe it
        groups = [g for g in groups if not described & {t.text for t in g}]
    spans = c.spans
    if c.spans_before_verb and c.verb and any(c.objects[c.before_verb:] if c.before_verb else c.objects):
        spans = spans[c.spans_before_verb:]  # '"Windows Update" keeps breaking builds - disable wuauserv': a remark
    before = c.objects[:c.before_verb] if c.before_verb else []
    for group in groups:
        words = [t.text for t in group]
        exes = [w for w in words if w.lower().endswith(_EXT) and len(w) > 4]
        words = [w for w in words if not _ADVERB.match(w) and w.lower() not in _RELATIVE_WORDS]
        if c.pronoun and not c.states and len(words) > 1 and any(group is g for g in before) \
                and words[0].lower() in KNOWN_OBJECTS \
                and not any(w.lower() in KNOWN_OBJECTS for w in words[1:]):
            words = words[:1]  # "redis keeps timing out; restart it": the service, then what it does
        if len(words) > 1 and len(exes) == 1:  # "any w3wp.exe worker processes": the executable is the name
            words = exes
        elif len(words) > 1 and preferred & set(words):
            words = [w for w in words if w in preferred][:1]
        if words:
            names.append(" ".join(words))
    for span, _ in spans:
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
    names = names_of(c)
    said_before: set[str] = set()  # names taken from the clause before ("stop the Print Spooler, then disable it")
    if not names and c.pronoun and prev_names and c.verb not in ("reboot", "ping"):  # "reboot it": the host
        names = list(prev_names)
        said_before = set(names)
    if not names and shared and c.verb and not (c.spans or c.has_targets() or c.kws):
        names = list(shared)
        c.objects = [[Tok("WORD", n.lower(), n)] for n in names]
    words = " ".join(names).split()
    if names and not (c.verb or c.has_targets() or c.kws or c.states or c.spans or c.pronoun) and len(words) >= 2 \
            and not any(w.lower() in KNOWN_OBJECTS or re.search(r"[\d_.-]", w) for w in words):  # "order me a pizza"
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
        if params["src"] and "://" in params["src"] and not params["dest"] \
                and not [n for n in names if "/" in n or "\\" in n]:  # "fetch URL" (nowhere to put it): a check
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
            return [], [f"What should I restart on {target_text(c)}? Name the service, or say 'reboot "
                        f"{target_text(c)}'."], None
        if c.vague and c.has_targets() and not service_meant:  # words left unread: never guess a reboot
            return [], [f"Do you mean a reboot of {target_text(c)}, or a restart of a service on it? Say 'reboot "
                        f"{target_text(c)}' or 'restart SERVICE on {target_text(c)}'."], None
        return ([("host.reboot", {})] if (c.has_targets() or c.host_noun) and not service_meant
                else [("service.restart", {})]), [], None
    if verb in ("enable", "disable"):
        return each(f"service.{verb}"), [], None
    if c.ensure and "installed" in st and (into := _first(c, "p", ("in", "into"))):  # "ensure the line is in F"
        return [], [f"Which line should be in {into}? Quote it, e.g. make sure 'key = value' is present in "
                    f"{into}."], None
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
        return [], [f"Which service should I check on {target_text(c)}?"], None
    if c.pronoun and not names and st & {"running", "stopped"}:  # "is it running on cis-02?" - what is it?
        return [], ["What do you mean by 'it'? Name the service or process."], None
    if st & {"up", "running"} and c.has_targets():
        return [("host.ping", {})], [], None
    if names and c.vague is False and not verb:
        return [], [f"What should I do with {names[0]}, and on which hosts?"], None
    if verb == "check" and c.has_targets():
        return [], [f"What should I check on {target_text(c)}? "
                    "For example: ping, disk space, a service's status."], None
    if c.has_targets() or verb or kws or c.spans:
        where = f" on {target_text(c)}" if c.has_targets() else ""
        return [], [f"What should I do{where}? For example: 'restart nginx', 'check disk space', 'ping'."], None
    return [], [], None


def target_text(c: Clause) -> str:
    parts = list(c.hosts) + [f"the {g} servers" for g in c.groups]
    quals = " ".join(c.envs + c.oses)
    if not parts:
        return f"the {quals} hosts" if quals else "every host"
    return ", ".join(parts) + (f" ({quals})" if quals else "")


def targets_of(c: Clause) -> tuple[Targets, list[str]]:
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



_FUNCTION_WORDS = frozenset(("whether", "if", "why", "where", "what", "which", "how", "who", "r", "u", "and", "or"))


def not_a_service(c: Clause, steps: list[tuple[str, dict]], vocab: Vocabulary) -> str | None:
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
