"""Hosts are who they say they are: pinned SSH host keys, strict checking, changed keys and accepting them.

Real sshd hosts (each with its own host key; the harness can rotate one), real ansible-runner, and for the
end-to-end cases a real RQ worker.
"""
from __future__ import annotations

import os
import stat
import subprocess

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.assets.hostkeys import fingerprint
from app.config import Settings
from app.db import session_scope
from app.db.models import Asset, AuditEntry
from tests.conftest import sqlite_only

pytestmark = pytest.mark.integration

PING = b"""---
- name: ping
  hosts: all
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""


def _settings(stack_env) -> tuple[Settings, bytes]:
    from app.execution.keyring import load_secret_key

    settings = Settings.from_env(stack_env)
    return settings, load_secret_key(settings)


def _asset(settings, name: str) -> Asset:
    with session_scope(settings.database_url) as s:
        return s.execute(select(Asset).where(Asset.name == name)).scalar_one()


def _audit(settings, action: str) -> list[AuditEntry]:
    with session_scope(settings.database_url) as s:
        return [e for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars() if e.action == action]


def _run_ping(ws, run_id: str) -> dict[str, str]:
    """Play PING in ``ws`` with the runner's real configuration; host -> final event kind (+ message)."""
    from app.execution import runner

    seen: dict[str, str] = {}

    def handler(event):
        data = event.get("event_data") or {}
        if event.get("event") in ("runner_on_ok", "runner_on_unreachable", "runner_on_failed") and data.get("host"):
            seen[data["host"]] = event["event"] + " " + str((data.get("res") or {}).get("msg", ""))
        return False

    config = runner.prepare(ws, run_id, "ping.yml", check=False, limit=None, timeout=120)
    runner.run(config, event_handler=handler, cancel_callback=lambda: False)
    return seen


def test_workspace_pins_at_first_contact_and_writes_a_private_known_hosts(stack_env, fleet_assets, ssh_fleet):
    from app.execution.workspace import Workspace

    settings, key = _settings(stack_env)
    web1, web2 = ssh_fleet.hosts[0], ssh_fleet.hosts[1]
    assert web1.public_key() != web2.public_key()  # every test host has its own key
    with Workspace.create(settings, "hk-run-1", None, ["web-01", "web-02"], key,
                          extra_files={"ping.yml": PING}) as ws:
        known_hosts = ws.known_hosts_path
        assert known_hosts.parent == ws.private_data_dir
        assert stat.S_IMODE(os.stat(known_hosts).st_mode) == 0o600
        assert known_hosts.read_text().splitlines() == [f"[{web1.address}]:{web1.port} {web1.public_key()}",
                                                        f"[{web2.address}]:{web2.port} {web2.public_key()}"]
        assert ws.refused == {}
        assert _run_ping(ws, "hk-run-1") == {"web-01": "runner_on_ok ", "web-02": "runner_on_ok "}
    assert not known_hosts.exists() and not ws.private_data_dir.exists()
    pinned = _asset(settings, "web-01")
    assert pinned.host_keys == [web1.public_key()] and pinned.host_key_source == "first-contact"
    assert pinned.host_keys_pinned_at is not None
    entries = _audit(settings, "asset.host_key_pinned")
    assert sorted(e.details["asset"] for e in entries) == ["web-01", "web-02"]
    assert entries[0].run_id == "hk-run-1" and entries[0].details["keys"][0]["fingerprint"].startswith("SHA256:")


@sqlite_only
def test_strict_checking_refuses_a_key_not_in_known_hosts(stack_env, fleet_assets, ssh_fleet, tmp_path):
    """Even against a project whose ansible.cfg turns host key checking off, and whatever the scan said."""
    from app.execution.workspace import Workspace

    settings, key = _settings(stack_env)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    other = " ".join((tmp_path / "other.pub").read_text().split()[:2])
    web1, web2 = ssh_fleet.hosts[0], ssh_fleet.hosts[1]
    cfg = b"[defaults]\nhost_key_checking = False\n"
    with Workspace.create(settings, "hk-run-2", None, ["web-01", "web-02"], key,
                          extra_files={"ping.yml": PING, "ansible.cfg": cfg}) as ws:
        ws.known_hosts_path.write_text(f"[{web1.address}]:{web1.port} {other}\n"
                                       f"[{web2.address}]:{web2.port} {web2.public_key()}\n")
        seen = _run_ping(ws, "hk-run-2")
    assert seen["web-02"] == "runner_on_ok "
    assert seen["web-01"].startswith("runner_on_unreachable") and "Host key verification failed" in seen["web-01"]


def _plan(api, path: str, hosts: list[str]) -> str:
    body = {"plan": {"steps": [{"action": "file.stat", "params": {"path": path}, "targets": {"hosts": hosts}}]}}
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _preview(api, plan_id: str) -> dict:
    r = api.post(f"/api/v1/plans/{plan_id}/preview")
    assert r.status_code == 202, r.get_json()
    return api.wait_run(r.get_json()["id"])


