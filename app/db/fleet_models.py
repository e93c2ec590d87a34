"""SQLAlchemy 2.0 models of the fleet and the catalog: assets, groups, credentials, settings, added action roles.

Planning reads only these; a one-shot process (``opsplan plan --json``, the inventory script) maps these few
classes instead of every model. ``app.db.models`` holds the rest and re-exports these, so either import works.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.assets.hostkeys import HostKeySource
from app.db.types import UtcDateTime, status_column, utcnow
from app.statuses import CredentialKind, OsFamily

__all__ = ["utcnow", "new_id", "CredentialKind", "OsFamily"]


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON, datetime: UtcDateTime}


# --- assets -----------------------------------------------------------------

asset_groups = Table(
    "asset_groups",
    Base.metadata,
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_asset_groups_group_id", "group_id"),  # a group's members (target resolution)
)

group_parents = Table(
    "group_parents",
    Base.metadata,
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("parent_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)


class Credential(Base):
    __tablename__ = "credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[CredentialKind] = mapped_column(status_column(CredentialKind))
    username: Mapped[str] = mapped_column(String(128))
    secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Group(Base):
    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    vars: Mapped[dict] = mapped_column(JSON, default=dict)
    parents: Mapped[list[Group]] = relationship(
        secondary=group_parents,
        primaryjoin=lambda: Group.id == group_parents.c.group_id,
        secondaryjoin=lambda: Group.id == group_parents.c.parent_id,
        order_by=lambda: Group.name,
    )
    assets: Mapped[list[Asset]] = relationship(secondary=asset_groups, back_populates="groups")


class Asset(Base):
    __tablename__ = "assets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    address: Mapped[str] = mapped_column(String(255))
    os: Mapped[OsFamily] = mapped_column(status_column(OsFamily), default=OsFamily.LINUX, index=True)
    environment: Mapped[str] = mapped_column(String(64), default="", index=True)
    # the execution zone (CONTRACT 10): only workers serving it ever contact this host
    zone: Mapped[str] = mapped_column(String(64), default="default", server_default="default", index=True)
    port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id", ondelete="SET NULL"), nullable=True)
    vars: Mapped[dict] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # SSH host keys ("type base64" lines) a run connects with, never part of the inventory fingerprint
    host_keys: Mapped[list] = mapped_column(JSON, default=list)
    host_key_source: Mapped[HostKeySource | None] = mapped_column(status_column(HostKeySource), nullable=True)
    host_keys_pinned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # keys a run found instead of the pinned ones, waiting for an admin to accept them
    host_keys_pending: Mapped[list] = mapped_column(JSON, default=list)
    host_keys_pending_at: Mapped[datetime | None] = mapped_column(nullable=True)
    credential: Mapped[Credential | None] = relationship()
    groups: Mapped[list[Group]] = relationship(secondary=asset_groups, back_populates="assets",
                                               order_by=lambda: Group.name)



# --- small shared facts and added actions ---------------------------------------


class Setting(Base):
    """Small key/value facts shared between processes (e.g. the credentials public key)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ActionRole(Base):
    """A role a team added as actions (CONTRACT 7): its files, content-hashed, so every worker and every
    AWX export uses exactly that content."""

    __tablename__ = "action_roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    archive: Mapped[bytes] = mapped_column(LargeBinary)  # deterministic tar.gz of <role>/... (compiler.archive)
    actions: Mapped[list] = mapped_column(JSON, default=list)  # the action names it defines
    added_by: Mapped[str] = mapped_column(String(128), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
