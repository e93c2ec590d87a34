"""Several questions in one message: "is nginx running on web-02? how much disk is left? also check port 443",
"on db-03:\\nis postgresql up?\\nis 5432 listening?\\nand whats the uptime". Read as one request, only one of the
questions was planned (the others read as the story around it). Each question is planned on its own, in order; a
question that names no host asks about the hosts the others name; the checks are put together as one plan.

Only checks are put together this way: when any piece would change something, or is refused, or plans nothing, the
message is left to the rules as a whole (they read instructions joined by "then", "and", ";").
"""
from __future__ import annotations

import re
from collections.abc import Callable

from app.planner.commentary import (
    COUNT_ONLY,
    has_targets,
    only_targets,
    question_or_instruction,
    statement,
    target_words,
)
from app.planner.lexer import protect, requote, starts_asking, tokenize
from app.planner.resolve import finalize
from app.planner.vocabulary import Vocabulary
from compiler.models import Plan, PlanStatus

_I = re.IGNORECASE
# a question's end: "?" then more words (on the same line or the next)
_END = re.compile(r"\?+[ \t]*(?:\r?\n\s*)?(?=\S)|\?*[ \t]*\r?\n\s*"
                  # "is 443 listening, what does the cert say, and is nginx running?": questions apart by commas
                  r"|,\s*(?:and\s+|also\s+|plus\s+)*(?=(?:is|are|does|do|what|whats|which|how|hows|can|any)\s)", _I)
_LEAD = re.compile(r"^\s*(?:(?:and|also|plus|oh|ok|one\s+more|another\s+one|next)\b[\s,:]*)+", _I)
_TRAIL = re.compile(r"[\s,]*(?:\b(?:please|pls|plz|thanks|thx|ty)\b[\s.!]*)+$|[\s?.!]+$", _I)
# a label of the hosts before the questions: "on db-03:", "cis-02 -", "web-05 questions:"
_LABEL = re.compile(r"^\s*(?:on\s+|for\s+|re:?\s+)?(?P<where>[^:?\n]{2,60}?)\s*(?::|\s[-–—]+|\bquestions?\s*:?)\s*$",
                    _I)
# the hosts, then a dash or colon, then the question: "all the linux boxes in staging - what's chewing the most CPU?"
_INLINE_LABEL = re.compile(r"^\s*(?P<where>[^:?\n]{3,80}?)\s+(?:[-–—]+|:)\s+(?P<ask>\S.*)$", _I | re.S)
# a question about what the step before returns ("hit URL from app-02, what code do we get back?"): its output
_OUTPUT = re.compile(r"^\W*(?:what|which)\s+(?:http\s+)?(?:code|status\s+code|output|result|response|answer)\b", _I)
# what a piece starts with before it asks: a label ("quick ones for app-03:", "cis-02 -", "hey -")
_HEAD = re.compile(r"^\s*(?:[^:?\n]{1,40}?(?::|\s[-–—]+)\s+)?", _I)
_QUESTION = re.compile(r"\W*(?:is|are|was|were|does|do|did|has|have|can|could|will|would|which|what|whats|how|hows|"
                       r"when|where|wheres|who|whos|whether|any)\b"
                       r"|(?:the\s+)?(?:top|last|first|latest)\s+\d{1,5}\s+[a-z]", _I)  # "the top 5 processes by ..."


def _pieces(text: str) -> list[str]:
    protected, spans = protect(text)
    out = []
    for part in _END.split(protected):
        for i, span in enumerate(spans):
            part = part.replace(f"__{span.kind}{i}__", requote(span))
        part = _TRAIL.sub("", _LEAD.sub("", part)).strip()
        if part:
            out.append(part)
    return out


def _asks(piece: str, vocab: Vocabulary) -> bool:
    """A question or an instruction of its own, not the story around one ("app logs say refused") nor how many of the
    one before ("top 5 please")."""
    if COUNT_ONLY.match(piece) or (_OUTPUT.search(piece) and not re.search(r"https?://|\s/\w", piece)):
        return False
    bare = _HEAD.sub("", piece, count=1)
    if _QUESTION.match(bare):
        return True
    return (question_or_instruction(bare, vocab) or starts_asking(tokenize(bare, vocab)[0])) \
        and not statement(bare, vocab)


def _vague(plan: Plan, vocab: Vocabulary) -> bool:
    """A question that names no object ("is the loyalty api up?"): the story around the ask, not a check."""
    for step in plan.steps:
        spec = vocab.catalog.get(step.action)
        if spec is not None and any(p.required and not step.params.get(p.name) for p in spec.params):
            return True
    return False


