"""Target resolution and the final checks every plan goes through, whichever planner made it.

``finalize`` = refuse smuggled payloads -> validate against the catalog -> ``resolve`` targets.
A ``ready`` plan that leaves here names only enabled assets that its targets select.
"""
from __future__ import annotations

import difflib
import re

from app.planner import objects, safety, shell_ops
from app.planner.vocabulary import Selection, Vocabulary
from compiler.catalog import Catalog
from compiler.definitions import SLOT_RE
from compiler.errors import CompilerError
from compiler.models import Plan, PlanStatus, Risk, Step, Targets
from compiler.validate import plan_risk, validate_step


def _fill(template: str, step: Step) -> str:
    """A definition's text with the step's params filled in ({name} ... without a value reads 'it')."""
    values = {k: str(v) for k, v in step.params.items() if v not in (None, "")}
    return SLOT_RE.sub(lambda m: values.get(m.group(1), "it"), template)


def phrase(step: Step, catalog: Catalog) -> str:
    """How the step reads in a question: 'restart nginx on' (the definition's target_phrase)."""
    spec = catalog.get(step.action)
    if spec is None or not spec.target_phrase:
        return f"run {step.action} on"
    text = _fill(spec.target_phrase, step)
    return text.replace(" the it ", " the ").replace(" it on", " on").replace(" it from", " from")


def missing_question(step: Step, param: str, catalog: Catalog) -> str:
    spec = catalog.get(step.action)
    template = spec.questions.get(param) if spec is not None else None
    if not template:
        return f"What should {param} be for {step.action}?"
    return _fill(template, step)


def target_question(step: Step, catalog: Catalog) -> str:
    return f"Which hosts should I {phrase(step, catalog)}?"


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
    hosts, questions = _select(t, vocab, step)
    return sorted(hosts), questions


def _select(t: Targets, vocab: Vocabulary, step: Step) -> tuple[dict[str, str], list[str]]:
    """(selected host -> OS family, questions). Work proportional to the targets: the vocabulary answers
    membership with indexed queries (FleetVocabulary) or set lookups (Vocabulary)."""
    questions: list[str] = []
    if t.is_empty():
        return {}, [target_question(step, vocab.catalog)]
    named: set[str] = set()
    groups: set[str] = set()
    for name in t.hosts:
        host = vocab.host(name)
        if host is None and vocab.group(name) == name:
            groups.add(name)
        elif host is None:
            questions.append(f"I don't know a host called '{name}'.{_did_you_mean(vocab.suggest_hosts(name))}")
        else:
            named.add(host)
    for host in sorted(vocab.disabled(named)):
        questions.append(f"{host} is disabled in the asset database; enable it or pick other hosts.")
    for name in t.groups:
        group = name if vocab.is_group(name) else vocab.group(name)
        if group is None:
            known = ", ".join(vocab.groups[:20]) or "none"
            questions.append(f"I don't know a group called '{name}'.{_suggest(name, vocab.groups)} "
                             f"Known groups: {known}.")
        else:
            groups.add(group)
    if questions:
        return {}, questions
    env = None
    if t.environment:
        env = t.environment if t.environment in vocab.environments else vocab.environment(t.environment)
        if env is None:
            return {}, [f"There are no hosts in a '{t.environment}' environment. Known environments: "
                        f"{', '.join(vocab.environments) or 'none'}. Which did you mean?"]
    pool = vocab.select_hosts(Selection(hosts=frozenset(named), groups=frozenset(groups),
                                        everything=not (t.hosts or t.groups), environment=env, os=t.os or None))
    if not pool:
        where = describe(t)
        q = " ".join(x for x in (env, t.os) if x)
        return {}, [f"No {q + ' ' if q else ''}hosts are in {where}. Which hosts did you mean?"
                    if where != "the fleet"
                    else f"There are no enabled {q + ' ' if q else ''}hosts. Which hosts did you mean?"]
    drop_groups: list[str] = []
    for name in t.exclude:
        host = vocab.host(name)
        group = None if host else (name if vocab.is_group(name) else vocab.group(name))
        if host:
            pool.pop(host, None)
        elif group:
            drop_groups.append(group)
        else:
            return {}, [f"I don't know a host or group called '{name}' to exclude."
                        f"{_did_you_mean(vocab.suggest_hosts(name))}"]
    if drop_groups:
        for host in vocab.group_hosts(drop_groups):
            pool.pop(host, None)
    if not pool:
        return {}, [f"Excluding {', '.join(t.exclude)} leaves no hosts in {describe(t)}. Which hosts did you mean?"]
    return pool, []


