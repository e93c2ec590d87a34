"""Build Ansible inventory JSON from the asset database with core SQL selects (no ORM objects).

Groups: one per asset group (children from parent groups, vars from group vars), ``env_<environment>``,
``os_linux`` / ``os_windows``, and ``all``. ``_meta.hostvars`` carries connection settings: SSH for Linux,
WinRM (https, port 5986, ntlm, certificate validation) for Windows. A default connection setting that
one of the host's groups defines in its vars takes the group's value (Ansible group precedence);
asset vars override everything; ``opsplan_*`` facts are authoritative. Disabled assets are left out.
No secret is ever read here.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import select

from inventory import tables as t

DEFAULT_PORTS = {"linux": 22, "windows": 5986}
LINUX_DEFAULTS: dict[str, Any] = {"ansible_connection": "ssh"}
WINDOWS_DEFAULTS: dict[str, Any] = {
    "ansible_connection": "winrm",
    "ansible_winrm_transport": "ntlm",
    "ansible_winrm_server_cert_validation": "validate",
    "ansible_winrm_scheme": "https",
}
OVERRIDABLE = frozenset({"ansible_port", *LINUX_DEFAULTS, *WINDOWS_DEFAULTS})
_CHUNK = 500


@functools.lru_cache(maxsize=1024)
def env_group(environment: str) -> str | None:
    """The inventory group of an environment: ``env_<environment>`` (lowercase, safe characters)."""
    if not environment:
        return None
    return "env_" + re.sub(r"[^a-z0-9_]", "_", environment.strip().lower())


def os_group(os_name: str) -> str:
    return f"os_{os_name or 'linux'}"


def connection_vars(asset: Any, group_overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Host vars of one asset.

    ``asset``: a mapping with keys address, os, environment, port (None = default), credential (name
    or None), username (the credential's, or None), vars; or an ORM Asset (its credential relationship
    gives name and username). ``group_overrides``: default connection settings
    defined by the host's groups (they replace the built-in defaults, not explicit asset fields).
    """
    if not isinstance(asset, Mapping):  # an ORM Asset (app.db.models) or any object with those attributes
        cred = getattr(asset, "credential", None)
        asset = {"address": asset.address, "os": asset.os, "environment": asset.environment, "port": asset.port,
                 "credential": getattr(cred, "name", cred), "username": getattr(cred, "username", None),
                 "vars": asset.vars}
    return _host_vars(asset["address"], asset.get("os"), asset.get("environment"), asset.get("port"),
                      asset.get("credential"), asset.get("username"), asset.get("vars"), group_overrides)


