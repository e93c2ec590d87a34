"""Inventory over HTTP (CONTRACT 9): GET /api/v1/inventory answers Ansible dynamic-inventory JSON, never a
secret, optionally limited to a plan's hosts; the AWX export's script is a standard-library-only client of it,
run here by a Python with nothing but its standard library against the real web service."""
from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import sqlite_only
from tests.harness.web import WebServer

pytestmark = pytest.mark.integration

SECRET = "hunter2-{{ lookup('pipe','id') }}-marker"
FLEET = {
    "credentials": [{"name": "ops", "kind": "password", "username": "ops", "secret": SECRET}],
    "assets": [
        {"name": "web-01", "address": "10.0.0.1", "os": "linux", "environment": "staging", "groups": ["web"],
         "credential": "ops", "vars": {"app_motd": "{{ not templated }}"}},
        {"name": "web-02", "address": "10.0.0.2", "os": "linux", "environment": "staging", "groups": ["web"]},
        {"name": "db-01", "address": "10.0.0.3", "os": "linux", "environment": "production", "groups": ["db"]},
        {"name": "win-01", "address": "10.0.0.4", "os": "windows", "environment": "staging", "groups": ["win"]},
    ],
}
CLIENT = Path(__file__).resolve().parents[3] / "app" / "awx" / "inventory_client.py"


@pytest.fixture
def fleet(api):
    from app.assets.cli import import_path

    path = Path(api.settings.var_dir) / "fleet.json"
    path.write_text(json.dumps(FLEET))
    import_path(api.settings, path)
    return FLEET


def _plan(api, hosts: list[str]) -> str:
    body = {"plan": {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": hosts}}]}}
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_inventory_api_groups_hostvars_no_secret_and_plan_limit(api, fleet):
    viewer = api.as_("viewer1")
    r = viewer.get("/api/v1/inventory")
    assert r.status_code == 200, r.get_json()
    inv = r.get_json()
    assert set(inv["_meta"]["hostvars"]) == {"web-01", "web-02", "db-01", "win-01"}
    assert inv["web"]["hosts"] == ["web-01", "web-02"] and "web" in inv["all"]["children"]
    web01 = inv["_meta"]["hostvars"]["web-01"]
    assert web01["ansible_host"] == {"__ansible_unsafe": "10.0.0.1"}
    assert web01["app_motd"] == {"__ansible_unsafe": "{{ not templated }}"}
    assert SECRET not in r.get_data(as_text=True) and "hunter2" not in r.get_data(as_text=True)

    plan_id = _plan(api, ["web-01", "win-01"])
    limited = viewer.get(f"/api/v1/inventory?plan_id={plan_id}").get_json()
    assert set(limited["_meta"]["hostvars"]) == {"web-01", "win-01"}
    assert "db" not in limited and limited["web"]["hosts"] == ["web-01"]
    assert viewer.get(f"/api/v1/inventory?plan_id={plan_id}&host=db-01").get_json() == {}
    one = viewer.get("/api/v1/inventory?host=web-02").get_json()
    assert one["ansible_host"] == {"__ansible_unsafe": "10.0.0.2"}
    assert viewer.get("/api/v1/inventory?host=nope").get_json() == {}

    missing = viewer.get("/api/v1/inventory?plan_id=0123456789abcdef")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"]
    anonymous = api.client.get("/api/v1/inventory")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"]


@pytest.mark.unit
def test_the_client_imports_the_standard_library_only():
    tree = ast.parse(CLIENT.read_text())
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
    assert modules - {"__future__"} <= set(sys.stdlib_module_names), modules


@sqlite_only
def test_exported_script_reads_the_live_service_with_only_the_standard_library(api, fleet, stack_env, tmp_path):
    from app.awx.export import export_plan
    from app.db import session_scope
    from tests.app.awx.test_export import _extract

    plan_id = _plan(api, ["web-01", "web-02"])
    with session_scope(api.settings.database_url) as s:
        data, _name = export_plan(s, plan_id)
    project = tmp_path / "project"
    _extract(data, project)
    inventory_files = sorted(p.relative_to(project).as_posix() for p in (project / "inventory").rglob("*"))
    assert inventory_files == ["inventory/opsplan_inventory.py"]  # no snapshot writer, no Opsplan package
    script = project / "inventory" / "opsplan_inventory.py"

    web = WebServer(stack_env, tmp_path / "web.log").start()
    try:
        python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
        env = {"PATH": "/usr/bin:/bin", "OPSPLAN_URL": web.url, "OPSPLAN_TOKEN": api.tokens["viewer1"]}

        def run(*argv: str, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
            # -I: no user site, no PYTHON* variables; -S: no site-packages at all
            return subprocess.run([python, "-I", "-S", str(script), *argv], env={**env, **(extra or {})},
                                  cwd=tmp_path, capture_output=True, text=True, timeout=60)

        probe = subprocess.run([python, "-I", "-S", "-c", "import yaml"], capture_output=True, env=env)
        assert probe.returncode != 0  # the interpreter really has nothing beyond the standard library
        listed = run("--list")
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == api.as_("viewer1").get("/api/v1/inventory").get_json()
        limited = json.loads(run("--list", extra={"OPSPLAN_PLAN_ID": plan_id}).stdout)
        assert set(limited["_meta"]["hostvars"]) == {"web-01", "web-02"}
        host = run("--host", "web-01")
        assert host.returncode == 0 and json.loads(host.stdout)["ansible_host"] == {"__ansible_unsafe": "10.0.0.1"}
        assert SECRET not in listed.stdout + host.stdout

        bad = run("--list", extra={"OPSPLAN_TOKEN": "not-a-token"})
        assert bad.returncode == 1 and "answered 401" in bad.stderr and bad.stdout == ""
        unset = subprocess.run([python, "-I", "-S", str(script), "--list"], env={"PATH": "/usr/bin:/bin"},
                               capture_output=True, text=True, timeout=60)
        assert unset.returncode == 1 and "OPSPLAN_URL" in unset.stderr
        assert run("--bogus").returncode == 2

        # Ansible itself reads it as an inventory source (as AWX's inventory update does)
        inventory = subprocess.run([str(Path(sys.executable).with_name("ansible-inventory")), "-i", str(script),
                                    "--host", "web-01", "--yaml"], env={**os.environ, **env, "PATH": os.environ["PATH"],
                                                    "ANSIBLE_LOCAL_TEMP": str(tmp_path / "at")},
                                   capture_output=True, text=True, timeout=120)
        assert inventory.returncode == 0, inventory.stderr
        seen = yaml.safe_load(inventory.stdout)
        assert seen["app_motd"] == "{{ not templated }}"  # decoded as Ansible's unsafe text, not left a mapping
        assert seen["ansible_host"] == "10.0.0.1"
    finally:
        web.stop()
