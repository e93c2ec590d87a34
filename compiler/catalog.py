"""The action catalog: the single source of truth for what Opsplan may do (CONTRACT section 5).

Planner vocabulary, API listing, compiler templates, roles and docs all read this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from compiler.models import Risk

# Parameter kinds and what a valid value looks like. Values are always passed to Ansible as
# unsafe data; these checks exist to give early, clear errors and to keep names boring.
PARAM_KINDS = {
    "name": r"^[A-Za-z0-9][A-Za-z0-9_.@+\-]{0,127}$",
    "path": r"^(?:[A-Za-z]:[\\/]|\\\\|/)[^\x00\r\n]{0,1023}$",
    "source": r"^(?:[A-Za-z]:[\\/]|\\\\|/|https?://)[^\x00\r\n]{0,2047}$",
    "url": r"^https?://[^\s\x00]{1,2040}$",
    "port": r"^[0-9]{1,5}$",
    "version": r"^[A-Za-z0-9][A-Za-z0-9_.:+~\-]{0,63}$",
    "command": r"^[^\x00]{1,4096}$",
}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool = True
    description: str = ""


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
    modules: dict[str, tuple[str, ...]] = field(default_factory=dict)  # os -> FQCN modules used

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def entry_point(self) -> str:
        """The role entry point (tasks file and meta/argument_specs.yml key): ``service.start`` -> ``service_start``."""
        return self.name.replace(".", "_")

    def role_var(self, param: str) -> str:
        """The role-prefixed variable a param is passed as:
        ``opsplan_service`` + ``name`` -> ``opsplan_service_name``."""
        return f"{self.role}_{param}"

    def collections(self, os_names: set[str] | None = None) -> set[str]:
        """Collections (other than ansible.builtin) whose modules the action's tasks use on ``os_names`` (all)."""
        return {m.rsplit(".", 1)[0] for os_name, mods in self.modules.items()
                if os_names is None or os_name in os_names for m in mods if not m.startswith("ansible.builtin.")}

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "params": [
                {"name": p.name, "kind": p.kind, "required": p.required, "description": p.description}
                for p in self.params
            ],
            "risk": self.risk.value,
            "read_only": self.read_only,
            "previewable": self.previewable,
            "not_previewable_reason": self.not_previewable_reason,
            "rollback": self.rollback,
            "role": self.role,
            "modules": {os_: list(mods) for os_, mods in self.modules.items()},
        }


def _p(name: str, kind: str, required: bool = True, description: str = "") -> Param:
    return Param(name, kind, required, description)


_NAME = _p("name", "name", description="service, package or process name")
_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("host.ping", "Check that the host is reachable and can run modules", role="opsplan_host"),
    ActionSpec("system.info", "Report OS, uptime, memory and CPU facts", role="opsplan_host"),
    ActionSpec("disk.check", "Report disk usage (of a path, or of every mount)",
               (_p("path", "path", False, "mount point or directory"),), role="opsplan_disk"),
    ActionSpec("process.check", "Is a process running", (_NAME,), role="opsplan_process"),
    ActionSpec("service.status", "Report a service's state", (_NAME,), role="opsplan_service"),
    ActionSpec("package.check", "Is a package installed, and which version", (_NAME,), role="opsplan_package"),
    ActionSpec("file.stat", "Report whether a file exists, its size, owner and checksum",
               (_p("path", "path"),), role="opsplan_file"),
    ActionSpec("port.check", "Is a TCP port listening on the host", (_p("port", "port"),), role="opsplan_net"),
    ActionSpec("http.check", "Fetch a URL from the host and report the status code",
               (_p("url", "url"),), previewable=False,
               not_previewable_reason="ansible.builtin.uri has no check mode: the request is only sent in the real run",
               role="opsplan_net"),
    ActionSpec("service.start", "Start a service", (_NAME,), Risk.MEDIUM, False, rollback=True,
               role="opsplan_service"),
    ActionSpec("service.stop", "Stop a service", (_NAME,), Risk.MEDIUM, False, rollback=True,
               role="opsplan_service"),
    ActionSpec("service.restart", "Restart a service", (_NAME,), Risk.MEDIUM, False, role="opsplan_service"),
    ActionSpec("package.install", "Install a package (optionally a given version)",
               (_NAME, _p("version", "version", False)), Risk.MEDIUM, False, role="opsplan_package"),
    ActionSpec("package.update", "Update a package to the latest (or a given) version",
               (_NAME, _p("version", "version", False)), Risk.MEDIUM, False, role="opsplan_package"),
    ActionSpec("package.remove", "Remove a package", (_NAME,), Risk.HIGH, False, role="opsplan_package"),
    ActionSpec("file.copy", "Copy a file from a source (path on the host, UNC share or URL) to a destination",
               (_p("src", "source"), _p("dest", "path")), Risk.MEDIUM, False, role="opsplan_file"),
    ActionSpec("app.update",
               "Replace an application's executable: stop, back up, copy the new one, start, verify; "
               "restore the backup and start the old one on any failure",
               (_NAME, _p("source", "source"), _p("path", "path", False, "installed executable")),
               Risk.HIGH, False, rollback=True, role="opsplan_app"),
    ActionSpec("process.kill", "Kill a process by name", (_NAME,), Risk.HIGH, False,
               previewable=False,
               not_previewable_reason="on Linux the kill is a command (no check mode); the preview only lists "
                                      "the matching processes",
               role="opsplan_process"),
    ActionSpec("command.run", "Run an explicitly quoted command", (_p("command", "command"),), Risk.HIGH, False,
               previewable=False, not_previewable_reason="commands have no check mode: the module would not run",
               role="opsplan_command"),
    ActionSpec("host.reboot", "Reboot the host and wait for it to come back", (), Risk.CRITICAL, False,
               previewable=False, not_previewable_reason="reboot modules do not support check mode",
               role="opsplan_host"),
)

