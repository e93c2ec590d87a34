"""SSH host keys of assets: the format (OpenSSH public key lines), fingerprints and their JSON view.

Pure functions, safe for the web process. Scanning hosts and pinning keys at first contact is worker
business (``app.execution.hostkeys``); the web process only validates keys given at import, shows them,
and lets an admin accept a new key a run has already seen (it never connects to a host itself).

A key is stored normalized as ``"<type> <base64 blob>"`` (no host field, no comment).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

KEY_TYPES = (  # preference order when two keys are compared for a message
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
)
MAX_KEYS = 16
_MAX_LINE = 16384


class HostKeySource(StrEnum):
    """Where an asset's pinned host keys came from."""

    IMPORT = "import"  # given in an import file or through the API
    FIRST_CONTACT = "first-contact"  # scanned by the worker before the first run on the host
    ACCEPTED = "accepted"  # a changed key an admin accepted


def parse_key(line: Any) -> str:
    """Normalize one OpenSSH public host key line; ValueError (with a readable reason) if it is not one.

    Accepted: ``type base64 [comment]`` (a ``.pub`` file) and ``host type base64`` (``ssh-keyscan`` or
    ``known_hosts`` output, without markers such as ``@cert-authority``).
    """
    if not isinstance(line, str):
        raise ValueError("a host key must be a string like 'ssh-ed25519 AAAA...'")
    if len(line) > _MAX_LINE or "\n" in line.strip() or "\x00" in line:
        raise ValueError("a host key must be a single OpenSSH public key line")
    parts = line.split()
    if len(parts) >= 3 and parts[0] not in KEY_TYPES and parts[1] in KEY_TYPES:
        parts = parts[1:]  # a leading host field (ssh-keyscan / known_hosts)
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        shown = parts[0][:40] if parts else ""
        raise ValueError(f"not an OpenSSH public host key (type {shown!r}; expected one of {', '.join(KEY_TYPES)})")
    kind, b64 = parts[0], parts[1]
    try:
        blob = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{kind} key: the key data is not valid base64") from None
    if len(blob) < 4:
        raise ValueError(f"{kind} key: the key data is too short")
    (size,) = struct.unpack(">I", blob[:4])
    if blob[4:4 + size] != kind.encode():
        raise ValueError(f"{kind} key: the key data is not a {kind} key")
    if len(blob) < 4 + size + 16:
        raise ValueError(f"{kind} key: the key data is too short")
    return f"{kind} {base64.b64encode(blob).decode()}"


def parse_keys(lines: Iterable[Any]) -> list[str]:
    """Normalized, de-duplicated keys in their given order."""
    out: dict[str, None] = {}
    for i, line in enumerate(lines):
        try:
            out.setdefault(parse_key(line))
        except ValueError as exc:
            raise ValueError(f"[{i}]: {exc}") from None
    if len(out) > MAX_KEYS:
        raise ValueError(f"at most {MAX_KEYS} host keys per asset")
    return list(out)


def key_type(key: str) -> str:
    return key.split(" ", 1)[0]


def fingerprint(key: str) -> str:
    """OpenSSH's SHA256 fingerprint (``ssh-keygen -lf``): ``SHA256:`` + unpadded base64 of the blob's digest."""
    blob = base64.b64decode(key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def describe(keys: Iterable[str]) -> list[dict[str, str]]:
    """[{type, fingerprint}] of keys, for audit details and messages (no key material needed there)."""
    return [{"type": key_type(k), "fingerprint": fingerprint(k)} for k in keys]


def _rank(key: str) -> int:
    kind = key_type(key)
    return KEY_TYPES.index(kind) if kind in KEY_TYPES else len(KEY_TYPES)


def pick_pair(pinned: list[str], offered: list[str]) -> tuple[str, str]:
    """The pinned and the offered key to name in a 'changed' message: the same type if both have one."""
    common = sorted({key_type(k) for k in pinned} & {key_type(k) for k in offered},
                    key=lambda t: KEY_TYPES.index(t) if t in KEY_TYPES else len(KEY_TYPES))
    if common:
        return (next(k for k in pinned if key_type(k) == common[0]),
                next(k for k in offered if key_type(k) == common[0]))
    return min(pinned, key=_rank), min(offered, key=_rank)


def changed_message(asset: str, pinned: list[str], offered: list[str]) -> str:
    was, now = pick_pair(pinned, offered)
    return (f"host key of {asset} changed (was {fingerprint(was)}, now {fingerprint(now)}): not connecting; "
            f"an admin must accept the new key: opsplan assets accept-key {asset}")


def keys_json(keys: list[str] | None, source: str | None, at: datetime | None) -> list[dict[str, Any]]:
    """The API/UI view of pinned keys: type, fingerprint, the key line, its source and pin time."""
    when = at.isoformat() if at is not None else None
    return [{"type": key_type(k), "fingerprint": fingerprint(k), "key": k, "source": source, "pinned_at": when}
            for k in keys or []]


def pending_json(keys: list[str] | None, at: datetime | None) -> list[dict[str, Any]]:
    """The API/UI view of keys a run saw instead of the pinned ones (waiting for an admin to accept them)."""
    when = at.isoformat() if at is not None else None
    return [{"type": key_type(k), "fingerprint": fingerprint(k), "key": k, "seen_at": when} for k in keys or []]
