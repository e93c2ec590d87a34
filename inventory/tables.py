"""Lightweight table descriptions (names and columns only) of the asset tables, independent of app.db.

They mirror app/db/models.py so that the inventory script needs nothing but SQLAlchemy.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, LargeBinary, String, Text
from sqlalchemy.sql import column, table

assets = table(
    "assets",
    column("id", Integer), column("name", String), column("address", String), column("os", String),
    column("environment", String), column("port", Integer), column("credential_id", Integer),
    column("vars", Text), column("enabled", Boolean),  # JSON, decoded by inventory.builder._vars
)
groups = table("groups", column("id", Integer), column("name", String), column("vars", Text))
asset_groups = table("asset_groups", column("asset_id", Integer), column("group_id", Integer))
group_parents = table("group_parents", column("group_id", Integer), column("parent_id", Integer))
credentials = table(
    "credentials", column("id", Integer), column("name", String), column("kind", String),
    column("username", String), column("secret_encrypted", LargeBinary),
)
