"""The action catalog: the single source of truth for what Opsplan may do (CONTRACT section 5).

Planner vocabulary, API listing, compiler templates, roles and docs all read this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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
               (_p("url", "url"),), role="opsplan_net"),
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
    ActionSpec("process.kill", "Kill a process by name", (_NAME,), Risk.HIGH, False, role="opsplan_process"),
    ActionSpec("command.run", "Run an explicitly quoted command", (_p("command", "command"),), Risk.HIGH, False,
               previewable=False, not_previewable_reason="commands have no check mode: the module would not run",
               role="opsplan_command"),
    ActionSpec("host.reboot", "Reboot the host and wait for it to come back", (), Risk.CRITICAL, False,
               previewable=False, not_previewable_reason="reboot modules do not support check mode",
               role="opsplan_host"),
)

CATALOG: dict[str, ActionSpec] = {a.name: a for a in _ACTIONS}


def get_action(name: str) -> ActionSpec:
    from compiler.errors import UnknownActionError

    try:
        return CATALOG[name]
    except KeyError:
        raise UnknownActionError(f"unknown action {name!r}; known: {', '.join(sorted(CATALOG))}") from None
