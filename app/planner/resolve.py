"""Target resolution and the final checks every plan goes through, whichever planner made it.

``finalize`` = refuse smuggled payloads -> validate against the catalog -> ``resolve`` targets.
A ``ready`` plan that leaves here names only enabled assets that its targets select.
"""
from __future__ import annotations

import difflib

from app.planner import safety
from app.planner.vocabulary import Vocabulary
from compiler.catalog import CATALOG
from compiler.errors import CompilerError
from compiler.models import Plan, PlanStatus, Step, Targets
from compiler.validate import plan_risk, validate_step

# How each action reads in a question: "Which hosts should I <phrase> on?"
_PHRASES = {
    "host.ping": "ping", "system.info": "collect system info from", "disk.check": "check disk space on",
    "process.check": "check the {name} process on", "service.status": "check the {name} service on",
    "package.check": "check whether {name} is installed on", "file.stat": "check {path} on",
    "port.check": "check port {port} on", "http.check": "check {url} from", "service.start": "start {name} on",
    "service.stop": "stop {name} on", "service.restart": "restart {name} on", "package.install": "install {name} on",
    "package.update": "update {name} on", "package.remove": "remove {name} from", "file.copy": "copy {src} to",
    "app.update": "update {name} on", "process.kill": "kill {name} on", "command.run": "run that command on",
    "host.reboot": "reboot",
}
_MISSING = {
    ("service", "name"): "Which service should I {verb}?",
    ("package", "name"): "Which package should I {verb}?",
    ("process", "name"): "Which process should I {verb}?",
    ("app", "name"): "Which application should I update?",
    ("app", "source"): ("Where should I get the new {name} from? Give a path, a UNC share "
                        "(\\\\server\\share\\file) or a URL, e.g. 'from \\\\file-01\\releases\\{name}.exe'."),
    ("file", "src"): "Which file should I copy (a path, UNC share or URL)?",
    ("file", "dest"): "Where should I copy {src} to? Give the full destination path.",
    ("file", "path"): "Which file or directory should I check?",
    ("port", "port"): "Which port should I check?",
    ("http", "url"): "Which URL should I check (http:// or https://)?",
    ("command", "command"): "Which command should I run? Put the exact command in quotes, e.g. run \"df -h\".",
}
_VERBS = {"start": "start", "stop": "stop", "restart": "restart", "status": "check", "install": "install",
          "update": "update", "remove": "remove", "check": "check", "kill": "kill"}


def phrase(step: Step) -> str:
    fmt = _PHRASES.get(step.action, step.action)
    try:
        return fmt.format(**{k: v for k, v in step.params.items()})
    except (KeyError, IndexError):
        return fmt.replace(" {name}", "").replace(" the {name}", "").replace(" {src}", " the file")


def missing_question(step: Step, param: str) -> str:
    family, _, verb = step.action.partition(".")
    tmpl = _MISSING.get((family, param), f"What should {param} be for {step.action}?")
    values = {"verb": _VERBS.get(verb, verb), "name": step.params.get("name", "it"),
              "src": step.params.get("src", "it")}
    return tmpl.format(**values)


def target_question(step: Step) -> str:
    text = phrase(step)
    if text.endswith((" on", " from", " to")):
        return f"Which hosts should I {text}?"
    return (f"Which hosts should I {text}?" if step.action in ("host.ping", "host.reboot")
            else f"Which hosts should I {text} on?")


def _did_you_mean(close: list[str]) -> str:
    return f" Did you mean {' or '.join(close)}?" if close else ""


def _suggest(word: str, candidates) -> str:
    return _did_you_mean(difflib.get_close_matches(word.lower(), [c.lower() for c in candidates], n=3, cutoff=0.6))


def describe(t: Targets) -> str:
    parts = []
    if t.groups:
        parts.append(("group " if len(t.groups) == 1 else "groups ") + ", ".join(t.groups))
    if t.hosts:
        parts.append(", ".join(t.hosts))
    return " and ".join(parts) if parts else "the fleet"


