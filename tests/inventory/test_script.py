"""The inventory script as Ansible and AWX run it: a subprocess, configured by DATABASE_URL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app.assets.helpers import MARKER

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "inventory" / "opsplan_inventory.py"
BIN = Path(sys.executable).parent


def data_of(value):
    """JSON with ``{"__ansible_unsafe": s}`` wrappers (data, as the script and ansible-inventory may print it)
    unwrapped, so the checks below hold for either form."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: data_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return [data_of(v) for v in value]
    return value


def _env(db_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OPSPLAN_SECRET_KEY", "PYTHONPATH")}
    env.update(DATABASE_URL=db_url, PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               ANSIBLE_LOCAL_TEMP=env.get("TMPDIR", "/tmp"), ANSIBLE_NOCOLOR="1")
    return env


def _run(args, db_url, cwd=None):
    return subprocess.run(args, env=_env(db_url), capture_output=True, text=True, timeout=120, cwd=cwd)


def test_script_is_executable_and_lists(loaded, tmp_path):
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text().startswith("#!/usr/bin/env python3\n")
    proc = _run([str(SCRIPT), "--list"], loaded, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert MARKER not in proc.stdout
    inv = data_of(json.loads(proc.stdout))
    assert inv["_meta"]["hostvars"]["cis-01"]["ansible_connection"] == "winrm"
    host = _run([str(SCRIPT), "--host", "web-01"], loaded)
    assert data_of(json.loads(host.stdout))["ansible_host"] == "10.20.1.11"
    assert json.loads(_run([str(SCRIPT), "--host", "ghost"], loaded).stdout) == {}


def test_script_errors(tmp_path):
    proc = _run([str(SCRIPT)], f"sqlite:///{tmp_path / 'x.db'}")
    assert proc.returncode == 2 and "usage" in proc.stderr
    proc = _run([str(SCRIPT), "--list"], f"sqlite:///{tmp_path / 'missing.db'}")
    assert proc.returncode == 1 and "does not exist" in proc.stderr and not (tmp_path / "missing.db").exists()


def test_ansible_inventory_list_and_graph(loaded):
    proc = _run([str(BIN / "ansible-inventory"), "-i", str(SCRIPT), "--list"], loaded)
    assert proc.returncode == 0, proc.stderr
    assert MARKER not in proc.stdout
    inv = data_of(json.loads(proc.stdout))
    hv = inv["_meta"]["hostvars"]
    assert sorted(hv) == ["cis-01", "db-01", "web-01", "web-02"]
    cis = hv["cis-01"]
    assert (cis["ansible_connection"], cis["ansible_port"], cis["ansible_winrm_transport"],
            cis["ansible_winrm_server_cert_validation"], cis["ansible_winrm_scheme"], cis["opsplan_os"]) == \
        ("winrm", 5986, "ntlm", "validate", "https", "windows")
    assert hv["web-01"]["opsplan_os"] == "linux" and hv["web-01"]["ansible_port"] == 22
    assert inv["web"]["hosts"] == ["web-01", "web-02"]
    assert hv["web-01"]["http_port"] == 8080 and hv["web-01"]["tier"] == "front"  # group vars, merged by --list
    assert "web" in inv["frontend"]["children"]
    graph = _run([str(BIN / "ansible-inventory"), "-i", str(SCRIPT), "--graph"], loaded)
    assert graph.returncode == 0, graph.stderr
    lines = [line.strip(" |") for line in graph.stdout.splitlines()]
    assert "@all:" in lines[0] and "--@os_windows:" in lines and "--cis-01" in lines and "--@env_production:" in lines
    assert "--old-01" not in lines
    host = _run([str(BIN / "ansible-inventory"), "-i", str(SCRIPT), "--host", "cis-01"], loaded)
    assert data_of(json.loads(host.stdout))["ansible_winrm_scheme"] == "https"


def test_standalone_copy_needs_only_sqlalchemy(loaded, tmp_path):
    """As in an AWX project: the script and the inventory package copied without the app."""
    import shutil

    project = tmp_path / "awx-project"
    shutil.copytree(ROOT / "inventory", project / "inventory", ignore=shutil.ignore_patterns("__pycache__"))
    probe = ("import runpy, sys; sys.argv = ['opsplan_inventory.py', '--list']\n"
             f"try:\n    runpy.run_path({str(project / 'inventory' / 'opsplan_inventory.py')!r}, run_name='__main__')\n"
             "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
             "assert 'app' not in sys.modules and not any(m.startswith('app.') for m in sys.modules), 'imported app'\n")
    proc = _run([sys.executable, "-c", probe], loaded, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"cis-01"' in proc.stdout
