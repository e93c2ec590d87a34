"""Fixtures of the compiler tests: sample params for every catalog action, hosts and plan builders."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import CATALOG, HostSpec, Plan, Step

VENV_BIN = Path(sys.executable).parent
SAMPLE_PARAMS: dict[str, dict] = {
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
assert set(SAMPLE_PARAMS) == set(CATALOG)

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
    """Every catalog action once, on ``host_names``."""
    return make_plan([(a, SAMPLE_PARAMS[a], host_names) for a in CATALOG])


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
