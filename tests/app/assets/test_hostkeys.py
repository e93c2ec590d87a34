"""SSH host keys in the asset database: format, fingerprints, import/export and what re-imports keep."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from app.assets.hostkeys import changed_message, fingerprint, parse_key, parse_keys
from app.assets.io import export_data, import_document
from app.db import session_scope
from app.db.models import Asset


def keygen(tmp_path, kind: str = "ed25519", name: str = "k") -> tuple[str, str]:
    """A fresh host key pair: (public key line, fingerprint as ssh-keygen -l prints it)."""
    path = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "host@example", "-f", str(path)], check=True)
    listed = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", f"{path}.pub"], capture_output=True, text=True,
                            check=True).stdout.split()
    return path.with_suffix(".pub").read_text().strip(), listed[1]


@pytest.mark.unit
@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_keys_are_normalized_and_fingerprinted_like_ssh_keygen(tmp_path, kind):
    line, expected = keygen(tmp_path, kind)
    key = parse_key(line)
    assert key == " ".join(line.split()[:2]) and fingerprint(key) == expected
    assert parse_key(f"[10.0.0.1]:2222 {key}") == key  # ssh-keyscan / known_hosts form
    assert parse_keys([line, key]) == [key]


@pytest.mark.unit
@pytest.mark.parametrize("line,reason", [
    ("ssh-dss AAAAB3NzaC1kc3M=", "not an OpenSSH public host key"),
    ("ssh-ed25519", "not an OpenSSH public host key"),
    ("ssh-ed25519 ***", "not valid base64"),
    ("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==", "is not a ssh-ed25519 key"),
    ("@cert-authority * ssh-ed25519 AAAA", "not an OpenSSH public host key"),
    (42, "must be a string"),
])
def test_bad_keys_are_refused(line, reason):
    with pytest.raises(ValueError, match=reason):
        parse_key(line)


@pytest.mark.unit
def test_changed_message_names_both_fingerprints(tmp_path):
    old, new = parse_key(keygen(tmp_path, name="a")[0]), parse_key(keygen(tmp_path, name="b")[0])
    rsa = parse_key(keygen(tmp_path, "rsa", name="c")[0])
    assert changed_message("web-01", [rsa, old], [new]) == (
        f"host key of web-01 changed (was {fingerprint(old)}, now {fingerprint(new)}): not connecting; "
        "an admin must accept the new key: opsplan assets accept-key web-01")


@pytest.mark.integration
def test_import_export_and_reimport_keep_the_pins(loaded, tmp_path):
    key, _fp = keygen(tmp_path)
    norm = parse_key(key)
    with session_scope(loaded) as s:
        import_document(s, {"assets": [{"name": "web-01", "address": "10.20.1.11", "groups": ["web"],
                                        "credential": "linux-ops", "environment": "production",
                                        "host_keys": [key]}]})
    with session_scope(loaded) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-01")).scalar_one()
        assert asset.host_keys == [norm] and asset.host_key_source == "import"
        pinned_at = asset.host_keys_pinned_at
        doc = export_data(s)
    exported = next(a for a in doc["assets"] if a["name"] == "web-01")
    assert exported["host_keys"] == [norm]
    assert "host_keys" not in next(a for a in doc["assets"] if a["name"] == "web-02")
    with session_scope(loaded) as s:  # the export re-imported: same pins, same time
        import_document(s, doc)
        doc["assets"] = [{k: v for k, v in a.items() if k != "host_keys"} for a in doc["assets"]]
        import_document(s, doc)  # a file without host_keys keeps them too
    with session_scope(loaded) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-01")).scalar_one()
        assert asset.host_keys == [norm] and asset.host_keys_pinned_at == pinned_at
        import_document(s, {"assets": [{"name": "web-01", "address": "10.20.1.11", "host_keys": []}]})
    with session_scope(loaded) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-01")).scalar_one()
        assert asset.host_keys == [] and asset.host_key_source is None and asset.host_keys_pinned_at is None
