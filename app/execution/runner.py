"""ansible-runner, prepared then run (its own prepare/run split), with an allowlisted child environment.

``prepare`` builds the RunnerConfig for one invocation in a workspace; the child environment is then
cut down to an allowlist (as AWX's ``build_safe_env`` does) plus what ansible-runner and Opsplan set,
so nothing else from the worker's environment (database passwords, cloud keys) reaches
``ansible-playbook``. ``run`` executes it with the callbacks and returns the Runner.

SSH host keys: host key checking is on (``ANSIBLE_HOST_KEY_CHECKING=True``, which also stops
ansible-runner from turning it off) and ssh checks strictly against the workspace's known_hosts file
only. Hosts the workspace refused (a changed host key) are excluded with ``--limit`` and reported as
failed, with the message, through the event handler before ansible-playbook starts.
"""
from __future__ import annotations

import codecs
import datetime
import importlib.util
import json
import os
import shlex
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import ansible_runner.plugins
from ansible_runner import Runner, RunnerConfig
from ansible_runner.utils import dump_artifacts

from app.config import Strategy
from app.execution.errors import RunnerError
from app.execution.processes import MARKER_VAR
from app.execution.workspace import Workspace

# Inherited from the worker's environment when present; everything else is dropped.
ALLOWED_ENV = frozenset({"PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM",
                         "SHELL", "VIRTUAL_ENV"})
ALLOWED_PREFIXES = ("LC_",)
STDOUT_CALLBACK = "opsplan_display"
CALLBACK_DIR = str(Path(__file__).resolve().parent / "callback")
PARTIALS_FILE = "opsplan-partials.jsonl"  # the callback's event data, one JSON line per event (opsplan_display)


def build_safe_env(inherited: dict[str, str], added: dict[str, str]) -> dict[str, str]:
    """Allowlisted variables of ``inherited`` plus ``added`` (ansible-runner's and ours), nothing else."""
    env = {k: v for k, v in inherited.items() if k in ALLOWED_ENV or k.startswith(ALLOWED_PREFIXES)}
    env.update(added)
    return env


class Config(RunnerConfig):
    """A RunnerConfig plus the events to report before ansible-playbook starts (hosts refused up front)."""

    preflight: list[dict[str, Any]]


def ssh_host_key_args(known_hosts: Path) -> str:
    """ssh options (ANSIBLE_SSH_COMMON_ARGS) that accept exactly the keys in ``known_hosts``."""
    path = str(known_hosts)
    if '"' in path:
        raise ValueError(f"unusable known_hosts path {path!r}")
    value = 'UserKnownHostsFile="' + path.replace("%", "%%") + '"'  # one file even with spaces; no %-tokens
    return " ".join(["-o StrictHostKeyChecking=yes", "-o", shlex.quote(value), "-o GlobalKnownHostsFile=/dev/null",
                     "-o CheckHostIP=no", "-o UpdateHostKeys=no"])


def host_key_env(ws: Workspace) -> dict[str, str]:
    """Host key checking on, against the workspace's known_hosts only (ansible-runner keeps a set value)."""
    return {"ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_SSH_COMMON_ARGS": ssh_host_key_args(ws.known_hosts_path)}


def effective_limit(limit: list[str] | None, refused: dict[str, str]) -> str | None:
    """``--limit``: the requested hosts (or all) minus the hosts refused before the run."""
    if not refused:
        return ",".join(limit) if limit else None
    return ",".join([*(limit or ["all"]), *(f"!{host}" for host in sorted(refused))])


