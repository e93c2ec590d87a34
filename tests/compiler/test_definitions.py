"""Action definitions: every built-in role loads from its meta/opsplan.yml + meta/argument_specs.yml, and a
bad definition is refused with a one-line reason (the same reader serves roles a team adds)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from compiler.catalog import ROLES_DIR, RoleSource, builtin_catalog
from compiler.definitions import DefinitionError, build_catalog, load_role, load_roles_dir, read_role_dir

pytestmark = pytest.mark.unit
CATALOG = builtin_catalog()


def test_every_builtin_role_is_defined_as_data() -> None:
    roles = sorted(p.name for p in ROLES_DIR.iterdir() if p.is_dir())
    assert roles == sorted(CATALOG.roles), "every role under roles/ has a meta/opsplan.yml"
    assert len(CATALOG) >= 20
    for action in CATALOG.values():
        assert action.source == "builtin" and action.description and action.os
        assert set(action.modules) == set(action.os)
        assert all(m.count(".") == 2 for mods in action.modules.values() for m in mods), "FQCN everywhere"


def test_builtin_roles_load_deeply_and_their_task_files_lazily() -> None:
    """Each process reads the built-in task files only when an action's modules are asked for; loading them
    up front (as an added role always is) gives the same modules, and a bad task file is refused either way."""
    deep = load_roles_dir(ROLES_DIR, deep=True)
    lazy = load_roles_dir(ROLES_DIR, deep=False)
    assert {n: dict(a.modules) for n, a in deep.items()} == {n: dict(a.modules) for n, a in lazy.items()}
    role = read_role_dir(ROLES_DIR / "opsplan_host")
    files = dict(role.files)
    rel = next(r for r in files if r.startswith("opsplan_host/tasks/host_ping"))
    files[rel] = files[rel].replace(b"- name:", b"- check_mode: false\n  name:", 1)
    broken = RoleSource(role.name, files)
    with pytest.raises(DefinitionError, match="previewable but tasks/"):
        load_role(broken)
    (ping,) = [a for a in load_role(broken, deep=False) if a.name == "host.ping"]
    with pytest.raises(DefinitionError, match="previewable but tasks/"):
        dict(ping.modules)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_argument_specs_and_defaults_match_params(name: str) -> None:
    action = CATALOG[name]
    base = ROLES_DIR / action.role
    specs = yaml.safe_load((base / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    options = specs[action.entry_point].get("options") or {}
    assert set(options) == {action.role_var(p.name) for p in action.params}
    defaults = yaml.safe_load((base / "defaults" / "main.yml").read_text()) or {}
    # a var that another action of the role requires has no default (its required check would mean nothing);
    # the optional side reads it with `| default(...)`
    required_elsewhere = {a.role_var(p.name) for a in CATALOG.values() if a.role == action.role
                          for p in a.params if p.required}
    for param in action.params:
        var = action.role_var(param.name)
        if not param.required and var in required_elsewhere:
            assert var not in defaults, (name, param.name)
            continue
        assert (var in defaults) is (not param.required), (name, param.name)


def test_roles_have_the_standard_files_and_prefixed_variables() -> None:
    for role in CATALOG.roles:
        base = ROLES_DIR / role
        for rel in ("tasks/main.yml", "meta/main.yml", "meta/argument_specs.yml", "defaults/main.yml"):
            assert (base / rel).is_file(), f"{role}/{rel}"
    for path in ROLES_DIR.rglob("*.yml"):
        text = path.read_text()
        role = path.relative_to(ROLES_DIR).parts[0]
        for var in re.findall(r"^\s*(?:register|loop_var): (\w+)", text, re.M):
            assert var.startswith(role + "_"), (path, var)
        for var in re.findall(r"^\s*ansible\.builtin\.set_fact:\s*\n\s+(\w+):", text, re.M):
            assert var.startswith(role + "_"), (path, var)


def _role(tmp_path: Path, *, meta: dict | str | None = None, specs: dict | str | None = None,
          tasks: dict[str, str] | None = None, name: str = "acme_cache") -> RoleSource:
    base = tmp_path / name
    (base / "meta").mkdir(parents=True)
    (base / "tasks").mkdir()
    meta = meta if meta is not None else {"actions": [{
        "name": "cache.flush", "description": "Flush an application's cache", "entry_point": "flush",
        "risk": "medium", "read_only": False, "previewable": True, "os": ["linux"],
        "phrases": ["flush the {app} cache", "clear the {app} cache"], "params": {"app": {"kind": "name"}}}]}
    specs = specs if specs is not None else {"argument_specs": {"flush": {"options": {
        "acme_cache_app": {"type": "str", "required": True, "description": "the application"}}}}}
    for rel, doc in (("meta/opsplan.yml", meta), ("meta/argument_specs.yml", specs)):
        (base / rel).write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    for rel, text in (tasks if tasks is not None else {
            "flush.yml": "- name: Flush\n  ansible.builtin.file:\n    path: /tmp/x\n    state: absent\n"}).items():
        (base / "tasks" / rel).write_text(text)
    return read_role_dir(base, origin="added")


def test_an_added_role_loads_with_its_params_and_phrases(tmp_path: Path) -> None:
    (action,) = load_role(_role(tmp_path))
    assert action.name == "cache.flush" and action.entry_point == "flush" and action.os == ("linux",)
    assert [(p.name, p.kind, p.required) for p in action.params] == [("app", "name", True)]
    assert action.modules == {"linux": ("ansible.builtin.file",)} and action.source == "added"
    catalog = build_catalog([_role(tmp_path / "x")], base=CATALOG)
    assert "cache.flush" in catalog and "host.ping" in catalog and "acme_cache" in catalog.roles


@pytest.mark.parametrize("change,reason", [
    (lambda m, s, t: s.clear(), "argument_specs.yml must have an 'argument_specs' mapping"),
    (lambda m, s, t: m["actions"][0].update(risk="extreme"), "risk 'extreme' is not one of"),
    (lambda m, s, t: m["actions"][0].update(os=["beos"]), "os must list linux and/or windows"),
    (lambda m, s, t: m["actions"][0].update(name="Flush Cache"), "must be lowercase and dotted"),
    (lambda m, s, t: m["actions"][0].update(previewable=False), "needs a not_previewable_reason"),
    (lambda m, s, t: m["actions"][0].update(phrases=["flush {nothing}"]), "names unknown param(s) nothing"),
    (lambda m, s, t: m["actions"][0].update(entry_point="purge"), "has no entry point 'purge'"),
    (lambda m, s, t: s["argument_specs"]["flush"]["options"].update(
        acme_cache_app={"type": "dict"}), "has type 'dict'"),
    (lambda m, s, t: s["argument_specs"]["flush"]["options"].update(
        other_app={"type": "str"}), "must start with the role prefix"),
    (lambda m, s, t: t.update({"flush.yml": "- name: x\n  ansible.builtin.command: rm -rf /tmp/x\n"
                                             "  check_mode: false\n"}), "sets check_mode: false"),
    (lambda m, s, t: t.clear(), "has no tasks/flush_linux.yml"),
    (lambda m, s, t: m["actions"][0].update(name="host.ping"), "already defined by role opsplan_host"),
])
def test_bad_definitions_are_refused_in_one_line(tmp_path: Path, change, reason: str) -> None:
    meta = {"actions": [{"name": "cache.flush", "description": "Flush", "entry_point": "flush", "risk": "medium",
                         "read_only": False, "previewable": True, "os": ["linux"], "phrases": ["flush {app}"]}]}
    specs = {"argument_specs": {"flush": {"options": {"acme_cache_app": {"type": "str", "required": True}}}}}
    tasks = {"flush.yml": "- name: Flush\n  ansible.builtin.file:\n    path: /tmp/x\n    state: absent\n"}
    change(meta, specs, tasks)
    with pytest.raises(DefinitionError) as err:
        build_catalog([_role(tmp_path, meta=meta, specs=specs, tasks=tasks)], base=CATALOG)
    assert reason in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_broken_yaml_and_unsafe_paths(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="meta/opsplan.yml is not valid YAML"):
        load_role(_role(tmp_path, meta="actions: [unclosed"))
    good = _role(tmp_path / "ok")
    evil = RoleSource(good.name, {**good.files, "acme_cache/../../etc/x": b"x"}, "added")
    with pytest.raises(DefinitionError, match="unsafe path"):
        load_role(evil)