def resolve(plan: Plan, vocab: Vocabulary) -> Plan:
    """Resolve every step's targets into step.hosts and plan.hosts; problems become questions."""
    if plan.status is PlanStatus.REJECTED:
        return plan.model_copy(update={"hosts": [], "questions": []})
    questions = list(plan.questions)
    notes = list(plan.interpretation)
    steps, union = [], set()
    for step in plan.steps:
        selected, qs = _select(step.targets, vocab, step)
        hosts, note, q = _supported(step, selected, vocab)
        qs = [*qs, q] if q else qs
        if step.action == "command.run" and hosts:  # "run 'a && b'": no shell reads the '&&'
            shell_q = shell_ops.question(str(step.params.get("command") or ""), {selected[h] for h in hosts})
            qs = [*qs, shell_q] if shell_q else qs
        if note and note not in notes:
            notes.append(note)
        for q in qs:
            if q not in questions:
                questions.append(q)
        steps.append(step.model_copy(update={"hosts": hosts}))
        union.update(hosts)
    if not plan.steps and not questions:
        questions.append("What would you like me to do, and on which hosts?")
    elsewhere = None if questions else _check_then_change_elsewhere(steps, vocab)
    if elsewhere:
        questions.append(elsewhere)
    if questions:
        steps = [s.model_copy(update={"hosts": []}) for s in steps]
        return plan.model_copy(update={"status": PlanStatus.NEEDS_CLARIFICATION, "questions": questions,
                                       "steps": steps, "hosts": []})
    return plan.model_copy(update={"steps": steps, "hosts": sorted(union), "status": PlanStatus.READY, "questions": [],
                                   "interpretation": notes})


def _check_then_change_elsewhere(steps: list[Step], vocab: Vocabulary) -> str | None:
    """A check on some hosts and a change on others, the two asks of one message ("check nginx on web-01 and restart
    it on web-02"): whether the change waits for what the check finds is not said, so ask rather than run both at
    once. A longer list of chores on several hosts is a batch, planned as written."""
    if len(steps) != 2:
        return None
    first, second = (vocab.catalog.get(s.action) for s in steps)
    if first is None or second is None or first.read_only == second.read_only:
        return None
    check, change = (steps[0], steps[1]) if first.read_only else (steps[1], steps[0])
    if not check.hosts or not change.hosts or set(check.hosts) & set(change.hosts):
        return None
    return (f"You asked for a check on {', '.join(check.hosts)} and a change on {', '.join(change.hosts)}. "
            "Should the change wait for what the check finds? Send them as two requests (the check first), or name "
            "the same hosts for both.")


def _supported(step: Step, selected: dict[str, str], vocab: Vocabulary) -> tuple[list[str], str, str]:
    """The hosts whose OS the action supports; a note when some were left out, a question when none is left."""
    hosts = sorted(selected)
    spec = vocab.catalog.get(step.action)
    if spec is None or not hosts:
        return hosts, "", ""
    keep = [h for h in hosts if selected[h] in spec.os]
    dropped = sorted(set(hosts) - set(keep))
    if not dropped:
        return hosts, "", ""
    oses = " and ".join(spec.os)
    if not keep:
        return [], "", (f"{step.action} runs on {oses} hosts only, and {', '.join(dropped[:10])} "
                        f"{'is' if len(dropped) == 1 else 'are'} not. Which {oses} hosts did you mean?")
    return keep, (f"{step.action} runs on {oses} hosts only: left out {', '.join(dropped[:10])}"
                  f"{' ...' if len(dropped) > 10 else ''}"), ""


def _reject(plan: Plan, reason: str, vocab: Vocabulary | None = None) -> Plan:
    """A refusal that says what it refused: its kind, and the risk of the refused steps (or of the kind)."""
    kind, risk, read_only = safety.refusal_kind(reason)
    if plan.refusal_kind and reason == plan.reason:
        kind = plan.refusal_kind
    if vocab is not None and plan.steps:
        known = [s for s in plan.steps if s.action in vocab.catalog]
        step_risk, steps_read_only = plan_risk(known, vocab.catalog) if known else (Risk(risk), read_only)
        order = list(Risk)
        risk = max(Risk(risk), step_risk, key=order.index).value
        read_only = read_only and steps_read_only
    return Plan(status=PlanStatus.REJECTED, reason=reason, steps=plan.steps, risk=Risk(risk), read_only=read_only,
                request=plan.request, planner=plan.planner, refusal_kind=kind, interpretation=plan.interpretation)


