"""The action catalog: what Opsplan may do, loaded from action definitions (docs/actions.md, CONTRACT 7).

Every action, built-in or added by a team, is defined by a role: ``meta/opsplan.yml`` (name, risk, phrases,
...) and ``meta/argument_specs.yml`` (its params). ``compiler.definitions`` reads a role into ActionSpecs;
a :class:`Catalog` holds the actions and the files of the roles they come from. The planner's vocabulary,
the LLM prompt, the API listing, the web pages, the AWX export and the compiler all read a Catalog.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from compiler.errors import UnknownActionError
from compiler.models import Risk

ROLES_DIR = Path(__file__).resolve().parent.parent / "roles"
OS_NAMES = ("linux", "windows")

# Parameter kinds and what a valid value looks like. Values are always passed to Ansible as unsafe
# data; these checks give early, clear errors and keep names boring.
PARAM_KINDS = {
    "name": r"^[A-Za-z0-9][A-Za-z0-9_.@+\-]{0,127}$",
    # a service: a unit name, or a Windows service's name or display name ("Print Spooler", "MSSQL$SALES")
    "service": r"^(?=.{1,256}$)[A-Za-z0-9][A-Za-z0-9_.@+\-$]*(?: [A-Za-z0-9(][A-Za-z0-9_.@+\-$()]*){0,9}$",
    "path": r"^(?:[A-Za-z]:[\\/]|\\\\|/)[^\x00\r\n]{0,1023}$|^[A-Za-z]:$",  # a bare drive letter names a disk
    "source": r"^(?:[A-Za-z]:[\\/]|\\\\|/|https?://)[^\x00\r\n]{0,2047}$",
    "url": r"^https?://[^\s\x00]{1,2040}$",
    "port": r"^[0-9]{1,5}$",
    "version": r"^[A-Za-z0-9][A-Za-z0-9_.:+~\-]{0,63}$",
    "command": r"^[^\x00]{1,4096}$",
    "text": r"^[^\x00\r\n]{1,1024}$",
    "int": r"^-?[0-9]{1,9}$",
    "bool": r"^(?i:true|false|yes|no|on|off|1|0)$",
    "pattern": r"^[^\x00\r\n]{1,512}$",
    "endpoint": r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,252}:[0-9]{1,5}$",
    "line": r"^[^\x00\r\n]{1,4096}$",
}
# The kind of a param whose definition names none, from its argument-spec type.
TYPE_KINDS = {"str": "text", "int": "int", "bool": "bool", "path": "path", "raw": "text"}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool = True
    description: str = ""
    choices: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class RoleSource:
    """A role's files (paths relative to the roles directory: ``<role>/tasks/...``) and their hash."""

    name: str
    files: Mapping[str, bytes]
    origin: str = "builtin"  # "builtin" or "added"

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for rel in sorted(self.files):
            data = self.files[rel]
            digest.update(len(rel).to_bytes(8, "big") + rel.encode() + len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def has(self, rel: str) -> bool:
        return f"{self.name}/{rel}" in self.files


@dataclass(frozen=True)
class ActionSpec:
    name: str
    description: str
    params: tuple[Param, ...] = ()
    risk: Risk = Risk.LOW
    read_only: bool = True
    # False when the action's tasks cannot be simulated in --check mode; reason says why.
    previewable: bool = True
    not_previewable_reason: str = ""
    rollback: bool = False
    role: str = ""
    entry: str = ""  # the entry point (tasks file and argument_specs key)
    os: tuple[str, ...] = OS_NAMES
    modules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # os -> FQCN modules used
    phrases: tuple[str, ...] = ()
    target_phrase: str = ""
    questions: dict[str, str] = field(default_factory=dict)
    result_schema: dict[str, Any] | None = None
    one_of: tuple[tuple[str, ...], ...] = ()  # groups of params of which exactly one must be given
    source: str = "builtin"  # "builtin", or "added" (the role's sha256 is in the catalog's RoleSource)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def entry_point(self) -> str:
        """The role entry point (tasks file and meta/argument_specs.yml key): ``service.start`` -> ``service_start``."""
        return self.entry or self.name.replace(".", "_")

    def role_var(self, param: str) -> str:
        """The role-prefixed variable a param is passed as:
        ``opsplan_service`` + ``name`` -> ``opsplan_service_name``."""
        return f"{self.role}_{param}"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def collections(self, os_names: set[str] | None = None) -> set[str]:
        """Collections (other than ansible.builtin) whose modules the action's tasks use on ``os_names`` (all)."""
        return {m.rsplit(".", 1)[0] for os_name, mods in self.modules.items()
                if os_names is None or os_name in os_names for m in mods if not m.startswith("ansible.builtin.")}

    def to_json(self, role_sha256: str | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "params": [
                {"name": p.name, "kind": p.kind, "required": p.required, "description": p.description,
                 **({"choices": list(p.choices)} if p.choices else {})}
                for p in self.params
            ],
            "risk": self.risk.value,
            "read_only": self.read_only,
            "previewable": self.previewable,
            "not_previewable_reason": self.not_previewable_reason,
            "rollback": self.rollback,
            "role": self.role,
            "entry_point": self.entry_point,
            "os": list(self.os),
            "modules": {os_: list(mods) for os_, mods in self.modules.items()},
            "phrases": list(self.phrases),
            "source": self.source if self.source == "builtin" else {"role": self.role, "sha256": role_sha256},
            "result_schema": self.result_schema,
        }


class Catalog(Mapping[str, ActionSpec]):
    """Actions by name, with the roles they come from. Immutable; a new one is built when actions change."""

    def __init__(self, actions: list[ActionSpec], roles: list[RoleSource]):
        self._actions = {a.name: a for a in sorted(actions, key=lambda a: a.name)}
        self.roles = {r.name: r for r in roles}

    # identity semantics: a catalog is a snapshot; caches (the planner's phrase patterns) key on it
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __getitem__(self, name: str) -> ActionSpec:
        return self._actions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._actions)

    def __len__(self) -> int:
        return len(self._actions)

    def get_action(self, name: str) -> ActionSpec:
        try:
            return self._actions[name]
        except KeyError:
            raise UnknownActionError(f"unknown action {name!r}; known: {', '.join(self._actions)}") from None

    def role_source(self, action: ActionSpec) -> RoleSource:
        return self.roles[action.role]

    def with_roles(self, sources: list[RoleSource], actions: list[ActionSpec]) -> Catalog:
        """This catalog plus added roles and their actions (a name clash is the caller's to refuse first)."""
        return Catalog([*self._actions.values(), *actions], [*self.roles.values(), *sources])

    def to_json(self) -> list[dict[str, Any]]:
        return [a.to_json(self.roles[a.role].sha256 if a.role in self.roles else None)
                for a in self._actions.values()]


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    """The actions defined by the roles shipped in ``roles/`` (read once per process; their task files only when
    an action's modules are first asked for: tests/compiler/test_definitions.py loads them all up front)."""
    from compiler.definitions import load_roles_dir

    return load_roles_dir(ROLES_DIR, deep=False)


def get_action(name: str) -> ActionSpec:
    return builtin_catalog().get_action(name)
