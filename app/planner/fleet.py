"""The planner's view of the asset database: cached words, indexed target resolution.

``fleet_vocabulary(session, catalog)`` is what the planning services plan with. Its words (host names,
group names and their forms, environments: what the lexer and the rules parse a request with) are
loaded once per database and asset version (``app.assets.version``: bumped in the same transaction as
every asset, group or credential change), so a request costs one small query while the fleet is
unchanged, and the first request after a committed change sees it. Target resolution never loads the
fleet: ``select_hosts``, ``group_hosts`` and ``disabled`` are SQL queries on indexed columns
(``assets.name``, ``asset_groups.group_id``, ``assets.environment``, ``assets.os``) whose work grows with
the hosts they select.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import version as asset_version
from app.db.fleet_models import Asset, Group, asset_groups, group_parents
from app.planner.vocabulary import (
    ENV_FAMILY_WORDS,
    AssetRef,
    Selection,
    Vocabulary,
    env_word_index,
    group_word_index,
)
from compiler.catalog import Catalog

_CHUNK = 500


@dataclass(frozen=True)
class Lexicon:
    """The fleet's words at one asset version (immutable; shared by every request of this process)."""

    version: str
    host_index: dict[str, str]  # lower-case name -> name
    address_index: dict[str, str]  # lower-case address -> name
    sorted_hosts: list[str]  # lower-case names, sorted (typo suggestions)
    group_ids: dict[str, int]
    group_parents: dict[str, tuple[str, ...]]
    group_children: dict[str, tuple[str, ...]]
    group_index: dict[str, str]
    environments: tuple[str, ...]
    env_index: dict[str, str]


def load_lexicon(session: Session, version: str) -> Lexicon:
    """Names only: one column of the assets table, the groups and their links, distinct environments.

    Core queries on the session's connection (plain rows: ten thousand names load several times faster than
    through the ORM's result machinery); the caller read the version through the session first, which
    flushed any pending change."""
    conn = session.connection()
    rows = conn.execute(select(Asset.name, Asset.address)).all()
    names = [name for name, _ in rows]
    group_ids = {name: gid for gid, name in conn.execute(select(Group.id, Group.name))}
    by_id = {gid: name for name, gid in group_ids.items()}
    parents: dict[str, list[str]] = {name: [] for name in group_ids}
    children: dict[str, list[str]] = {name: [] for name in group_ids}
    for gid, pid in conn.execute(select(group_parents.c.group_id, group_parents.c.parent_id)):
        parents[by_id[gid]].append(by_id[pid])
        children[by_id[pid]].append(by_id[gid])
    envs = tuple(sorted(e for e in conn.scalars(select(Asset.environment).distinct()) if e))
    host_index = {n.lower(): n for n in names}
    return Lexicon(
        version=version, host_index=host_index, sorted_hosts=sorted(host_index), group_ids=group_ids,
        address_index={str(addr).lower(): name for name, addr in rows if addr},
        group_parents={g: tuple(sorted(ps)) for g, ps in parents.items()},
        group_children={g: tuple(sorted(cs)) for g, cs in children.items()},
        group_index=group_word_index(group_ids), environments=envs, env_index=env_word_index(envs),
    )


_cache: dict[str, Lexicon] = {}
_lock = threading.Lock()


def lexicon(session: Session) -> Lexicon:
    """This database's words at its current asset version (loaded on the first use of a version)."""
    key = str(session.get_bind().engine.url)
    version = asset_version.current(session)
    cached = _cache.get(key)
    if cached is not None and cached.version == version:
        return cached
    lex = load_lexicon(session, version)
    with _lock:
        _cache[key] = lex
    return lex


def clear_cache() -> None:
    with _lock:
        _cache.clear()


class _AssetRefs(Mapping[str, AssetRef]):
    """``vocab.assets`` for callers that want every name (the LLM prompt): names from the lexicon, one
    asset's details from the database when asked."""

    def __init__(self, vocab: FleetVocabulary):
        self._vocab = vocab
        self._loaded: dict[str, AssetRef] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(self._vocab.host_index.values())

    def __len__(self) -> int:
        return len(self._vocab.host_index)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._vocab.host_index.get(name.lower()) == name

    def __getitem__(self, name: str) -> AssetRef:
        ref = self._loaded.get(name)
        if ref is None:
            if name not in self:
                raise KeyError(name)
            # with the hosts resolution selected so far: a caller that walks a step's hosts costs a few queries
            batch = {name} | (self._vocab.selected - self._loaded.keys())
            self._loaded.update(self._vocab.asset_refs(batch))
            ref = self._loaded[name]
        return ref