_B, _W, _C, _G = "ansible.builtin.", "ansible.windows.", "chocolatey.chocolatey.", "community.general."
# The modules each action's role tasks use, per OS (roles/<role>/tasks/<entry_point>_<os>.yml).
# tests/compiler/test_parity.py checks these against the task files.
_MODULES: dict[str, dict[str, tuple[str, ...]]] = {
    "host.ping": {"linux": (_B + "ping",),
                  "windows": (_W + "win_ping",)},
    "system.info": {"linux": (_B + "setup", _B + "debug"),
                    "windows": (_W + "setup", _B + "debug")},
    "disk.check": {"linux": (_B + "setup", _B + "set_fact", _B + "debug"),
                   "windows": (_W + "win_powershell", _B + "debug")},
    "process.check": {"linux": (_B + "find", _B + "debug", _B + "set_fact"),
                      "windows": (_W + "win_powershell", _B + "debug")},
    "service.status": {"linux": (_B + "service_facts", _B + "assert", _B + "debug", _B + "set_fact"),
                       "windows": (_W + "win_service_info", _B + "assert", _B + "debug", _B + "set_fact")},
    "package.check": {"linux": (_B + "package_facts", _B + "debug"),
                      "windows": (_C + "win_chocolatey_facts", _B + "debug")},
    "file.stat": {"linux": (_B + "stat", _B + "debug"),
                  "windows": (_W + "win_stat", _B + "debug")},
    "port.check": {"linux": (_G + "listen_ports_facts", _B + "debug"),
                   "windows": (_W + "win_listen_ports_facts", _B + "debug")},
    "http.check": {"linux": (_B + "uri", _B + "debug"),
                   "windows": (_W + "win_uri", _B + "debug")},
    "service.start": {"linux": (_B + "service_facts", _B + "service", _B + "assert", _B + "fail", _B + "set_fact"),
                      "windows": (_W + "win_service_info", _W + "win_service", _B + "assert", _B + "fail",
                                  _B + "set_fact")},
    "service.stop": {"linux": (_B + "service_facts", _B + "service", _B + "assert", _B + "fail", _B + "set_fact"),
                     "windows": (_W + "win_service_info", _W + "win_service", _B + "assert", _B + "fail",
                                 _B + "set_fact")},
    "service.restart": {"linux": (_B + "service", _B + "service_facts", _B + "assert", _B + "set_fact"),
                        "windows": (_W + "win_service", _W + "win_service_info", _B + "assert", _B + "set_fact")},
    "package.install": {"linux": (_B + "setup", _B + "package", _B + "package_facts", _B + "assert",
                                  _B + "set_fact"),
                        "windows": (_C + "win_chocolatey", _C + "win_chocolatey_facts", _B + "assert")},
    "package.update": {"linux": (_B + "setup", _B + "package", _B + "package_facts", _B + "assert",
                                 _B + "set_fact"),
                       "windows": (_C + "win_chocolatey", _C + "win_chocolatey_facts", _B + "assert")},
    "package.remove": {"linux": (_B + "package", _B + "package_facts", _B + "assert"),
                       "windows": (_C + "win_chocolatey", _C + "win_chocolatey_facts", _B + "assert")},
    "file.copy": {"linux": (_B + "assert", _B + "stat", _B + "copy", _B + "get_url", _B + "slurp"),
                  "windows": (_W + "win_stat", _W + "win_copy", _W + "win_get_url", _B + "assert")},
    "app.update": {"linux": (_B + "set_fact", _B + "assert", _B + "find", _B + "stat", _B + "copy", _B + "get_url",
                             _B + "service", _B + "service_facts", _B + "file", _B + "fail", _B + "debug"),
                   "windows": (_B + "set_fact", _B + "assert", _W + "win_powershell", _W + "win_stat",
                               _W + "win_copy", _W + "win_get_url", _W + "win_service", _W + "win_service_info",
                               _W + "win_file", _B + "fail", _B + "debug")},
    "process.kill": {"linux": (_B + "find", _B + "command", _B + "wait_for", _B + "debug", _B + "set_fact"),
                     "windows": (_W + "win_powershell", _B + "debug")},
    "command.run": {"linux": (_B + "command", _B + "debug"),
                    "windows": (_W + "win_command", _B + "debug")},
    "host.reboot": {"linux": (_B + "reboot", _B + "ping"),
                    "windows": (_W + "win_reboot", _W + "win_ping")},
}

CATALOG: dict[str, ActionSpec] = {a.name: replace(a, modules=_MODULES[a.name]) for a in _ACTIONS}


def get_action(name: str) -> ActionSpec:
    from compiler.errors import UnknownActionError

    try:
        return CATALOG[name]
    except KeyError:
        raise UnknownActionError(f"unknown action {name!r}; known: {', '.join(sorted(CATALOG))}") from None
