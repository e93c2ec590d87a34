"""Reading action definitions: a role's ``meta/opsplan.yml`` + ``meta/argument_specs.yml`` -> ActionSpecs.

The same reader serves the built-in roles (``roles/``) and roles a team adds (their files stored in the
database). Every problem is a :class:`DefinitionError` with a one-line reason naming the role, the action
and the field; nothing half-valid is ever returned.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from compiler.catalog import OS_NAMES, PARAM_KINDS, TYPE_KINDS, ActionSpec, Catalog, Param, RoleSource
from compiler.errors import CompilerError
from compiler.models import Risk

ACTION_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
ROLE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
IDENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SLOT_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
MAX_ROLE_BYTES = 2 * 1024 * 1024
MAX_ROLE_FILES = 200
# Task keywords that are not modules (everything else in a task mapping is its module).
TASK_KEYWORDS = frozenset({
    "name", "when", "register", "loop", "loop_control", "vars", "until", "retries", "delay", "changed_when",
    "failed_when", "block", "rescue", "always", "timeout", "become", "become_user", "tags", "notify", "no_log",
    "environment", "args", "delegate_to", "run_once", "check_mode", "ignore_errors", "diff", "with_items",
    "listen", "any_errors_fatal", "throttle", "async", "poll", "ignore_unreachable", "module_defaults",
    "collections", "connection", "debugger", "delegate_facts", "local_action",
})
ALLOWED_FIELDS = frozenset({"name", "description", "entry_point", "risk", "read_only", "previewable",
                            "not_previewable_reason", "os", "phrases", "params", "target_phrase", "questions",
                            "result_schema", "rollback", "one_of"})


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the catalog loads at every process start


class DefinitionError(CompilerError):
    """An action definition that cannot be used; the message says where and why in one line."""


def _load_yaml(files: Mapping[str, bytes], rel: str, role: str) -> Any:
    data = files.get(rel)
    if data is None:
        raise DefinitionError(f"role {role}: {rel.split('/', 1)[1]} is missing")
    try:
        return yaml.load(data.decode("utf-8"), Loader=_LOADER) or {}  # noqa: S506 - a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DefinitionError(f"role {role}: {rel.split('/', 1)[1]} is not valid YAML ({where})") from None


def _tasks(files: Mapping[str, bytes], role: str, rel: str, seen: set[str]) -> list[dict[str, Any]]:
    """The tasks of ``tasks/<rel>``, following literal include_tasks/import_tasks of sibling files."""
    if rel in seen:
        return []
    seen.add(rel)
    loaded = _load_yaml(files, f"{role}/tasks/{rel}", role)
    if not isinstance(loaded, list):
        raise DefinitionError(f"role {role}: tasks/{rel} must be a list of tasks")
    out: list[dict[str, Any]] = []
    stack = list(reversed(loaded))
    while stack:
        task = stack.pop()
        if not isinstance(task, dict):
            raise DefinitionError(f"role {role}: tasks/{rel} has an entry that is not a task")
        out.append(task)
        for key in ("block", "rescue", "always"):
            stack.extend(reversed(task.get(key) or []))
        for key in INCLUDES:
            target = task.get(key)
            if isinstance(target, dict):
                target = target.get("file")
            if isinstance(target, str) and "{{" not in target and f"{role}/tasks/{target}" in files:
                out.extend(_tasks(files, role, target, seen))
    return out


INCLUDES = frozenset({"ansible.builtin.include_tasks", "ansible.builtin.import_tasks", "include_tasks",
                      "import_tasks"})


def task_modules(tasks: list[dict[str, Any]]) -> tuple[str, ...]:
    """The modules the tasks use (includes of sibling task files are followed, not counted)."""
    found: set[str] = set()
    for task in tasks:
        if "block" in task:
            continue
        found.update(k for k in task if k not in TASK_KEYWORDS and k not in INCLUDES)
    return tuple(sorted(found))


class TaskModules(Mapping[str, tuple[str, ...]]):
    """An action's modules per OS, read from its task files on first use (and checked then: a previewable
    action's tasks may not set ``check_mode: false``); ``load`` reads them now."""

    def __init__(self, files: Mapping[str, bytes], role: str, action: str, entry_files: dict[str, str],
                 previewable: bool):
        self._files, self._role, self._action = files, role, action
        self._entry_files, self._previewable = entry_files, previewable
        self._modules: dict[str, tuple[str, ...]] | None = None

    def load(self) -> dict[str, tuple[str, ...]]:
        if self._modules is None:
            modules = {}
            for os_name, rel in self._entry_files.items():
                tasks = _tasks(self._files, self._role, rel, set())
                if self._previewable and any(t.get("check_mode") is False for t in tasks):
                    raise DefinitionError(f"role {self._role}: {self._action} is previewable but tasks/{rel} "
                                          "sets check_mode: false")
                modules[os_name] = task_modules(tasks)
            self._modules = modules
        return self._modules

    def __getitem__(self, os_name: str) -> tuple[str, ...]:
        return self.load()[os_name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.load())

    def __len__(self) -> int:
        return len(self._entry_files)

    def __repr__(self) -> str:
        return repr(self.load())


