"""Fixtures of the compiler tests: sample params for every catalog action, hosts and plan builders."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import HostSpec, Plan, Step, builtin_catalog

CATALOG = builtin_catalog()
VENV_BIN = Path(sys.executable).parent
# A valid value of each param kind (every action's sample params follow from its definition)
KIND_SAMPLES = {"name": "nginx", "service": "Print Spooler", "path": "/var/log/syslog", "source": "/tmp/a", "url": "https://example.invalid/",
                "port": "443", "version": "1.0.2", "command": "uptime", "text": "text", "int": "5", "bool": "true",
                "pattern": "error", "endpoint": "db-01:5432", "line": "key = value"}
# Hand-picked values where the kind's sample reads oddly
_PICKED: dict[str, dict] = {
    "host.ping": {},
    "system.info": {},
    "disk.check": {"path": "/var/lib"},
    "process.check": {"name": "stationcontroller"},
    "service.status": {"name": "nginx"},
    "package.check": {"name": "openssl"},
    "file.stat": {"path": "/etc/hosts"},
    "port.check": {"port": "443"},
    "http.check": {"url": "https://example.invalid/health"},
    "service.start": {"name": "nginx"},
    "service.stop": {"name": "nginx"},
    "service.restart": {"name": "nginx"},
    "package.install": {"name": "htop", "version": "3.2.1"},
    "package.update": {"name": "openssl"},
    "package.remove": {"name": "telnet"},
    "file.copy": {"src": "/tmp/a", "dest": "/tmp/b"},
    "app.update": {"name": "stationcontroller", "source": "\\\\file-01\\releases\\stationcontroller.exe"},
    "process.kill": {"name": "stationcontroller"},
    "command.run": {"command": "uptime"},
    "host.reboot": {},
}
SAMPLE_PARAMS: dict[str, dict] = {
    name: _PICKED.get(name) or {
        p.name: KIND_SAMPLES[p.kind] for p in action.params
        if p.required or any(group[0] == p.name for group in action.one_of)}  # the first of each "exactly one of"
    for name, action in CATALOG.items()
}

LINUX = HostSpec(name="web-01", os="linux", environment="staging",
                 vars={"ansible_host": "10.0.0.11", "ansible_user": "ops", "ansible_connection": "ssh"})
WINDOWS = HostSpec(name="station-01", os="windows", environment="production",
                   vars={"ansible_host": "10.0.1.21", "ansible_connection": "winrm", "ansible_port": 5986,
                         "ansible_winrm_transport": "kerberos", "opsplan_credential": "winrm-stations"})


def make_plan(actions: list[tuple[str, dict, list[str]]], request: str = "test") -> Plan:
    steps = [Step(action=a, params=p, hosts=h) for a, p, h in actions]
    hosts = sorted({h for _, _, hs in actions for h in hs})
    return Plan(steps=steps, hosts=hosts, request=request)


def catalog_plan(host_names: list[str]) -> Plan:
    """Every catalog action once, on those of ``host_names`` (LINUX, WINDOWS) whose OS it supports."""
    oses = {LINUX.name: "linux", WINDOWS.name: "windows"}
    steps = [(a.name, SAMPLE_PARAMS[a.name], [h for h in host_names if oses.get(h, "linux") in a.os])
             for a in CATALOG.values()]
    return make_plan([s for s in steps if s[2]])


def ansible_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        "ANSIBLE_LOCAL_TEMP": str(tmp / ".ansible-tmp"),
        "ANSIBLE_REMOTE_TEMP": str(tmp / ".ansible-remote"),
        "ANSIBLE_HOME": str(tmp / ".ansible-home"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_GALAXY_SERVER_LIST": "",
    })
    return env


def run(cmd: list[str], cwd: Path, tmp: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=ansible_env(tmp), capture_output=True, text=True, timeout=timeout)


def write_inventory(path: Path, hosts: list[HostSpec], local: bool = False) -> Path:
    lines = ["[all]"]
    for h in hosts:
        extra = " ansible_connection=local ansible_python_interpreter=/usr/bin/python3" if local else ""
        lines.append(f"{h.name} opsplan_os={h.os}{extra}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def linux_host() -> HostSpec:
    return LINUX


@pytest.fixture
def windows_host() -> HostSpec:
    return WINDOWS