class FleetVocabulary(Vocabulary):
    """A ``Vocabulary`` over the asset database of ``session``: cached words, resolution by queries.

    The whole-fleet attributes of ``Vocabulary`` (``group_members``, ``env_members``, ``os_members``,
    ``enabled``, ``all_names``) still work, loading the fleet on first use; nothing on the planning path
    uses them."""

    def __init__(self, session: Session, lex: Lexicon, catalog: Catalog | None = None):  # noqa: D107
        from compiler.catalog import builtin_catalog

        self.session = session
        self.lexicon = lex
        self.catalog = catalog if catalog is not None else builtin_catalog()
        self.host_index = lex.host_index
        self.address_index = lex.address_index
        self._sorted_hosts = lex.sorted_hosts
        self.group_index = lex.group_index
        self.group_parents = lex.group_parents
        self.env_index = lex.env_index
        self.env_family_words = ENV_FAMILY_WORDS
        self.selected: set[str] = set()  # every host select_hosts returned (asset details are loaded for them)
        self.assets = _AssetRefs(self)  # type: ignore[assignment]  # a read-only mapping, loaded on demand

    # --- words -----------------------------------------------------------------------------------

    @property
    def groups(self) -> list[str]:
        return sorted(self.lexicon.group_ids)

    @property
    def environments(self) -> list[str]:
        return list(self.lexicon.environments)

    def is_group(self, name: str) -> bool:
        return name in self.lexicon.group_ids

    def __len__(self) -> int:
        return len(self.host_index)

    # --- resolution by indexed queries ------------------------------------------------------------

    def _descendant_ids(self, groups: Iterable[str]) -> list[int]:
        seen: set[str] = set()
        stack = [g for g in groups if g in self.lexicon.group_ids]
        while stack:
            g = stack.pop()
            if g not in seen:
                seen.add(g)
                stack.extend(self.lexicon.group_children.get(g, ()))
        return sorted(self.lexicon.group_ids[g] for g in seen)

    def disabled(self, names: Iterable[str]) -> set[str]:
        out: set[str] = set()
        wanted = sorted(set(names))
        for i in range(0, len(wanted), _CHUNK):
            out.update(self.session.scalars(select(Asset.name).where(
                Asset.name.in_(wanted[i:i + _CHUNK]), Asset.enabled.is_(False))))
        return out

    def select_hosts(self, sel: Selection) -> dict[str, str]:
        filters: list[Any] = [Asset.enabled.is_(True)]
        if sel.environment is not None:
            filters.append(Asset.environment == sel.environment)
        if sel.os is not None:
            filters.append(Asset.os == sel.os)
        query = select(Asset.name, Asset.os)
        out: dict[str, str] = {}

        def take(*where: Any) -> None:
            for name, os_ in self.session.execute(query.where(*filters, *where)).all():
                out[name] = str(os_)

        if sel.everything:
            take()
        else:
            hosts = sorted(sel.hosts)
            for i in range(0, len(hosts), _CHUNK):
                take(Asset.name.in_(hosts[i:i + _CHUNK]))
            gids = self._descendant_ids(sel.groups)
            if gids:
                take(Asset.id.in_(select(asset_groups.c.asset_id).where(asset_groups.c.group_id.in_(gids))))
        self.selected.update(out)
        return out

    def group_hosts(self, groups: Iterable[str]) -> set[str]:
        gids = self._descendant_ids(groups)
        if not gids:
            return set()
        members = select(asset_groups.c.asset_id).where(asset_groups.c.group_id.in_(gids))
        return set(self.session.scalars(select(Asset.name).where(Asset.id.in_(members))))

    def asset_refs(self, names: Iterable[str]) -> dict[str, AssetRef]:
        """The named assets' details (OS, environment, groups, enabled), a few queries per 500 names."""
        out: dict[str, AssetRef] = {}
        wanted = sorted(set(names))
        for i in range(0, len(wanted), _CHUNK):
            rows = self.session.execute(select(Asset.id, Asset.name, Asset.os, Asset.environment, Asset.enabled)
                                        .where(Asset.name.in_(wanted[i:i + _CHUNK]))).all()
            groups: dict[int, list[str]] = {}
            link = (select(asset_groups.c.asset_id, Group.name).join(Group, Group.id == asset_groups.c.group_id)
                    .where(asset_groups.c.asset_id.in_([r.id for r in rows])))
            for aid, group in self.session.execute(link):
                groups.setdefault(aid, []).append(group)
            for r in rows:
                out[r.name] = AssetRef(r.name, str(r.os), r.environment or "", tuple(sorted(groups.get(r.id, ()))),
                                       bool(r.enabled))
        return out

    # --- whole-fleet views (compatibility; load the fleet once per instance) ------------------------

    @cached_property
    def _full(self) -> Vocabulary:
        return Vocabulary.from_session(self.session, self.catalog)

    @property
    def group_members(self) -> dict[str, frozenset[str]]:  # type: ignore[override]
        return self._full.group_members

    @property
    def env_members(self) -> dict[str, frozenset[str]]:  # type: ignore[override]
        return self._full.env_members

    @property
    def os_members(self) -> dict[str, frozenset[str]]:  # type: ignore[override]
        return self._full.os_members

    @property
    def enabled(self) -> frozenset[str]:  # type: ignore[override]
        return self._full.enabled

    @property
    def all_names(self) -> frozenset[str]:  # type: ignore[override]
        return self._full.all_names


def fleet_vocabulary(session: Session, catalog: Catalog | None = None) -> FleetVocabulary:
    """The vocabulary a planning service plans with (see the module docstring)."""
    return FleetVocabulary(session, lexicon(session), catalog)


__all__ = ["FleetVocabulary", "Lexicon", "fleet_vocabulary", "lexicon", "clear_cache", "load_lexicon"]
