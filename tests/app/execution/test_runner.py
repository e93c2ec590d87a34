"""ansible-runner is prepared with an allowlisted environment: nothing else from the worker's reaches it."""
from __future__ import annotations

import pytest

from app.execution import runner
from app.execution.processes import MARKER_VAR
from app.execution.workspace import Workspace
from inventory.snapshot import SnapshotSecrets

pytestmark = pytest.mark.unit


def test_the_child_environment_is_an_allowlist(tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "db-secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "cloud-secret")
    monkeypatch.setenv("OPSPLAN_SECRET_KEY", "credentials-key")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    pdd = tmp_path / "pdd"
    (pdd / "project").mkdir(parents=True)
    (pdd / "inventory").mkdir()
    (pdd / "inventory" / "hosts.yml").write_text("all: {}\n")
    (pdd / "project" / "site.yml").write_text("---\n[]\n")
    ws = Workspace(private_data_dir=pdd, control_dir=tmp_path / "cp",
                   snapshot=SnapshotSecrets(inventory_path=pdd / "inventory" / "hosts.yml"))
    config = runner.prepare(ws, "0" * 32, "site.yml", check=True, limit=["web-01"], timeout=60)
    env = config.env
    assert "PGPASSWORD" not in env and "AWS_SECRET_ACCESS_KEY" not in env and "OPSPLAN_SECRET_KEY" not in env
    assert env["LC_ALL"] == "C.UTF-8" and "PATH" in env and "HOME" in env
    assert env[MARKER_VAR] == "0" * 32  # the run's processes can be found and stopped
    assert env["ANSIBLE_CONFIG"].endswith("project/ansible.cfg")
    assert env["ANSIBLE_STDOUT_CALLBACK"] == "opsplan_display"  # awx_display, leaner (app/execution/callback)
    assert env["ANSIBLE_CALLBACK_PLUGINS"].split(":")[0] == runner.CALLBACK_DIR  # and awx_display's dir after it
    assert any(p.endswith("display_callback/callback") for p in env["ANSIBLE_CALLBACK_PLUGINS"].split(":"))
    assert "ANSIBLE_CACHE_PLUGIN" not in env  # facts in memory, as plain ansible-playbook keeps them
    assert "--check" in config.command and "web-01" in " ".join(config.command)
    assert not any("db-secret" in v or "cloud-secret" in v for v in env.values())
