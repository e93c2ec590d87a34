"""Import and export of the asset database: the YAML format of CONTRACT section 3, and CSV (assets only).

YAML::

    credentials: [{name, kind, username, secret}]
    groups:      [{name, description, parents, vars}]      # optional; groups are also implied by assets
    assets:      [{name, address, os, environment, groups, credential, port, vars, enabled, host_keys, zone}]

``host_keys`` (optional) pins the asset's SSH host keys (OpenSSH public key lines); without it the pinned
keys stay as they are, so re-importing an export keeps them. ``zone`` (optional, default ``default``) is the
execution zone whose workers alone contact the host (CONTRACT 10). Vars and addresses follow the rule in
``app.assets.schemas``.

CSV: one asset per row; columns ``name,address,os,environment,groups,credential,port,vars,enabled,zone``
(any subset, in any order);
``groups`` separated by ``;``, ``vars`` a JSON object, empty cells take the defaults.
Exports never contain a secret.
"""
from __future__ import annotations

import csv
import io as _io
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets.bulk import ImportResult, upsert_many
from app.assets.errors import AssetValidationError, ImportFileError
from app.assets.schemas import DEFAULT_ZONE, AssetIn, CredentialIn, GroupIn, parse
from app.assets.sealing import PublicKeyFallback
from app.db.models import Asset, Credential, Group, asset_groups, group_parents

CSV_COLUMNS = ["name", "address", "os", "environment", "groups", "credential", "port", "vars", "enabled", "zone"]
_SECTIONS: dict[str, type[BaseModel]] = {"credentials": CredentialIn, "groups": GroupIn, "assets": AssetIn}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _where(section: str, index: int, entry: Any) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"{section}[{index}] ({name})" if isinstance(name, str) and name else f"{section}[{index}]"


def _validate(section: str, entries: Any) -> list:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ImportFileError(f"{section}: expected a list of entries, got {type(entries).__name__}")
    model = _SECTIONS[section]
    out = []
    for i, entry in enumerate(entries):
        try:
            out.append(parse(model, entry, _where(section, i, entry)))
        except AssetValidationError as exc:
            raise ImportFileError(exc.message) from None
    return out


def parse_document(doc: Any) -> tuple[list[CredentialIn], list[GroupIn], list[AssetIn]]:
    """Validate a loaded YAML document; the first error names the entry (section, index, name) and field."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ImportFileError("the file must be a mapping with 'credentials', 'groups' and/or 'assets' lists")
    unknown = sorted(set(doc) - set(_SECTIONS))
    if unknown:
        raise ImportFileError(f"unknown top-level key(s) {', '.join(map(str, unknown))}; "
                              "expected credentials, groups, assets")
    return _validate("credentials", doc.get("credentials")), _validate("groups", doc.get("groups")), \
        _validate("assets", doc.get("assets"))


def load_yaml(text: str, source: str = "input") -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportFileError(f"{source}: invalid YAML{where}: {problem}") from None


def _parse_bool(value: str) -> bool | str:
    low = value.strip().lower()
    if low in ("true", "yes", "1", "y", "on"):
        return True
    if low in ("false", "no", "0", "n", "off"):
        return False
    return value


def parse_csv(text: str) -> list[AssetIn]:
    reader = csv.DictReader(_io.StringIO(text))
    if not reader.fieldnames:
        return []
    header = [(h or "").strip() for h in reader.fieldnames]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ImportFileError(f"CSV header: unknown column(s) {', '.join(unknown)}; expected {','.join(CSV_COLUMNS)}")
    reader.fieldnames = header
    assets = []
    for i, raw in enumerate(reader):
        entry: dict[str, Any] = {}
        where = f"assets[{i}] (line {reader.line_num}{', ' + raw['name'].strip() if raw.get('name') else ''})"
        if None in raw:
            raise ImportFileError(f"{where}: more cells than columns")
        for key, value in raw.items():
            if value is None or value.strip() == "":
                continue
            value = value.strip()
            if key == "vars":
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as exc:
                    raise ImportFileError(f"{where}: vars: not a JSON object ({exc.msg})") from None
            elif key == "enabled":
                value = _parse_bool(value)
            entry[key] = value
        try:
            assets.append(parse(AssetIn, entry, where))
        except AssetValidationError as exc:
            raise ImportFileError(exc.message) from None
    return assets


def read_file(path: str | Path, fmt: str | None = None) -> tuple[list, list, list]:
    """Read and validate an import file (YAML or CSV; by ``fmt`` or the file suffix)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    fmt = (fmt or ("csv" if path.suffix.lower() == ".csv" else "yaml")).lower()
    if fmt == "csv":
        return [], [], parse_csv(text)
    return parse_document(load_yaml(text, str(path)))


