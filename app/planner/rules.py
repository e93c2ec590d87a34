"""The rule planner: verbs, objects and targets of a plain-language request -> a Plan (no network, fast)."""
from __future__ import annotations

import re

from app.defaults import MAX_REQUEST_CHARS
from app.planner import (
    adhoc,
    commentary,
    contrast,
    corrections,
    envelope,
    markdown,
    naming,
    phrases,
    placeholders,
    questions,
    readers,
    safety,
    scope,
    sequence,
    spoken,
    transcript,
)
from app.planner.clauses import Clause, parse_clauses
from app.planner.commentary import has_targets
from app.planner.lexer import HOSTLIKE_RX, TARGET_PREPS, VAGUE, Tok, protect, requote, tokenize
from app.planner.normalize import normalize
from app.planner.resolve import finalize, resolve_targets
from app.planner.steps import GENERIC_NAMES, build, names_of, not_a_service, target_text, targets_of
from app.planner.vocabulary import Vocabulary
from compiler.models import Plan, PlanStatus, Risk, Step, Targets

PLANNER_NAME = "rules"
# verbs a bare name after "then" takes from the clause before ("restart WAS and then W3SVC")
_CARRIED_VERBS = frozenset(("restart", "start", "stop", "enable", "disable", "install", "remove", "update", "kill"))
# The actions the hand-written rules below read from verbs and keywords; every other action (the everyday
# ones, a team's added ones) is read from its definition's phrases (app.planner.phrases); a phrase of such an
# action with two or more words replaces what the rules made of the same request.
RULE_READS = frozenset({
    "host.ping", "system.info", "disk.check", "process.check", "service.status", "package.check", "file.stat",
    "port.check", "http.check", "service.start", "service.stop", "service.restart", "package.install",
    "package.update", "package.remove", "file.copy", "app.update", "process.kill", "command.run", "host.reboot",
})
_MULTI_STEP = re.compile(r"\b(?:then|afterwards|after\s+that|and\s+also)\b|;", re.IGNORECASE)


def _reject(text: str, reason: str) -> Plan:
    kind, risk, read_only = safety.refusal_kind(reason)
    return Plan(status=PlanStatus.REJECTED, reason=reason, request=text, planner=PLANNER_NAME, refusal_kind=kind,
                risk=Risk(risk), read_only=read_only)


def _raw_reason(text: str) -> str | None:
    """Refusals read on the request as typed (before any rewriting)."""
    if len(text) > MAX_REQUEST_CHARS:
        return f"Refused: the request is too long (at most {MAX_REQUEST_CHARS} characters)."
    return safety.injection_reason(text) or safety.catastrophic_reason(text) or safety.secrets_reason(text) \
        or safety.pasted_secret_reason(text)


