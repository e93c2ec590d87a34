"""SSH host keys on the worker side: scan, pin at first contact, check around a run, accept a new key.

Before a run the worker compares the run's SSH hosts with the keys pinned in the asset database; it
scans (``ssh-keyscan`` on the host's effective address and port) only the hosts that need it:

* nothing pinned yet: scanned, and the scanned keys are pinned (source ``first-contact``, audited
  ``asset.host_key_pinned``); the inventory fingerprint does not cover host keys, so pinning during a
  preview never makes an approval stale;
* keys pending (a changed key seen before and not accepted yet): scanned; a pinned key offered is fine,
  otherwise the host is refused up front (below);
* keys pinned, nothing pending: not scanned. ssh checks the pinned keys itself when it connects; a host
  that fails with ssh's host key verification error is scanned after the run (``check_after_failure``)
  and, when it presents none of its pinned keys, reported exactly as a refusal before the run would be;
* keys scanned but none of them pinned: the key changed. The host fails with a message naming both
  fingerprints and the command that accepts the new key; the seen keys are kept on the asset
  (``host_keys_pending``, audited ``asset.host_key_changed``) so an admin can accept exactly them (API or CLI);
* no answer: the pinned keys (if any) are used; the connection then fails or succeeds on its own.

Whatever the scan said, ssh connects with ``StrictHostKeyChecking=yes`` against a per-run known_hosts
file that holds only the pinned keys, so a host whose key changed is never connected to, scanned or not.
"""
from __future__ import annotations

import concurrent.futures
import logging
import shutil
import socket
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.assets.errors import AssetConflict, AssetError
from app.assets.hostkeys import HostKeySource, changed_message, describe, parse_key
from app.assets.service import get_asset, set_host_keys
from app.db.models import Asset, utcnow
from app.db.session import session_scope
from compiler import Bundle
from inventory.builder import build_inventory

log = logging.getLogger(__name__)
SCAN_TIMEOUT = 5  # seconds per connection attempt (ssh-keyscan -T)
_CHUNK = 256


class HostKeyScanError(AssetError):
    """ssh-keyscan is missing, or a host gave no key to accept."""

    status, code = 409, "host_key_scan_failed"


@dataclass(frozen=True)
class Target:
    name: str
    address: str
    port: int

    @property
    def pattern(self) -> str:
        """The host as known_hosts names it: ``address``, or ``[address]:port`` for a port other than 22."""
        host = self.address.lower()
        return host if self.port == 22 else f"[{host}]:{self.port}"


@dataclass
class Verdict:
    """What the check before a run found: known_hosts lines and the hosts refused (name -> message)."""

    known_hosts: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    pinned: list[str] = field(default_factory=list)


def ssh_targets(hostvars: dict[str, dict[str, Any]]) -> list[Target]:
    """The hosts that connect over SSH, with the address and port the connection uses."""
    out = []
    for name, hv in sorted(hostvars.items()):
        if hv.get("ansible_connection", "ssh") == "ssh":
            out.append(Target(name, str(hv["ansible_host"]), int(hv.get("ansible_port") or 22)))
    return out


def _keyscan() -> str:
    exe = shutil.which("ssh-keyscan")
    if exe is None:
        raise HostKeyScanError("ssh-keyscan is not installed (it comes with the OpenSSH client)")
    return exe


def _scan_port(exe: str, port: int, addresses: list[str], timeout: int) -> list[str]:
    cmd = [exe, "-T", str(timeout), "-p", str(port), "--", *addresses]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * 3 + 15, check=False)
    except subprocess.TimeoutExpired:
        log.warning("ssh-keyscan on port %s timed out for %s", port, ", ".join(addresses))
        return []
    return proc.stdout.splitlines()


def _host_of(field_: str) -> str:
    """'[10.0.0.1]:2222' or '10.0.0.1' -> '10.0.0.1' (lowercase)."""
    if field_.startswith("[") and "]:" in field_:
        field_ = field_[1:field_.index("]:")]
    return field_.lower()


def scan(targets: list[Target], timeout: int = SCAN_TIMEOUT) -> dict[tuple[str, int], list[str]]:
    """The host keys each (lowercase address, port) presents now; an address that did not answer is absent."""
    if not targets:
        return {}
    exe = _keyscan()
    by_port: dict[int, list[str]] = defaultdict(list)
    for t in targets:
        if t.address.lower() not in by_port[t.port]:
            by_port[t.port].append(t.address.lower())
    jobs = [(port, addrs[i:i + _CHUNK]) for port, addrs in by_port.items() for i in range(0, len(addrs), _CHUNK)]
    found: dict[tuple[str, int], list[str]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(jobs))) as pool:
        futures = {pool.submit(_scan_port, exe, port, addrs, timeout): port for port, addrs in jobs}
        for future in concurrent.futures.as_completed(futures):
            port = futures[future]
            for line in future.result():
                if not line.strip() or line.startswith("#"):
                    continue
                host, _, rest = line.partition(" ")
                try:
                    key = parse_key(rest)
                except ValueError:
                    continue
                keys = found.setdefault((_host_of(host), port), [])
                if key not in keys:
                    keys.append(key)
    return found


def _actor() -> str:
    return f"worker:{socket.gethostname()}"


