"""The content of the action definitions under roles/ (docs/actions.md, CONTRACT 5, 7 and 8), read as files:
every action has operators' phrases, kinds, questions, a result schema; the everyday actions have exactly the
params CONTRACT 5 lists; the minimum answers of CONTRACT 8 are in the schemas; the tasks follow the rules."""
from __future__ import annotations

import re

import jsonschema
import pytest
import yaml

from compiler.catalog import PARAM_KINDS
from compiler.definitions import ALLOWED_FIELDS
from tests.roles.conftest import ROLES_DIR, Action, definitions

pytestmark = pytest.mark.unit

ACTIONS = definitions()

KINDS = set(PARAM_KINDS)
FIELDS = set(ALLOWED_FIELDS)
# CONTRACT 5: every action and its params (name -> required); "a|b" means exactly one of the two, both optional.
CONTRACT_PARAMS: dict[str, dict[str, bool]] = {
    "host.ping": {}, "system.info": {}, "disk.check": {"path": False}, "process.check": {"name": True},
    "service.status": {"name": True}, "package.check": {"name": True}, "file.stat": {"path": True},
    "port.check": {"port": True}, "http.check": {"url": True}, "service.start": {"name": True},
    "service.stop": {"name": True}, "service.restart": {"name": True},
    "package.install": {"name": True, "version": False}, "package.update": {"name": True, "version": False},
    "package.remove": {"name": True}, "file.copy": {"src": True, "dest": True},
    "app.update": {"name": True, "source": True, "path": False}, "process.kill": {"name": True},
    "command.run": {"command": True}, "host.reboot": {},
    "logs.tail": {"path": False, "unit": False, "lines": False},
    "logs.search": {"path": False, "unit": False, "pattern": True, "lines": False},
    "process.top": {"sort": False, "count": False}, "cron.list": {"user": False}, "user.check": {"name": True},
    "container.status": {"name": False}, "container.restart": {"name": True},
    "cert.check": {"endpoint": False, "path": False}, "dns.check": {"name": True}, "tcp.reach": {"endpoint": True},
    "file.cleanup": {"path": True, "older_than_days": True, "pattern": False},
    "config.line": {"path": True, "line": True, "regexp": False, "state": False},
    "service.enable": {"name": True}, "service.disable": {"name": True},
}
EVERYDAY = ["logs.tail", "logs.search", "process.top", "cron.list", "user.check", "container.status",
            "container.restart", "cert.check", "dns.check", "tcp.reach", "file.cleanup", "config.line",
            "service.enable", "service.disable"]
# CONTRACT 8: the keys (and JSON types) each answer has at least.
CONTRACT_RESULTS: dict[str, dict[str, str]] = {
    "host.ping": {"reachable": "boolean"},
    "system.info": {"os": "string", "uptime_seconds": "integer", "cpus": "integer", "memory_total_mb": "integer",
                    "memory_free_mb": "integer"},
    "service.status": {"name": "string", "state": "string", "enabled": "boolean"},
    "package.check": {"name": "string", "installed": "boolean", "version": "string"},
    "file.stat": {"path": "string", "exists": "boolean", "size_bytes": "integer", "owner": "string",
                  "sha256": "string"},
    "port.check": {"port": "integer", "listening": "boolean", "process": "string"},
    "process.check": {"name": "string", "running": "boolean", "count": "integer"},
    "process.top": {"sort": "string", "processes": "array"}, "logs.tail": {"lines": "array"},
    "cron.list": {"entries": "array"}, "user.check": {"exists": "boolean", "uid": "integer", "groups": "array",
                                                      "shell": "string"},
    "container.status": {"runtime": "string", "containers": "array"},
    "cert.check": {"subject": "string", "issuer": "string", "not_after": "string", "days_to_expiry": "integer"},
    "dns.check": {"addresses": "array"}, "tcp.reach": {"reachable": "boolean", "elapsed_ms": "integer"},
    "file.cleanup": {"deleted": "array", "count": "integer"}, "config.line": {"changed": "boolean"},
    "service.enable": {"enabled": "boolean"}, "service.disable": {"enabled": "boolean"},
    "package.install": {"version": "string"},
}
SLOT = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _types(prop: dict) -> set[str]:
    t = prop.get("type")
    return set(t) if isinstance(t, list) else {t}


