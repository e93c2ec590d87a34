"""Values from the asset database are data: passwords, addresses and vars reach Ansible as !unsafe and are never
templated, in a real preview (check-mode run) by a real worker against real sshd hosts (and a WinRM double)."""
from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.config import Settings
from app.db import session_scope
from app.db.models import Asset
from tests.conftest import sqlite_only

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent


def lookup(marker: Path, then: str = "") -> str:
    """A Jinja payload that creates ``marker`` on the controller if it is ever templated."""
    return "{{ lookup('pipe', 'touch " + str(marker) + "') }}" + then


def _import(stack_env, doc: dict, tmp_path: Path) -> None:
    from app.assets.cli import import_path

    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(doc))
    import_path(Settings.from_env(stack_env), path)


def _preview(api, hosts: list[str], path: str, action: str = "file.stat") -> dict:
    body = {"plan": {"steps": [{"action": action, "params": {"path": path}, "targets": {"hosts": hosts}}]}}
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201, r.get_json()
    r = api.post(f"/api/v1/plans/{r.get_json()['id']}/preview")
    assert r.status_code == 202, r.get_json()
    return api.wait_run(r.get_json()["id"])


def test_credential_password_and_asset_vars_are_never_templated(api, worker, ssh_fleet, stack_env, tmp_path):
    pw_marker, var_marker, plain_marker = tmp_path / "pw-ran", tmp_path / "var-ran", tmp_path / "plain-ran"
    doc = ssh_fleet.assets_yaml()
    doc["credentials"].append({"name": "pw-payload", "kind": "password", "username": ssh_fleet.user,
                               "secret": lookup(pw_marker, "x\"'{% raw %}")})
    web2, web3 = doc["assets"][1], doc["assets"][2]
    web2["credential"] = "pw-payload"  # a password credential whose password is a Jinja payload
    # a plain var, and one named like a role default the bundle uses (templated by the role if trusted)
    web3["vars"] = {**web3["vars"], "note": lookup(plain_marker),
                    "opsplan_file_checksum_algorithm": lookup(var_marker)}
    _import(stack_env, doc, tmp_path)
    worker()
    target = tmp_path / "stat-me"
    target.write_text("x\n")
    preview = _preview(api, ["web-01", "web-02", "web-03"], str(target))
    assert not pw_marker.exists() and not var_marker.exists() and not plain_marker.exists()
    assert preview["hosts"]["web-01"]["status"] == "ok", preview  # an !unsafe ansible_host still connects
    assert preview["hosts"]["web-02"]["status"] == "unreachable"  # the literal password is refused by sshd
    web3_step = preview["hosts"]["web-03"]["steps"][0]
    assert web3_step["status"] == "failed" and "lookup('pipe'" in web3_step["msg"], web3_step  # arrived literally


@sqlite_only
def test_legacy_dangerous_asset_data_is_refused_before_anything_runs(api, worker, ssh_fleet, stack_env, tmp_path):
    """Data stored before the rule existed (or written around the API) never reaches Ansible."""
    host_marker, proxy_marker = tmp_path / "host-ran", tmp_path / "proxy-ran"
    _import(stack_env, ssh_fleet.assets_yaml(), tmp_path)
    worker()
    target = tmp_path / "stat-me"
    target.write_text("x\n")
    with session_scope(api.settings.database_url) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-02")).scalar_one()
        asset.address = lookup(host_marker, ssh_fleet.hosts[1].address)
    preview = _preview(api, ["web-01", "web-02"], str(target))
    assert not host_marker.exists()
    assert preview["status"] == "failed" and "refusing to run: asset web-02: address: not a host name" \
        in preview["error"], preview["error"]
    with session_scope(api.settings.database_url) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-02")).scalar_one()
        asset.address = ssh_fleet.hosts[1].address
        asset.vars = {**asset.vars, "ansible_ssh_common_args": f"-o ProxyCommand='touch {proxy_marker}'"}
    preview = _preview(api, ["web-01", "web-02"], str(target))
    assert not proxy_marker.exists()
    assert "refusing to run: asset web-02: vars: ansible_ssh_common_args: not allowed" in preview["error"]


def test_snapshot_values_are_unsafe_for_ansible_itself(stack_env, ssh_fleet, tmp_path):
    """The snapshot alone (no rule check): an address payload is used literally as the host to connect to,
    a var payload is printed literally, and a normal !unsafe address connects."""
    from app.execution.keyring import load_secret_key
    from inventory.snapshot import write_snapshot

    marker_host, marker_var = tmp_path / "host-ran", tmp_path / "var-ran"
    doc = ssh_fleet.assets_yaml()
    doc["assets"][0]["vars"] = {**doc["assets"][0]["vars"], "note": lookup(marker_var)}
    _import(stack_env, doc, tmp_path)
    settings = Settings.from_env(stack_env)
    with session_scope(settings.database_url) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-02")).scalar_one()
        asset.address = lookup(marker_host, "nowhere.invalid")
    playbook = tmp_path / "show.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n"
                        "    - ansible.builtin.debug:\n        msg: 'note={{ note | default(\"\") }}'\n")
    pdd = tmp_path / "pdd"
    with session_scope(settings.database_url) as s:
        snap = write_snapshot(s, ["web-01", "web-02"], pdd, load_secret_key(settings))
    try:
        text = snap.inventory_path.read_text()
        assert 'ansible_host": !unsafe "{{ lookup' in text and 'ansible_host": !unsafe "127.0.0.2"' in text
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OPSPLAN_SECRET_KEY")}
        env.update(ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "at"))
        proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(snap.inventory_path), str(playbook)],
                              capture_output=True, text=True, timeout=180, env=env)
    finally:
        snap.cleanup()
    assert not marker_host.exists() and not marker_var.exists(), proc.stdout
    assert "ok: [web-01]" in proc.stdout and f"note={lookup(marker_var)}" in proc.stdout, proc.stdout
    assert "UNREACHABLE" in proc.stdout and "web-02" in proc.stdout  # the payload was a (bad) host name


class _WinRMDouble(BaseHTTPRequestHandler):
    """Just enough of a WinRM endpoint: records the Basic credentials it is sent and refuses them."""

    seen: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            self.seen.append(base64.b64decode(header[6:]).decode("utf-8"))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="WSMAN"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def winrm_double():
    _WinRMDouble.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WinRMDouble)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@sqlite_only
def test_winrm_uses_an_unsafe_password_literally(api, worker, stack_env, tmp_path, winrm_double):
    marker = tmp_path / "winrm-ran"
    password = lookup(marker, " and {% raw %}")
    doc = {"credentials": [{"name": "win-payload", "kind": "winrm", "username": "Administrator", "secret": password}],
           "assets": [{"name": "win-01", "address": "127.0.0.1", "os": "windows", "environment": "staging",
                       "credential": "win-payload", "port": winrm_double.server_address[1],
                       "vars": {"ansible_winrm_scheme": "http", "ansible_winrm_transport": "basic"}}]}
    _import(stack_env, doc, tmp_path)
    worker()
    preview = _preview(api, ["win-01"], "C:\\Windows\\win.ini")
    assert preview["hosts"]["win-01"]["status"] == "unreachable", preview
    assert not marker.exists()
    assert _WinRMDouble.seen and set(_WinRMDouble.seen) == {f"Administrator:{password}"}
