"""CRUD on assets, groups and credentials (one object at a time; bulk upserts live in app.assets.bulk).

Every function works inside the caller's transaction (it flushes, never commits). Responses built
by the ``*_dict`` helpers never carry a secret: credentials only say whether one is stored.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.assets import hostkeys
from app.assets.errors import AssetConflict, AssetNotFound, AssetValidationError
from app.assets.hostvars import vars_problem
from app.assets.schemas import (
    DEFAULT_ZONE,
    AssetIn,
    AssetPatch,
    CredentialIn,
    CredentialPatch,
    GroupIn,
    GroupPatch,
    default_port,
)
from app.assets.sealing import encrypt_secret
from app.db.models import Asset, Credential, Group, asset_groups, group_parents, utcnow
from app.db.types import iso

# --- serialisation (never a secret) ------------------------------------------------------------------


def credential_dict(c: Credential) -> dict[str, Any]:
    return {
        "name": c.name,
        "kind": c.kind,
        "username": c.username,
        "has_secret": c.secret_encrypted is not None,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
    }


def group_dict(g: Group, asset_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": g.name, "description": g.description or "",
                           "parents": [p.name for p in g.parents],
           "vars": g.vars or {}}
    if asset_count is not None:
        out["asset_count"] = asset_count
    return out


def asset_dict(a: Asset) -> dict[str, Any]:
    return {
        "name": a.name,
        "address": a.address,
        "os": a.os,
        "environment": a.environment or "",
        "zone": a.zone or DEFAULT_ZONE,
        "groups": sorted(g.name for g in a.groups),
        "credential": a.credential.name if a.credential else None,
        "port": a.port or default_port(a.os),
        "vars": a.vars or {},
        "enabled": bool(a.enabled),
        "host_keys": hostkeys.keys_json(a.host_keys, a.host_key_source, a.host_keys_pinned_at),
        "host_keys_pending": hostkeys.pending_json(a.host_keys_pending, a.host_keys_pending_at),
        "created_at": iso(a.created_at),
        "updated_at": iso(a.updated_at),
    }


# --- credentials ---------------------------------------------------------------------------------


def list_credentials(session: Session) -> list[Credential]:
    return list(session.scalars(select(Credential).order_by(Credential.name)))


def get_credential(session: Session, name: str) -> Credential:
    cred = session.scalar(select(Credential).where(Credential.name == name))
    if cred is None:
        raise AssetNotFound(f"credential {name!r} not found")
    return cred


def create_credential(session: Session, data: CredentialIn) -> Credential:
    if session.scalar(select(Credential.id).where(Credential.name == data.name)) is not None:
        raise AssetConflict(f"credential {data.name!r} already exists")
    cred = Credential(name=data.name, kind=data.kind, username=data.username)
    if data.secret is not None:
        cred.secret_encrypted = encrypt_secret(session, data.secret)
    session.add(cred)
    session.flush()
    return cred


def update_credential(session: Session, name: str, patch: CredentialPatch) -> Credential:
    cred = get_credential(session, name)
    fields = patch.model_fields_set
    if "name" in fields and patch.name and patch.name != cred.name:
        if session.scalar(select(Credential.id).where(Credential.name == patch.name)) is not None:
            raise AssetConflict(f"credential {patch.name!r} already exists")
        cred.name = patch.name
    for attr in ("kind", "username"):
        if attr in fields and getattr(patch, attr) is not None:
            setattr(cred, attr, getattr(patch, attr))
    if "secret" in fields:
        cred.secret_encrypted = (
            None if patch.secret is None else encrypt_secret(session, patch.secret)
        )
    session.flush()
    return cred


def delete_credential(session: Session, name: str, *, force: bool = False) -> None:
    cred = get_credential(session, name)
    users = list(session.scalars(
        select(Asset.name).where(Asset.credential_id == cred.id).order_by(Asset.name).limit(6)))
    if users and not force:
        shown = ", ".join(users[:5]) + (", ..." if len(users) > 5 else "")
        raise AssetConflict(f"credential {name!r} is used by assets {shown}; reassign them or delete with force")
    for asset in session.scalars(select(Asset).where(Asset.credential_id == cred.id)):
        asset.credential = None
    session.delete(cred)
    session.flush()


# --- groups --------------------------------------------------------------------------------------


def get_group(session: Session, name: str) -> Group:
    group = session.scalar(select(Group).where(Group.name == name).options(selectinload(Group.parents)))
    if group is None:
        raise AssetNotFound(f"group {name!r} not found")
    return group


def list_groups(session: Session) -> list[tuple[Group, int]]:
    counts: dict[int, int] = dict(
        session.execute(select(asset_groups.c.group_id, func.count()).group_by(asset_groups.c.group_id)).tuples().all())
    groups = session.scalars(select(Group).order_by(Group.name).options(selectinload(Group.parents)))
    return [(g, counts.get(g.id, 0)) for g in groups]


def asset_count(session: Session, group: Group) -> int:
    return session.scalar(
        select(func.count()).select_from(asset_groups).where(asset_groups.c.group_id == group.id)) or 0


def ensure_groups(session: Session, names: list[str]) -> list[Group]:
    """The groups named, creating the missing ones (groups are implicit in assets and parents)."""
    if not names:
        return []
    found = {g.name: g for g in session.scalars(select(Group).where(Group.name.in_(names)))}
    for name in names:
        if name not in found:
            found[name] = Group(name=name, description="", vars={})
            session.add(found[name])
    session.flush()
    return [found[n] for n in names]


def parent_map(session: Session) -> dict[str, set[str]]:
    child, parent = Group.__table__.alias("c"), Group.__table__.alias("p")
    rows = session.execute(
        select(child.c.name, parent.c.name)
        .select_from(group_parents.join(child, child.c.id == group_parents.c.group_id)
                     .join(parent, parent.c.id == group_parents.c.parent_id))
    )
    out: dict[str, set[str]] = {}
    for c, p in rows:
        out.setdefault(c, set()).add(p)
    return out


def find_cycle(parents: dict[str, set[str]]) -> list[str] | None:
    """A parent cycle in the group graph, as a path ['a', 'b', 'a'], or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for p in sorted(parents.get(node, ())):
            if state.get(p) == 1:
                return stack[stack.index(p):] + [p]
            if p not in state and (cycle := visit(p)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(parents):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _set_parents(session: Session, group: Group, parents: list[str]) -> None:
    if group.name in parents:
        raise AssetValidationError(f"group {group.name!r}: parents: a group cannot be its own parent")
    graph = parent_map(session)
    graph[group.name] = set(parents)
    if cycle := find_cycle(graph):
        raise AssetValidationError(f"group {group.name!r}: parents: cycle {' -> '.join(cycle)}")
    group.parents = ensure_groups(session, parents)


def create_group(session: Session, data: GroupIn) -> Group:
    if session.scalar(select(Group.id).where(Group.name == data.name)) is not None:
        raise AssetConflict(f"group {data.name!r} already exists")
    group = Group(name=data.name, description=data.description, vars=data.vars)
    session.add(group)
    session.flush()
    _set_parents(session, group, data.parents)
    session.flush()
    return group


def update_group(session: Session, name: str, patch: GroupPatch) -> Group:
    group = get_group(session, name)
    fields = patch.model_fields_set
    if "name" in fields and patch.name and patch.name != group.name:
        if session.scalar(select(Group.id).where(Group.name == patch.name)) is not None:
            raise AssetConflict(f"group {patch.name!r} already exists")
        group.name = patch.name
    if "description" in fields:
        group.description = patch.description or ""
    if "vars" in fields:
        group.vars = patch.vars or {}
    if "parents" in fields:
        _set_parents(session, group, patch.parents or [])
    session.flush()
    return group


def delete_group(session: Session, name: str, *, force: bool = False) -> None:
    group = get_group(session, name)
    children = list(session.scalars(
        select(Group.name).join(group_parents, group_parents.c.group_id == Group.id)
        .where(group_parents.c.parent_id == group.id).order_by(Group.name)
    ))
    members = asset_count(session, group)
    if (children or members) and not force:
        what = []
        if members:
            what.append(f"{members} asset(s)")
        if children:
            what.append("child groups " + ", ".join(children))
        raise AssetConflict(f"group {name!r} still has {' and '.join(what)}; delete with force to detach them")
    session.delete(group)
    session.flush()


# --- assets --------------------------------------------------------------------------------------


def _asset_query():
    return select(Asset).options(selectinload(Asset.groups), selectinload(Asset.credential))


def get_asset(session: Session, name: str) -> Asset:
    asset = session.scalar(_asset_query().where(Asset.name == name))
    if asset is None:
        raise AssetNotFound(f"asset {name!r} not found")
    return asset


def _group_and_descendants(session: Session, name: str) -> set[int]:
    ids = set(session.scalars(select(Group.id).where(Group.name == name)))
    frontier = set(ids)
    while frontier:
        rows = set(session.scalars(select(group_parents.c.group_id).where(group_parents.c.parent_id.in_(frontier))))
        frontier = rows - ids
        ids |= rows
    return ids


def list_assets(session: Session, *, environment: str | None = None, group: str | None = None,
                os: str | None = None, enabled: bool | None = None, zone: str | None = None) -> list[Asset]:
    """Assets ordered by name; ``group`` includes members of its descendant groups (as Ansible does)."""
    query = _asset_query().order_by(Asset.name)
    if environment:
        query = query.where(Asset.environment == environment)
    if zone:
        query = query.where(Asset.zone == zone)
    if os:
        query = query.where(Asset.os == os.lower())
    if enabled is not None:
        query = query.where(Asset.enabled == enabled)
    if group:
        ids = _group_and_descendants(session, group)
        if not ids:
            return []
        query = query.where(Asset.id.in_(select(asset_groups.c.asset_id).where(asset_groups.c.group_id.in_(ids))))
    return list(session.scalars(query))


def _credential_id(session: Session, asset_name: str, credential: str | None) -> int | None:
    if credential is None:
        return None
    cid = session.scalar(select(Credential.id).where(Credential.name == credential))
    if cid is None:
        raise AssetValidationError(f"asset {asset_name!r}: credential: unknown credential {credential!r}")
    return cid


def create_asset(session: Session, data: AssetIn) -> Asset:
    if session.scalar(select(Asset.id).where(Asset.name == data.name)) is not None:
        raise AssetConflict(f"asset {data.name!r} already exists")
    asset = Asset(
        name=data.name, address=data.address, os=data.os, environment=data.environment, zone=data.zone, port=data.port,
        credential_id=_credential_id(session, data.name, data.credential), vars=data.vars, enabled=data.enabled,
    )
    set_host_keys(asset, data.host_keys or [])
    asset.groups = ensure_groups(session, data.groups)
    session.add(asset)
    session.flush()
    return get_asset(session, data.name)


def update_asset(session: Session, name: str, patch: AssetPatch) -> Asset:
    asset = get_asset(session, name)
    fields = patch.model_fields_set
    if "name" in fields and patch.name and patch.name != asset.name:
        if session.scalar(select(Asset.id).where(Asset.name == patch.name)) is not None:
            raise AssetConflict(f"asset {patch.name!r} already exists")
        asset.name = patch.name
    for attr in ("address", "os", "environment", "enabled", "zone"):
        if attr in fields and getattr(patch, attr) is not None:
            setattr(asset, attr, getattr(patch, attr))
    if "port" in fields:
        asset.port = patch.port
    if "vars" in fields:
        asset.vars = patch.vars or {}
    if "credential" in fields:
        asset.credential_id = _credential_id(session, asset.name, patch.credential)
    if "groups" in fields:
        asset.groups = ensure_groups(session, patch.groups or [])
    if "host_keys" in fields:
        set_host_keys(asset, patch.host_keys or [])
    if problem := vars_problem(asset.vars or {}, address=asset.address):  # the merged asset (address + vars)
        raise AssetValidationError(f"asset {asset.name!r}: vars: {problem}")
    session.flush()
    session.expire(asset, ["credential"])
    return get_asset(session, asset.name)


# --- host keys (the web side never scans: app.execution.hostkeys does, in the worker and the CLI) --------


def set_host_keys(asset: Asset, keys: list[str],
                  source: hostkeys.HostKeySource = hostkeys.HostKeySource.IMPORT) -> bool:
    """Pin ``keys`` (normalized) on ``asset``; [] unpins (the next run pins at first contact).

    Giving the keys already pinned changes nothing (an export re-imported keeps source and time).
    Returns whether anything changed.
    """
    if sorted(keys) == sorted(asset.host_keys or []):
        if not asset.host_keys_pending:
            return False
        asset.host_keys_pending, asset.host_keys_pending_at = [], None  # the pinned keys are the answer again
        return True
    asset.host_keys = list(keys)
    asset.host_key_source = source if keys else None
    asset.host_keys_pinned_at = utcnow() if keys else None
    asset.host_keys_pending = []
    asset.host_keys_pending_at = None
    return True


def accept_pending_host_key(session: Session, name: str, fingerprint: str | None = None) -> dict[str, Any]:
    """An admin accepts the new host key a run saw (it becomes the pinned key, source 'accepted').

    Without a key seen by a run, the pinned keys are dropped so that the next run pins what the host
    presents then (first contact). ``fingerprint``, when given, must be the seen key's. Returns the audit
    details (the caller records them with its actor).
    """
    asset = get_asset(session, name)
    previous = hostkeys.describe(asset.host_keys or [])
    pending = list(asset.host_keys_pending or [])
    if fingerprint is not None:
        seen = [hostkeys.fingerprint(k) for k in pending]
        if fingerprint not in seen:
            shown = ", ".join(seen) or "none"
            raise AssetConflict(f"asset {name!r}: no new host key with fingerprint {fingerprint} was seen "
                                f"(seen: {shown})")
    if pending:
        set_host_keys(asset, pending, hostkeys.HostKeySource.ACCEPTED)
        mode, accepted = "seen-key", hostkeys.describe(pending)
    else:
        set_host_keys(asset, [])
        mode, accepted = "next-contact", []
    session.flush()
    return {"asset": name, "mode": mode, "previous": previous, "accepted": accepted}


def delete_asset(session: Session, name: str) -> None:
    session.delete(get_asset(session, name))
    session.flush()