def precheck(text: str) -> str | None:
    """Refusal reason that applies to the raw request text whichever planner runs (or None)."""
    if len(text) > MAX_REQUEST_CHARS:
        return f"Refused: the request is too long (at most {MAX_REQUEST_CHARS} characters)."
    reason = safety.injection_reason(text) or safety.catastrophic_reason(text) or safety.secrets_reason(text) \
        or safety.pasted_secret_reason(text)
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
    shown = transcript.without_output(text)
    if shown != text:  # terminal or log output pasted above the ask: what was seen, not what is asked
        plan = plan_rules(shown, vocab)
        return plan.model_copy(update={"request": text, "interpretation": [
            "left out the pasted output", *plan.interpretation]})
    fixed = corrections.corrected(text, vocab, lambda t: plan_rules(t, vocab))
    if fixed in (corrections.ASK, corrections.UNSURE):
        return Plan(status=PlanStatus.NEEDS_CLARIFICATION, request=text, planner=PLANNER_NAME, questions=[fixed],
                    interpretation=["corrected while written"])
    if fixed is not None:  # "install htop 3.2.1 on web-05 - no wait, 3.2.2": planned as corrected
        plan = plan_rules(fixed, vocab)
        return plan.model_copy(update={"request": text,
                                       "interpretation": [f"read as corrected: {fixed!r}", *plan.interpretation]})
    meant = contrast.ruled_out(text, vocab)
    if meant == contrast.ASK:
        return Plan(status=PlanStatus.NEEDS_CLARIFICATION, request=text, planner=PLANNER_NAME, questions=[meant],
                    interpretation=["a host ruled out, 'the other' one meant"])
    if meant is not None:  # "web-02 is fine, it's web-01 ... restart php-fpm there": web-02 is no target
        plan = plan_rules(meant, vocab)
        return plan.model_copy(update={"request": text,
                                       "interpretation": [f"read without the host ruled out: {meant!r}",
                                                          *plan.interpretation]})
    several = questions.asked(text, vocab, lambda t: plan_rules(t, vocab))
    if several is not None:  # "is nginx running on web-02? how much disk is left?": each question a check
        return several
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
    plan = plan.model_copy(update=update)
    both = questions.listed(text, plan, vocab, lambda t: plan_rules(t, vocab)) if " and " in text else None
    return both if both is not None else plan


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
    if what is not None and (what in scope.FIRM or not (defined is not None and defined.words >= 2)):  # an added
        # action may do it after all, except what no action does (a question about the past, a plan talked about)
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
    for before, c in zip(clauses, clauses[1:], strict=False):  # "restart WAS and then W3SVC": the same verb again
        bare = not (c.verb or c.ensure or c.kws or c.states or c.spans or c.pronoun) and names_of(c)
        if c.follows_then and not c.then_word and bare and before.verb in _CARRIED_VERBS:
            c.verb = before.verb
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
        if built and c.verb and built[-1][0].verb == c.verb and not (names_of(c) or c.pronoun or c.has_targets()
                                                                   or c.spans or c.kws or c.numbers):
            continue  # "Stop the X service on app-03. Stop only - do not disable it.": the same verb said again
        shared = names_of(clauses[i + 1]) if i + 1 < len(clauses) else None
        if not shared and i + 1 < len(clauses) and clauses[i + 1].pronoun and prev_names:
            shared = prev_names  # "install redis, then enable and start it": "it" is redis for both verbs
        if not names_of(c) and not c.pronoun and prev_names and built and c.kws and not c.spans \
                and set(c.kws) <= {"status", "version", "service", "package", "process"} \
                and any(a.split(".")[0] in ("service", "package", "process") for a, _ in built[-1][1]):
            c.pronoun = True  # "nginx web-01 restart then status": the status of the same nginx
        steps, qs, why = build(c, prev_names, shared)
        odd = not_a_service(c, steps, vocab)
        if odd:  # "check connectivity from app-01", "check what it resolves to": words of the request, not a name
            steps, qs = [], [f"What should I check on {target_text(c)}? '{odd}' does not name a service. For "
                             "example: a service's status, ping, disk space."]
        if why:
            if phrase is not None and phrase.words >= 2:  # a definition reads it: e.g. "delete files older than"
                return _from_phrase(text, phrase, vocab)
            return _reject(text, why)
        questions += qs
        built.append((c, steps))
        names = names_of(c)
        prev_names = names or prev_names
    _drop_reported_state(built)
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
        targets, qs = targets_of(spec) if spec is not None else (Targets(), [])
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


_CHANGES = frozenset(("start", "restart", "stop", "enable", "disable"))


def _drop_reported_state(built: list[tuple[Clause, list[tuple[str, dict]]]]) -> None:
    """"Spooler on cis-02 is stopped, start it back up": the state is reported, not asked; the change that follows
    on the same service is the request, so no status step is planned before it (the clause keeps its targets)."""
    for (c, steps), (nxt, later) in zip(built, built[1:], strict=False):
        if c.verb or c.ensure or "stopped" not in c.states or nxt.verb not in _CHANGES or not steps \
                or any(a != "service.status" for a, _ in steps):
            continue
        names = {str(p.get("name", "")).lower() for _, p in steps}
        if nxt.pronoun or names & {str(p.get("name", "")).lower() for _, p in later}:
            steps.clear()


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
    targets, questions = targets_of(spec) if spec is not None else (Targets(), [])
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
