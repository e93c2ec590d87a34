"""Credentials at rest, the opening half (worker only): the secret key, its public key, decryption.

Only the worker (and CLI commands run where the key lives) import this module; the web process and
the planner never do (tests/test_boundaries.py reads the import graph). See ``app.assets.sealing``
for the scheme.
"""
from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assets.errors import CredentialKeyError
from app.assets.sealing import FPR_LEN, HEAD_LEN, MAGIC, PUBLIC_KEY_SETTING, derive_fernet, fingerprint, raw_public
from app.config import Settings
from app.db.models import Setting

ENV_VAR = "OPSPLAN_SECRET_KEY"
_HINT = (
    f"set {ENV_VAR} to the worker's Fernet key (or put it in var/secret.key); "
    "generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def keys_of(keyring: bytes | str) -> list[bytes]:
    """The keys of a keyring value, newest (primary) first: one key, or several separated by commas or lines.

    During a key rotation (``opsplan keys rotate``) a worker holds the new key first and the old one after
    it, so it opens credentials sealed for either until every secret is re-sealed for the new key.
    """
    raw = keyring.encode() if isinstance(keyring, str) else bytes(keyring)
    return [k.strip() for k in raw.replace(b"\n", b",").split(b",") if k.strip()]


def _check_key(key: bytes | str, origin: str) -> bytes:
    keys = keys_of(key)
    if not keys:
        raise CredentialKeyError(f"the secret key from {origin} is empty; {_HINT}")
    for k in keys:
        try:
            Fernet(k)
        except (ValueError, binascii.Error, TypeError):
            raise CredentialKeyError(
                f"the secret key from {origin} is not a valid Fernet key (32 url-safe base64-encoded bytes, or "
                f"several separated by commas, newest first); {_HINT}"
            ) from None
    return b",".join(keys)


def load_secret_key(settings: Settings, create: bool = False) -> bytes:
    """The Fernet key: ``OPSPLAN_SECRET_KEY``, else ``settings.secret_key_file``, else (create=True) a new one.

    A new key is written atomically with mode 0600 (two processes racing both end up with the same key).
    Missing key with create=False, or a malformed key: CredentialKeyError (no secret in the message).
    """
    if settings.secret_key:
        return _check_key(settings.secret_key, ENV_VAR)
    path = Path(settings.secret_key_file)
    if path.exists():
        try:
            return _check_key(path.read_bytes(), str(path))
        except OSError as exc:
            raise CredentialKeyError(f"cannot read the secret key file {path}: {exc.strerror}") from None
    if not create:
        raise CredentialKeyError(f"no secret key: {ENV_VAR} is not set and {path} does not exist; {_HINT}")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key + b"\n")
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process won the race: then use its key
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return _check_key(path.read_bytes(), str(path))


def _private_key(secret_key: bytes | str) -> X25519PrivateKey:
    """The X25519 key derived from the keyring's primary (first) key."""
    raw = base64.urlsafe_b64decode(keys_of(_check_key(secret_key, "the caller"))[0])
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"opsplan credentials x25519 v1").derive(raw)
    return X25519PrivateKey.from_private_bytes(seed)


def public_key_for(secret_key: bytes | str) -> str:
    """The published form (url-safe base64) of the public key derived from ``secret_key``."""
    return base64.urlsafe_b64encode(raw_public(_private_key(secret_key).public_key())).decode()


def publish_public_key(session: Session, secret_key: bytes | str) -> str:
    """Store the public key of ``secret_key`` in the settings table (idempotent); return it.

    Called whenever a process holding the secret key starts (the worker, the CLI import). If a
    different key was published before, it is replaced: credentials sealed under the old key can
    then only be opened by a worker holding the old key (decrypt says so with both fingerprints).
    """
    public = public_key_for(secret_key)
    row = session.get(Setting, PUBLIC_KEY_SETTING)
    if row is None:
        try:
            with session.begin_nested():  # two workers starting together: the loser updates instead
                session.add(Setting(key=PUBLIC_KEY_SETTING, value=public))
            return public
        except IntegrityError:
            row = session.get(Setting, PUBLIC_KEY_SETTING, populate_existing=True)
    if row is not None and row.value != public:
        row.value = public
    session.flush()
    return public


def local_key_publisher(settings: Settings, create: bool = True):
    """A sealing fallback for processes that may hold the key (the CLI): publish the local key's public half."""

    def fallback(session: Session) -> str:
        return publish_public_key(session, load_secret_key(settings, create=create))

    return fallback


def decrypt_secret(blob: bytes, secret_key: bytes | str) -> str:
    """Open a blob made by ``app.assets.sealing.encrypt_secret``; a wrong key or corrupt blob: CredentialKeyError."""
    blob = bytes(blob)
    if not blob.startswith(MAGIC) or len(blob) <= HEAD_LEN:
        raise CredentialKeyError("the stored credential is not in a known encrypted format")
    fpr = sealed_for(blob)
    held = [_private_key(k) for k in keys_of(_check_key(secret_key, "the caller"))]
    private = next((p for p in held if fingerprint(raw_public(p.public_key())) == fpr), None)
    if private is None:
        own = ", ".join(fingerprint(raw_public(p.public_key())).hex() for p in held)
        raise CredentialKeyError(
            f"the credential was encrypted for key {fpr.hex()} but this process holds key {own}: "
            f"{ENV_VAR} (or var/secret.key) is not the key the "
            "credentials were stored with; restore that key or re-enter the credential secrets"
        )
    own_raw = raw_public(private.public_key())
    eph_pub = blob[len(MAGIC) + FPR_LEN:HEAD_LEN]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        return derive_fernet(shared, eph_pub, own_raw).decrypt(blob[HEAD_LEN:]).decode("utf-8")
    except (InvalidToken, ValueError):
        raise CredentialKeyError("the stored credential cannot be decrypted (corrupt or tampered data)") from None


def sealed_for(blob: bytes) -> bytes:
    """The fingerprint of the public key a sealed blob was made for."""
    return bytes(blob)[len(MAGIC):len(MAGIC) + FPR_LEN]


def fingerprint_of(secret_key: bytes | str) -> bytes:
    """The fingerprint of the keyring's primary key (what blobs sealed for it carry)."""
    return fingerprint(raw_public(_private_key(secret_key).public_key()))


def ensure_worker_key(session: Session, settings: Settings) -> bytes:
    """For a process that holds the key (worker start-up): load or create it, publish its public key."""
    key = load_secret_key(settings, create=True)
    publish_public_key(session, key)
    return key
