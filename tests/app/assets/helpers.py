"""Shared data and fixtures for the asset-database tests (imported by the conftests that need them)."""
from __future__ import annotations

import copy

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from app.db import session_scope
from app.db.models import Asset, Credential, Group, Setting, asset_groups, group_parents
from app.execution.keyring import publish_public_key

MARKER = "S3CR3T-MARKER-7f1d2c"  # planted in secrets; must never appear in any output

_DOC = {
    "credentials": [
        {"name": "linux-ops", "kind": "ssh_key", "username": "ops",
         "secret": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{MARKER}-key\n-----END OPENSSH PRIVATE KEY-----\n"},
        {"name": "win-admin", "kind": "winrm", "username": "Administrator", "secret": f"{MARKER}-winrm"},
        {"name": "db-pass", "kind": "password", "username": "dbadmin", "secret": f"{MARKER}-pw"},
    ],
    "groups": [
        {"name": "web", "description": "Web servers", "parents": ["frontend"], "vars": {"http_port": 8080}},
        {"name": "frontend", "vars": {"tier": "front"}},
        {"name": "empty-group"},
    ],
    "assets": [
        {"name": "web-01", "address": "10.20.1.11", "os": "linux", "environment": "production",
         "groups": ["web"], "credential": "linux-ops"},
        {"name": "web-02", "address": "10.20.1.12", "os": "linux", "environment": "staging",
         "groups": ["web", "canary"], "credential": "linux-ops", "port": 2222, "vars": {"nginx_workers": 4}},
        {"name": "db-01", "address": "10.20.2.11", "os": "linux", "environment": "production",
         "groups": ["db"], "credential": "db-pass"},
        {"name": "cis-01", "address": "10.30.0.5", "os": "windows", "environment": "production",
         "groups": ["cis"], "credential": "win-admin"},
        {"name": "old-01", "address": "10.20.9.9", "environment": "production", "groups": ["web"],
         "enabled": False},
    ],
}


def sample_doc() -> dict:
    return copy.deepcopy(_DOC)


def row_counts(session) -> dict[str, int]:
    def n(table) -> int:
        return session.scalar(select(func.count()).select_from(table))

    return {"assets": n(Asset), "groups": n(Group), "credentials": n(Credential),
            "asset_groups": n(asset_groups), "group_parents": n(group_parents), "settings": n(Setting)}


@pytest.fixture
def secret_key(monkeypatch) -> bytes:
    key = Fernet.generate_key()
    monkeypatch.setenv("OPSPLAN_SECRET_KEY", key.decode())
    return key


@pytest.fixture
def published(db_url, secret_key) -> bytes:
    """A database with the worker's public key published; returns the secret key."""
    with session_scope(db_url) as s:
        publish_public_key(s, secret_key)
    return secret_key


@pytest.fixture
def loaded(db_url, published) -> str:
    """The sample document imported; returns the database URL."""
    from app.assets.io import import_document

    with session_scope(db_url) as s:
        import_document(s, sample_doc())
    return db_url
