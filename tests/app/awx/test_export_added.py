"""The AWX project of a plan that uses an added action carries that role's files and the collections its
modules need; no export carries the worker-side snapshot writer (inventory/snapshot.py)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from app.awx.export import project_files
from app.db import session_scope
from app.services.actions import add_role
from compiler.collection_pins import COLLECTION_PINS
from tests.app.awx.helpers import store_plan
from tests.harness.action_roles import ROLE, marker_role, role_files

ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
INI_TASKS = """---
- name: Record the marker in an ini file
  community.general.ini_file:
    path: "{{ acme_marker_dir }}/markers.ini"
    section: markers
    option: "{{ acme_marker_name }}"
    value: "yes"
    mode: "0644"
"""


def _extract(data: bytes, dest: Path) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


@pytest.mark.integration
def test_an_added_role_travels_with_its_collections(settings, tmp_path):
    from app.awx.export import export_plan

    role_dir = marker_role(tmp_path / "src", tmp_path / "markers", extra_files={"tasks/touch_linux.yml": INI_TASKS})
    with session_scope(settings.database_url) as s:
        add_role(s, role_files(role_dir), "admin1")
    plan_id = store_plan(settings.database_url, [
        {"action": "marker.touch", "params": {"name": "alpha"}, "targets": {"hosts": ["web-01"]}},
        {"action": "service.restart", "params": {"name": "nginx"}, "targets": {"groups": ["web"]}},
    ])
    with session_scope(settings.database_url) as s:
        data = export_plan(s, plan_id)[0]
    project = tmp_path / "project"
    files = _extract(data, project)
    for path in sorted(role_dir.rglob("*")):
        if path.is_file():
            rel = f"roles/{ROLE}/{path.relative_to(role_dir).as_posix()}"
            assert files.get(rel) == path.read_bytes(), rel
    assert f"roles/{ROLE}/tasks/touch.yml" in files  # the generated dispatcher
    requirements = yaml.safe_load(files["collections/requirements.yml"])["collections"]
    assert {"name": "community.general", "version": COLLECTION_PINS["community.general"]} in requirements
    assert [f for f in files if f.startswith("inventory/")] == ["inventory/opsplan_inventory.py"]

    (tmp_path / "hosts.ini").write_text("web-01\nweb-02\n")
    env = {**os.environ, "ANSIBLE_CONFIG": str(project / "ansible.cfg"), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "t"),
           "ANSIBLE_HOME": str(tmp_path / "ah")}
    proc = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(tmp_path / "hosts.ini"), "--syntax-check", "site.yml"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr


class _Bundle:
    files = {"site.yml": b"---\n[]\n"}
    sha256 = "0" * 64
    playbook = "site.yml"


@pytest.mark.unit
def test_the_export_carries_only_the_http_inventory_client():
    """Not the worker-side snapshot writer, not the database-reading builder: the standard-library client."""
    files = project_files(_Bundle(), {}, name="p")
    assert sorted(f for f in files if f.startswith("inventory/")) == ["inventory/opsplan_inventory.py"]
    script = files["inventory/opsplan_inventory.py"][0].decode()
    assert "/api/v1/inventory" in script and "sqlalchemy" not in script.lower() and "snapshot" not in script
