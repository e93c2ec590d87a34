"""Bulk upsert of validated credentials, groups and assets (import), with core SQL executemany.

Runs inside the caller's transaction and never commits: the caller's ``session_scope`` commits on
success or rolls everything back, so a bad entry leaves the database untouched. All checks that
need the database (unknown credential, parent cycles, duplicates) happen before the first write.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.assets import version as asset_version
from app.assets.errors import ImportFileError
from app.assets.hostkeys import HostKeySource
from app.assets.schemas import AssetIn, CredentialIn, GroupIn
from app.assets.sealing import PublicKeyFallback, encrypt_secret, resolve_public_key
from app.assets.service import find_cycle, parent_map
from app.db.models import Asset, Credential, Group, asset_groups, group_parents, utcnow

_CHUNK = 500
# mapped classes' __table__ is typed FromClause; these are Tables (insert/update need one)
_assets = cast(Table, Asset.__table__)
_groups = cast(Table, Group.__table__)
_creds = cast(Table, Credential.__table__)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass
class ImportResult:
    credentials: Counts = field(default_factory=Counts)
    groups: Counts = field(default_factory=Counts)
    assets: Counts = field(default_factory=Counts)

    def summary(self) -> str:
        def part(label: str, c: Counts) -> str:
            return f"{c.total} {label} ({c.created} created, {c.updated} updated)"

        return "imported " + ", ".join(
            [part("credentials", self.credentials), part("groups", self.groups), part("assets", self.assets)]
        )

    def __str__(self) -> str:
        return ", ".join(f"{c.total} {label}" for label, c in
                         (("credentials", self.credentials), ("groups", self.groups), ("assets", self.assets)))

    def as_dict(self) -> dict:
        return {k: {"created": v.created, "updated": v.updated}
                for k, v in (("credentials", self.credentials), ("groups", self.groups), ("assets", self.assets))}


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _check_duplicates(kind: str, names: list[str]) -> None:
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in first:
            raise ImportFileError(f"{kind}[{i}] ({name}): name: duplicate of {kind}[{first[name]}]")
        first[name] = i


def _keys_row(keys: list[str] | None, now) -> dict:
    """Host-key columns for ``keys`` pinned from a file (source 'import'); [] or None: nothing pinned."""
    return {"host_keys": list(keys or []), "host_key_source": HostKeySource.IMPORT if keys else None,
            "host_keys_pinned_at": now if keys else None, "host_keys_pending": [], "host_keys_pending_at": None}


def _update_host_keys(session: Session, wanted: list[tuple[int, list[str]]], now) -> None:
    """Pin the file's keys where they differ from the stored ones ([] unpins); the same keys keep their pin."""
    if not wanted:
        return
    stored: dict[int, list] = {}
    for chunk in _chunks([aid for aid, _ in wanted]):
        stored.update(
            session.execute(select(_assets.c.id, _assets.c.host_keys).where(_assets.c.id.in_(chunk))).tuples().all())
    rows = []
    for aid, keys in wanted:
        current = stored.get(aid) or []
        if isinstance(current, str):  # JSON text on some drivers
            current = json.loads(current)
        if sorted(current) != sorted(keys):
            rows.append({"aid": aid, **{f"p_{k}": v for k, v in _keys_row(keys, now).items()}})
    if rows:
        session.execute(update(_assets).where(_assets.c.id == bindparam("aid")).values(
            {c: bindparam(f"p_{c}") for c in _keys_row([], now)}), rows)


