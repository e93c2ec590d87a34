from __future__ import annotations

import json

import pytest

from app.assets.io import import_document
from app.db import session_scope
from inventory.builder import build_inventory, connection_vars, host_vars, to_yaml_inventory
from tests.app.assets.helpers import MARKER


@pytest.mark.unit
def test_connection_vars_linux_windows_and_overrides():
    linux = connection_vars({"address": "10.0.0.1", "os": "linux", "environment": "prod", "port": None,
                             "credential": "ops", "username": "ops", "vars": {}})
    assert linux == {"ansible_host": "10.0.0.1", "ansible_port": 22, "ansible_user": "ops",
                     "ansible_connection": "ssh", "opsplan_os": "linux", "opsplan_environment": "prod",
                     "opsplan_credential": "ops"}
    win = connection_vars({"address": "w", "os": "windows", "environment": "", "port": None, "credential": None,
                           "username": None, "vars": {"ansible_winrm_server_cert_validation": "ignore",
                                                      "opsplan_os": "linux"}},
                          {"ansible_winrm_transport": "kerberos", "ansible_port": 5985})
    assert win["ansible_connection"] == "winrm" and win["ansible_winrm_scheme"] == "https"
    assert win["ansible_port"] == 5985 and win["ansible_winrm_transport"] == "kerberos"
    assert win["ansible_winrm_server_cert_validation"] == "ignore"  # asset vars win
    assert win["opsplan_os"] == "windows" and "ansible_user" not in win  # opsplan facts are authoritative


@pytest.mark.integration
def test_full_inventory(loaded):
    with session_scope(loaded) as s:
        inv = build_inventory(s)
    text = json.dumps(inv)
    assert MARKER not in text and "secret" not in text
    hv = inv["_meta"]["hostvars"]
    assert sorted(hv) == ["cis-01", "db-01", "web-01", "web-02"]  # old-01 is disabled
    assert hv["cis-01"] == {
        "ansible_host": "10.30.0.5", "ansible_port": 5986, "ansible_user": "Administrator",
        "ansible_connection": "winrm", "ansible_winrm_transport": "ntlm",
        "ansible_winrm_server_cert_validation": "validate", "ansible_winrm_scheme": "https",
        "opsplan_os": "windows", "opsplan_environment": "production", "opsplan_credential": "win-admin",
    }
    assert hv["web-02"]["ansible_port"] == 2222 and hv["web-02"]["nginx_workers"] == 4
    assert hv["web-01"]["ansible_connection"] == "ssh" and hv["web-01"]["ansible_user"] == "ops"
    assert inv["web"] == {"hosts": ["web-01", "web-02"], "children": [], "vars": {"http_port": 8080}}
    assert inv["frontend"]["children"] == ["web"] and inv["frontend"]["vars"] == {"tier": "front"}
    assert inv["empty-group"] == {"hosts": [], "children": []}
    assert inv["env_production"]["hosts"] == ["cis-01", "db-01", "web-01"]
    assert inv["os_windows"]["hosts"] == ["cis-01"] and inv["os_linux"]["hosts"] == ["db-01", "web-01", "web-02"]
    assert ("web" not in inv["all"]["children"]
            and {"frontend", "os_linux", "env_staging"} <= set(inv["all"]["children"]))


@pytest.mark.integration
def test_limited_inventory_and_host(loaded):
    with session_scope(loaded) as s:
        inv = build_inventory(s, ["web-02", "old-01", "ghost"])
        assert host_vars(s, "cis-01")["ansible_connection"] == "winrm"
        assert host_vars(s, "old-01") == {} and host_vars(s, "ghost") == {}
    assert list(inv["_meta"]["hostvars"]) == ["web-02"]
    assert set(inv) == {"web", "frontend", "canary", "env_staging", "os_linux", "all", "_meta"}
    assert inv["all"]["children"] == ["canary", "env_staging", "frontend", "os_linux"]


@pytest.mark.integration
def test_group_vars_override_connection_defaults(loaded):
    doc = {"groups": [{"name": "legacy-win", "vars": {"ansible_winrm_server_cert_validation": "ignore",
                                                      "ansible_port": 5985}},
                      {"name": "cis", "parents": ["legacy-win"]}]}
    with session_scope(loaded) as s:
        import_document(s, doc)
        hv = build_inventory(s)["_meta"]["hostvars"]["cis-01"]
    assert hv["ansible_winrm_server_cert_validation"] == "ignore" and hv["ansible_port"] == 5985
    assert hv["ansible_winrm_transport"] == "ntlm"


