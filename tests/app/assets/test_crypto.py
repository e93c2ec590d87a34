from __future__ import annotations

import os
import stat

import pytest
from cryptography.fernet import Fernet

from app.assets.crypto import (
    PUBLIC_KEY_SETTING,
    decrypt_secret,
    encrypt_secret,
    ensure_worker_key,
    load_secret_key,
    public_key_for,
    publish_public_key,
    published_public_key,
    resolve_public_key,
)
from app.assets.errors import CredentialKeyError
from app.config import Settings
from app.db import session_scope
from app.db.models import Setting


def _settings(tmp_path) -> Settings:
    return Settings.from_env({"OPSPLAN_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": "sqlite://"})


@pytest.mark.unit
def test_round_trip_with_public_key_only():
    key = Fernet.generate_key()
    blob = encrypt_secret(public_key_for(key), "pässword ✓")
    assert b"p\xc3\xa4ssword" not in blob
    assert decrypt_secret(blob, key) == "pässword ✓"
    assert encrypt_secret(public_key_for(key), "x") != encrypt_secret(public_key_for(key), "x")  # ephemeral


@pytest.mark.unit
def test_wrong_key_is_a_clear_error_without_the_secret():
    key, other = Fernet.generate_key(), Fernet.generate_key()
    blob = encrypt_secret(public_key_for(key), "top-secret-value")
    with pytest.raises(CredentialKeyError) as err:
        decrypt_secret(blob, other)
    message = err.value.message
    assert "not the key the credentials were stored with" in message
    assert "top-secret-value" not in message and key.decode() not in message and other.decode() not in message
    assert err.value.__cause__ is None


@pytest.mark.unit
def test_tampered_or_foreign_blobs():
    key = Fernet.generate_key()
    blob = bytearray(encrypt_secret(public_key_for(key), "value"))
    blob[-5] ^= 1
    with pytest.raises(CredentialKeyError, match="cannot be decrypted"):
        decrypt_secret(bytes(blob), key)
    with pytest.raises(CredentialKeyError, match="not in a known encrypted format"):
        decrypt_secret(Fernet(key).encrypt(b"value"), key)


@pytest.mark.unit
def test_malformed_key(monkeypatch, tmp_path):
    monkeypatch.setenv("OPSPLAN_SECRET_KEY", "not-a-fernet-key")
    with pytest.raises(CredentialKeyError, match="OPSPLAN_SECRET_KEY is not a valid Fernet key"):
        load_secret_key(_settings(tmp_path))
    with pytest.raises(CredentialKeyError, match="not a valid Fernet key"):
        decrypt_secret(b"OPC1" + b"\0" * 60, b"short")


@pytest.mark.unit
def test_load_secret_key_env_file_and_creation(monkeypatch, tmp_path):
    monkeypatch.delenv("OPSPLAN_SECRET_KEY", raising=False)
    settings = _settings(tmp_path)
    with pytest.raises(CredentialKeyError, match="no secret key: OPSPLAN_SECRET_KEY is not set"):
        load_secret_key(settings, create=False)
    created = load_secret_key(settings, create=True)
    assert stat.S_IMODE(os.stat(settings.secret_key_file).st_mode) == 0o600
    assert load_secret_key(settings, create=False) == created == load_secret_key(settings, create=True)
    env_key = Fernet.generate_key()
    monkeypatch.setenv("OPSPLAN_SECRET_KEY", env_key.decode())
    assert load_secret_key(settings) == env_key


@pytest.mark.integration
def test_publish_and_encrypt_through_the_session(db_url, monkeypatch, tmp_path):
    monkeypatch.delenv("OPSPLAN_SECRET_KEY", raising=False)
    settings = _settings(tmp_path)
    with session_scope(db_url) as s:  # nothing published, no key available: clear error, nothing created
        with pytest.raises(CredentialKeyError, match="no public key is published yet"):
            encrypt_secret(s, "x", settings=settings)
        assert not settings.secret_key_file.exists()
    with session_scope(db_url) as s:  # the worker starts: creates and publishes its key
        key = ensure_worker_key(s, settings)
    with session_scope(db_url) as s:  # the web process encrypts with the public key alone
        assert published_public_key(s) == public_key_for(key)
        blob = encrypt_secret(s, "from-web", settings=_settings(tmp_path / "elsewhere"))
    assert decrypt_secret(blob, key) == "from-web"
    with session_scope(db_url) as s:  # publishing is idempotent; a new key replaces the old one
        publish_public_key(s, key)
        new = Fernet.generate_key()
        publish_public_key(s, new)
        assert s.get(Setting, PUBLIC_KEY_SETTING).value == public_key_for(new)


@pytest.mark.integration
def test_fallback_publishes_a_locally_available_key(db_url, secret_key, tmp_path):
    with session_scope(db_url) as s:
        public = resolve_public_key(s, _settings(tmp_path))
    assert public == public_key_for(secret_key)
    with session_scope(db_url) as s:
        assert published_public_key(s) == public