def import_data(session: Session, credentials: list, groups: list, assets: list, *,
                key_fallback: PublicKeyFallback | None = None) -> ImportResult:
    return upsert_many(session, credentials, groups, assets, key_fallback=key_fallback)


def import_document(session: Session, doc: Any, *, key_fallback: PublicKeyFallback | None = None) -> ImportResult:
    """Validate and upsert a loaded YAML document (all or nothing, within the caller's transaction)."""
    return import_data(session, *parse_document(doc), key_fallback=key_fallback)


def import_file(session: Session, path: str | Path, *, fmt: str | None = None,
                key_fallback: PublicKeyFallback | None = None) -> ImportResult:
    """Import a file within the caller's transaction (all or nothing)."""
    return import_data(session, *read_file(path, fmt), key_fallback=key_fallback)


# --- export ----------------------------------------------------------------------------------------


def export_data(session: Session) -> dict:
    """The database as an import document (credentials without secrets, groups, assets)."""
    a, c, g = Asset.__table__, Credential.__table__, Group.__table__
    creds = [{"name": r.name, "kind": str(r.kind), "username": r.username}  # str(): a StrEnum's value
             for r in session.execute(select(c.c.name, c.c.kind, c.c.username).order_by(c.c.name))]
    group_names: dict[int, str] = dict(session.execute(select(g.c.id, g.c.name)).tuples().all())
    parents: dict[int, list[str]] = {}
    for gid, pid in session.execute(select(group_parents.c.group_id, group_parents.c.parent_id)):
        parents.setdefault(gid, []).append(group_names[pid])
    members: dict[int, list[str]] = {}
    for aid, gid in session.execute(select(asset_groups.c.asset_id, asset_groups.c.group_id)):
        members.setdefault(aid, []).append(group_names[gid])
    used = {name for names in members.values() for name in names}
    groups = []
    for r in session.execute(select(g.c.id, g.c.name, g.c.description, g.c.vars).order_by(g.c.name)):
        if r.description or r.vars or r.id in parents or r.name not in used:
            entry: dict[str, Any] = {"name": r.name}
            if r.description:
                entry["description"] = r.description
            if r.id in parents:
                entry["parents"] = sorted(parents[r.id])
            if r.vars:
                entry["vars"] = r.vars
            groups.append(entry)
    assets = []
    query = select(a.c.id, a.c.name, a.c.address, a.c.os, a.c.environment, a.c.port, a.c.vars, a.c.enabled,
                   a.c.host_keys, a.c.zone, c.c.name.label("credential")
                   ).select_from(a.outerjoin(c, c.c.id == a.c.credential_id))
    for r in session.execute(query.order_by(a.c.name)):
        entry = {"name": r.name, "address": r.address, "os": str(r.os), "environment": r.environment or "",
                 "groups": sorted(members.get(r.id, []))}
        if r.credential:
            entry["credential"] = r.credential
        if r.port is not None:
            entry["port"] = r.port
        if r.vars:
            entry["vars"] = r.vars
        if not r.enabled:
            entry["enabled"] = False
        if r.host_keys:
            entry["host_keys"] = list(r.host_keys)
        if r.zone and r.zone != DEFAULT_ZONE:
            entry["zone"] = r.zone
        assets.append(entry)
    return {"credentials": creds, "groups": groups, "assets": assets}


def export_yaml(session: Session) -> str:
    return yaml.dump(export_data(session), Dumper=_Dumper, sort_keys=False, default_flow_style=None,
                     allow_unicode=True, width=120)


def export_csv(session: Session) -> str:
    out = _io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in export_data(session)["assets"]:
        writer.writerow({
            "name": entry["name"], "address": entry["address"], "os": entry["os"],
            "environment": entry["environment"], "groups": ";".join(entry["groups"]),
            "credential": entry.get("credential", ""), "port": entry.get("port", ""),
            "vars": json.dumps(entry["vars"], sort_keys=True) if entry.get("vars") else "",
            "enabled": "true" if entry.get("enabled", True) else "false",
            "zone": entry.get("zone", DEFAULT_ZONE),
        })
    return out.getvalue()