@pytest.mark.unit
def test_to_yaml_inventory_shape():
    inv = {"web": {"hosts": ["a"], "children": [], "vars": {"x": 1}}, "top": {"hosts": [], "children": ["web"]},
           "all": {"children": ["top"]}, "_meta": {"hostvars": {"a": {"ansible_host": "h"}}}}
    out = to_yaml_inventory(inv, {"a": {"ansible_ssh_private_key_file": "/k"}})
    assert out == {"all": {"hosts": {"a": {"ansible_host": "h", "ansible_ssh_private_key_file": "/k"}},
                           "children": {"web": {"hosts": {"a": None}, "vars": {"x": 1}},
                                        "top": {"children": {"web": None}}}}}


@pytest.mark.integration
def test_connection_vars_accepts_orm_assets(loaded):
    from app.assets.service import get_asset

    with session_scope(loaded) as s:
        inv = build_inventory(s)
        for name in ("cis-01", "web-02", "db-01"):
            assert connection_vars(get_asset(s, name)) == inv["_meta"]["hostvars"][name]


@pytest.mark.unit
def test_insecure_transport_is_named():
    from inventory.builder import insecure_transport

    win = {"ansible_connection": "winrm", "ansible_winrm_scheme": "https",
           "ansible_winrm_server_cert_validation": "validate"}
    assert insecure_transport(win) is None
    off = {**win, "ansible_winrm_server_cert_validation": "ignore"}
    assert "certificate validation is off" in insecure_transport(off)
    assert "plain HTTP" in insecure_transport({**win, "ansible_winrm_scheme": "http"})
    assert "PSRP certificate validation is off" in insecure_transport({"ansible_connection": "psrp",
                                                                      "ansible_psrp_cert_validation": "ignore"})
    assert insecure_transport({"ansible_connection": "ssh"}) is None


@pytest.mark.unit
def test_unsafe_json_wraps_every_var_string():
    from inventory.builder import unsafe_json

    inv = {"web": {"hosts": ["a"], "children": [], "vars": {"x": "{{ y }}", "n": 1, "l": ["s", {"k": "v"}]}},
           "all": {"children": ["web"]}, "_meta": {"hostvars": {"a": {"ansible_host": "h", "ansible_port": 22}}}}
    out = unsafe_json(inv)
    assert out["web"]["vars"] == {"x": {"__ansible_unsafe": "{{ y }}"}, "n": 1,
                                  "l": [{"__ansible_unsafe": "s"}, {"k": {"__ansible_unsafe": "v"}}]}
    assert out["_meta"]["hostvars"]["a"] == {"ansible_host": {"__ansible_unsafe": "h"}, "ansible_port": 22}
    assert out["web"]["hosts"] == ["a"] and out["all"] == inv["all"]


@pytest.mark.integration
def test_an_inventory_script_printing_unsafe_json_keeps_values_as_data(loaded, tmp_path):
    """What the exported inventory script should print: Ansible reads every var as data, never as a template."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    marker = tmp_path / "ran"
    payload = "{{ lookup('pipe', 'touch " + str(marker) + "') }}"
    with session_scope(loaded) as s:
        import_document(s, {"groups": [{"name": "web", "vars": {"http_port": payload}}],
                            "assets": [{"name": "web-02", "address": "10.20.1.12", "environment": "staging",
                                        "groups": ["web"], "vars": {"note": payload}}]})
        inv = build_inventory(s)
    from inventory.builder import unsafe_json

    script = tmp_path / "inv.py"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({json.dumps(json.dumps(unsafe_json(inv)))})\n")
    script.chmod(0o755)
    play = tmp_path / "show.yml"
    play.write_text("- hosts: web-02\n  gather_facts: false\n  tasks:\n"
                    "    - ansible.builtin.debug:\n        msg: 'note={{ note }} port={{ http_port }}'\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "t"), ANSIBLE_HOST_KEY_CHECKING="False")
    bin_dir = Path(sys.executable).parent
    proc = subprocess.run([str(bin_dir / "ansible-playbook"), "-i", str(script), "-c", "local", str(play)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"note={payload} port={payload}" in proc.stdout and not marker.exists()
