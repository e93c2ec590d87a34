"""Compiled bundles: compiled once per (plan body, inputs fingerprint), then reused.

A plan's bundle depends on its body, the rollout policy, the catalog and the inventory slice of its
hosts. The inputs fingerprint covers exactly those: the plan's hosts' asset rows (every column but the
SSH host keys and timestamps; the zone included), their group links, the groups and group parents (vars
included), the credentials those hosts use (id, name, kind, user name; never the secret), the catalog
version and the policy. Reading it costs a few indexed queries proportional to the plan's hosts; when it
matches a bundle compiled before, that bundle is returned and nothing is recompiled. A change in any of
those inputs gives a new fingerprint, so the next caller compiles (and gets a new sha256 when the
compiled bytes change): "the fleet changed" is detected from the fingerprint, not by recompiling.

The cache is per process, bounded by total bundle bytes (least recently used out first).
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Text, cast, select
from sqlalchemy.orm import Session

from app.db.models import Asset, Credential, Group, asset_groups, group_parents
from compiler import Bundle
from compiler.policy import RolloutPolicy

_CHUNK = 500
# Asset columns that never reach a bundle (host keys are pinned per run by the worker, not compiled).
_NOT_COMPILED = frozenset({"host_keys", "host_key_source", "host_keys_pinned_at", "host_keys_pending",
                           "host_keys_pending_at", "created_at", "updated_at"})
MAX_CACHE_BYTES = 96 * 1024 * 1024


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def body_key(body: dict[str, Any]) -> str:
    return _digest(body)


def _chunks(values: list, size: int = _CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def inputs_fingerprint(session: Session, hosts: list[str], catalog_version: str, policy: RolloutPolicy) -> str:
    """sha256 of everything a bundle of ``hosts`` is compiled from, besides the plan body itself."""
    table = Asset.__table__
    columns = [c for c in table.c if c.name not in _NOT_COMPILED]  # new columns (e.g. the zone) count at once
    col_names = [c.name for c in columns]
    name_at, id_at, cred_at = col_names.index("name"), col_names.index("id"), col_names.index("credential_id")
    # JSON columns are hashed as their stored text (no decoding: the bytes are what changes)
    selected = [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in columns]
    rows: list[tuple] = []
    for chunk in _chunks(sorted(set(hosts))):
        rows.extend(tuple(r) for r in session.execute(select(*selected).where(table.c.name.in_(chunk))).all())
    rows.sort(key=lambda r: str(r[name_at]))
    ids = sorted(r[id_at] for r in rows)
    links: list[tuple] = []
    for chunk in _chunks(ids):
        links.extend(tuple(r) for r in session.execute(
            select(asset_groups.c.asset_id, asset_groups.c.group_id).where(asset_groups.c.asset_id.in_(chunk))).all())
    links.sort()
    groups = sorted(tuple(r) for r in session.execute(select(Group.id, Group.name, cast(Group.vars, Text))))
    parents = sorted(tuple(r) for r in session.execute(select(group_parents.c.group_id, group_parents.c.parent_id)))
    cred_ids = sorted({r[cred_at] for r in rows if r[cred_at] is not None})
    creds = sorted(tuple(r) for r in session.execute(
        select(Credential.id, Credential.name, Credential.kind, Credential.username)
        .where(Credential.id.in_(cred_ids)))) if cred_ids else []
    return _digest({"columns": col_names, "assets": rows, "links": links, "groups": groups,
                    "parents": parents, "credentials": creds, "catalog": catalog_version,
                    "policy": policy.model_dump(mode="json")})


class BundleCache:
    """(database, plan body key, inputs fingerprint) -> Bundle, LRU within a byte budget."""

    def __init__(self, max_bytes: int = MAX_CACHE_BYTES):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str, str], tuple[Bundle, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compile(self, key: tuple[str, str, str], compile_: Callable[[], Bundle]) -> Bundle:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return item[0]
            self.misses += 1
        bundle = compile_()  # outside the lock: a compile may take a while; a duplicate compile is harmless
        size = sum(len(v) for v in bundle.files.values())
        with self._lock:
            if size <= self.max_bytes and key not in self._items:
                self._items[key] = (bundle, size)
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _old, (_b, old_size) = self._items.popitem(last=False)
                    self._bytes -= old_size
        return bundle

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0


cache = BundleCache()