def _entry_files(files: Mapping[str, bytes], role: str, entry: str, oses: tuple[str, ...]) -> dict[str, str]:
    """The task file that implements ``entry`` on each OS: ``<entry>_<os>.yml``, else ``<entry>.yml``."""
    out = {}
    for os_name in oses:
        if f"{role}/tasks/{entry}_{os_name}.yml" in files:
            out[os_name] = f"{entry}_{os_name}.yml"
        elif f"{role}/tasks/{entry}.yml" in files:
            out[os_name] = f"{entry}.yml"
        else:
            raise DefinitionError(f"role {role}: entry point {entry!r} has no tasks/{entry}_{os_name}.yml "
                                  f"(or tasks/{entry}.yml)")
    return out


def _params(role: str, action: str, spec: dict[str, Any], kinds: dict[str, Any]) -> tuple[Param, ...]:
    options = spec.get("options") or {}
    if not isinstance(options, dict):
        raise DefinitionError(f"role {role}: argument_specs options of {action} must be a mapping")
    prefix = f"{role}_"
    params = []
    for option, opt in options.items():
        if not isinstance(opt, dict):
            raise DefinitionError(f"role {role}: option {option} of {action} must be a mapping")
        if not str(option).startswith(prefix):
            raise DefinitionError(f"role {role}: option {option} of {action} must start with the role prefix {prefix}")
        name = str(option)[len(prefix):]
        if not IDENT_RE.match(name) or hasattr({}, name):
            raise DefinitionError(f"role {role}: option {option} of {action} gives a param name that is not "
                                  "a plain identifier")
        kind_spec = kinds.get(name) or {}
        kind = kind_spec.get("kind") if isinstance(kind_spec, dict) else None
        type_kind = TYPE_KINDS.get(str(opt.get("type", "str")))
        if type_kind is None:
            raise DefinitionError(f"role {role}: option {option} of {action} has type {opt.get('type')!r}; "
                                  f"params are one of {', '.join(sorted(TYPE_KINDS))}")
        kind = kind or type_kind
        if kind not in PARAM_KINDS:
            raise DefinitionError(f"role {role}: param {name} of {action} has unknown kind {kind!r}; known: "
                                  f"{', '.join(sorted(PARAM_KINDS))}")
        description = opt.get("description") or ""
        if isinstance(description, list):
            description = " ".join(str(d) for d in description)
        choices = tuple(str(c) for c in opt.get("choices") or ())
        params.append(Param(name, kind, bool(opt.get("required", False)), str(description), choices,
                            opt.get("default")))
    unknown = sorted(set(kinds) - {p.name for p in params})
    if unknown:
        raise DefinitionError(f"role {role}: {action} names kinds for params it does not have: {', '.join(unknown)}")
    return tuple(params)