_FREE_TEXT = frozenset(("command", "line", "pattern"))


def finalize(plan: Plan, vocab: Vocabulary) -> Plan:
    """The one code path from a planner's raw plan to a checked plan (refuse, validate, resolve)."""
    if plan.status is PlanStatus.REJECTED:
        return _reject(plan, plan.reason or "Refused.", vocab)
    for step in plan.steps:  # refuse payloads before anything else looks at them
        spec = vocab.catalog.get(step.action)
        kinds = {p.name: p.kind for p in spec.params} if spec is not None else {}
        # free text (a command, a config line, a search pattern) reaches Ansible as data (!unsafe): only what
        # would destroy something is refused there; names, paths and targets may carry no metacharacter
        values = [(str(v), kinds.get(k) in _FREE_TEXT or (step.action == "command.run" and k == "command"))
                  for k, v in step.params.items()]
        t = step.targets
        values += [(str(v), False) for v in (*t.hosts, *t.groups, *t.exclude, t.environment or "")]
        for value, is_command in values:
            reason = safety.check_value(value, command=is_command)
            if reason:
                return _reject(plan, reason, vocab)
    plan = plan.model_copy(update={"steps": [objects.canonical(s) for s in plan.steps]})
    for step in plan.steps:
        if step.action == "file.cleanup" and objects.SYSTEM_DIR.match(str(step.params.get("path") or "")):
            return _reject(plan, f"Refused: the request involves deleting files under {step.params['path']}, a system "
                                 "directory or a drive's root, which Opsplan never does.", vocab)
    for step in plan.steps:
        reason = objects.lockout_reason(step) or safety.secret_file_reason(step.action, step.params)
        if reason:
            return _reject(plan, reason, vocab)
    for step in plan.steps:
        t = step.targets
        command = str(step.params.get("command", "")) if step.action == "command.run" else ""
        reboots = step.action == "host.reboot" or bool(re.search(
            r"\b(?:reboot|shutdown|init\s+6|restart-computer|systemctl\s+reboot)\b", command, re.I))
        every = bool(t.hosts) and len(set(t.hosts) - set(t.exclude)) >= max(len(vocab), 2)  # each host, one by one
        if reboots and (every or (t.all and not (t.hosts or t.groups or t.environment or t.os))):
            return _reject(plan, "Refused: rebooting the entire fleet at once; name a group, environment or hosts.",
                           vocab)
        if reboots and t.environment and vocab.environment(t.environment) \
                and not (t.hosts or t.groups or t.os or t.exclude):
            return _reject(plan, f"Refused: rebooting every host of {t.environment} at once; name a group or hosts.",
                           vocab)
    questions = list(plan.questions)
    checked: list[Step] = []
    for step in plan.steps:
        spec = vocab.catalog.get(step.action)
        if spec is None:
            return _reject(plan, f"Refused: '{step.action}' is not an action in the catalog.", vocab)
        missing = [p.name for p in spec.params if p.required and step.params.get(p.name) in (None, "")]
        missing += [group[0] for group in spec.one_of
                    if sum(step.params.get(p) not in (None, "") for p in group) != 1]
        if missing:
            questions.append(missing_question(step, missing[0], vocab.catalog))
            checked.append(step)
            continue
        try:
            checked.append(validate_step(step, vocab.catalog))
        except CompilerError as exc:
            questions.append(f"{exc} Please give a valid value.")
            checked.append(step)
    checked, os_questions, notes = objects.narrow(checked, vocab)
    questions += [q for q in os_questions if q not in questions]
    valid = [s for s in checked if s.action in vocab.catalog]
    risk, read_only = plan_risk(valid, vocab.catalog)
    status = PlanStatus.NEEDS_CLARIFICATION if questions else plan.status
    out = plan.model_copy(update={"steps": checked, "risk": risk, "read_only": read_only, "status": status,
                                  "questions": questions, "interpretation": [*plan.interpretation, *notes]})
    out = resolve(out, vocab)
    return Plan.model_validate(out.model_dump())
