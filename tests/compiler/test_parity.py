"""Every catalog action has tasks for Linux and Windows, using the modules the catalog lists, and a role
entry point whose meta/argument_specs.yml options match its params."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from compiler import CATALOG
from compiler.bundle import ROLES_DIR

KEYWORDS = {"name", "when", "register", "loop", "loop_control", "vars", "until", "retries", "delay",
            "changed_when", "failed_when", "block", "rescue", "always", "timeout", "become", "tags", "notify",
            "no_log", "environment", "args", "delegate_to", "run_once", "check_mode", "ignore_errors"}


def _load(path: Path):
    return yaml.safe_load(path.read_text()) or []


def _modules(path: Path, seen: set[Path] | None = None) -> set[str]:
    """FQCN modules a task file uses, following literal include_tasks of sibling files."""
    seen = seen if seen is not None else set()
    if path in seen:
        return set()
    seen.add(path)
    found: set[str] = set()
    stack = list(_load(path))
    while stack:
        task = stack.pop()
        for key in ("block", "rescue", "always"):
            stack.extend(task.get(key, []))
        if "block" in task:
            continue
        (module,) = [k for k in task if k not in KEYWORDS]
        if module == "ansible.builtin.include_tasks":
            found |= _modules(path.parent / task[module], seen)
        else:
            found.add(module)
    return found


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_action_has_tasks_for_both_oses(name: str) -> None:
    action = CATALOG[name]
    tasks = ROLES_DIR / action.role / "tasks"
    entry = _load(tasks / f"{action.entry_point}.yml")
    assert entry[-1]["ansible.builtin.include_tasks"] == f"{action.entry_point}_{{{{ opsplan_os }}}}.yml"
    for os_name in ("linux", "windows"):
        used = _modules(tasks / f"{action.entry_point}_{os_name}.yml")
        assert used == set(action.modules[os_name]), (os_name, sorted(used))
        assert all(m.count(".") == 2 for m in used), "FQCN everywhere"
    assert set(action.modules) == {"linux", "windows"}


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_argument_specs_match_params(name: str) -> None:
    action = CATALOG[name]
    specs = _load(ROLES_DIR / action.role / "meta" / "argument_specs.yml")["argument_specs"]
    options = specs[action.entry_point].get("options") or {}
    assert set(options) == {action.role_var(p.name) for p in action.params}
    for param in action.params:
        opt = options[action.role_var(param.name)]
        assert opt["required"] is param.required
        assert opt["type"] == ("int" if param.kind == "port" else "str")
    defaults = _load(ROLES_DIR / action.role / "defaults" / "main.yml") or {}
    for param in action.params:
        assert (action.role_var(param.name) in defaults) is (not param.required)


@pytest.mark.unit
def test_roles_have_the_standard_files() -> None:
    for role in {a.role for a in CATALOG.values()}:
        base = ROLES_DIR / role
        for rel in ("tasks/main.yml", "meta/main.yml", "meta/argument_specs.yml", "defaults/main.yml"):
            assert (base / rel).is_file(), f"{role}/{rel}"
        entries = set(_load(base / "meta" / "argument_specs.yml")["argument_specs"])
        actions = {a.entry_point for a in CATALOG.values() if a.role == role}
        stops = {f"{e}_stop" for e in actions if (base / "tasks" / f"{e}_stop.yml").is_file()}  # run by Opsplan
        assert entries == {"main"} | actions | stops


@pytest.mark.unit
def test_role_variables_are_prefixed() -> None:
    for path in ROLES_DIR.rglob("*.yml"):
        text = path.read_text()
        role = path.relative_to(ROLES_DIR).parts[0]
        for var in re.findall(r"^\s*(?:register|loop_var): (\w+)", text, re.M):
            assert var.startswith(role + "_"), (path, var)
        assert "check_mode: false" not in text, path


@pytest.mark.unit
def test_param_names_are_safe_for_dot_access() -> None:
    """Plays reference params as opsplan_steps[i].params.<name>: no name may shadow a dict attribute."""
    for action in CATALOG.values():
        for param in action.param_names:
            assert re.match(r"^[a-z][a-z0-9_]*$", param) and not hasattr({}, param), (action.name, param)