def _str_list(role: str, action: str, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DefinitionError(f"role {role}: {action}: {key} must be a list of strings")
    return tuple(v.strip() for v in value)


def _action(files: Mapping[str, bytes], role: str, entry: dict[str, Any], specs: dict[str, Any],
            source: str, deep: bool) -> ActionSpec:
    if not isinstance(entry, dict):
        raise DefinitionError(f"role {role}: every entry of meta/opsplan.yml actions must be a mapping")
    name = entry.get("name")
    if not isinstance(name, str) or not ACTION_NAME_RE.match(name):
        raise DefinitionError(f"role {role}: action name {name!r} must be lowercase and dotted, like cache.flush")
    extra = sorted(set(entry) - ALLOWED_FIELDS)
    if extra:
        raise DefinitionError(f"role {role}: {name}: unknown field(s) {', '.join(extra)}")
    description = entry.get("description")
    if not isinstance(description, str) or not description.strip():
        raise DefinitionError(f"role {role}: {name}: description is required")
    ep = entry.get("entry_point") or "main"
    if not isinstance(ep, str) or not IDENT_RE.match(ep):
        raise DefinitionError(f"role {role}: {name}: entry_point {ep!r} must be an identifier")
    try:
        risk = Risk(entry.get("risk", "low"))
    except ValueError:
        raise DefinitionError(f"role {role}: {name}: risk {entry.get('risk')!r} is not one of "
                              f"{', '.join(r.value for r in Risk)}") from None
    flags = {}
    for key, default in (("read_only", False), ("previewable", True), ("rollback", False)):
        value = entry.get(key, default)
        if not isinstance(value, bool):
            raise DefinitionError(f"role {role}: {name}: {key} must be true or false")
        flags[key] = value
    reason = str(entry.get("not_previewable_reason") or "")
    if not flags["previewable"] and not reason.strip():
        raise DefinitionError(f"role {role}: {name}: previewable: false needs a not_previewable_reason")
    oses = _str_list(role, name, "os", entry.get("os"))
    if not oses or any(o not in OS_NAMES for o in oses):
        raise DefinitionError(f"role {role}: {name}: os must list linux and/or windows")
    spec = specs.get(ep)
    if not isinstance(spec, dict):
        raise DefinitionError(f"role {role}: {name}: meta/argument_specs.yml has no entry point {ep!r}")
    kinds = entry.get("params") or {}
    if not isinstance(kinds, dict):
        raise DefinitionError(f"role {role}: {name}: params must map param names to {{kind: ...}}")
    params = _params(role, name, spec, kinds)
    names = {p.name for p in params}
    phrases = _str_list(role, name, "phrases", entry.get("phrases"))
    for phrase in phrases:
        bad = sorted(set(SLOT_RE.findall(phrase)) - names)
        if bad:
            raise DefinitionError(f"role {role}: {name}: phrase {phrase!r} names unknown param(s) {', '.join(bad)}")
    questions = entry.get("questions") or {}
    if not isinstance(questions, dict) or not all(isinstance(v, str) for v in questions.values()) \
            or set(questions) - names:
        raise DefinitionError(f"role {role}: {name}: questions must map its params to question strings")
    one_of = entry.get("one_of") or []
    if not isinstance(one_of, list) or not all(
            isinstance(g, list) and len(g) >= 2 and all(isinstance(p, str) and p in names for p in g) for g in one_of):
        raise DefinitionError(f"role {role}: {name}: one_of must list groups of two or more of its params")
    schema = entry.get("result_schema")
    if schema is not None and not isinstance(schema, dict):
        raise DefinitionError(f"role {role}: {name}: result_schema must be a JSON Schema object")
    modules = TaskModules(files, role, name, _entry_files(files, role, ep, oses), flags["previewable"])
    if deep:
        modules.load()
    return ActionSpec(
        name=name, description=description.strip(), params=params, risk=risk, read_only=flags["read_only"],
        previewable=flags["previewable"], not_previewable_reason=reason.strip(), rollback=flags["rollback"],
        role=role, entry=ep, os=oses, modules=modules, phrases=phrases,
        target_phrase=str(entry.get("target_phrase") or ""), questions={str(k): v for k, v in questions.items()},
        result_schema=schema, source=source, one_of=tuple(tuple(g) for g in one_of))


def load_role(source: RoleSource, *, deep: bool = True) -> list[ActionSpec]:
    """The actions a role defines, validated; DefinitionError with a one-line reason otherwise.

    ``deep=False`` leaves the task files to be read when an action's modules are first asked for (the
    built-in roles, checked deeply by the tests, at every process start: planning never needs them)."""
    role, files = source.name, source.files
    if not ROLE_NAME_RE.match(role):
        raise DefinitionError(f"role name {role!r} must be lowercase letters, digits and '_'")
    if len(files) > MAX_ROLE_FILES or sum(len(d) for d in files.values()) > MAX_ROLE_BYTES:
        raise DefinitionError(f"role {role}: more than {MAX_ROLE_FILES} files or {MAX_ROLE_BYTES} bytes")
    for rel in files:
        p = PurePosixPath(rel)
        if p.is_absolute() or ".." in p.parts or p.parts[0] != role:
            raise DefinitionError(f"role {role}: unsafe path {rel!r}")
    meta = _load_yaml(files, f"{role}/meta/opsplan.yml", role)
    entries = meta.get("actions") if isinstance(meta, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DefinitionError(f"role {role}: meta/opsplan.yml must list its actions under 'actions:'")
    specs_doc = _load_yaml(files, f"{role}/meta/argument_specs.yml", role)
    specs = specs_doc.get("argument_specs") if isinstance(specs_doc, dict) else None
    if not isinstance(specs, dict):
        raise DefinitionError(f"role {role}: meta/argument_specs.yml must have an 'argument_specs' mapping")
    actions = [_action(files, role, e, specs, source.origin, deep) for e in entries]
    seen: set[str] = set()
    for a in actions:
        if a.name in seen:
            raise DefinitionError(f"role {role}: action {a.name} is defined twice")
        seen.add(a.name)
    return actions


def read_role_dir(path: Path, origin: str = "builtin") -> RoleSource:
    """A role directory's files (everything but hidden and cache files) as a RoleSource."""
    path = Path(path)
    if not path.is_dir():
        raise DefinitionError(f"{path} is not a role directory")
    files: dict[str, bytes] = {}
    for item in sorted(path.rglob("*")):
        rel_parts = item.relative_to(path).parts
        if any(part.startswith(".") or part == "__pycache__" for part in rel_parts):
            continue
        if item.is_symlink():
            raise DefinitionError(f"role {path.name}: {item.relative_to(path)} is a symbolic link")
        if item.is_file():
            files["/".join((path.name, *rel_parts))] = item.read_bytes()
    return RoleSource(path.name, files, origin)


def load_roles_dir(roles_dir: Path, *, deep: bool = True) -> Catalog:
    """Every role under ``roles_dir`` that has a ``meta/opsplan.yml``."""
    sources = [read_role_dir(p) for p in sorted(Path(roles_dir).iterdir())
               if p.is_dir() and (p / "meta" / "opsplan.yml").is_file()]
    return build_catalog(sources, deep=deep)


def build_catalog(sources: list[RoleSource], base: Catalog | None = None, *, deep: bool = True) -> Catalog:
    """A catalog of ``base`` plus every role in ``sources``; an action name defined twice is an error."""
    actions: list[ActionSpec] = list(base.values()) if base is not None else []
    names = {a.name: a.role for a in actions}
    roles = dict(base.roles) if base is not None else {}
    for source in sources:
        if source.name in roles:
            raise DefinitionError(f"role {source.name} already exists")
        for action in load_role(source, deep=deep):
            if action.name in names:
                raise DefinitionError(f"role {source.name}: action {action.name} is already defined by role "
                                      f"{names[action.name]}")
            names[action.name] = source.name
            actions.append(action)
        roles[source.name] = source
    return Catalog(actions, list(roles.values()))