def _check_one(s: Session, asset: Asset, target: Target, offered: list[str], run_id: str | None,
               verdict: Verdict) -> list[str]:
    """Pin at first contact or compare; return the keys the run may connect with."""
    pinned = list(asset.host_keys or [])
    if not pinned:
        if offered:
            set_host_keys(asset, offered, HostKeySource.FIRST_CONTACT)
            audit.record(s, "asset.host_key_pinned", actor=_actor(), run_id=run_id, outcome="first-contact",
                         details={"asset": asset.name, "address": target.address, "port": target.port,
                                  "keys": describe(offered)})
            verdict.pinned.append(asset.name)
        return offered
    if offered and not set(offered) & set(pinned):
        verdict.refused[asset.name] = changed_message(asset.name, pinned, offered)
        if sorted(asset.host_keys_pending or []) != sorted(offered):
            asset.host_keys_pending = offered
            asset.host_keys_pending_at = utcnow()
            audit.record(s, "asset.host_key_changed", actor=_actor(), run_id=run_id, outcome="refused",
                         details={"asset": asset.name, "address": target.address, "port": target.port,
                                  "pinned": describe(pinned), "seen": describe(offered)})
    return pinned


# What ssh prints when the host presents a key the per-run known_hosts does not hold (strict checking); the
# last one is Mitogen's connection error for the same (strategy mitogen_linear, checked against sshd hosts).
HOST_KEY_FAILURE_MARKS = ("Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED",
                          "SSH reported an unrecognized or mismatching host key")


def is_host_key_failure(message: str) -> bool:
    """True when an unreachable host's message is ssh refusing its host key."""
    return any(mark in message for mark in HOST_KEY_FAILURE_MARKS)


def _needs_scan(host_keys: list[str] | None, pending: list[str] | None) -> bool:
    return not host_keys or bool(pending)


def check_before_run(database_url: str, hostvars: dict[str, dict[str, Any]], run_id: str | None = None) -> Verdict:
    """Pin or compare the SSH hosts of a run; return the known_hosts lines and the hosts refused.

    Only hosts with nothing pinned or with keys pending are scanned; the others connect against their
    pinned keys and are checked after the run if ssh refuses them (``check_after_failure``)."""
    verdict = Verdict()
    targets = ssh_targets(hostvars)
    if not targets:
        return verdict
    names = [t.name for t in targets]
    with session_scope(database_url) as s:
        stored = {name: _needs_scan(keys, pending) for name, keys, pending in s.execute(
            select(Asset.name, Asset.host_keys, Asset.host_keys_pending).where(Asset.name.in_(names)))}
    to_scan = [t for t in targets if stored.get(t.name, True)]
    scanned = scan(to_scan) if to_scan else {}  # outside any transaction: it may take seconds
    with session_scope(database_url) as s:
        rows = s.scalars(select(Asset).where(Asset.name.in_(names)).with_for_update())
        assets = {a.name: a for a in rows}
        for t in targets:
            asset = assets.get(t.name)
            if asset is None:
                continue
            keys = _check_one(s, asset, t, scanned.get((t.address.lower(), t.port), []), run_id, verdict)
            verdict.known_hosts.extend(f"{t.pattern} {k}" for k in keys)
    return verdict


def check_after_failure(database_url: str, hostvars: dict[str, dict[str, Any]], hosts: list[str],
                        run_id: str | None = None) -> dict[str, str]:
    """Scan ``hosts`` (pinned hosts ssh refused during the run); those presenting none of their pinned keys
    get the changed-key message, their seen keys pending and the audit entry. Returns host -> message."""
    targets = ssh_targets({h: hostvars[h] for h in hosts if h in hostvars})
    if not targets:
        return {}
    scanned = scan(targets)
    verdict = Verdict()
    with session_scope(database_url) as s:
        rows = s.scalars(select(Asset).where(Asset.name.in_([t.name for t in targets])).with_for_update())
        assets = {a.name: a for a in rows}
        for t in targets:
            asset = assets.get(t.name)
            if asset is not None and asset.host_keys:  # never pins: nothing connected to this key
                _check_one(s, asset, t, scanned.get((t.address.lower(), t.port), []), run_id, verdict)
    return verdict.refused


def failure_events(bundle: Bundle | None, refused: dict[str, str]) -> list[dict[str, Any]]:
    """ansible-runner-like events failing each refused host at its first step, with the message."""
    events = []
    for host, message in sorted(refused.items()):
        step = next((st for st in bundle.steps if host in st.hosts), None) if bundle is not None else None
        events.append({"event": "runner_on_failed", "stdout": f"fatal: [{host}]: {message}",
                       "event_data": {"host": host, "play": step.play if step else "",
                                      "task": "check the SSH host key", "res": {"msg": message}}})
    return events


def accept_key(session: Session, name: str, actor: str) -> dict[str, Any]:
    """Scan ``name`` now and pin what it presents (source 'accepted'), audited; return the audit details."""
    asset = get_asset(session, name)
    hostvars = build_inventory(session, [name])["_meta"]["hostvars"].get(name)
    if hostvars is None:
        raise AssetConflict(f"asset {name!r} is disabled; enable it before accepting its host key")
    targets = ssh_targets({name: hostvars})
    if not targets:
        raise AssetConflict(f"asset {name!r} does not connect over SSH ({hostvars.get('ansible_connection')}): "
                            "it has no SSH host key")
    target = targets[0]
    offered = scan(targets).get((target.address.lower(), target.port), [])
    if not offered:
        raise HostKeyScanError(f"no SSH host key from {name} at {target.address} port {target.port} "
                               "(is the host up and reachable from here?)")
    details = {"asset": name, "mode": "scanned", "address": target.address, "port": target.port,
               "previous": describe(asset.host_keys or []), "accepted": describe(offered)}
    set_host_keys(asset, offered, HostKeySource.ACCEPTED)
    audit.record(session, "asset.host_key_accepted", actor=actor, outcome="scanned", details=details)
    session.flush()
    return details
