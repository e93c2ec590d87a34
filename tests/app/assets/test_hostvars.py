"""The host-variable rule: controller-executing vars and bad addresses are refused at import and in the API."""
from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from app.assets.cli import assets
from app.assets.errors import AssetValidationError, ImportFileError
from app.assets.hostvars import inventory_problem, is_loopback, var_problem
from app.assets.io import import_document
from app.assets.schemas import AssetIn, AssetPatch, GroupIn, parse
from app.db import session_scope
from tests.app.assets.helpers import row_counts, sample_doc

PAYLOAD = "{{ lookup('pipe', 'touch /tmp/opsplan-pwned') }}"

REFUSED = [
    ("ansible_ssh_common_args", "-o ProxyCommand='touch /tmp/x'", "ProxyCommand"),
    ("ansible_ssh_extra_args", "-o LocalCommand=id", "ProxyCommand"),
    ("ansible_ssh_args", "-o PermitLocalCommand=yes", "ProxyCommand"),
    ("ansible_scp_extra_args", "-S /tmp/x", "ProxyCommand"),
    ("ansible_sftp_extra_args", "-S /tmp/x", "ProxyCommand"),
    ("ansible_ssh_executable", "/tmp/evil", "names a program"),
    ("ansible_shell_executable", "/tmp/evil", "names a program"),
    ("ansible_become_exe", "/tmp/evil", "names a program"),
    ("ansible_sftp_executable", "/tmp/evil", "names a program"),
    ("ansible_connection", "local", "only allowed on an asset whose address is loopback"),
    ("ansible_connection", "paramiko", "must be one of"),
    ("ansible_password", "hunter2", "secrets belong in a credential"),
    ("ansible_become_pass", "hunter2", "secrets belong in a credential"),
    ("ansible_become_password", "hunter2", "secrets belong in a credential"),
    ("ansible_ssh_pass", "hunter2", "secrets belong in a credential"),
    ("ansible_winrm_password", "hunter2", "secrets belong in a credential"),
    ("ansible_ssh_private_key_file", "/root/.ssh/id_rsa", "no other file on the controller"),
    ("ansible_private_key_file", "/root/.ssh/id_rsa", "no other file on the controller"),
    ("ansible_ssh_pkcs11_provider", "/tmp/evil.so", "no other file on the controller"),
    ("ansible_winrm_kinit_cmd", "/tmp/evil", "runs a program on the controller"),
    ("ansible_winrm_kinit_args", "-x", "runs a program on the controller"),
    ("ansible_host_key_checking", False, "host keys are always checked"),
    ("ansible_ssh_host_key_checking", False, "host keys are always checked"),
    ("ansible_host", "10.9.9.9", "use the asset's address field"),
    ("ansible_ssh_control_path", "/tmp/cp", "own SSH control directory"),
    ("ansible_python_interpreter", "/usr/bin/python3; touch /tmp/x", "absolute path without spaces"),
    ("ansible_python_interpreter", "python3", "absolute path"),
    ("ansible_user", PAYLOAD, "Jinja markers"),
    ("ansible_remote_tmp", "{{ x }}", "Jinja markers"),
    ("ansible_port", "22", "whole number"),
    ("ansible_winrm_server_cert_validation", "off", "validate, ignore"),
    ("ansible_something_new", "x", "not an allowed ansible_* variable"),
    ("hostvars", {}, "reserved Ansible variable"),
    ("inventory_hostname", "x", "reserved Ansible variable"),
]

ALLOWED = [
    ("ansible_python_interpreter", "/usr/bin/python3.11"),
    ("ansible_python_interpreter", "auto_silent"),
    ("ansible_port", 2222),
    ("ansible_user", "CORP\\svc-ops"),
    ("ansible_become", True),
    ("ansible_become_method", "sudo"),
    ("ansible_become_flags", "-H -S -n"),
    ("ansible_winrm_transport", "ntlm, kerberos"),
    ("ansible_winrm_server_cert_validation", "ignore"),
    ("ansible_shell_type", "powershell"),
    ("team", "ops"),
    ("note", PAYLOAD),  # plain data may hold anything: it reaches Ansible as !unsafe
    ("nested", {"a": [PAYLOAD, 1, None]}),
    ("opsplan_file_checksum_algorithm", "sha1"),
]


@pytest.mark.unit
@pytest.mark.parametrize("name,value,reason", REFUSED)
def test_refused_vars_name_the_asset_and_the_variable(name, value, reason):
    data = {"name": "web-01", "address": "10.0.0.1", "vars": {name: value}}
    with pytest.raises(AssetValidationError) as err:
        parse(AssetIn, data, "assets[0] (web-01)")
    message = err.value.message
    assert message.startswith(f"assets[0] (web-01): vars: {name}: ") and reason in message, message
    assert "\n" not in message


@pytest.mark.unit
@pytest.mark.parametrize("name,value", ALLOWED)
def test_allowed_vars(name, value):
    asset = parse(AssetIn, {"name": "web-01", "address": "10.0.0.1", "vars": {name: value}}, "asset")
    assert asset.vars == {name: value}


