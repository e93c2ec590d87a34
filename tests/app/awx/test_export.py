"""The AWX project archive: layout, determinism, executable inventory script, syntax check, CLI and REST."""
from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from app.awx.cli import export_awx_command
from app.awx.errors import ExportError
from app.awx.export import build_project, export_plan, export_response
from app.db import session_scope
from app.errors import register_error_handlers

pytestmark = pytest.mark.integration
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")


def _archive(db_url: str, pid: str) -> bytes:
    with session_scope(db_url) as s:
        return export_plan(s, pid)[0]


def _extract(data: bytes, dest: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = tar.getmembers()
        tar.extractall(dest, filter="data")
    return members


def test_layout_is_awx_ready_and_deterministic(settings, plan_id, tmp_path):
    data = _archive(settings.database_url, plan_id)
    assert data == _archive(settings.database_url, plan_id)  # byte-for-byte reproducible
    members = _extract(data, tmp_path)
    names = [m.name for m in members]
    assert names == sorted(names)
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.uname == "" for m in members)
    assert data[4:8] == b"\0\0\0\0"  # gzip header mtime 0
    for required in ("site.yml", "ansible.cfg", "collections/requirements.yml", "vars/plan.yml", "README.md",
                     "inventory/opsplan_inventory.py", "opsplan.json", "PLAN.md"):
        assert required in names, required
    assert any(n.startswith("roles/opsplan_service/tasks/") for n in names)
    assert not any(n.startswith(("/", "..")) or "/../" in n for n in names)
    modes = {m.name: m.mode for m in members}
    assert modes["inventory/opsplan_inventory.py"] == 0o755 and modes["site.yml"] == 0o644
    assert os.stat(tmp_path / "inventory/opsplan_inventory.py").st_mode & stat.S_IXUSR
    meta = json.loads((tmp_path / "opsplan.json").read_text())
    assert meta["plan_id"] == plan_id and meta["playbook"] == "site.yml" and len(meta["bundle_sha256"]) == 64
    readme = (tmp_path / "README.md").read_text()
    assert [n for n in names if n.startswith("inventory/")] == ["inventory/opsplan_inventory.py"]
    for phrase in ("Sourced from a Project", "inventory/opsplan_inventory.py", "OPSPLAN_URL", "OPSPLAN_TOKEN",
                   "ask_job_type_on_launch", "diff_mode", "scm_type: archive", "check"):
        assert phrase in readme, phrase


def test_playbook_passes_syntax_check_and_inventory_script_needs_only_its_environment(settings, plan_id, tmp_path):
    project = tmp_path / "project"
    _extract(_archive(settings.database_url, plan_id), project)
    (tmp_path / "hosts.ini").write_text("web-01\nweb-02\nwin-01\n")
    env = {**os.environ, "ANSIBLE_CONFIG": str(project / "ansible.cfg"), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "t"),
           "ANSIBLE_HOME": str(tmp_path / "ah")}
    proc = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(tmp_path / "hosts.ini"), "--syntax-check", "site.yml"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # AWX runs the script from the project checkout with nothing but the standard library; without its
    # environment it says what to set (tests/app/api/test_inventory.py runs it against the live service)
    proc = subprocess.run([sys.executable, "-I", "-S", "inventory/opsplan_inventory.py", "--list"], cwd=project,
                          env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "set OPSPLAN_URL" in proc.stderr, proc.stderr
    assert proc.stdout == ""


class _Stub:  # a minimal bundle: only for the error paths of the archive format
    def __init__(self, files: dict[str, bytes]):
        self.files, self.sha256, self.playbook = files, "0" * 64, "site.yml"


@pytest.mark.unit
def test_export_refuses_unsafe_paths_and_a_missing_playbook_or_script(tmp_path):
    with pytest.raises(ExportError, match="unsafe path"):
        build_project(_Stub({"site.yml": b"- hosts: all\n", "../x": b""}), {}, name="x")
    with pytest.raises(ExportError, match="no playbook"):
        build_project(_Stub({"other.yml": b""}), {}, name="x")
    with pytest.raises(ExportError, match="inventory script missing"):
        build_project(_Stub({"site.yml": b""}), {}, name="x", inventory_client=tmp_path / "missing.py")


def test_cli_writes_the_archive_atomically(settings, plan_id, tmp_path):
    out = tmp_path / "out" / "plan.tar.gz"
    result = CliRunner().invoke(export_awx_command, [plan_id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert str(out) in result.output and hashlib.sha256(data).hexdigest() in result.output
    assert data == _archive(settings.database_url, plan_id)
    assert [p.name for p in out.parent.iterdir()] == ["plan.tar.gz"]  # no temporary file left behind


def test_cli_unknown_plan_is_one_line_and_exit_1(settings, tmp_path):
    result = CliRunner().invoke(export_awx_command, ["nope", "--out", str(tmp_path / "x.tar.gz")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: plan nope not found"]
    assert not (tmp_path / "x.tar.gz").exists()


def test_rest_body_serves_gzip_attachment(settings, plan_id):
    app = Flask(__name__)
    register_error_handlers(app)

    @app.get("/api/v1/plans/<pid>/export/awx")
    def export(pid):  # the body the lead puts in app/api/plans.py
        with session_scope(settings.database_url) as s:
            return export_response(s, pid)

    client = app.test_client()
    resp = client.get(f"/api/v1/plans/{plan_id}/export/awx")
    assert resp.status_code == 200 and resp.mimetype == "application/gzip"
    assert resp.headers["Content-Disposition"] == f"attachment; filename=opsplan-plan-{plan_id}.tar.gz"
    assert resp.data == _archive(settings.database_url, plan_id)
    assert resp.headers["X-Archive-Sha256"] == hashlib.sha256(resp.data).hexdigest()
    missing = client.get("/api/v1/plans/nope/export/awx")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
