"""A name the request states outright wins over the words the planner read as the name.

People describe a thing in their words and then say what it is called: "check whether Python 3.11 is installed on
web-05 ... The package name is python3.11", "Is the JupyterHub container running on web-05? It's called
jupyterhub", "Is my worker still alive on app-03? The process is called Billing.Worker.exe". The statement is
taken out of the request before it is planned, and the stated name then replaces the name of the steps of that
kind (a package's for package steps, ...; "it's called" for the one named step there is).
"""
from __future__ import annotations

import re

from app.planner.rewrite import Lazy
from compiler.models import Plan, Step

_VALUE = r"[\"'`“]?(?P<name>[A-Za-z0-9][\w.@+$-]*[\w$])[\"'`”]?"
_STATED = Lazy(r"(?i)(?:^|(?<=[.;:!?,–—-])|\band\s+|\s)\s*(?:the\s+|its\s+|their\s+)?"
               r"(?P<kind>package|service|container|process|app|application|account|user)(?:'s)?\s+(?:name\s+is|is\s+called|is\s+named|name\s*[:=]|is\s+"
               r"(?=[\"'`“]))\s*" + _VALUE + r"\s*(?:[.;!]|$)")
_CALLED = Lazy(r"(?i)(?:^|(?<=[.;:!?,–—-])|\s)\s*(?:(?:it'?s|it\s+is|that'?s|which\s+is)\s+(?:called|named)|"
               r"(?:its|the)\s+name\s+is)\s+" + _VALUE
               + r"\s*(?:[.;!]|$)")
_PREFIX = {"package": ("package.",), "service": ("service.",), "container": ("container.",), "process": ("process.",),
           "app": ("app.",), "application": ("app.",), "account": ("user.",), "user": ("user.",)}


def stated(text: str) -> tuple[str, str | None, str] | None:
    """(the request without the statement, the kind it names or None for "it's called", the name), or None."""
    low = text.lower()
    if "name" not in low and "called" not in low and " is " not in low:
        return None
    for rx, has_kind in ((_STATED, True), (_CALLED, False)):
        m = rx.search(text)
        if m is not None and m.start() > 0:  # the statement follows the request, never replaces it
            rest = (text[:m.start()].rstrip(" ;,:–—-") + " " + text[m.end():]).strip()
            return rest, (m["kind"].lower() if has_kind else None), m["name"]
    return None


# the read-only check of each kind: a check planned for another kind becomes this one when the kind is stated
_READ = {"package": "package.check", "service": "service.status", "process": "process.check",
         "container": "container.status", "user": "user.check", "account": "user.check"}


def renamed(plan: Plan, kind: str | None, name: str) -> list[Step] | None:
    """The plan's steps with the stated name, or None when no step (or, for "it's called", not exactly one) takes it."""
    prefixes = _PREFIX[kind] if kind else ("package.", "service.", "container.", "process.", "app.", "user.")
    named = [i for i, s in enumerate(plan.steps) if s.action.startswith(prefixes) and s.action != "process.top"]
    steps = list(plan.steps)
    if not named and kind in _READ:  # "is my worker alive? The process is called X": the check of that kind
        reads = [i for i, s in enumerate(steps) if s.action in _READ.values()]
        if len(reads) != 1:
            return None
        steps[reads[0]] = steps[reads[0]].model_copy(update={"action": _READ[kind], "params": {"name": name}})
        return steps
    if not named or (kind is None and len(named) != 1):
        return None
    for i in named:
        steps[i] = steps[i].model_copy(update={"params": {**steps[i].params, "name": name}})
    return steps


_NAME_QUESTION = re.compile(r"^(?:[\w.]+: parameter 'name'|Which (?:package|service|container|process|application|"
                            r"user account)\b|I read '.*' as the \w+ name)")


def only_name_questions(plan: Plan) -> bool:
    """True when every question of the plan is about a step's name (which the statement answers)."""
    return all(_NAME_QUESTION.match(q) for q in plan.questions)