@pytest.mark.unit
@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "localhost", "127.0.0.5"])
def test_local_connection_only_on_a_loopback_address(address):
    asset = parse(AssetIn, {"name": "local", "address": address, "vars": {"ansible_connection": "local"}}, "asset")
    assert asset.vars["ansible_connection"] == "local" and is_loopback(address)
    with pytest.raises(AssetValidationError, match="only allowed on an asset whose address is loopback"):
        parse(AssetIn, {"name": "x", "address": "192.0.2.1", "vars": {"ansible_connection": "local"}}, "asset")
    with pytest.raises(AssetValidationError, match="not allowed in group vars"):
        parse(GroupIn, {"name": "g", "vars": {"ansible_connection": "local"}}, "groups[0] (g)")


@pytest.mark.unit
@pytest.mark.parametrize("address", [PAYLOAD, "-oProxyCommand=touch /tmp/x", "a b", "x;id", "$(id)", "`id`",
                                     "host\nname", ""])
def test_addresses_are_host_names_or_ip_addresses(address):
    with pytest.raises(AssetValidationError, match=r"address: "):
        parse(AssetIn, {"name": "web-01", "address": address}, "assets[0] (web-01)")


@pytest.mark.unit
def test_group_vars_follow_the_rule():
    with pytest.raises(AssetValidationError, match=r"^groups\[0\] \(web\): vars: ansible_ssh_common_args: not allowed"):
        parse(GroupIn, {"name": "web", "vars": {"ansible_ssh_common_args": "-o ProxyCommand=x"}}, "groups[0] (web)")
    assert parse(GroupIn, {"name": "cis", "vars": {"ansible_winrm_transport": "ntlm"}}, "g").vars


@pytest.mark.unit
def test_patch_checks_what_it_can_and_the_merged_asset_later():
    assert parse(AssetPatch, {"vars": {"ansible_connection": "local"}}, "p").vars  # address unknown here
    with pytest.raises(AssetValidationError, match="loopback"):
        parse(AssetPatch, {"address": "192.0.2.1", "vars": {"ansible_connection": "local"}}, "p")
    with pytest.raises(AssetValidationError, match="ProxyCommand"):
        parse(AssetPatch, {"vars": {"ansible_ssh_extra_args": "x"}}, "p")


@pytest.mark.unit
def test_inventory_problem_checks_built_inventories():
    ok = {"_meta": {"hostvars": {"a": {"ansible_host": "10.0.0.1", "ansible_user": "{{ weird }}",
                                       "ansible_connection": "ssh", "opsplan_os": "linux", "note": PAYLOAD}}},
          "web": {"hosts": ["a"], "vars": {"x": PAYLOAD}}}
    assert inventory_problem(ok) is None
    bad = {"_meta": {"hostvars": {"a": {"ansible_host": "10.0.0.1", "ansible_ssh_common_args": "-o ProxyCommand=x"}}}}
    assert inventory_problem(bad).startswith("asset a: vars: ansible_ssh_common_args: not allowed")
    addr = {"_meta": {"hostvars": {"a": {"ansible_host": "-oProxyCommand=x"}}}}
    assert inventory_problem(addr).startswith("asset a: address: not a host name")
    group = {"_meta": {"hostvars": {}}, "web": {"hosts": [], "vars": {"ansible_shell_executable": "/x"}}}
    assert inventory_problem(group).startswith("group web: vars: ansible_shell_executable")
    assert var_problem("ansible_connection", "local", address="127.0.0.1") is None


@pytest.mark.integration
def test_import_refuses_dangerous_vars_and_writes_nothing(loaded):
    doc = sample_doc()
    doc["assets"].append({"name": "evil-01", "address": "10.9.9.9", "vars": {"ansible_ssh_common_args":
                                                                            "-o ProxyCommand='touch /tmp/x'"}})
    doc["assets"][0]["vars"] = {"team": "changed"}
    with session_scope(loaded) as s:
        before = row_counts(s)
    refused = r"^assets\[5\] \(evil-01\): vars: ansible_ssh_common_args: not allowed"
    with pytest.raises(ImportFileError, match=refused), session_scope(loaded) as s:
        import_document(s, doc)
    with session_scope(loaded) as s:
        assert row_counts(s) == before
        from app.assets.service import get_asset

        assert get_asset(s, "web-01").vars == {}  # nothing half-written
    group_doc = {"groups": [{"name": "web", "vars": {"ansible_become_exe": "/tmp/evil"}}]}
    refused = r"^groups\[0\] \(web\): vars: ansible_become_exe: not allowed"
    with pytest.raises(ImportFileError, match=refused), session_scope(loaded) as s:
        import_document(s, group_doc)


@pytest.mark.integration
def test_cli_import_refuses_with_one_line(settings, tmp_path):
    doc = sample_doc()
    doc["assets"][1]["vars"] = {"ansible_ssh_executable": "/tmp/evil"}
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(doc))
    result = CliRunner().invoke(assets, ["import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: assets[1] (web-02): vars: ansible_ssh_executable: not allowed: it names a program to execute"]
    with session_scope(settings.database_url) as s:
        assert row_counts(s)["assets"] == 0
