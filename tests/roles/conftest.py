"""Helpers of the role tests: a throw-away Ansible project holding the roles (plus the per-OS dispatchers the
compiler generates, docs/actions.md), and one action run through ansible-runner against a real host.

The result of a run is read the way the worker reads it: from the ``runner_on_ok`` event whose
``res.ansible_facts`` carries ``<role>_result`` (never from log text).
"""
from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import Settings
from app.execution.runner import strategy_env

ROLES_DIR = Path(__file__).resolve().parents[2] / "roles"
VENV_BIN = Path(sys.executable).parent
OSES = ("linux", "windows")

DISPATCHER = """---
# Generated like the compiler's dispatcher (playbook_templates/dispatcher.yml.j2): run the host OS's tasks.
- name: Check the inventory sets a supported opsplan_os
  ansible.builtin.assert:
    that:
      - opsplan_os in {oses}
    fail_msg: this action supports {os_text} hosts; inventory variable opsplan_os says otherwise
    quiet: true
- name: Run {entry} for the host OS {{{{ opsplan_os }}}}
  ansible.builtin.include_tasks: {entry}_{{{{ opsplan_os }}}}.yml
"""


@dataclass(frozen=True)
class Action:
    name: str
    role: str
    entry: str
    definition: dict[str, Any]
    spec: dict[str, Any]  # the entry point's argument spec

    @property
    def os(self) -> list[str]:
        return list(self.definition["os"])

    @property
    def options(self) -> dict[str, Any]:
        return self.spec.get("options") or {}

    @property
    def params(self) -> dict[str, Any]:
        """param name -> its argument-spec option."""
        return {name[len(self.role) + 1:]: opt for name, opt in self.options.items()}


def definitions() -> dict[str, Action]:
    """Every action the roles define (meta/opsplan.yml + meta/argument_specs.yml)."""
    out: dict[str, Action] = {}
    for role_dir in sorted(p for p in ROLES_DIR.iterdir() if (p / "meta" / "opsplan.yml").is_file()):
        meta = yaml.safe_load((role_dir / "meta" / "opsplan.yml").read_text())
        specs = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text())["argument_specs"]
        for entry in meta["actions"]:
            ep = entry.get("entry_point") or "main"
            assert entry["name"] not in out, f"{entry['name']} defined twice"
            out[entry["name"]] = Action(entry["name"], role_dir.name, ep, entry, specs.get(ep) or {})
    return out


def write_dispatchers(roles_dir: Path, actions: dict[str, Action]) -> None:
    """``tasks/<entry>.yml`` for every entry point that ships only ``tasks/<entry>_<os>.yml`` files."""
    for action in actions.values():
        target = roles_dir / action.role / "tasks" / f"{action.entry}.yml"
        if target.exists():
            continue
        oses = [o for o in OSES if o in action.os]
        target.write_text(DISPATCHER.format(entry=action.entry, oses=json.dumps(oses).replace('"', "'"),
                                            os_text=" and ".join(oses)))