def test_every_role_defines_its_actions_and_the_catalog_is_complete() -> None:
    roles = sorted(p.name for p in ROLES_DIR.iterdir() if p.is_dir())
    assert all((ROLES_DIR / r / "meta" / "opsplan.yml").is_file() for r in roles), roles
    assert set(ACTIONS) == set(CONTRACT_PARAMS)


@pytest.mark.parametrize("name", sorted(CONTRACT_PARAMS))
def test_definition(name: str) -> None:
    action: Action = ACTIONS[name]
    d = action.definition
    assert set(d) <= FIELDS, set(d) - FIELDS
    assert d["description"].strip() and d["risk"] in ("low", "medium", "high", "critical")
    assert set(d["os"]) <= {"linux", "windows"} and "linux" in d["os"]
    assert isinstance(d["read_only"], bool) and isinstance(d.get("previewable", True), bool)
    if not d.get("previewable", True):
        assert d["not_previewable_reason"].strip()
    # params: exactly CONTRACT 5's, with the argument spec as their source of truth
    params = {p: bool(opt.get("required", False)) for p, opt in action.params.items()}
    assert params == CONTRACT_PARAMS[name]
    for option, opt in action.options.items():
        assert option.startswith(action.role + "_")
        assert opt.get("type") in ("str", "int", "bool", "path") and opt.get("description"), option
    kinds = d.get("params") or {}
    assert set(kinds) == set(params) and all(k["kind"] in KINDS for k in kinds.values()), kinds
    for param, opt in action.params.items():
        if kinds[param]["kind"] in ("int", "port"):
            assert opt["type"] == "int", param
    # how operators ask: at least four phrases, slots naming params only, every required param asked for
    phrases = d.get("phrases") or []
    assert len(phrases) >= 4 and len(set(phrases)) == len(phrases), phrases
    for phrase in phrases:
        assert set(SLOT.findall(phrase)) <= set(params), phrase
        assert phrase == phrase.strip() and not phrase.startswith("{"), phrase
    required = [p for p, req in params.items() if req]
    assert all(any("{" + p + "}" in ph for ph in phrases) for p in required), "a phrase names each required param"
    assert d.get("target_phrase") and set(SLOT.findall(d["target_phrase"])) <= set(params)
    assert set(required) <= set(d.get("questions") or {}) <= set(params)
    # the answer: a valid JSON Schema of an object, required keys declared
    schema = d.get("result_schema")
    if d["read_only"] or name in CONTRACT_RESULTS:
        assert schema, f"{name} needs a result_schema"
    if schema:
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and set(schema.get("required", [])) <= set(schema["properties"])
    for key, json_type in CONTRACT_RESULTS.get(name, {}).items():
        assert key in schema["required"], (name, key)
        assert json_type in _types(schema["properties"][key]), (name, key)


def test_old_questions_and_target_phrases_are_kept_word_for_word() -> None:
    """The text that lived in app/planner/resolve.py (_PHRASES, _MISSING) before the actions became data."""
    targets = {
        "host.ping": "ping", "system.info": "collect system info from", "disk.check": "check disk space on",
        "process.check": "check the {name} process on", "service.status": "check the {name} service on",
        "package.check": "check whether {name} is installed on", "file.stat": "check {path} on",
        "port.check": "check port {port} on", "http.check": "check {url} from", "service.start": "start {name} on",
        "service.stop": "stop {name} on", "service.restart": "restart {name} on",
        "package.install": "install {name} on", "package.update": "update {name} on",
        "package.remove": "remove {name} from", "file.copy": "copy {src} to", "app.update": "update {name} on",
        "process.kill": "kill {name} on", "command.run": "run that command on", "host.reboot": "reboot"}
    for name, text in targets.items():
        assert ACTIONS[name].definition["target_phrase"] == text, name
    questions = {
        ("service.status", "name"): "Which service should I check?",
        ("service.restart", "name"): "Which service should I restart?",
        ("package.remove", "name"): "Which package should I remove?",
        ("process.kill", "name"): "Which process should I kill?",
        ("app.update", "name"): "Which application should I update?",
        ("app.update", "source"): ("Where should I get the new {name} from? Give a path, a UNC share "
                                   "(\\\\server\\share\\file) or a URL, "
                                   "e.g. 'from \\\\file-01\\releases\\{name}.exe'."),
        ("file.copy", "src"): "Which file should I copy (a path, UNC share or URL)?",
        ("file.copy", "dest"): "Where should I copy {src} to? Give the full destination path.",
        ("file.stat", "path"): "Which file or directory should I check?",
        ("port.check", "port"): "Which port should I check?",
        ("http.check", "url"): "Which URL should I check (http:// or https://)?",
        ("command.run", "command"): "Which command should I run? Put the exact command in quotes, e.g. run \"df -h\".",
    }
    for (name, param), text in questions.items():
        assert ACTIONS[name].definition["questions"][param] == text, (name, param)


