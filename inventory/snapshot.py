"""Per-run inventory snapshot for ansible-runner, with credentials injected (worker only).

Layout written into the run's private data dir::

    inventory/hosts.json               # YAML-plugin inventory (JSON), limited to the run's hosts; no secret
    inventory/host_vars/<host>.json    # 0600, ansible_password for password/winrm credentials
    env/keys/<credential>.key          # 0600, private key of ssh_key credentials (ansible_ssh_private_key_file)

``host_vars`` next to an inventory source is loaded by Ansible and is never parsed as a source itself.
Every secret file is removed by ``SnapshotSecrets.cleanup()`` (idempotent; call it in ``finally``).
``.secrets`` lists the plaintext values so the executor can redact them from events and logs.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from inventory import tables as t
from inventory.builder import build_inventory, to_yaml_inventory


@dataclass
class SnapshotSecrets:
    inventory_path: Path
    hosts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list, repr=False)
    files: list[Path] = field(default_factory=list)
    dirs: list[Path] = field(default_factory=list)

    def cleanup(self) -> None:
        """Remove every secret file and the directories made for them, whatever the outcome."""
        for path in self.files:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
        for path in reversed(self.dirs):
            try:
                path.rmdir()
            except OSError:
                pass
        self.files.clear()
        self.dirs.clear()

    def __enter__(self) -> "SnapshotSecrets":
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


def _private_dir(path: Path, owned: list[Path]) -> Path:
    if not path.exists():
        path.mkdir(mode=0o700, parents=True)
        owned.append(path)
    os.chmod(path, 0o700)
    return path


def _write_secret(path: Path, text: str, owned: list[Path]) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    owned.append(path)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def write_snapshot(session, names: list[str], private_data_dir: Path, secret_key: bytes) -> SnapshotSecrets:
    """Write the inventory of ``names`` (enabled assets only) into ``private_data_dir/inventory``.

    Raises CredentialKeyError (app.assets.errors) when a credential cannot be decrypted with
    ``secret_key``; in that case no secret file is left behind.
    """
    from app.assets.crypto import decrypt_secret

    pdd = Path(private_data_dir)
    inv = build_inventory(session, list(names))
    hostvars = inv["_meta"]["hostvars"]
    inv_dir = pdd / "inventory"
    inv_dir.mkdir(parents=True, exist_ok=True)
    snap = SnapshotSecrets(inventory_path=inv_dir / "hosts.json", hosts=sorted(hostvars),
                           missing=sorted(set(names) - set(hostvars)))
    try:
        used = sorted({hv["opsplan_credential"] for hv in hostvars.values() if hv.get("opsplan_credential")})
        creds = {}
        c = t.credentials
        if used:
            for row in session.execute(select(c.c.name, c.c.kind, c.c.secret_encrypted).where(c.c.name.in_(used))):
                secret = decrypt_secret(row.secret_encrypted, secret_key) if row.secret_encrypted else None
                creds[row.name] = (row.kind, secret)
                if secret:
                    snap.secrets.append(secret)
                    snap.secrets.extend(line for line in secret.splitlines() if len(line) >= 16 and line != secret)
        extra: dict[str, dict] = {}
        key_files: dict[str, Path] = {}
        host_vars_dir = None
        for host, hv in hostvars.items():
            kind, secret = creds.get(hv.get("opsplan_credential"), (None, None))
            if not secret:
                continue
            if kind == "ssh_key" and "ansible_ssh_private_key_file" not in hv:
                cred = hv["opsplan_credential"]
                if cred not in key_files:
                    keys_dir = _private_dir(pdd / "env" / "keys", snap.dirs)
                    key_files[cred] = keys_dir / f"{_safe(cred)}.key"
                    _write_secret(key_files[cred], secret if secret.endswith("\n") else secret + "\n", snap.files)
                extra[host] = {"ansible_ssh_private_key_file": str(key_files[cred])}
            elif kind in ("password", "winrm") and "ansible_password" not in hv:
                host_vars_dir = host_vars_dir or _private_dir(inv_dir / "host_vars", snap.dirs)
                _write_secret(host_vars_dir / f"{host}.json", json.dumps({"ansible_password": secret}), snap.files)
        data = to_yaml_inventory(inv, extra)
        tmp = snap.inventory_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")
        os.replace(tmp, snap.inventory_path)
    except BaseException:
        snap.cleanup()
        raise
    return snap