def opsplan_env(ws: Workspace, run_id: str, inherited: dict[str, str]) -> dict[str, str]:
    """ansible-playbook from this interpreter's environment first; the bundle's own ansible.cfg."""
    bindir = str(Path(sys.executable).parent)
    path = inherited.get("PATH") or "/usr/local/bin:/usr/bin:/bin"
    return {"PATH": f"{bindir}:{path}" if bindir not in path.split(":") else path,
            "ANSIBLE_CONFIG": str(ws.project_dir / "ansible.cfg"),
            "ANSIBLE_LOCAL_TEMP": str(ws.private_data_dir / "tmp"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(ws.control_dir),
            MARKER_VAR: run_id}


def strategy_env(strategy: Strategy) -> dict[str, str]:
    """The environment that selects ``strategy`` (nothing for Ansible's own linear strategy). Mitogen's strategy
    plugins ship inside its package (pinned in requirements.txt); the bundle's ansible.cfg is left as approved."""
    if strategy is Strategy.LINEAR:
        return {}
    spec = importlib.util.find_spec("ansible_mitogen")
    if spec is None or spec.origin is None:
        raise RunnerError(f"OPSPLAN_STRATEGY={strategy} needs the mitogen package (pip install -r requirements.txt)")
    return {"ANSIBLE_STRATEGY": str(strategy),
            "ANSIBLE_STRATEGY_PLUGINS": str(Path(spec.origin).parent / "plugins" / "strategy")}


def prepare(ws: Workspace, run_id: str, playbook: str, *, check: bool, limit: list[str] | None,
            timeout: int, extra_env: dict[str, str] | None = None,
            strategy: Strategy = Strategy.LINEAR) -> Config:
    """The RunnerConfig of one invocation (command line, environment) in ``ws``; nothing runs yet."""
    inherited = dict(os.environ)
    envvars = {**opsplan_env(ws, run_id, inherited), **strategy_env(strategy), **(extra_env or {}),
               **host_key_env(ws)}
    cmdline = ("--check --diff" if check else "--diff") + f" -e opsplan_run_id={run_id}"
    kwargs: dict[str, Any] = dict(
        private_data_dir=str(ws.private_data_dir), project_dir=str(ws.project_dir), playbook=playbook,
        inventory=str(ws.inventory_path), cmdline=cmdline, limit=effective_limit(limit, ws.refused),
        ident="run", quiet=True, suppress_env_files=True, timeout=timeout, envvars=envvars,
        suppress_ansible_output=True, suppress_output_file=True,
        # facts in memory, as plain ansible-playbook keeps them (ansible.cfg sets no cache): ansible-runner's
        # default, a jsonfile cache in the artifacts, encodes and decodes every host's facts through files
        # (~4% of ansible-playbook's CPU at 32 hosts) and its files die with the workspace anyway
        fact_cache_type="memory",
    )
    dump_artifacts(kwargs)
    config = Config(**kwargs)
    config.preflight = ws.take_preflight_events()
    config.prepare()
    # our stdout callback: ansible-runner's awx_display (its directory stays on the path) minus its cost on
    # Display calls that print nothing (app/execution/callback/opsplan_display.py)
    config.env["ANSIBLE_STDOUT_CALLBACK"] = STDOUT_CALLBACK
    plugin_dirs = (CALLBACK_DIR, config.env.get("ANSIBLE_CALLBACK_PLUGINS"))
    config.env["ANSIBLE_CALLBACK_PLUGINS"] = ":".join(d for d in plugin_dirs if d)
    added = {k: v for k, v in config.env.items() if inherited.get(k) != v}
    config.env = build_safe_env(inherited, added)
    return config


class EventRunner(Runner):
    """ansible-runner's Runner, reading each event's data from the callback's one append-only file of JSON lines
    (app/execution/callback/opsplan_display.py) instead of opening and removing a ``<uuid>-partial.json`` per
    event. An event whose data is not there (a verbose line has none) falls back to ansible-runner's own file.
    Otherwise the same as Runner.event_callback: the same event dict reaches the handler and the plugins."""

    def __init__(self, config: RunnerConfig, **kwargs: Any):
        super().__init__(config, **kwargs)
        self._partials: dict[str, dict[str, Any]] = {}
        self._partials_file: IO[bytes] | None = None
        self._partials_tail = b""

    def _read_partials(self) -> None:
        if self._partials_file is None:
            try:
                self._partials_file = open(os.path.join(self.config.artifact_dir, PARTIALS_FILE), "rb")  # noqa: SIM115
            except FileNotFoundError:
                return
        data = self._partials_file.read()
        if not data:
            return
        lines = (self._partials_tail + data).split(b"\n")
        self._partials_tail = lines.pop()  # a line still being written (never, as each is one write): later
        for line in lines:
            if line:
                record = json.loads(line)
                self._partials[str(record.get("uuid"))] = record

    def _partial(self, uuid: str, partial_filename: str) -> dict[str, Any] | None:
        if uuid not in self._partials:
            self._read_partials()
        found = self._partials.pop(uuid, None)
        if found is not None:
            return found
        try:  # ansible-runner's own partial file (written by awx_display itself)
            with codecs.open(partial_filename, "r", encoding="utf-8") as read_file:
                found = json.load(read_file)
        except OSError:
            return None
        if self.remove_partials:
            os.remove(partial_filename)
        return found

    def event_callback(self, event_data: dict[str, Any]) -> None:
        self.last_stdout_update = time.time()
        if "uuid" not in event_data:
            return
        job_events = os.path.join(self.config.artifact_dir, "job_events")
        try:
            event_data.update({"runner_ident": str(self.config.ident)})
            partial = self._partial(event_data["uuid"], os.path.join(job_events, f"{event_data['uuid']}-partial.json"))
            if partial is not None:
                event_data.update(partial)
            if "created" not in event_data:  # verbose events set the time here, as in ansible-runner
                event_data["created"] = datetime.datetime.now(datetime.UTC).isoformat()
            should_write = self.event_handler(event_data) if self.event_handler is not None else True
            for plugin in ansible_runner.plugins:
                ansible_runner.plugins[plugin].event_handler(self.config, event_data)
            if should_write:
                full_filename = os.path.join(job_events, f"{event_data['counter']}-{event_data['uuid']}.json")
                with codecs.open(full_filename + ".tmp", "w", encoding="utf-8") as write_file:
                    os.chmod(full_filename + ".tmp", stat.S_IRUSR | stat.S_IWUSR)
                    json.dump(event_data, write_file)
                os.rename(full_filename + ".tmp", full_filename)
        except OSError:
            pass  # as ansible-runner: a failed artifact write never stops the run

    def run(self) -> Any:
        try:
            return super().run()
        finally:
            if self._partials_file is not None:
                self._partials_file.close()


def run(config: RunnerConfig, *, event_handler: Callable[[dict[str, Any]], bool],
        cancel_callback: Callable[[], bool], status_handler: Callable[..., None] | None = None) -> Runner:
    for event in getattr(config, "preflight", None) or []:
        event_handler(event)
    runner = EventRunner(config, event_handler=event_handler, cancel_callback=cancel_callback,
                    status_handler=status_handler)
    runner.run()
    return runner
