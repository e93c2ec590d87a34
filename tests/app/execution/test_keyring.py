from __future__ import annotations

import os
import stat

import pytest
from cryptography.fernet import Fernet

from app.assets.errors import CredentialKeyError
from app.assets.sealing import PUBLIC_KEY_SETTING, encrypt_secret, published_public_key, resolve_public_key
from app.config import Settings
from app.db import session_scope
from app.db.models import Setting
from app.execution.keyring import (
    decrypt_secret,
    ensure_worker_key,
    load_secret_key,
    local_key_publisher,
    public_key_for,
    publish_public_key,
)


def _settings(tmp_path, key: str | None = None) -> Settings:
    env = {"OPSPLAN_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": "sqlite://"}
    if key:
        env["OPSPLAN_SECRET_KEY"] = key
    return Settings.from_env(env)


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
def test_malformed_key(tmp_path):
    with pytest.raises(CredentialKeyError, match="OPSPLAN_SECRET_KEY is not a valid Fernet key"):
        load_secret_key(_settings(tmp_path, "not-a-fernet-key"))
    with pytest.raises(CredentialKeyError, match="not a valid Fernet key"):
        decrypt_secret(b"OPC1" + b"\0" * 60, b"short")


@pytest.mark.unit
def test_load_secret_key_env_file_and_creation(tmp_path):
    settings = _settings(tmp_path)
    with pytest.raises(CredentialKeyError, match="no secret key: OPSPLAN_SECRET_KEY is not set"):
        load_secret_key(settings, create=False)
    created = load_secret_key(settings, create=True)
    assert stat.S_IMODE(os.stat(settings.secret_key_file).st_mode) == 0o600
    assert load_secret_key(settings, create=False) == created == load_secret_key(settings, create=True)
    env_key = Fernet.generate_key()
    assert load_secret_key(_settings(tmp_path, env_key.decode())) == env_key


@pytest.mark.integration
def test_publish_and_encrypt_through_the_session(db_url, tmp_path):
    settings = _settings(tmp_path)
    with session_scope(db_url) as s:  # nothing published (the web's view): clear error, no key is made or read
        with pytest.raises(CredentialKeyError, match="no worker has published the credentials public key"):
            encrypt_secret(s, "x")
        assert not settings.secret_key_file.exists()
    with session_scope(db_url) as s:  # the worker starts: creates and publishes its key
        key = ensure_worker_key(s, settings)
    with session_scope(db_url) as s:  # the web process encrypts with the public key alone
        assert published_public_key(s) == public_key_for(key)
        blob = encrypt_secret(s, "from-web")
    assert decrypt_secret(blob, key) == "from-web"
    with session_scope(db_url) as s:  # publishing is idempotent; a new key replaces the old one
        publish_public_key(s, key)
        new = Fernet.generate_key()
        publish_public_key(s, new)
        assert s.get(Setting, PUBLIC_KEY_SETTING).value == public_key_for(new)


@pytest.mark.integration
def test_cli_fallback_publishes_a_locally_available_key(db_url, tmp_path):
    secret_key = Fernet.generate_key()
    with session_scope(db_url) as s:
        public = resolve_public_key(s, local_key_publisher(_settings(tmp_path, secret_key.decode())))
    assert public == public_key_for(secret_key)
    with session_scope(db_url) as s:
        assert published_public_key(s) == public
