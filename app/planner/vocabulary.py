"""The asset vocabulary the planner links requests against: hosts, groups, environments, OS families.

Built from plain data (``AssetRef``) so that tests, benchmarks and the evaluator need no database;
``Vocabulary.from_session`` loads the same data from the asset tables with a few core SQL queries.
Services plan with ``app.planner.fleet.FleetVocabulary`` instead: the same words (cached per asset
version), and target resolution (``select_hosts``, ``group_hosts``, ``disabled``) by indexed queries.
"""
from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from compiler.catalog import Catalog, builtin_catalog

# Environment families: every word of a family names the fleet environment that belongs to it.
ENV_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"production", "prod", "prd", "live"}),
    frozenset({"staging", "stage", "stg"}),
    frozenset({"development", "dev", "develop"}),
    frozenset({"test", "testing", "tst", "qa", "uat"}),
)
OS_WORDS = {"linux": "linux", "unix": "linux", "windows": "windows", "win": "windows"}
# Nouns that mean "hosts" after a group/environment/os word ("web servers", "the cis boxes").
HOST_NOUNS = frozenset({
    "server", "servers", "host", "hosts", "box", "boxes", "machine", "machines", "node", "nodes", "vm",
    "vms", "instance", "instances", "ones", "group", "groups", "tier", "cluster", "fleet", "environment", "env",
    "station", "stations", "pc", "pcs", "workstation", "workstations", "terminal", "terminals",
})
PLURAL_HOST_NOUNS = HOST_NOUNS - {"server", "host", "box", "machine", "node", "vm", "instance", "station", "pc",
                                   "workstation", "terminal"}
# Extra words that name a group when a group with the canonical name exists.
GROUP_SYNONYMS = {
    "db": ("database", "databases", "dbs", "sql"),
    "web": ("www", "webserver", "webservers", "frontend", "frontends"),
    "app": ("application", "applications", "apps"),
}


@dataclass(frozen=True)
class AssetRef:
    name: str
    os: str = "linux"
    environment: str = ""
    groups: tuple[str, ...] = ()
    enabled: bool = True
    address: str = ""  # what the inventory connects to: an IP or DNS name operators also call the host by


@dataclass(frozen=True)
class Selection:
    """Which enabled hosts a step's targets select (canonical names), before exclusions.

    Hosts named in ``hosts`` or members of ``groups`` (and of their descendant groups), or every host when
    ``everything``; then only those in ``environment`` and of ``os`` when set."""

    hosts: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    everything: bool = False
    environment: str | None = None
    os: str | None = None


def group_word_index(group_names: Iterable[str]) -> dict[str, str]:
    """word -> group: the name, plurals, "<name>servers"..., synonyms; exact names win over derived forms."""
    names = sorted(group_names)
    index: dict[str, str] = {}
    for g in names:
        low = g.lower()
        forms = [low, low + "s"] + [low + n for n in ("servers", "hosts", "boxes", "machines", "nodes")]
        if low.endswith("s") and len(low) > 3:
            forms.append(low[:-1])
        forms += list(GROUP_SYNONYMS.get(low, ()))
        for f in forms:
            index.setdefault(f, g)
    for g in names:
        index[g.lower()] = g
    return index


def env_word_index(environments: Iterable[str]) -> dict[str, str]:
    """word -> fleet environment: its name and every word of its family ("prod" -> production)."""
    index: dict[str, str] = {}
    for env in sorted(environments):
        low = env.lower()
        index.setdefault(low, env)
        for fam in ENV_FAMILIES:
            if low in fam:
                for w in fam:
                    index.setdefault(w, env)
    return index


ENV_FAMILY_WORDS: frozenset[str] = frozenset(w for fam in ENV_FAMILIES for w in fam)


_STEM = re.compile(r"[a-z][a-z0-9]*")
_VARIANT = re.compile(r"^(?P<stem>[a-z][a-z]*?)[-_]?(?P<n>\d{1,6})(?:\.[a-z0-9.-]+)?$")


