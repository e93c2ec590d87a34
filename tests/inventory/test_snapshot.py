from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from app.assets.errors import CredentialKeyError
from app.db import session_scope
from inventory.snapshot import write_snapshot
from tests.app.assets.helpers import MARKER

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent


class _UnsafeLoader(yaml.SafeLoader):
    """Reads the snapshot's YAML; every ``!unsafe`` scalar becomes an _Unsafe string (so tests see the tag)."""


class _Unsafe(str):
    pass


_UnsafeLoader.add_constructor("!unsafe", lambda loader, node: _Unsafe(loader.construct_scalar(node)))


def load_snapshot_yaml(path: Path):
    return yaml.load(path.read_text(), Loader=_UnsafeLoader)  # noqa: S506 - a SafeLoader subclass


def assert_all_strings_unsafe(value, where: str = "") -> None:
    """Every string value (and nested mapping key) is tagged !unsafe."""
    if isinstance(value, str):
        assert isinstance(value, _Unsafe), f"{where} = {value!r} is not !unsafe"
    elif isinstance(value, dict):
        for k, v in value.items():
            assert_all_strings_unsafe(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            assert_all_strings_unsafe(v, f"{where}[{i}]")


def data_of(value):
    """ansible-inventory's JSON with its ``{"__ansible_unsafe": s}`` wrappers (untrusted data) unwrapped."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: data_of(v) for k, v in value.items()}
    if isinstance(value, list):
        return [data_of(v) for v in value]
    return value


def _secret_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and MARKER in p.read_text(errors="replace")]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_snapshot_injects_credentials_and_cleans_up(loaded, published, tmp_path):
    pdd = tmp_path / "run"
    with session_scope(loaded) as s:
        snap = write_snapshot(s, ["web-01", "web-02", "db-01", "cis-01", "old-01", "ghost"], pdd, published)
    try:
        assert snap.hosts == ["cis-01", "db-01", "web-01", "web-02"] and snap.missing == ["ghost", "old-01"]
        assert snap.inventory_path == pdd / "inventory" / "hosts.yml"
        assert MARKER not in snap.inventory_path.read_text()
        data = load_snapshot_yaml(snap.inventory_path)["all"]
        for host, hv in data["hosts"].items():
            assert_all_strings_unsafe(hv, host)
        for group, entry in data["children"].items():
            assert_all_strings_unsafe(entry.get("vars", {}), group)
        key_file = Path(data["hosts"]["web-01"]["ansible_ssh_private_key_file"])
        assert key_file == Path(data["hosts"]["web-02"]["ansible_ssh_private_key_file"])  # one file per credential
        assert key_file.parent == pdd / "env" / "keys" and _mode(key_file) == 0o600 and _mode(key_file.parent) == 0o700
        assert key_file.read_text().endswith("-----END OPENSSH PRIVATE KEY-----\n")
        pw = pdd / "inventory" / "host_vars" / "db-01.yml"
        assert load_snapshot_yaml(pw) == {"ansible_password": f"{MARKER}-pw"} and _mode(pw) == 0o600
        assert isinstance(load_snapshot_yaml(pw)["ansible_password"], _Unsafe)
        assert load_snapshot_yaml(pdd / "inventory" / "host_vars" / "cis-01.yml")["ansible_password"] \
            == f"{MARKER}-winrm"
        assert {f"{MARKER}-pw", f"{MARKER}-winrm"} <= set(snap.secrets)
        assert any(MARKER in s and "BEGIN OPENSSH" in s for s in snap.secrets)
        assert "ansible_password" not in data["hosts"]["db-01"]
        assert set(data["children"]) >= {"web", "frontend", "db", "cis", "os_windows", "env_production"}
        assert len(_secret_files(pdd)) == 3
        # ansible reads the layout as ansible-runner passes it: -i <private_data_dir>/inventory
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        for source in (pdd / "inventory", snap.inventory_path):  # the directory, or hosts.yml itself
            proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(source), "--list"],
                                  capture_output=True, text=True, timeout=120, env=env)
            assert proc.returncode == 0, proc.stderr
            hv = data_of(json.loads(proc.stdout))["_meta"]["hostvars"]
            assert hv["db-01"]["ansible_password"] == f"{MARKER}-pw" and hv["cis-01"]["ansible_connection"] == "winrm"
            assert hv["cis-01"]["ansible_password"] == f"{MARKER}-winrm"
            assert hv["web-01"]["ansible_ssh_private_key_file"] == str(key_file) and hv["web-01"]["http_port"] == 8080
    finally:
        snap.cleanup()
    assert _secret_files(pdd) == [] and not (pdd / "env" / "keys").exists()
    assert not (pdd / "inventory" / "host_vars").exists() and (pdd / "inventory" / "hosts.yml").exists()
    snap.cleanup()  # idempotent


def test_snapshot_context_manager_cleans_up_on_error(loaded, published, tmp_path):
    with pytest.raises(RuntimeError), session_scope(loaded) as s, \
            write_snapshot(s, ["web-01", "db-01"], tmp_path, published):
        assert len(_secret_files(tmp_path)) == 2
        raise RuntimeError("the run failed")
    assert _secret_files(tmp_path) == []


def test_wrong_key_leaves_no_secret_file(loaded, published, tmp_path):
    with session_scope(loaded) as s, pytest.raises(CredentialKeyError, match="not the key the credentials were stored"):
        write_snapshot(s, ["web-01", "db-01", "cis-01"], tmp_path, Fernet.generate_key())
    assert _secret_files(tmp_path) == [] and not (tmp_path / "env" / "keys").exists()


def test_host_without_credential(loaded, published, tmp_path):
    with session_scope(loaded) as s:
        from app.assets.io import import_document

        import_document(s, {"assets": [{"name": "local", "address": "127.0.0.1",
                                        "vars": {"ansible_connection": "local"}}]})
        snap = write_snapshot(s, ["local"], tmp_path, published)
    assert snap.secrets == [] and snap.files == []
    host = load_snapshot_yaml(tmp_path / "inventory" / "hosts.yml")["all"]["hosts"]["local"]
    assert host["ansible_connection"] == "local" and "ansible_user" not in host