@sqlite_only
def test_changed_key_fails_that_host_until_an_admin_accepts_it(api, worker, fleet_assets, ssh_fleet, tmp_path):
    worker()
    target = tmp_path / "stat-me"
    target.write_text("x\n")
    web2 = ssh_fleet.hosts[1]
    plan_id = _plan(api, str(target), ["web-01", "web-02"])
    preview = _preview(api, plan_id)  # first contact: both keys pinned during the preview
    assert preview["status"] == "successful", preview
    assert [k["fingerprint"] for k in api.get("/api/v1/assets/web-02").get_json()["host_keys"]] == \
        [fingerprint(web2.public_key())]
    # pinning during the preview does not make the approval stale
    assert api.as_("approver1").post(f"/api/v1/plans/{plan_id}/approve").status_code == 200
    run = api.wait_run(api.post(f"/api/v1/plans/{plan_id}/runs").get_json()["id"])
    assert run["status"] == "successful", run

    old = web2.public_key()
    new = ssh_fleet.rotate_host_key(web2)
    again = _preview(api, plan_id)
    assert again["status"] == "partial", again
    assert again["hosts"]["web-01"]["status"] == "ok"
    host = again["hosts"]["web-02"]
    message = (f"host key of web-02 changed (was {fingerprint(old)}, now {fingerprint(new)}): not connecting; "
               "an admin must accept the new key: opsplan assets accept-key web-02")
    assert host["status"] == "failed" and host["steps"][0]["status"] == "failed", host
    assert host["steps"][0]["msg"] == message
    shown = api.get("/api/v1/assets/web-02").get_json()
    assert [k["key"] for k in shown["host_keys"]] == [old]  # still the pinned key
    assert [k["fingerprint"] for k in shown["host_keys_pending"]] == [fingerprint(new)]
    assert [e.details["asset"] for e in _audit(api.settings, "asset.host_key_changed")] == ["web-02"]

    # an admin accepts exactly the key the run saw; then the host works again
    assert api.as_("operator1").post("/api/v1/assets/web-02/host-key/accept").status_code == 403
    r = api.as_("admin1").post("/api/v1/assets/web-02/host-key/accept", json={"fingerprint": fingerprint(new)})
    assert r.status_code == 200 and [k["source"] for k in r.get_json()["host_keys"]] == ["accepted"]
    healed = _preview(api, plan_id)
    assert healed["status"] == "successful", healed

    # the CLI scans and accepts in one step
    newest = ssh_fleet.rotate_host_key(web2)
    assert _preview(api, plan_id)["hosts"]["web-02"]["status"] == "failed"
    result = CliRunner().invoke(_cli(), ["accept-key", "web-02", "--user", "admin1"])
    assert result.exit_code == 0, result.output
    assert fingerprint(newest) in result.output and fingerprint(new) in result.output
    assert _asset(api.settings, "web-02").host_keys == [newest]
    assert _preview(api, plan_id)["status"] == "successful"
    actors = [(e.actor, e.outcome) for e in _audit(api.settings, "asset.host_key_accepted")]
    assert actors == [("admin1", "seen-key"), ("admin1", "scanned")]
    bad = CliRunner().invoke(_cli(), ["accept-key", "web-02", "--user", "operator1"])
    assert bad.exit_code == 1 and "admin" in bad.output


def _cli():
    from app.assets.cli import assets

    return assets


@sqlite_only
def test_an_imported_wrong_key_refuses_the_connection(api, worker, ssh_fleet, stack_env, tmp_path):
    import yaml

    from app.assets.cli import import_path

    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "wrong")], check=True)
    wrong = (tmp_path / "wrong.pub").read_text().strip()
    doc = ssh_fleet.assets_yaml()
    doc["assets"][2]["host_keys"] = [wrong]  # web-03: not the key its sshd has
    doc["assets"][0]["host_keys"] = [ssh_fleet.hosts[0].public_key()]  # web-01: the right one
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(doc))
    import_path(Settings.from_env(stack_env), path)
    worker()
    target = tmp_path / "stat-me"
    target.write_text("x\n")
    preview = _preview(api, _plan(api, str(target), ["web-01", "web-03"]))
    assert preview["status"] == "partial", preview
    assert preview["hosts"]["web-01"]["status"] == "ok"
    msg = preview["hosts"]["web-03"]["steps"][0]["msg"]
    assert msg.startswith(f"host key of web-03 changed (was {fingerprint(' '.join(wrong.split()[:2]))}, now ")
    assert preview["hosts"]["web-03"]["status"] == "failed"
    assert _asset(api.settings, "web-01").host_key_source == "import"
    assert list((api.settings.var_dir / "runs").glob("*")) == []  # private dirs, known_hosts included, are gone


