"""Per-run inventory snapshot for ansible-runner, with credentials injected (worker only).

Layout written into the run's private data dir::

    inventory/hosts.yml                # YAML-plugin inventory, limited to the run's hosts; no secret
    inventory/host_vars/<host>.yml     # 0600, ansible_password for password/winrm credentials
    env/keys/<credential>.key          # 0600, private key of ssh_key credentials (ansible_ssh_private_key_file)

Everything from the asset database is data: every string (addresses, users, passwords, every host and
group var, at any depth, keys of nested mappings included) is written as a double-quoted ``!unsafe``
YAML scalar, so Ansible never templates it (a password may contain ``{{``) and no value can leave its
scalar. Only structure stays plain: host, group and variable names, which the schemas validated.

``host_vars`` next to an inventory source is loaded by Ansible and is never parsed as a source itself.
Every secret file is removed by ``SnapshotSecrets.cleanup()`` (idempotent; call it in ``finally``).
``.secrets`` lists the plaintext values so the executor can redact them from events and logs.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from inventory import tables as t
from inventory.builder import build_inventory, to_yaml_inventory

UNSAFE_TAG = "!unsafe"


class Unsafe(str):
    """A string from the asset database: dumped as ``!unsafe "..."``."""


class _InventoryDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _represent_unsafe(dumper: yaml.SafeDumper, data: Unsafe) -> yaml.ScalarNode:
    # double-quoted style escapes every control character, so nothing can break out of the scalar
    return dumper.represent_scalar(UNSAFE_TAG, str(data), style='"')


def _represent_plain_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')


_InventoryDumper.add_representer(Unsafe, _represent_unsafe)
_InventoryDumper.add_representer(str, _represent_plain_str)


def unsafe(value: Any) -> Any:
    """``value`` with every string (mapping keys included) wrapped as Unsafe; other scalars as they are."""
    if isinstance(value, str):
        return Unsafe(value)
    if isinstance(value, dict):
        return {unsafe(k): unsafe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [unsafe(v) for v in value]
    return value


def _unsafe_vars(values: dict[str, Any]) -> dict[str, Any]:
    """A vars mapping: names stay plain (validated identifiers), values become data."""
    return {str(k): unsafe(v) for k, v in values.items()}


def unsafe_inventory(data: dict[str, Any]) -> dict[str, Any]:
    """YAML-plugin inventory (``to_yaml_inventory``) with every host and group var value tagged as data."""
    top = data["all"]
    out: dict[str, Any] = {"hosts": {h: _unsafe_vars(hv) for h, hv in top.get("hosts", {}).items()}}
    children = {}
    for name, group in top.get("children", {}).items():
        entry = {k: v for k, v in group.items() if k != "vars"}
        if group.get("vars"):
            entry["vars"] = _unsafe_vars(group["vars"])
        children[name] = entry
    out["children"] = children
    return {"all": out}


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_InventoryDumper, sort_keys=True, default_flow_style=False, explicit_start=True,
                     width=1_000_000, allow_unicode=True)


@dataclass
class SnapshotSecrets:
    inventory_path: Path
    hosts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    inventory: dict[str, Any] = field(default_factory=dict, repr=False)  # script format, no secret
    secrets: list[str] = field(default_factory=list, repr=False)
    files: list[Path] = field(default_factory=list)
    dirs: list[Path] = field(default_factory=list)

    def cleanup(self) -> None:
        """Remove every secret file and the directories made for them, whatever the outcome."""
        for path in self.files:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        for path in reversed(self.dirs):
            with contextlib.suppress(OSError):
                path.rmdir()
        self.files.clear()
        self.dirs.clear()

    def __enter__(self) -> SnapshotSecrets:
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
    from app.execution.keyring import decrypt_secret

    pdd = Path(private_data_dir)
    inv = build_inventory(session, list(names))
    hostvars = inv["_meta"]["hostvars"]
    inv_dir = pdd / "inventory"
    inv_dir.mkdir(parents=True, exist_ok=True)
    snap = SnapshotSecrets(inventory_path=inv_dir / "hosts.yml", hosts=sorted(hostvars),
                           missing=sorted(set(names) - set(hostvars)), inventory=inv)
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
            if kind == "ssh_key":  # the credential's key and password always win over any stored var
                cred = hv["opsplan_credential"]
                if cred not in key_files:
                    keys_dir = _private_dir(pdd / "env" / "keys", snap.dirs)
                    key_files[cred] = keys_dir / f"{_safe(cred)}.key"
                    _write_secret(key_files[cred], secret if secret.endswith("\n") else secret + "\n", snap.files)
                extra[host] = {"ansible_ssh_private_key_file": str(key_files[cred])}
            elif kind in ("password", "winrm"):
                host_vars_dir = host_vars_dir or _private_dir(inv_dir / "host_vars", snap.dirs)
                _write_secret(host_vars_dir / f"{host}.yml", dump_yaml(_unsafe_vars({"ansible_password": secret})),
                              snap.files)
        data = unsafe_inventory(to_yaml_inventory(inv, extra))
        tmp = snap.inventory_path.with_suffix(".tmp")
        tmp.write_text(dump_yaml(data), encoding="utf-8")
        os.replace(tmp, snap.inventory_path)
    except BaseException:
        snap.cleanup()
        raise
    return snap
