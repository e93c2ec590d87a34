"""The catalog a request sees: the built-in actions plus the roles a team added (stored in the database).

Cached per database and rebuilt when the ``catalog_version`` setting changes (every add or remove bumps
it), so an added action is plannable at once, in every process, with no restart.
"""
from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.fleet_models import ActionRole, Setting
from compiler.archive import read_tar_gz
from compiler.catalog import Catalog, RoleSource, builtin_catalog
from compiler.definitions import DefinitionError, build_catalog

log = logging.getLogger(__name__)
VERSION_SETTING = "catalog_version"
_cache: dict[str, tuple[str, Catalog]] = {}
_lock = threading.Lock()


def catalog_version(session: Session) -> str:
    return session.scalar(select(Setting.value).where(Setting.key == VERSION_SETTING)) or "0"


def bump_version(session: Session) -> str:
    row = session.get(Setting, VERSION_SETTING)
    if row is None:
        row = Setting(key=VERSION_SETTING, value="1")
        session.add(row)
    else:
        row.value = str(int(row.value or "0") + 1)
    session.flush()
    return row.value


def role_source(row: ActionRole) -> RoleSource:
    return RoleSource(row.name, read_tar_gz(row.archive), origin="added")


def current_catalog(session: Session) -> Catalog:
    """Built-in actions plus every added role (a stored role that no longer loads is left out, logged)."""
    key = str(session.get_bind().engine.url) if hasattr(session.get_bind(), "engine") else "default"
    version = catalog_version(session)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
    catalog = builtin_catalog()
    for row in session.execute(select(ActionRole).order_by(ActionRole.name)).scalars():
        try:
            catalog = build_catalog([role_source(row)], base=catalog)
        except (DefinitionError, ValueError) as exc:
            log.error("added role %s is left out of the catalog: %s", row.name, exc)
    with _lock:
        _cache[key] = (version, catalog)
    return catalog