def asked(text: str, vocab: Vocabulary, plan: Callable[[str], Plan]) -> Plan | None:
    """The plan of a message of several questions (None when it is not one, or when its pieces are not all checks).
    ``plan`` plans one piece."""
    if "?" not in text:
        return None
    parts = _pieces(text)
    label = None
    if parts and (m := _LABEL.match(parts[0])) and has_targets(m["where"], vocab):
        label = target_words(m["where"], vocab)
        parts = parts[1:]
    elif parts and (m := _INLINE_LABEL.match(parts[0])) and has_targets(m["where"], vocab) \
            and not has_targets(m["ask"], vocab, endpoints=False) and _QUESTION.match(m["ask"]) \
            and only_targets(m["where"], vocab):
        label = m["where"]  # "the staging app box - is the container called worker running?": the hosts, then it
        parts = [m["ask"], *parts[1:]]
    if len(parts) < 2 and label is None:
        return None  # at least two questions, or one asked of hosts named before it
    if len(parts) < 1:
        return None
    where = label or next((target_words(p, vocab) for p in parts if has_targets(p, vocab, endpoints=False)), None)
    if not all(_asks(p, vocab) for p in parts):
        return None  # "can app-01 reach db-01:5432? app logs say refused", "...? top 5 please": one ask and its story
    plans = []
    for part in parts:
        if not has_targets(part, vocab, endpoints=False) and where:
            part = f"{part} on {where}"
        got = plan(part)
        if got.status is PlanStatus.NEEDS_CLARIFICATION and not got.hosts and where and where not in part:
            got = plan(f"{part} on {where}")  # "what does api.corp.local resolve to from there": a name, not a host
        if got.status is PlanStatus.REJECTED or not got.steps or not got.read_only or _vague(got, vocab):
            return None
        plans.append(got)
    actions = [s.action for p in plans for s in p.steps]
    if len(set(actions)) < len(actions):
        return None  # "what's eating memory on app-01? show me the top 10": one check said twice
    ready = [p for p in plans if p.status is PlanStatus.READY]
    if len({tuple(p.hosts) for p in ready}) > 1:
        return None  # the questions are about different hosts: the rules ask which
    questions = list(dict.fromkeys(q for p in plans for q in p.questions))
    combined = Plan(status=PlanStatus.NEEDS_CLARIFICATION if questions else PlanStatus.READY, questions=questions,
                    steps=[s for p in plans for s in p.steps], request=text, planner=plans[0].planner,
                    interpretation=[f"{len(plans)} questions, each planned on its own",
                                    *(n for p in plans for n in p.interpretation)])
    return finalize(combined, vocab)


# "check disk space and the status of the prometheus service": one verb, two things to check joined by "and"; the
# rules read one of them and dropped the other
_AND = re.compile(r"\s+and\s+(?:also\s+)?", _I)


def listed(text: str, whole: Plan, vocab: Vocabulary, plan: Callable[[str], Plan]) -> Plan | None:
    """The plan of "<check> A and B" when ``whole`` (the rules' plan of it, ready and read-only) checks only one of
    them: each planned on its own, the verb said once carried to the second; None otherwise."""
    if whole.status is not PlanStatus.READY or not whole.read_only:
        return None
    protected, spans = protect(text)
    joins = list(_AND.finditer(protected))
    if len(joins) != 1 or re.search(r"\bthen\b|[;?\n]", protected, _I):
        return None
    left, right = protected[:joins[0].start()], protected[joins[0].end():]
    for i, span in enumerate(spans):
        left = left.replace(f"__{span.kind}{i}__", requote(span))
        right = right.replace(f"__{span.kind}{i}__", requote(span))
    verb = next((t.text for t in tokenize(left, vocab)[0] if t.kind == "V"), None)
    first = tokenize(right, vocab)[0]
    if verb is None or not first or first[0].kind == "V" or only_targets(right, vocab) \
            or not any(t.kind == "KW" for t in first):
        return None  # "check disk on web-01 and web-02": more hosts; "... and restart it": the rules' reading;
        # "need issuer and notAfter": no thing to check named
    right = f"{verb} {right}"
    where = next((target_words(p, vocab) for p in (right, left) if has_targets(p, vocab, endpoints=False)), None)
    pieces = [p if has_targets(p, vocab, endpoints=False) or not where else f"{p} on {where}" for p in (left, right)]
    plans = [plan(p) for p in pieces]
    if any(p.status is not PlanStatus.READY or not p.read_only or _vague(p, vocab) for p in plans) \
            or len({tuple(p.hosts) for p in plans}) > 1:
        return None
    steps = [s for p in plans for s in p.steps]
    actions = [s.action for s in steps]
    said = [(s.action, s.params) for s in plans[0].steps]
    if len(set(actions)) < len(actions) or said != [(s.action, s.params) for s in whole.steps]:
        return None  # the first piece alone reads otherwise than the whole ("the size and checksum of F": one file)
    combined = Plan(status=PlanStatus.READY, steps=steps, request=text, planner=whole.planner,
                    interpretation=["two checks joined by 'and', each planned on its own",
                                    *(n for p in plans for n in p.interpretation)])
    return finalize(combined, vocab)