def _host_vars(address: Any, os_name: Any, environment: Any, port: Any, credential: Any, username: Any,
               raw_vars: Any, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """``connection_vars`` from plain values (the inventory builder calls it once per host: no mapping per row)."""
    os_name = os_name or "linux"
    defaults = WINDOWS_DEFAULTS if os_name == "windows" else LINUX_DEFAULTS
    hv: dict[str, Any] = {"ansible_host": address}
    if overrides:
        hv["ansible_port"] = port if port else overrides.get("ansible_port", DEFAULT_PORTS.get(os_name, 22))
        if username:
            hv["ansible_user"] = username
        for key, value in defaults.items():
            hv[key] = overrides.get(key, value)
    else:
        hv["ansible_port"] = port if port else DEFAULT_PORTS.get(os_name, 22)
        if username:
            hv["ansible_user"] = username
        hv.update(defaults)
    extra = _vars(raw_vars)
    if extra:
        hv.update(extra)
    hv["opsplan_os"] = os_name
    hv["opsplan_environment"] = environment or ""
    hv["opsplan_credential"] = credential
    return hv


def _rows(conn, query, column=None, values: list | None = None) -> list:
    if values is None:
        return conn.execute(query).all()
    out = []
    for i in range(0, len(values), _CHUNK):
        out.extend(conn.execute(query.where(column.in_(values[i:i + _CHUNK]))).all())
    return out


def _vars(value: Any) -> dict:
    """JSON column value (text on SQLite, already decoded by psycopg on PostgreSQL); '{}' is common."""
    if value is None or value == "{}":
        return {}
    if isinstance(value, (str, bytes)):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


class _Group(NamedTuple):
    name: str
    vars: dict


def _depths(parents: dict[int, set[int]], ids: Iterable[int]) -> dict[int, int]:
    depth: dict[int, int] = {}

    def walk(gid: int, seen: frozenset) -> int:
        if gid in depth:
            return depth[gid]
        ps = [p for p in parents.get(gid, ()) if p not in seen]
        depth[gid] = 1 + max((walk(p, seen | {gid}) for p in ps), default=0)
        return depth[gid]

    for gid in ids:
        walk(gid, frozenset())
    return depth


def build_inventory(conn, names: list[str] | None = None) -> dict[str, Any]:
    """Ansible JSON inventory (script format) of all enabled assets, or only of ``names``.

    ``conn`` is a SQLAlchemy Session or Connection. With ``names``, groups without any of those
    hosts (directly or through child groups) are left out; unknown or disabled names are ignored.
    """
    a, c = t.assets, t.credentials
    query = (select(a.c.id, a.c.name, a.c.address, a.c.os, a.c.environment, a.c.port, a.c.vars,
                    c.c.name.label("credential"), c.c.username)
             .select_from(a.outerjoin(c, c.c.id == a.c.credential_id))
             .where(a.c.enabled.is_(True))
             .order_by(a.c.name))
    rows = _rows(conn, query, a.c.name, sorted(set(names)) if names is not None else None)
    if names is not None and len(names) > _CHUNK:
        rows.sort(key=lambda r: r.name)
    hosts = {r[0]: tuple(r) for r in rows}  # plain tuples: attribute access on rows costs more than the rest

    groups = {gid: _Group(name, _vars(gvars))
              for gid, name, gvars in conn.execute(select(t.groups.c.id, t.groups.c.name, t.groups.c.vars))}
    parents: dict[int, set[int]] = {}
    for gid, pid in conn.execute(select(t.group_parents.c.group_id, t.group_parents.c.parent_id)):
        parents.setdefault(gid, set()).add(pid)
    members: dict[int, list[int]] = {}  # asset id -> group ids
    ag = select(t.asset_groups.c.asset_id, t.asset_groups.c.group_id)
    id_filter = sorted(hosts) if names is not None else None
    for aid, gid in _rows(conn, ag, t.asset_groups.c.asset_id, id_filter):
        if aid in hosts:
            members.setdefault(aid, []).append(gid)

    # default connection settings defined in group vars, resolved in Ansible's order (depth, priority, name)
    conn_groups = {gid for gid, g in groups.items() if g.vars and OVERRIDABLE & set(g.vars)}
    ancestors_cache: dict[int, frozenset] = {}

    def ancestors(gid: int) -> frozenset:
        if gid not in ancestors_cache:
            ancestors_cache[gid] = frozenset()  # guards against cycles
            out = {gid}
            for p in parents.get(gid, ()):
                out |= ancestors(p)
            ancestors_cache[gid] = frozenset(out)
        return ancestors_cache[gid]

    depth = _depths(parents, conn_groups) if conn_groups else {}
    override_cache: dict[tuple, dict] = {}

    def overrides(direct: list[int]) -> dict:
        key = tuple(sorted(direct))
        if key not in override_cache:
            closure = set().union(*(ancestors(g) for g in direct)) & conn_groups if direct else set()
            result: dict[str, Any] = {}
            for gid in sorted(closure, key=lambda g: (depth.get(g, 1), int((groups[g].vars or {}).get(
                    "ansible_group_priority", 1) or 1), groups[g].name)):
                result.update({k: v for k, v in groups[gid].vars.items() if k in OVERRIDABLE})
            override_cache[key] = result
        return override_cache[key]

    inv: dict[str, Any] = {}
    hostvars: dict[str, dict] = {}
    generated: dict[str, list[str]] = {}
    group_hosts: dict[int, list[str]] = {}
    no_members: list[int] = []
    for aid, name, address, os_, env, port, raw_vars, credential, username in hosts.values():  # in name order
        direct = members.get(aid, no_members)
        hostvars[name] = _host_vars(address, os_, env, port, credential, username, raw_vars,
                                    overrides(direct) if conn_groups and direct else None)
        for gid in direct:
            group_hosts.setdefault(gid, []).append(name)
        env_name = env_group(env or "")
        if env_name:
            generated.setdefault(env_name, []).append(name)
        generated.setdefault(os_group(os_), []).append(name)

    keep = set(groups)
    if names is not None:
        keep = set()
        for gid in group_hosts:
            keep |= ancestors(gid)
    children: dict[int, list[str]] = {}
    for gid, ps in parents.items():
        if gid in keep:
            for p in ps:
                children.setdefault(p, []).append(groups[gid].name)
    top = []
    for gid in keep:
        g = groups[gid]
        entry: dict[str, Any] = {"hosts": group_hosts.get(gid, []), "children": sorted(children.get(gid, []))}
        if g.vars:
            entry["vars"] = g.vars
        inv[g.name] = entry
        if not (parents.get(gid, set()) & keep):
            top.append(g.name)
    for name, host_names in generated.items():
        if name in inv:  # an asset group with the same name: merge
            inv[name]["hosts"] = sorted(set(inv[name]["hosts"]) | set(host_names))
        else:
            inv[name] = {"hosts": host_names, "children": []}
            top.append(name)
    inv["all"] = {"children": sorted(set(top))}
    inv["_meta"] = {"hostvars": hostvars}
    return inv


def host_vars(conn, name: str) -> dict[str, Any]:
    """``--host NAME``: the host's vars, or {} for an unknown or disabled host."""
    return build_inventory(conn, [name])["_meta"]["hostvars"].get(name, {})


def to_yaml_inventory(inv: Mapping[str, Any], extra_hostvars: Mapping[str, Mapping] | None = None) -> dict:
    """Convert script-format inventory into the YAML-plugin format (also valid JSON for ``hosts.json``)."""
    extra_hostvars = extra_hostvars or {}
    all_hosts = {h: {**hv, **extra_hostvars.get(h, {})} for h, hv in inv["_meta"]["hostvars"].items()}
    children: dict[str, Any] = {}
    for name, group in inv.items():
        if name in ("_meta", "all"):
            continue
        entry: dict[str, Any] = {}
        if group.get("hosts"):
            entry["hosts"] = {h: None for h in group["hosts"]}
        if group.get("children"):
            entry["children"] = {c: None for c in group["children"]}
        if group.get("vars"):
            entry["vars"] = group["vars"]
        children[name] = entry
    return {"all": {"hosts": all_hosts, "children": children}}


def unsafe_data(value: Any) -> Any:
    """``value`` with every string (nested ones included) as ``{"__ansible_unsafe": s}``: data for Ansible."""
    if isinstance(value, str):
        return {"__ansible_unsafe": value}
    if isinstance(value, Mapping):  # mostly flat host vars: strings wrapped here, without a call each
        return {k: {"__ansible_unsafe": v} if type(v) is str else unsafe_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [unsafe_data(v) for v in value]
    return value


def unsafe_json(inv: Mapping[str, Any]) -> dict[str, Any]:
    """Script-format inventory whose host and group var strings are ``{"__ansible_unsafe": ...}`` (data).

    What the exported inventory script prints for Ansible/AWX (``--list``; ``--host`` prints
    ``unsafe_data(host_vars(...))``): Ansible's inventory JSON decoder turns these objects into untrusted
    strings, so no value from the asset database is ever templated.
    """
    out: dict[str, Any] = {}
    for name, entry in inv.items():
        if name == "_meta":
            out[name] = {**entry, "hostvars": {h: unsafe_data(hv) for h, hv in entry.get("hostvars", {}).items()}}
        elif isinstance(entry, Mapping) and entry.get("vars"):
            out[name] = {**entry, "vars": unsafe_data(entry["vars"])}
        else:
            out[name] = entry
    return out


def insecure_transport(hostvars: Mapping[str, Any]) -> str | None:
    """Why a host's WinRM/PSRP connection does not verify the server (shown on the plan page), or None."""
    connection = hostvars.get("ansible_connection")
    if connection == "winrm":
        if str(hostvars.get("ansible_winrm_scheme", "https")) == "http":
            return "WinRM over plain HTTP (ansible_winrm_scheme: http): the server is not authenticated"
        if str(hostvars.get("ansible_winrm_server_cert_validation", "validate")) == "ignore":
            return "WinRM certificate validation is off (ansible_winrm_server_cert_validation: ignore)"
    elif connection == "psrp":
        if str(hostvars.get("ansible_psrp_protocol", "https")) == "http":
            return "PSRP over plain HTTP (ansible_psrp_protocol: http): the server is not authenticated"
        if str(hostvars.get("ansible_psrp_cert_validation", "validate")) == "ignore":
            return "PSRP certificate validation is off (ansible_psrp_cert_validation: ignore)"
    return None