def upsert_many(session: Session, credentials: list[CredentialIn], groups: list[GroupIn], assets: list[AssetIn],
                *, key_fallback: PublicKeyFallback | None = None) -> ImportResult:
    """Create or replace every entry. An asset's groups, vars, port... become exactly the file's;
    a credential without ``secret`` keeps its stored secret (so re-importing an export is safe)."""
    _check_duplicates("credentials", [c.name for c in credentials])
    _check_duplicates("groups", [g.name for g in groups])
    _check_duplicates("assets", [a.name for a in assets])
    session.flush()
    result = ImportResult()
    now = utcnow()

    # --- checks against the database, before any write ---
    file_creds = {c.name for c in credentials}
    referenced = sorted({a.credential for a in assets if a.credential} - file_creds)
    known = set()
    for chunk in _chunks(referenced):
        known |= set(session.scalars(select(_creds.c.name).where(_creds.c.name.in_(chunk))))
    for i, a in enumerate(assets):
        if a.credential and a.credential not in file_creds and a.credential not in known:
            raise ImportFileError(f"assets[{i}] ({a.name}): credential: unknown credential {a.credential!r}")
    if groups:
        graph = parent_map(session)
        for g in groups:
            graph[g.name] = set(g.parents)
        if cycle := find_cycle(graph):
            idx = next(i for i, g in enumerate(groups) if g.name in cycle)
            raise ImportFileError(f"groups[{idx}] ({groups[idx].name}): parents: cycle {' -> '.join(cycle)}")

    # --- credentials ---
    if credentials:
        existing: dict[str, int] = dict(
            session.execute(select(_creds.c.name, _creds.c.id).where(_creds.c.name.in_(file_creds))).tuples().all())
        public = None
        if any(c.secret is not None for c in credentials):
            public = resolve_public_key(session, key_fallback)
        for c in credentials:
            values = {"kind": c.kind, "username": c.username, "updated_at": now}
            if c.secret is not None:
                assert public is not None  # resolved above: some credential has a secret
                values["secret_encrypted"] = encrypt_secret(public, c.secret)
            if c.name in existing:
                session.execute(update(_creds).where(_creds.c.id == existing[c.name]).values(**values))
                result.credentials.updated += 1
            else:
                session.execute(insert(_creds).values(name=c.name, created_at=now, **values))
                result.credentials.created += 1
    cred_ids: dict[str, int] = {}
    wanted = sorted({a.credential for a in assets if a.credential})
    for chunk in _chunks(wanted):
        cred_ids.update(
            session.execute(select(_creds.c.name, _creds.c.id).where(_creds.c.name.in_(chunk))).tuples().all())

    # --- groups (explicit, parents, and implicit from assets) ---
    needed: dict[str, None] = {}
    for g in groups:
        needed.setdefault(g.name)
        for p in g.parents:
            needed.setdefault(p)
    for a in assets:
        for name in a.groups:
            needed.setdefault(name)
    group_ids: dict[str, int] = dict(session.execute(select(_groups.c.name, _groups.c.id)).tuples().all())
    explicit = {g.name: g for g in groups}
    new_groups = [n for n in needed if n not in group_ids]
    if new_groups:
        session.execute(insert(_groups), [
            {"name": n, "description": explicit[n].description if n in explicit else "",
             "vars": explicit[n].vars if n in explicit else {}} for n in new_groups
        ])
        group_ids = dict(session.execute(select(_groups.c.name, _groups.c.id)).tuples().all())
    result.groups.created = len(new_groups)
    changed_groups = [g for g in groups if g.name not in new_groups]
    if changed_groups:
        session.execute(
            update(_groups).where(_groups.c.id == bindparam("gid"))
            .values(description=bindparam("d"), vars=bindparam("v")),
            [{"gid": group_ids[g.name], "d": g.description, "v": g.vars} for g in changed_groups],
        )
    result.groups.updated = len(changed_groups)
    if groups:
        gids = [group_ids[g.name] for g in groups]
        for chunk in _chunks(gids):
            session.execute(delete(group_parents).where(group_parents.c.group_id.in_(chunk)))
        links = [{"group_id": group_ids[g.name], "parent_id": group_ids[p]} for g in groups for p in g.parents]
        if links:
            session.execute(insert(group_parents), links)

    # --- assets ---
    if assets:
        names = [a.name for a in assets]
        asset_ids: dict[str, int] = {}
        for chunk in _chunks(names):
            asset_ids.update(session.execute(
                select(_assets.c.name, _assets.c.id).where(_assets.c.name.in_(chunk))).tuples().all())

        def row(a: AssetIn) -> dict:
            return {"address": a.address, "os": a.os, "environment": a.environment, "zone": a.zone, "port": a.port,
                    "credential_id": cred_ids.get(a.credential) if a.credential else None,
                    "vars": a.vars, "enabled": a.enabled, "updated_at": now}

        fresh = [a for a in assets if a.name not in asset_ids]
        old = [a for a in assets if a.name in asset_ids]
        if fresh:
            session.execute(insert(_assets), [
                {"name": a.name, "created_at": now, **row(a), **_keys_row(a.host_keys, now)} for a in fresh])
            for chunk in _chunks([a.name for a in fresh]):
                asset_ids.update(session.execute(
                    select(_assets.c.name, _assets.c.id).where(_assets.c.name.in_(chunk))).tuples().all())
        if old:
            stmt = update(_assets).where(_assets.c.id == bindparam("aid")).values(
                {k: bindparam(f"p_{k}") for k in row(old[0])})
            session.execute(stmt, [{"aid": asset_ids[a.name], **{f"p_{k}": v for k, v in row(a).items()}} for a in old])
            for chunk in _chunks([asset_ids[a.name] for a in old]):
                session.execute(delete(asset_groups).where(asset_groups.c.asset_id.in_(chunk)))
            _update_host_keys(session, [(asset_ids[a.name], a.host_keys) for a in old if a.host_keys is not None], now)
        members = [{"asset_id": asset_ids[a.name], "group_id": group_ids[g]} for a in assets for g in a.groups]
        if members:
            session.execute(insert(asset_groups), members)
        result.assets.created, result.assets.updated = len(fresh), len(old)
    if credentials or groups or assets:
        asset_version.bump(session)  # same transaction: caches of the fleet see the import exactly when it commits
    session.expire_all()
    return result