class Vocabulary:
    """Indexes of one fleet; every lookup is a dict access or a set operation."""

    def __init__(self, assets: Iterable[AssetRef], group_parents: Mapping[str, Iterable[str]] | None = None,
                 catalog: Catalog | None = None):
        self.catalog: Catalog = catalog if catalog is not None else builtin_catalog()  # the actions it can plan
        self.assets: dict[str, AssetRef] = {a.name: a for a in assets}
        self.host_index: dict[str, str] = {n.lower(): n for n in self.assets}
        self.address_index: dict[str, str] = {a.address.lower(): a.name for a in self.assets.values() if a.address}
        self._sorted_hosts: list[str] = sorted(self.host_index)
        self.enabled: frozenset[str] = frozenset(n for n, a in self.assets.items() if a.enabled)
        self.all_names: frozenset[str] = frozenset(self.assets)
        parents = {g: tuple(ps) for g, ps in (group_parents or {}).items()}
        direct: dict[str, set[str]] = {}
        for a in self.assets.values():
            for g in a.groups:
                direct.setdefault(g, set()).add(a.name)
        names = set(direct) | set(parents) | {p for ps in parents.values() for p in ps}
        children: dict[str, set[str]] = {g: set() for g in names}
        for g, ps in parents.items():
            for p in ps:
                children[p].add(g)
        self.group_members: dict[str, frozenset[str]] = {}
        for g in names:  # members of a group include those of every descendant group
            seen, stack, members = {g}, [g], set()
            while stack:
                cur = stack.pop()
                members |= direct.get(cur, set())
                for c in children.get(cur, ()):
                    if c not in seen:
                        seen.add(c)
                        stack.append(c)
            self.group_members[g] = frozenset(members)
        self.group_parents = parents
        self.group_index: dict[str, str] = group_word_index(names)
        tmp: dict[str, set[str]] = {}
        for a in self.assets.values():
            if a.environment:
                tmp.setdefault(a.environment, set()).add(a.name)
        self.env_members = {e: frozenset(s) for e, s in tmp.items()}
        self.env_index: dict[str, str] = env_word_index(self.env_members)  # word -> fleet environment
        self.env_family_words: frozenset[str] = ENV_FAMILY_WORDS
        os_tmp: dict[str, set[str]] = {"linux": set(), "windows": set()}
        for a in self.assets.values():
            os_tmp.setdefault(a.os, set()).add(a.name)
        self.os_members = {o: frozenset(s) for o, s in os_tmp.items()}

    # --- constructors -------------------------------------------------------------------------

    @classmethod
    def from_refs(cls, assets: Iterable[AssetRef], group_parents: Mapping[str, Iterable[str]] | None = None,
                  catalog: Catalog | None = None) -> Vocabulary:
        return cls(assets, group_parents, catalog)

    @classmethod
    def from_session(cls, session, catalog: Catalog | None = None) -> Vocabulary:
        """Load the fleet with four core SQL queries (no ORM objects: fast on big fleets)."""
        from sqlalchemy import select

        from app.db.models import Asset, Group, asset_groups, group_parents

        group_names = dict(session.execute(select(Group.id, Group.name)).all())
        by_asset: dict[int, list[str]] = {}
        for asset_id, group_id in session.execute(select(asset_groups.c.asset_id, asset_groups.c.group_id)):
            by_asset.setdefault(asset_id, []).append(group_names[group_id])
        parents: dict[str, list[str]] = {name: [] for name in group_names.values()}
        for gid, pid in session.execute(select(group_parents.c.group_id, group_parents.c.parent_id)):
            parents[group_names[gid]].append(group_names[pid])
        rows = session.execute(select(Asset.id, Asset.name, Asset.os, Asset.environment, Asset.enabled, Asset.address))
        refs = [
            AssetRef(name, (os_ or "linux").lower(), env or "", tuple(sorted(by_asset.get(aid, ()))), bool(enabled),
                     address or "")
            for aid, name, os_, env, enabled, address in rows
        ]
        return cls(refs, parents, catalog)

    @classmethod
    def from_fleet_yaml(cls, path) -> Vocabulary:
        """Parse a CONTRACT section 3 YAML file directly (optional ``groups: [{name, parents}]``)."""
        import yaml

        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        refs = [
            AssetRef(
                str(a["name"]), str(a.get("os") or "linux").lower(), str(a.get("environment") or ""),
                tuple(str(g) for g in a.get("groups") or ()), bool(a.get("enabled", True)), str(a.get("address") or ""),
            )
            for a in data.get("assets") or ()
        ]
        parents = {str(g["name"]): [str(p) for p in g.get("parents") or ()] for g in data.get("groups") or ()}
        return cls(refs, parents)

    # --- lookups ------------------------------------------------------------------------------

    @property
    def groups(self) -> list[str]:
        return sorted(self.group_members)

    @property
    def environments(self) -> list[str]:
        return sorted(self.env_members)

    def host(self, word: str) -> str | None:
        """The host called ``word`` (its name, any case, or its address)."""
        low = word.lower()
        return self.host_index.get(low) or self.address_index.get(low)

    def stem_hosts(self, word: str, limit: int = 200, one: bool = False) -> list[str]:
        """The hosts named ``word``-<number> ("iis" -> iis-01, iis-02: "both iis servers", "except the iis ones"), when
        the word is no group or environment and 2 to ``limit`` hosts share it; else []. Bisects the sorted names.

        With ``one`` (the word stands before a host noun: "the file server", "the monitoring box") a stem one host
        has counts too, and so does a stem the word begins with ("monitoring" -> mon-01), 3 letters or more."""
        low = word.lower()
        if not _STEM.fullmatch(low) or low in self.group_index or low in self.env_index or low in self.host_index:
            return []
        found = self._named_stem(low, limit)
        if one and not found:
            found = next((hosts for n in range(len(low) - 1, 2, -1)
                          if (hosts := self._named_stem(low[:n], limit)) and low[:n] not in self.group_index), [])
        return found if len(found) >= (1 if one else 2) else []

    def _named_stem(self, stem: str, limit: int) -> list[str]:
        names = self._sorted_hosts
        lo, hi = bisect.bisect_left(names, stem + "-"), bisect.bisect_left(names, stem + ".")  # "-" sorts before "."
        if not 1 <= hi - lo <= limit:
            return []
        rx = re.compile(re.escape(stem) + r"-\d+[a-z]?")
        return [self.host_index[n] for n in names[lo:hi] if rx.fullmatch(n)]

    def host_variant(self, word: str) -> str | None:
        """The one host ``word`` names as people type it: "web01", "web1", "WEB_01", "web-1", "db01.corp.local"
        -> web-01 / db-01 (same letters, same number); None when no host or more than one fits."""
        m = _VARIANT.match(word.lower())
        if m is None:
            return None
        stem, number = m["stem"], int(m["n"])
        found = {name for sep in ("-", "", "_") for width in range(1, 7)
                 if (name := self.host_index.get(f"{stem}{sep}{number:0{width}d}"))}
        return found.pop() if len(found) == 1 else None

    def group(self, word: str) -> str | None:
        return self.group_index.get(word.lower())

    def environment(self, word: str) -> str | None:
        return self.env_index.get(word.lower())

    def suggest_hosts(self, word: str, n: int = 3) -> list[str]:
        """Close host names for a typo; bounded work on big fleets (sorted-order neighbours of the word
        and of its one-character deletions, instead of comparing against every name)."""
        low = word.lower()
        names = self._sorted_hosts
        if len(names) > 1500:
            cands: set[str] = set()
            for variant in {low, *(low[:i] + low[i + 1:] for i in range(min(len(low), 40)))}:
                at = bisect.bisect_left(names, variant)
                cands.update(names[max(0, at - 6):at + 6])
            names = sorted(cands)
        return [self.host_index[m] for m in difflib.get_close_matches(low, names, n=n, cutoff=0.6)]

    # --- target resolution (FleetVocabulary answers the same with indexed queries) ---------------

    def is_group(self, name: str) -> bool:
        """``name`` is exactly a group's name."""
        return name in self.group_members

    def disabled(self, names: Iterable[str]) -> set[str]:
        """The known hosts among ``names`` (canonical) that are disabled."""
        return {n for n in names if n in self.assets and n not in self.enabled}

    def select_hosts(self, sel: Selection) -> dict[str, str]:
        """Enabled hosts the selection picks -> their OS family."""
        if sel.everything:
            pool = set(self.enabled)
        else:
            pool = set(sel.hosts).union(*(self.group_members.get(g, frozenset()) for g in sel.groups))
            pool &= self.enabled
        if sel.environment is not None:
            pool &= self.env_members.get(sel.environment, frozenset())
        if sel.os is not None:
            pool &= self.os_members.get(sel.os, frozenset())
        return {n: self.assets[n].os for n in pool}

    def group_hosts(self, groups: Iterable[str]) -> set[str]:
        """Every member of ``groups`` (canonical names), descendant groups included."""
        return set().union(*(self.group_members.get(g, frozenset()) for g in groups))

    def __len__(self) -> int:
        return len(self.assets)