def _tasks(path, seen=None) -> list[dict]:
    """Tasks of a file, following literal include_tasks of sibling files."""
    seen = seen if seen is not None else set()
    if path in seen or not path.is_file():
        return []
    seen.add(path)
    out, stack = [], list(yaml.safe_load(path.read_text()) or [])
    while stack:
        task = stack.pop()
        out.append(task)
        for key in ("block", "rescue", "always"):
            stack.extend(task.get(key) or [])
        include = task.get("ansible.builtin.include_tasks")
        if isinstance(include, str) and "{{" not in include:
            out += _tasks(path.parent / include, seen)
    return out


@pytest.mark.parametrize("name", sorted(CONTRACT_PARAMS))
def test_tasks_follow_the_rules(name: str) -> None:
    action = ACTIONS[name]
    tasks_dir = ROLES_DIR / action.role / "tasks"
    if name in EVERYDAY:
        assert not (tasks_dir / f"{action.entry}.yml").exists(), "the compiler generates the dispatcher"
    for os_name in action.os:
        tasks = _tasks(tasks_dir / f"{action.entry}_{os_name}.yml")
        assert tasks, (name, os_name)
        if action.definition.get("previewable", True):
            assert not any(t.get("check_mode") is False for t in tasks)
        modules = {k for t in tasks if "block" not in t for k in t if "." in k}
        assert all(m.count(".") == 2 for m in modules), modules
        if action.definition.get("result_schema"):
            last = yaml.safe_load((tasks_dir / f"{action.entry}_{os_name}.yml").read_text())[-1]
            target = last.get("ansible.builtin.include_tasks")
            if target:  # a shared last step (e.g. _result_linux.yml)
                last = yaml.safe_load((tasks_dir / target).read_text())[-1]
            assert list(last.get("ansible.builtin.set_fact") or {}) == [f"{action.role}_result"], (name, os_name)
    for os_name in {"linux", "windows"} - set(action.os):
        assert not (tasks_dir / f"{action.entry}_{os_name}.yml").exists()


def test_every_variable_a_role_sets_is_prefixed() -> None:
    for path in ROLES_DIR.rglob("*.yml"):
        role = path.relative_to(ROLES_DIR).parts[0]
        text = path.read_text()
        for var in re.findall(r"^\s*(?:register|loop_var): (\w+)", text, re.M):
            assert var.startswith(role + "_"), (path, var)
        for task in _tasks(path) if path.parent.name == "tasks" else []:
            for var in (task.get("ansible.builtin.set_fact") or {}):
                assert var.startswith(role + "_"), (path, var)
            for var in (task.get("vars") or {}):
                assert var.startswith(role + "_"), (path, var)


def test_no_task_sets_a_param_variable() -> None:
    """set_fact outranks the import's vars: a fact named like a param would leak into a later step's play."""
    for action in ACTIONS.values():
        for path in (ROLES_DIR / action.role / "tasks").glob("*.yml"):
            for task in _tasks(path):
                assert not set(task.get("ansible.builtin.set_fact") or {}) & set(action.options), (path, task["name"])


def test_roles_have_the_standard_files() -> None:
    for role in {a.role for a in ACTIONS.values()}:
        base = ROLES_DIR / role
        meta = yaml.safe_load((base / "meta" / "main.yml").read_text())
        assert meta["galaxy_info"]["role_name"] == role and meta["dependencies"] == []
        assert yaml.safe_load((base / "defaults" / "main.yml").read_text()) is not None
        main = yaml.safe_load((base / "tasks" / "main.yml").read_text())
        assert list(main[0]) == ["name", "ansible.builtin.fail"]
        assert "tasks_from" in main[0]["ansible.builtin.fail"]["msg"]
        specs = yaml.safe_load((base / "meta" / "argument_specs.yml").read_text())["argument_specs"]
        assert all(spec.get("short_description") for spec in specs.values())
