"""Migration 0003 (asset host keys) on SQLite and PostgreSQL: existing assets get no keys; it reverses cleanly."""
from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.db.migrate import alembic_config
from app.db.models import Base
from app.db.session import get_engine

pytestmark = pytest.mark.integration
COLUMNS = {"host_keys", "host_key_source", "host_keys_pinned_at", "host_keys_pending", "host_keys_pending_at"}


def _alembic(url: str, fn, revision: str) -> None:
    cfg = alembic_config(url)
    with get_engine(url).begin() as connection:
        cfg.attributes["connection"] = connection
        fn(cfg, revision)


def test_0003_adds_host_key_columns_to_existing_assets(db_url):
    engine = get_engine(db_url)
    _alembic(db_url, command.downgrade, "0002")
    assert not COLUMNS & {c["name"] for c in inspect(engine).get_columns("assets")}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO assets (name, address, os, environment, vars, enabled, created_at, updated_at)"
                          " VALUES ('old-01', '10.0.0.1', 'linux', '', '{}', true, CURRENT_TIMESTAMP,"
                          " CURRENT_TIMESTAMP)"))
    _alembic(db_url, command.upgrade, "head")
    assert {c["name"] for c in inspect(engine).get_columns("assets")} >= COLUMNS
    with engine.connect() as conn:
        row = conn.execute(text("SELECT host_keys, host_key_source, host_keys_pending FROM assets")).one()
    keys, source, pending = row
    as_list = [json.loads(v) if isinstance(v, str) else v for v in (keys, pending)]  # JSON text on SQLite
    assert as_list == [[], []] and source is None
    with engine.connect() as conn:  # the models and the migrated schema agree on the asset table
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert not [d for d in diff if "assets" in repr(d) and any(c in repr(d) for c in COLUMNS)], diff
