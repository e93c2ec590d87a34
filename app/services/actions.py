"""Added actions (CONTRACT 7): a team's role, validated and stored with its files; removed again by name.

``add_role`` takes a role's files (paths ``<role>/...``) and refuses, with one line and nothing written:
anything but plain role content (Python, plugin directories, role dependencies, unsafe paths), a definition
``compiler.definitions`` cannot load, a role or action name the catalog already has, and content that
``ansible-playbook --syntax-check`` rejects. What passes is stored as one ``ActionRole`` row (a deterministic
tar.gz, content-hashed), the catalog version is bumped so every process plans and compiles with it at once,
and the audit log records it. ``remove_action_role`` takes an added role away again (never a built-in one).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app import audit
from app.db.models import ActionRole, Setting
from app.errors import BadRequest, Conflict, NotFound
from app.services.catalog import VERSION_SETTING, bump_version, current_catalog, role_source
from compiler.archive import FILE_MODE, deterministic_tar_gz
from compiler.bundle import role_files
from compiler.catalog import TYPE_KINDS, ActionSpec, RoleSource, builtin_catalog
from compiler.definitions import DefinitionError, build_catalog, load_role

CODE_SUFFIXES = frozenset({".py", ".pyc", ".pyo", ".pyw", ".pyz", ".so"})  # Python and compiled modules
PLUGIN_DIRS = frozenset({"library", "module_utils"})  # and every "*_plugins" directory
PATH_PART_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")  # file names are never templates, quotes or spaces
SYNTAX_CHECK_TIMEOUT = 120.0
_LOCK_KEY = 727275  # PostgreSQL advisory lock: one catalog change at a time (the audit chain uses 727274)


class InvalidRole(BadRequest):
    code = "invalid_role"


class ActionExists(Conflict):
    code = "action_exists"


# --- validation -----------------------------------------------------------------------------------


def role_name(files: dict[str, bytes]) -> str:
    """The one top-level directory every file is under (the role's name); every path must be safe."""
    if not files:
        raise InvalidRole("the role has no files; give a role directory (<role>/meta/opsplan.yml, ...)")
    for rel in sorted(files):
        p = PurePosixPath(rel)
        if not rel or p.as_posix() != rel or p.is_absolute() or ".." in p.parts:
            raise InvalidRole(f"unsafe path {rel!r} in the role")
        if not all(PATH_PART_RE.match(part) for part in p.parts):
            raise InvalidRole(f"path {rel!r} in the role: use only letters, digits, '.', '_' and '-' in names")
    tops = {PurePosixPath(rel).parts[0] for rel in files if PurePosixPath(rel).parts}
    if len(tops) != 1 or any(len(PurePosixPath(rel).parts) < 2 for rel in files):
        raise InvalidRole(f"the archive must hold exactly one role directory (<role>/meta/opsplan.yml, ...); "
                          f"found at the top: {', '.join(sorted(tops)[:5])}")
    return tops.pop()


def check_plain_content(role: str, files: dict[str, bytes]) -> None:
    """Only plain role content: no Python or plugin code, no role dependencies."""
    for rel in sorted(files):
        p, inner = PurePosixPath(rel), rel.split("/", 1)[-1]
        if p.suffix.lower() in CODE_SUFFIXES:
            raise InvalidRole(f"role {role}: {inner} is code; an added role may hold only plain role content "
                              "(no Python, modules or plugins)")
        for part in p.parts[1:-1]:
            if part in PLUGIN_DIRS or part.endswith("_plugins"):
                raise InvalidRole(f"role {role}: {inner} is in a {part}/ directory; an added role may hold only "
                                  "plain role content (no modules or plugins)")
    meta = files.get(f"{role}/meta/main.yml")
    if meta is not None:
        try:
            doc = yaml.safe_load(meta.decode("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError):
            raise InvalidRole(f"role {role}: meta/main.yml is not valid YAML") from None
        if isinstance(doc, dict) and doc.get("dependencies"):
            raise InvalidRole(f"role {role}: meta/main.yml lists dependencies; an added role must be "
                              "self-contained (dependencies: [])")


class _Loader(yaml.SafeLoader):
    """YAML as Ansible writes it: tags such as ``!unsafe`` read as their plain values."""


def _tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _tagged)
STATIC_IMPORTS = frozenset({"import_tasks", "import_role", "import_playbook"})


def _templated(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(_templated(k) or _templated(v) for k, v in value.items())
    return isinstance(value, list) and any(_templated(v) for v in value)


def check_static_imports(role: str, files: dict[str, bytes]) -> None:
    """Static imports name their files literally: Ansible templates those names while it parses (in the
    syntax check too), so a template there would run lookups in this process."""
    for rel in sorted(files):
        inner = rel.split("/", 1)[-1]
        if not inner.startswith(("tasks/", "handlers/")) or not inner.endswith((".yml", ".yaml")):
            continue
        try:
            doc = yaml.load(files[rel].decode("utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except (yaml.YAMLError, UnicodeDecodeError):
            raise InvalidRole(f"role {role}: {inner} is not valid YAML") from None
        stack = list(doc) if isinstance(doc, list) else []
        while stack:
            task = stack.pop()
            if not isinstance(task, dict):
                continue
            for key, value in task.items():
                if str(key).rsplit(".", 1)[-1] in STATIC_IMPORTS and _templated(value):
                    raise InvalidRole(f"role {role}: {inner}: {key} must name its file or role literally "
                                      "(no {{ }} templates in static imports)")
                if key in ("block", "rescue", "always") and isinstance(value, list):
                    stack.extend(value)


def check_option_types(source: RoleSource, actions: list[ActionSpec]) -> None:
    """Every param's argument-spec type is one a plan's value can have, whether or not its kind is named
    (a ``dict`` option given a kind would pass planning and fail in the run's argument-spec check)."""
    specs = yaml.safe_load(source.files[f"{source.name}/meta/argument_specs.yml"])["argument_specs"]
    for action in actions:
        for option, opt in (specs[action.entry_point].get("options") or {}).items():
            kind = str(opt.get("type", "str"))
            if kind not in TYPE_KINDS:
                raise InvalidRole(f"role {source.name}: option {option} of {action.name} has type {kind!r}; "
                                  f"params are one of {', '.join(sorted(TYPE_KINDS))}")


def _check_names(session: Session, source: RoleSource, actions: list[ActionSpec], known: dict[str, str],
                 roles: set[str]) -> None:
    """A role or action name that exists (in ``known``/``roles``, or in a stored row) is a 409."""
    stored = {row.name: list(row.actions or []) for row in session.execute(select(ActionRole)).scalars()}
    if source.name in roles or source.name in stored:
        raise ActionExists(f"role {source.name} already exists; remove it first or rename the role")
    for row_name, names in stored.items():
        for name in names:
            known.setdefault(name, row_name)
    for action in actions:
        if action.name in known:
            raise ActionExists(f"role {source.name}: action {action.name} is already defined by role "
                               f"{known[action.name]}")


def _first_error(output: str, workdir: str) -> str:
    lines = [line.replace(f"{workdir}/roles/", "").replace(f"{workdir}/", "").strip()
             for line in output.splitlines() if line.strip()]
    first = next((line for line in lines if line.startswith(("[ERROR]", "ERROR!"))), lines[0] if lines else "")
    message = first.removeprefix("[ERROR]:").removeprefix("ERROR!").strip() or "ansible-playbook failed"
    origin = next((line.removeprefix("Origin:").strip() for line in lines if line.startswith("Origin:")), "")
    return f"{message} ({origin})" if origin else message


def syntax_check(source: RoleSource, actions: list[ActionSpec], timeout: float = SYNTAX_CHECK_TIMEOUT) -> None:
    """``ansible-playbook --syntax-check`` of a playbook importing every action's entry point (as the bundle
    will have it, generated dispatcher included) and every other task file of the role (per-OS files and
    files included dynamically are not parsed through the entry point)."""
    entries: dict[str, tuple[str, ...]] = {}
    for action in actions:
        entries[action.entry_point] = tuple(sorted({*entries.get(action.entry_point, ()), *action.os}))
    prefix = f"{source.name}/tasks/"
    task_files = {rel[len(prefix):].rsplit(".", 1)[0] for rel in source.files
                  if rel.startswith(prefix) and rel.endswith((".yml", ".yaml"))}
    # every entry point (a generated dispatcher included) and every task file, each imported statically
    tasks = [{"name": f"Check {name}", "ansible.builtin.import_role": {"name": source.name, "tasks_from": name}}
             for name in sorted(task_files | set(entries))]
    playbook = [{"name": "syntax check", "hosts": "all", "gather_facts": False, "tasks": tasks}]
    executable = Path(sys.executable).parent / "ansible-playbook"
    with tempfile.TemporaryDirectory(prefix="opsplan-role-") as workdir:
        root = Path(workdir)
        for rel, data in role_files(source, entries).items():
            target = root.joinpath(*PurePosixPath(rel).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (root / "check.yml").write_text(yaml.safe_dump(playbook, sort_keys=False))
        (root / "hosts.ini").write_text("syntax-check-host\n")
        (root / "ansible.cfg").write_text("[defaults]\nroles_path = roles\nretry_files_enabled = false\n")
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        env.update(ANSIBLE_CONFIG=str(root / "ansible.cfg"), ANSIBLE_ROLES_PATH=str(root / "roles"),
                   ANSIBLE_LOCAL_TEMP=str(root / "tmp"), ANSIBLE_NOCOLOR="1")  # collections as the worker sees them
        try:
            proc = subprocess.run([str(executable), "-i", "hosts.ini", "--syntax-check", "check.yml"], cwd=root,
                                  env=env, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise InvalidRole(f"role {source.name}: the syntax check did not finish in {timeout:.0f}s") from None
        except OSError as exc:
            raise InvalidRole(f"role {source.name}: cannot run {executable.name} ({exc.strerror})") from None
        if proc.returncode != 0:
            raise InvalidRole(f"role {source.name}: syntax check failed: "
                              f"{_first_error(proc.stderr + proc.stdout, workdir)}")


def validate_role(session: Session, files: dict[str, bytes]) -> tuple[RoleSource, list[ActionSpec]]:
    """The role and its actions, or an error naming the first problem (nothing is written)."""
    role = role_name(files)
    check_plain_content(role, files)
    check_static_imports(role, files)
    source = RoleSource(role, dict(sorted(files.items())), origin="added")
    base = current_catalog(session)
    try:
        actions = load_role(source)
    except DefinitionError as exc:
        raise InvalidRole(str(exc)) from None
    check_option_types(source, actions)
    _check_names(session, source, actions, {a.name: a.role for a in base.values()}, set(base.roles))
    try:
        build_catalog([source], base=base)
    except DefinitionError as exc:
        raise ActionExists(str(exc)) from None
    syntax_check(source, actions)
    return source, actions


# --- changes --------------------------------------------------------------------------------------


def _lock(session: Session) -> None:
    """One catalog change at a time, and the reads after this see every committed change."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))
    else:  # SQLite: a write statement takes the database's write lock until this transaction ends
        session.execute(update(Setting).where(Setting.key == VERSION_SETTING).values(value=Setting.value))


def add_role(session: Session, files: dict[str, bytes], actor: str) -> list[str]:
    """Validate and store a role (``files``: ``<role>/...`` -> content); the names of the actions it adds."""
    source, actions = validate_role(session, files)
    _lock(session)
    builtin = builtin_catalog()
    _check_names(session, source, actions, {a.name: a.role for a in builtin.values()}, set(builtin.roles))
    names = [a.name for a in actions]
    archive = deterministic_tar_gz({rel: (data, FILE_MODE) for rel, data in source.files.items()})
    session.add(ActionRole(name=source.name, sha256=source.sha256, archive=archive, actions=names,
                           added_by=actor))
    session.flush()
    bump_version(session)
    audit.record(session, "action.added", actor=actor,
                 details={"role": source.name, "sha256": source.sha256, "actions": names})
    return names


def _find(session: Session, name_or_action: str) -> ActionRole | None:
    row = session.execute(select(ActionRole).where(ActionRole.name == name_or_action)).scalar_one_or_none()
    if row is not None:
        return row
    return next((r for r in session.execute(select(ActionRole).order_by(ActionRole.name)).scalars()
                 if name_or_action in (r.actions or [])), None)


def remove_action_role(session: Session, name_or_action: str, actor: str) -> tuple[str, list[str]]:
    """Remove the added role named ``name_or_action``, or the one defining that action; (role, its actions).

    Plans that use its actions no longer compile, so they cannot be previewed, approved or run (409).
    """
    _lock(session)
    row = _find(session, name_or_action)
    if row is None:
        builtin = builtin_catalog()
        if name_or_action in builtin or name_or_action in builtin.roles:
            raise BadRequest(f"{name_or_action} is built in; only added actions can be removed",
                             code="builtin_action")
        raise NotFound(f"no added action or role named {name_or_action!r}")
    role, sha256, names = row.name, row.sha256, list(row.actions or [])
    session.delete(row)
    session.flush()
    bump_version(session)
    audit.record(session, "action.removed", actor=actor,
                 details={"role": role, "sha256": sha256, "actions": names})
    return role, names


def added_actions_json(session: Session, role: str) -> dict[str, Any]:
    """A stored role with its actions as ``GET /actions`` shows them: ``{role, sha256, actions}``."""
    row = session.execute(select(ActionRole).where(ActionRole.name == role)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no added role named {role!r}")
    source = role_source(row)
    return {"role": row.name, "sha256": row.sha256,
            "actions": [a.to_json(source.sha256) for a in load_role(source)]}
