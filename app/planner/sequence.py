"""A request of several instructions where at least one belongs to a reader's family ("check disk on db-03 and
show the top 5 memory hogs", "stop Spooler on cis-04, delete files older than 1 day in C:\\...\\PRINTERS, then
start Spooler again"): each instruction is planned on its own, in order, and the steps are put together.

The rules read several instructions themselves when every one of them is theirs; a reader reads one whole
request. This module joins the two: the request is cut where a new instruction starts (";", "then", "after
that", or a comma or "and" before an instruction verb), an instruction that names no target takes the targets
of the nearest one that does, and the plan is checked once more as a whole.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner import readers
from app.planner.commentary import COUNT_ONLY, has_targets, only_targets, statement, target_words
from app.planner.lexer import VERBS, protect, requote, starts_asking, tokenize
from app.planner.resolve import finalize
from app.planner.vocabulary import Vocabulary
from compiler.models import Plan, PlanStatus

# commands people paste as steps ("check disk / and curl URL", "restart nginx, then dig api.internal")
_COMMAND_WORDS = (r"curl|wget|dig|nslookup|journalctl|systemctl|docker|podman|df|du|openssl|netstat|pgrep|crontab|"
                  r"schtasks|get-service|get-process|get-eventlog|get-winevent|test-netconnection|tnc|invoke-webrequest|iwr")
_COMMAND_START = re.compile(rf"\s*(?:sudo\s+)?(?:{_COMMAND_WORDS})\b", re.IGNORECASE)
_VERB_WORDS = "|".join(sorted((v for v in VERBS if v.isalpha()), key=len, reverse=True)) \
    + "|tail|search|grep|look|purge|top|clean|clear|prune|housekeep|tidy|empty|resolve|read|" + _COMMAND_WORDS
_CUT = re.compile(r"\s*(?:\x03\s*(?=(?:also\s+)?(?:ensure\b|make\s+sure\b|" + _VERB_WORDS.replace("|", r"\b|") + r"\b))"
                  r"|;|,\s*and\s+(?=(?:is|are|does|do|can)\s+(?:the\s+)?\S+\s+(?:\S+\s+)?(?:up|running|listening|installed|"
                  r"there|reachable)\b)|,?\s*\b(?:and\s+)?(?:then|finally|lastly)\b|\s+and\s+(?=(?:whether|if)\s+(?:\S+\s+){1,3}(?:is|are)\b)|,?\s*\bafter\s*wards?\b|,?\s*\bafter\s+that\b|,\s*(?:and\s+)?"
                  r"(?=(?:also\s+)?"
                  rf"(?:{_VERB_WORDS})\b)|\s+and\s+(?=(?:also\s+)?(?:{_VERB_WORDS})\b)"
                  r"|\s+(?:and|\+|&)\s+(?=(?:the\s+)?(?:top|disk|disks|sysinfo|uptime|port|which\s+programs|which\s+processes|"
                  r"memory|ping)\b))\s*", re.IGNORECASE)


_END_MARK = re.compile(r"(?<=\w)[.!?]+$")


def pieces(text: str) -> list[str]:
    """The request cut into its instructions (placeholders put back), or one piece."""
    protected, spans = protect(text)
    out = []
    for part in _CUT.split(protected):
        if not part.strip():
            continue
        for i, span in enumerate(spans):
            part = part.replace(f"__{span.kind}{i}__", requote(span))
        out.append(_END_MARK.sub("", part.strip(" ,")))  # "... list deploy's crontab.": the sentence's end
    return out


def _a_step(part: str, vocab: Vocabulary, plan_one: Callable[[str, Vocabulary], Plan]) -> bool:
    """The piece, planned on its own, is an instruction: a step (hosts or not), not a question about words."""
    if statement(part, vocab):  # "dev is on postgres now": how things are
        return False
    plan = plan_one(part, vocab)
    return plan.status is not PlanStatus.REJECTED and bool(plan.steps)


def _two_questions(parts: list[str], vocab: Vocabulary, plan_one: Callable[[str, Vocabulary], Plan]) -> bool:
    """Two checks joined by "and whether" ("check if X is running on app-02 and whether 6379 is listening"): each
    plans to a read-only step of its own."""
    if len(parts) != 2 or not re.match(r"\s*(?:whether|if)\b", parts[1], re.IGNORECASE):
        return False
    plans = [plan_one(p, vocab) for p in parts]
    return all(p.steps and p.status is not PlanStatus.REJECTED and p.read_only for p in plans)


def _joined_modifiers(parts: list[str], vocab: Vocabulary, plan_one: Callable[[str, Vocabulary], Plan]) -> list[str]:
    """A piece with no instruction verb that no reader reads on its own modifies the one before it
    ("the Application event log on iis-01, search for w3wp"): put it back. A piece that plans to a step of its own
    is a step, verb or not ("..., then curl http://localhost:8080/health", "1) is the node process running")."""
    out: list[str] = []
    if len(parts) > 1 and has_targets(parts[0], vocab) and readers.read(parts[0]) is None \
            and not any(t.kind in ("V", "ENSURE", "KW") for t in tokenize(parts[0], vocab)[0]) \
            and not _a_step(parts[0], vocab, plan_one):
        parts = [f"{parts[0]}, {parts[1]}", *parts[2:]]  # "From web-02, test 443 to iis-01": the targets, then the ask
    for part in parts:
        if out and _THAT_FILE.search(part):  # "... of /var/log/x.log and also search that file for ERROR": that one
            named = [sp for sp in protect(out[-1])[1] if sp.kind == "p"]
            if named:
                part = _THAT_FILE.sub(requote(named[-1]).replace("\\", "\\\\"), part, count=1)
        toks = [t for t in tokenize(part, vocab)[0] if t.kind != "FILL"]
        verb = any(t.kind in ("V", "ENSURE") for t in toks)
        asks = starts_asking(toks)  # "...; status of service X"
        if out and (COUNT_ONLY.match(part) or not verb and not asks and readers.read(part) is None
                    and not _a_step(part, vocab, plan_one)):
            out[-1] = f"{out[-1]}, {part}"  # "memory hogs on cis-04, top 3 please": how many, of the one before
        else:
            out.append(part)
    return out


def _once(steps: list) -> list:
    return [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]


# 'it' as an object ("check it", "kill it"), not a place ("from it", "on it": the host)
_IT = re.compile(r"(?<!\bfrom\s)(?<!\bon\s)(?<!\bto\s)(?<!\bat\s)(?<!\bin\s)(?<!\binto\s)\bit\b(?!['’])",
                 re.IGNORECASE)
_NAMED = ("service.", "package.", "process.", "container.")


def _named_before(plans: list[Plan]) -> str | None:
    """The name the last planned step acted on (a service, package, process or container), if any."""
    for plan in reversed(plans):
        for step in reversed(plan.steps):
            name = step.params.get("name")
            if step.action.startswith(_NAMED) and isinstance(name, str) and name:
                said = f'"{name}"' if " " in name else name  # "Print Spooler": said again as one name
                # "status of the api container, then restart it": the container, not a service called api
                return f"the {said} container" if step.action.startswith("container.") else said
    return None


# what only a host can be the object of ("update curl on web-05 and reboot it afterwards": 'it' is the host)
_HOST_VERB = re.compile(r"\s*(?:please\s+)?(?:reboot|ping|power\s*cycle|shut\s*down|restart\s+it\s+afterwards?)\b",
                        re.IGNORECASE)
_ITS = re.compile(r"\b(?:its|their)\s+(?P<what>cron\s*jobs?|crontabs?|crons|scheduled\s+(?:tasks?|jobs?)|jobs|tasks)\b",
                  re.IGNORECASE)


_ITS_LOG = re.compile(r"\b(?:its|their)\s+(?P<what>journal|logs?)\b", re.IGNORECASE)


_THAT_FILE = re.compile(r"\b(?:that|this|the\s+same)\s+(?:file|log(?:\s*file)?|path)\b", re.IGNORECASE)


_ITS_STATE = re.compile(r"\b(?:its|their)\s+(?:status|state)\b", re.IGNORECASE)


def _last_step(plans: list[Plan]):
    """The last step, when it acted on a named service or container (its status is that one's)."""
    last = next((step for plan in reversed(plans) for step in reversed(plan.steps)), None)
    if last is None or not last.action.startswith(("service.", "container.")):
        return None
    name = last.params.get("name")
    return last if isinstance(name, str) and name and " " not in name else None


def _service_before(plans: list[Plan]) -> str | None:
    """The service the last step acted on, if that is the last step (its journal is the unit's)."""
    last = next((step for plan in reversed(plans) for step in reversed(plan.steps)), None)
    name = last.params.get("name") if last is not None and last.action.startswith("service.") else None
    return name if isinstance(name, str) and name and " " not in name else None


def _account_before(plans: list[Plan]) -> str | None:
    """The account the step before checked ("check the user deploy exists ..."), if that is the last step."""
    last = next((step for plan in reversed(plans) for step in reversed(plan.steps)), None)
    name = last.params.get("name") if last is not None and last.action == "user.check" else None
    return name if isinstance(name, str) and name and " " not in name else None


def plan_sequence(text: str, vocab: Vocabulary, plan_one: Callable[[str, Vocabulary], Plan]) -> Plan | None:
    """The plan of a request of several instructions of which a reader reads one; None when it is not one."""
    parts = _joined_modifiers(pieces(text), vocab, plan_one)
    if len(parts) < 2 or not (any(readers.read(p) is not None or _COMMAND_START.match(p) for p in parts)
                              or _two_questions(parts, vocab, plan_one)):
        return None
    # "the staging app box is out of memory, show me ...": context; "from the monitoring box, check ...": the targets
    told = [p for p in parts if statement(p, vocab) or only_targets(p, vocab)]
    if told and len(told) < len(parts):
        targets = next((p for p in told if has_targets(p, vocab) or only_targets(p, vocab)), None)
        parts = [p for p in parts if p not in told]
        if targets is not None and not any(has_targets(p, vocab, endpoints=False) for p in parts):
            where = re.sub(r"^\s*(?:from|on|at|in|across)\s+", "", targets, flags=re.I) \
                if only_targets(targets, vocab) else target_words(targets, vocab)  # "the monitoring box" whole
            parts = [f"{p} on {where}" for p in parts]
        if len(parts) == 1:
            return plan_one(parts[0], vocab).model_copy(update={"request": text})
    with_targets = [p for p in parts if has_targets(p, vocab, endpoints=False)]  # "reach db-01:5432": not a target
    plans: list[Plan] = []
    for i, part in enumerate(parts):
        if not has_targets(part, vocab, endpoints=False) and with_targets:
            near = next((p for p in parts[i + 1:] if p in with_targets), None) or with_targets[-1]
            part = f"{part} on {target_words(near, vocab)}"
        named = _named_before(plans)
        if named and _IT.search(part) and not _HOST_VERB.match(part):  # "remove telnet ..., check it is gone"
            part = _IT.sub(named, part, count=1)
        last = _last_step(plans)
        if last is not None and _ITS_STATE.search(part):  # "restart the worker container, then show its status"
            kind = last.action.split(".")[0]
            part = _ITS_STATE.sub(f"the status of {kind} {last.params['name']}", part, count=1)
        unit = _service_before(plans)
        if unit and _ITS_LOG.search(part):  # "check postgresql, restart it, then show its journal": postgresql's
            part = _ITS_LOG.sub(rf"the {unit} \g<what>", part, count=1)
        account = _account_before(plans)
        if account and _ITS.search(part):  # "check the user deploy exists and list its cron jobs": deploy's
            part = _ITS.sub(rf"\g<what> of {account}", part, count=1)
        plans.append(plan_one(part, vocab))
    refused = next((p for p in plans if p.status is PlanStatus.REJECTED), None)
    if refused is not None:
        return refused.model_copy(update={"request": text})
    questions = list(dict.fromkeys(q for p in plans for q in p.questions))  # one question asked once
    combined = Plan(status=PlanStatus.NEEDS_CLARIFICATION if questions else PlanStatus.READY, questions=questions,
                    steps=_once([s for p in plans for s in p.steps]), request=text, planner=plans[0].planner,
                    interpretation=[n for p in plans for n in p.interpretation])
    return finalize(combined, vocab)