def resolve_targets(t: Targets, vocab: Vocabulary, step: Step) -> tuple[list[str], list[str]]:
    """(sorted host names, questions). Questions non-empty means the step cannot be trusted."""
    questions: list[str] = []
    if t.is_empty():
        return [], [target_question(step)]
    selected: set[str] = set()
    for name in t.hosts:
        host = vocab.host(name)
        if host is None and vocab.group(name) == name:
            selected |= vocab.group_members[name]
        elif host is None:
            questions.append(f"I don't know a host called '{name}'.{_did_you_mean(vocab.suggest_hosts(name))}")
        elif host not in vocab.enabled:
            questions.append(f"{host} is disabled in the asset database; enable it or pick other hosts.")
        else:
            selected.add(host)
    for name in t.groups:
        group = name if name in vocab.group_members else vocab.group(name)
        if group is None:
            known = ", ".join(vocab.groups[:20]) or "none"
            questions.append(f"I don't know a group called '{name}'.{_suggest(name, vocab.group_members)} "
                             f"Known groups: {known}.")
        else:
            selected |= vocab.group_members[group]
    if questions:
        return [], questions
    pool = selected if (t.hosts or t.groups) else set(vocab.all_names)
    pool &= vocab.enabled
    qual = []
    if t.environment:
        env = t.environment if t.environment in vocab.env_members else vocab.environment(t.environment)
        if env is None:
            return [], [f"There are no hosts in a '{t.environment}' environment. Known environments: "
                        f"{', '.join(vocab.environments) or 'none'}. Which did you mean?"]
        pool &= vocab.env_members[env]
        qual.append(env)
    if t.os:
        pool &= vocab.os_members.get(t.os, frozenset())
        qual.append(t.os)
    if not pool:
        where = describe(t)
        q = " ".join(qual)
        return [], [f"No {q + ' ' if q else ''}hosts are in {where}. Which hosts did you mean?"
                    if where != "the fleet"
                    else f"There are no enabled {q + ' ' if q else ''}hosts. Which hosts did you mean?"]
    for name in t.exclude:
        host = vocab.host(name)
        group = None if host else (name if name in vocab.group_members else vocab.group(name))
        if host:
            pool.discard(host)
        elif group:
            pool -= vocab.group_members[group]
        else:
            return [], [f"I don't know a host or group called '{name}' to exclude."
                        f"{_did_you_mean(vocab.suggest_hosts(name))}"]
    if not pool:
        return [], [f"Excluding {', '.join(t.exclude)} leaves no hosts in {describe(t)}. Which hosts did you mean?"]
    return sorted(pool), []


def resolve(plan: Plan, vocab: Vocabulary) -> Plan:
    """Resolve every step's targets into step.hosts and plan.hosts; problems become questions."""
    if plan.status is PlanStatus.REJECTED:
        return plan.model_copy(update={"hosts": [], "questions": []})
    questions = list(plan.questions)
    steps, union = [], set()
    for step in plan.steps:
        hosts, qs = resolve_targets(step.targets, vocab, step)
        for q in qs:
            if q not in questions:
                questions.append(q)
        steps.append(step.model_copy(update={"hosts": hosts}))
        union.update(hosts)
    if not plan.steps and not questions:
        questions.append("What would you like me to do, and on which hosts?")
    if questions:
        steps = [s.model_copy(update={"hosts": []}) for s in steps]
        return plan.model_copy(update={"status": PlanStatus.NEEDS_CLARIFICATION, "questions": questions,
                                       "steps": steps, "hosts": []})
    return plan.model_copy(update={"steps": steps, "hosts": sorted(union), "status": PlanStatus.READY, "questions": []})


def _reject(plan: Plan, reason: str) -> Plan:
    return Plan(status=PlanStatus.REJECTED, reason=reason, steps=plan.steps, risk=plan.risk,
                read_only=plan.read_only, request=plan.request, planner=plan.planner)


def finalize(plan: Plan, vocab: Vocabulary) -> Plan:
    """The one code path from a planner's raw plan to a checked plan (refuse, validate, resolve)."""
    if plan.status is PlanStatus.REJECTED:
        return _reject(plan, plan.reason or "Refused.")
    for step in plan.steps:  # refuse payloads before anything else looks at them
        values = [(str(v), step.action == "command.run" and k == "command") for k, v in step.params.items()]
        t = step.targets
        values += [(str(v), False) for v in (*t.hosts, *t.groups, *t.exclude, t.environment or "")]
        for value, is_command in values:
            reason = safety.check_value(value, command=is_command)
            if reason:
                return _reject(plan, reason)
    for step in plan.steps:
        t = step.targets
        if step.action == "host.reboot" and t.all and not (t.hosts or t.groups or t.environment or t.os):
            return _reject(plan, "Refused: rebooting the entire fleet at once; name a group, environment or hosts.")
    questions = list(plan.questions)
    checked: list[Step] = []
    for step in plan.steps:
        spec = CATALOG.get(step.action)
        if spec is None:
            return _reject(plan, f"Refused: '{step.action}' is not an action in the catalog.")
        missing = [p.name for p in spec.params if p.required and step.params.get(p.name) in (None, "")]
        if missing:
            questions.append(missing_question(step, missing[0]))
            checked.append(step)
            continue
        try:
            checked.append(validate_step(step))
        except CompilerError as exc:
            questions.append(f"{exc} Please give a valid value.")
            checked.append(step)
    valid = [s for s in checked if s.action in CATALOG]
    risk, read_only = plan_risk(valid)
    status = PlanStatus.NEEDS_CLARIFICATION if questions else plan.status
    out = plan.model_copy(update={"steps": checked, "risk": risk, "read_only": read_only,
                                  "status": status, "questions": questions})
    out = resolve(out, vocab)
    return Plan.model_validate(out.model_dump())