def make_project(root: Path, actions: dict[str, Action] | None = None) -> Path:
    """A project directory with a copy of every role (plus generated dispatchers) and an ansible.cfg."""
    actions = actions if actions is not None else definitions()
    project = root / "project"
    shutil.copytree(ROLES_DIR, project / "roles", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    write_dispatchers(project / "roles", actions)
    (project / "ansible.cfg").write_text("\n".join([
        "[defaults]", "roles_path = ./roles", "interpreter_python = auto_silent", "host_key_checking = False",
        "retry_files_enabled = False", "nocows = True", "", "[ssh_connection]", "pipelining = True", ""]))
    return project


def unsafe_yaml(value: Any, indent: int = 0) -> str:
    """``value`` as YAML with every string tagged ``!unsafe`` (how the compiler hands user values over)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "\n" + "\n".join(f"{pad}{json.dumps(str(k))}:{_after_colon(unsafe_yaml(v, indent + 2))}"
                                  for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return "[]"
        return "\n" + "\n".join(f"{pad}- {unsafe_yaml(v, indent + 2).lstrip()}" for v in value)
    if isinstance(value, str):
        return "!unsafe " + json.dumps(value)
    return json.dumps(value)


class _IndentedDumper(yaml.SafeDumper):
    """Block sequences indented under their key (what ansible-lint's yamllint settings want)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def dump_yaml(data: Any) -> str:
    return "---\n" + yaml.dump(data, Dumper=_IndentedDumper, sort_keys=False, width=160)


def _after_colon(text: str) -> str:
    return text if text.startswith("\n") else " " + text


@dataclass
class Outcome:
    status: str
    rc: int
    result: Any
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # tasks skipped (not loop items)
    changed: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    stdout: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "successful" and not self.failures


class ActionRunner:
    """Runs one action (role + entry point, params as ``!unsafe`` data) on one host with ansible-runner."""

    def __init__(self, root: Path, host_vars: dict[str, Any], actions: dict[str, Action]):
        self.root = root
        self.host_vars = host_vars
        self.actions = actions
        self.project = make_project(root, actions)
        self.count = 0

    def run(self, action_name: str, params: dict[str, Any] | None = None, *, check: bool = False,
            extra_vars: dict[str, Any] | None = None, timeout: int = 240) -> Outcome:
        import ansible_runner

        action = self.actions[action_name]
        params = params or {}
        self.count += 1
        n = self.count
        step_vars = {"opsplan_steps": [{"index": 1, "action": action.name, "params": params}]}
        (self.project / "vars").mkdir(exist_ok=True)
        (self.project / "vars" / f"plan{n}.yml").write_text("---" + unsafe_yaml(step_vars) + "\n")
        role_vars = {f"{action.role}_{p}": f"{{{{ opsplan_steps[0].params.{p} }}}}" for p in params}
        task: dict[str, Any] = {"name": f"Run {action.name}",
                                "ansible.builtin.import_role": {"name": action.role, "tasks_from": action.entry}}
        if role_vars:
            task["vars"] = role_vars
        play = [{"name": f"step 1: {action.name}", "hosts": "all", "gather_facts": False,
                 "vars_files": [f"vars/plan{n}.yml"], "tasks": [task]}]
        (self.project / f"site{n}.yml").write_text(dump_yaml(play))
        inventory = self.root / f"inventory{n}.yml"
        inventory.write_text(yaml.safe_dump({"all": {"hosts": {"web-01": self.host_vars}}}))
        tmp = self.root / "tmp"
        tmp.mkdir(exist_ok=True)
        private = self.root / f"pd{n}"
        private.mkdir()
        envvars = {
            "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "ANSIBLE_CONFIG": str(self.project / "ansible.cfg"),
            "ANSIBLE_LOCAL_TEMP": str(tmp / "local"),
            "ANSIBLE_HOME": str(tmp / "home"),
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(tmp / "cp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_GALAXY_SERVER_LIST": "",
            # OPSPLAN_STRATEGY=mitogen_linear runs the whole suite under Mitogen's strategy, as a worker would
            **strategy_env(Settings.from_env().strategy),
        }
        r = ansible_runner.run(private_data_dir=str(private), project_dir=str(self.project),
                               playbook=f"site{n}.yml", inventory=str(inventory),
                               cmdline="--check --diff" if check else "--diff", envvars=envvars,
                               extravars=extra_vars or {}, quiet=True, timeout=timeout, suppress_env_files=True)
        events = list(r.events)
        fact = f"{action.role}_result"
        result = None
        with r.stdout as fh:
            stdout = fh.read()
        outcome = Outcome(r.status, r.rc, None, events=events, stdout=stdout)
        for event in events:
            data = event.get("event_data") or {}
            res = data.get("res") or {}
            kind = event.get("event")
            if kind == "runner_on_ok" and fact in (res.get("ansible_facts") or {}):
                result = res["ansible_facts"][fact]
            if kind == "runner_on_ok" and res.get("changed"):
                outcome.changed.append(data.get("task", ""))
            if kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
                outcome.failures.append(f"{data.get('task')}: {res.get('msg') or res.get('stderr') or res}")
            if kind == "runner_on_skipped":
                outcome.skipped.append(data.get("task", ""))
        outcome.result = result
        return outcome


@pytest.fixture(scope="module")
def actions() -> dict[str, Action]:
    return definitions()


@pytest.fixture(scope="module")
def linux_host(ssh_fleet, tmp_path_factory) -> dict[str, Any]:
    """Connection vars of the first sshd test host (this machine, seen over SSH)."""
    host = ssh_fleet.hosts[0]
    remote_tmp = tmp_path_factory.mktemp("remote-tmp")
    return {"ansible_host": host.address, "ansible_port": host.port, "ansible_user": host.user,
            "ansible_ssh_private_key_file": str(host.key_file), "ansible_python_interpreter": "/usr/bin/python3",
            "ansible_remote_tmp": str(remote_tmp), "opsplan_os": "linux"}


@pytest.fixture(scope="module")
def runner(linux_host, actions, tmp_path_factory) -> ActionRunner:
    return ActionRunner(tmp_path_factory.mktemp("roles"), linux_host, actions)
