"""``opsplan keys rotate``: every secret re-sealed for a new key, the old key accepted until it is done, no
plaintext on disk, never printed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app.assets.errors import CredentialKeyError
from app.assets.sealing import published_public_key
from app.config import Settings
from app.db import session_scope
from app.db.models import Credential
from app.execution.keyring import (
    decrypt_secret,
    fingerprint_of,
    load_secret_key,
    public_key_for,
    publish_public_key,
    sealed_for,
)

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"db-pass": "s3cr3t-{{ not jinja }}-rotation-marker", "win-admin": "W1ndows!-rotation-marker"}


def _store(settings: Settings, key: bytes) -> None:
    from app.assets.io import import_document

    with session_scope(settings.database_url) as s:
        publish_public_key(s, key)
        import_document(s, {"credentials": [{"name": n, "kind": "password", "username": "ops", "secret": v}
                                            for n, v in SECRETS.items()]})


def _blobs(settings: Settings) -> dict[str, bytes]:
    with session_scope(settings.database_url) as s:
        return {c.name: bytes(c.secret_encrypted) for c in s.execute(select(Credential)).scalars()}


def _cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *argv], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_rotation_with_the_key_file(settings, monkeypatch):
    monkeypatch.delenv("OPSPLAN_SECRET_KEY", raising=False)
    old = load_secret_key(settings, create=True)
    _store(settings, old)
    before = _blobs(settings)
    env = {"DATABASE_URL": settings.database_url, "OPSPLAN_VAR_DIR": str(settings.var_dir)}
    done = _cli(env, "keys", "rotate")
    assert done.returncode == 0, done.stderr
    assert "re-sealed 2 secret(s)" in done.stdout and "restart the workers" in done.stdout
    new = settings.secret_key_file.read_bytes().strip()
    assert new != old and b"," not in new and b"\n" not in new  # only the new key is left
    assert oct(settings.secret_key_file.stat().st_mode & 0o777) == "0o600"
    after = _blobs(settings)
    for name, plaintext in SECRETS.items():
        assert after[name] != before[name] and sealed_for(after[name]) == fingerprint_of(new)
        assert decrypt_secret(after[name], new) == plaintext
        with pytest.raises(CredentialKeyError):
            decrypt_secret(after[name], old)
        assert plaintext not in done.stdout + done.stderr
    with session_scope(settings.database_url) as s:
        assert published_public_key(s) == public_key_for(new)  # the web seals new secrets for the new key
    stored = b"".join(p.read_bytes() for p in Path(settings.var_dir).parent.rglob("*") if p.is_file())
    for plaintext in SECRETS.values():
        assert plaintext.encode() not in stored  # no plaintext on disk (database, journal, var)
    again = _cli(env, "keys", "rotate")  # a second rotation works the same way
    assert again.returncode == 0 and "re-sealed 2 secret(s)" in again.stdout


def test_rotation_with_the_environment_key_keeps_the_old_key_accepted(settings, monkeypatch):
    old = Fernet.generate_key()
    _store(settings, old)
    env = {"DATABASE_URL": settings.database_url, "OPSPLAN_VAR_DIR": str(settings.var_dir),
           "OPSPLAN_SECRET_KEY": old.decode()}
    refused = _cli(env, "keys", "rotate")
    assert refused.returncode == 1 and "OPSPLAN_SECRET_KEY=NEW,OLD" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    new = Fernet.generate_key()
    keyring = f"{new.decode()},{old.decode()}"
    before = _blobs(settings)
    for name, plaintext in SECRETS.items():  # a worker with NEW,OLD opens what is still sealed for the old key
        assert decrypt_secret(before[name], keyring) == plaintext
    done = _cli({**env, "OPSPLAN_SECRET_KEY": keyring}, "keys", "rotate")
    assert done.returncode == 0, done.stderr
    assert "keep only the new (first) key" in done.stdout
    for name, plaintext in SECRETS.items():
        blob = _blobs(settings)[name]
        assert sealed_for(blob) == fingerprint_of(new) and decrypt_secret(blob, new) == plaintext
    assert not settings.secret_key_file.exists()  # the environment's key is never written to disk
