"""The rule planner: verbs, objects and targets of a plain-language request -> a Plan (no network, fast)."""
from __future__ import annotations

from dataclasses import dataclass, field

from compiler.models import Plan, PlanStatus, Step, Targets

from app.planner import safety
from app.planner.lexer import (HOSTLIKE_RX, PRONOUNS, TARGET_PREPS, VAGUE, Span, Tok, protect, tokenize)
from app.planner.resolve import finalize
from app.planner.vocabulary import Vocabulary

PLANNER_NAME = "rules"
_EXT = (".exe", ".msi", ".jar", ".war", ".dll", ".zip", ".bin", ".tar.gz", ".tgz")
_TARGET_KINDS = frozenset(("HOST", "GROUP", "ENV", "OS", "ALL"))


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
    numbers: list[str] = field(default_factory=list)
    version: str | None = None
    hosts: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)
    oses: list[str] = field(default_factory=list)
    all: bool = False
    exclude: list[str] = field(default_factory=list)
    singular: bool = False
    host_noun: bool = False
    dangling_source: bool = False
    pronoun: bool = False
    vague: bool = False

    def has_targets(self) -> bool:
        return bool(self.hosts or self.groups or self.envs or self.oses or self.all)

    def has_content(self) -> bool:
        return bool(self.verb or self.ensure or self.states or self.kws or any(self.objects) or self.spans
                    or self.has_targets())


def parse_clauses(toks: list[Tok], vocab: Vocabulary) -> list[Clause]:
    clauses = [Clause()]
    mode = "OBJ"
    prep = ""  # last preposition not yet followed by a meaningful word
    prev: Tok | None = None
    for idx, tok in enumerate(toks):
        c = clauses[-1]
        k = tok.kind
        nxt = toks[idx + 1] if idx + 1 < len(toks) else None
        if k == "FILL":
            continue
        if k == "THEN" or (k in ("V", "ENSURE") and (c.verb or c.ensure)) \
                or (k == "V" and c.states and prev is not None and prev.kind == "CONJ"):
            if c.has_content():
                clauses.append(Clause())
                c = clauses[-1]
            mode, prep = "OBJ", ""
            if k == "THEN":
                prev = tok
                continue
        if k == "V":
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
            span = spans_ref[int(tok.value[1:])]
            c.spans.append((span, prep))
        elif k in ("HOST", "GROUP"):
            if mode == "EXC":
                c.exclude.append(tok.value)
            else:
                (c.hosts if k == "HOST" else c.groups).append(tok.value)
                mode = "TGT"
        elif k == "ENV":
            if tok.value not in c.envs:
                c.envs.append(tok.value)
            mode = "TGT" if mode != "EXC" else mode
        elif k == "OS":
            if tok.value not in c.oses:
                c.oses.append(tok.value)
            mode = "TGT" if mode != "EXC" else mode
        elif k == "ALL":
            if mode != "EXC" and (nxt is None or nxt.kind in ("NOUN", "EXCEPT", "CONJ", "THEN", "PREP", "V")
                                  or tok.value in ("everything", "everywhere")):
                c.all = True
                mode = "TGT"
        elif k == "NOUN":
            c.host_noun = True
            if tok.value == "singular" and (prev is None or prev.kind not in ("ALL", "NUM")):
                c.singular = True
            if mode == "OBJ" and c.has_targets():
                mode = "TGT"
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
            c.numbers.append(tok.value)
        elif k == "VER":
            if c.version is None and (prep == "to" or (prev and prev.kind in ("WORD", "KW")) or c.verb in ("install", "update")):
                c.version = tok.value.lstrip("vV")
        elif k == "CONJ":
            if mode == "OBJ" and c.objects[-1]:
                c.objects.append([])
        elif k == "WORD":
            low = tok.value
            group = vocab.group_index.get(low)
            target_ctx = prep in TARGET_PREPS or mode in ("TGT", "EXC") or (prep in ("from", "to", "for") and group)
            if target_ctx or (mode == "OBJ" and HOSTLIKE_RX.match(low)):
                name = group or tok.text
                if mode == "EXC":
                    c.exclude.append(name)
                elif group or (nxt is not None and nxt.kind == "NOUN"):
                    c.groups.append(name)
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
        if k == "PREP" or (k == "WORD" and prep in ("from", "using", "with") and False):
            pass
        prep = ""
        prev = tok
    if prep in ("from", "using", "with") and clauses[-1].verb in ("update", "deploy"):
        clauses[-1].dangling_source = True
    return [c for c in clauses if c.has_content()]


spans_ref: list[Span] = []  # set per call by plan_rules (single-threaded use of the parse helpers)