def _spy_scans(monkeypatch) -> list[list[str]]:
    """Record the host names of every ssh-keyscan the worker runs (and still scan for real)."""
    from app.execution import hostkeys

    calls: list[list[str]] = []
    real = hostkeys.scan

    def spy(targets, *args, **kwargs):
        calls.append([t.name for t in targets])
        return real(targets, *args, **kwargs)

    monkeypatch.setattr(hostkeys, "scan", spy)
    return calls


def test_only_hosts_without_pinned_keys_or_with_keys_pending_are_scanned_before_a_run(
        stack_env, fleet_assets, ssh_fleet, monkeypatch):
    from app.db.models import utcnow
    from app.execution.workspace import Workspace

    settings, key = _settings(stack_env)
    with Workspace.create(settings, "hk-scan-1", None, ["web-01", "web-02", "web-03"], key):
        pass  # first contact: all three pinned
    with session_scope(settings.database_url) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-03")).scalar_one()
        asset.host_keys_pending, asset.host_keys_pending_at = [ssh_fleet.hosts[0].public_key()], utcnow()
    calls = _spy_scans(monkeypatch)
    with Workspace.create(settings, "hk-scan-2", None, ["web-01", "web-02", "web-03", "web-04"], key) as ws:
        lines = ws.known_hosts_path.read_text().splitlines()
    assert calls == [["web-03", "web-04"]]  # pending keys, nothing pinned; web-01/02 connect on their pins
    assert ws.refused == {}  # web-03 still presents its pinned key
    assert len(lines) == 4 and _asset(settings, "web-04").host_key_source == "first-contact"


@sqlite_only
def test_a_pinned_host_whose_key_changed_is_scanned_after_ssh_refuses_it(stack_env, fleet_assets, ssh_fleet,
                                                                         monkeypatch):
    """No scan before the run for pinned hosts: ssh refuses the changed key, then that host alone is scanned
    and fails with the changed-key message, its new key pending and audited, as a refusal up front would."""
    from types import SimpleNamespace

    from app.assets.hostkeys import changed_message
    from app.execution import runner
    from app.execution.callbacks import report_host_key_changes
    from app.execution.tracker import RunTracker
    from app.execution.workspace import Workspace
    from app.statuses import HostStatus, RunStatus, StepStatus

    settings, key = _settings(stack_env)
    web2 = ssh_fleet.hosts[1]
    with Workspace.create(settings, "hk-post-1", None, ["web-01", "web-02"], key):
        pass  # first contact: both pinned
    old = web2.public_key()
    new = ssh_fleet.rotate_host_key(web2)
    calls = _spy_scans(monkeypatch)
    steps = [SimpleNamespace(index=1, play="ping", action="host.ping", result_fact="host_ping_result",
                             rollback=False, previewable=True, hosts=["web-01", "web-02"])]
    hosts = {h: {"status": HostStatus.PENDING, "steps": [{"step": 1, "status": StepStatus.PENDING}]}
             for h in ("web-01", "web-02")}
    tracker = RunTracker(hosts, steps, check_mode=False)
    emitted: list[tuple] = []
    recorder = SimpleNamespace(emit=lambda kind, data, host=None, step=None, flush=False:
                               emitted.append((kind, host, step, data)))
    with Workspace.create(settings, "hk-post-2", None, ["web-01", "web-02"], key,
                          extra_files={"ping.yml": PING}) as ws:
        assert calls == [] and ws.refused == {}  # both pinned, nothing pending: connected directly
        config = runner.prepare(ws, "hk-post-2", "ping.yml", check=False, limit=None, timeout=120)
        result = runner.run(config, event_handler=lambda e: bool(tracker.handle(e)) and False,
                            cancel_callback=lambda: False)
        assert "Host key verification failed" in tracker.unreachable["web-02"]
        report_host_key_changes(settings, ws, "hk-post-2", tracker, recorder)  # type: ignore[arg-type]
    assert calls == [["web-02"]]  # the refused host only, after the run
    final = tracker.finish(result.status, False)
    assert final == RunStatus.PARTIAL
    assert tracker.hosts["web-01"]["status"] == HostStatus.OK
    message = changed_message("web-02", [old], [new])
    assert message.startswith(f"host key of web-02 changed (was {fingerprint(old)}, now {fingerprint(new)})")
    assert tracker.hosts["web-02"]["status"] == HostStatus.FAILED
    assert tracker.hosts["web-02"]["steps"][0] == {"step": 1, "status": StepStatus.FAILED, "msg": message}
    assert ("task_result", "web-02", 1, {"host": "web-02", "task": "check the SSH host key",
                                         "status": StepStatus.FAILED, "step_status": StepStatus.FAILED}) in emitted
    asset = _asset(settings, "web-02")
    assert asset.host_keys == [old] and asset.host_keys_pending == [new]  # nothing accepted by itself
    entries = _audit(settings, "asset.host_key_changed")
    assert [(e.details["asset"], e.run_id, e.outcome) for e in entries] == [("web-02", "hk-post-2", "refused")]
