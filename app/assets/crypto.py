"""Credentials at rest: envelope encryption so that only the worker ever needs the secret key.

The secret key is a Fernet key (``OPSPLAN_SECRET_KEY`` or ``var/secret.key``). From it we derive an
X25519 key pair (HKDF-SHA256). A process holding the secret key publishes the public half into the
``settings`` table (key ``credentials_public_key``); any process can then encrypt a secret with that
public key alone: an ephemeral X25519 exchange + HKDF gives a one-time Fernet key. Only the holder of
the secret key can decrypt. The web process therefore never needs the key.

Blob layout (bytes): ``b"OPC1"`` + 8-byte recipient fingerprint + 32-byte ephemeral public key + Fernet token.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assets.errors import CredentialKeyError
from app.db.models import Setting

PUBLIC_KEY_SETTING = "credentials_public_key"
ENV_VAR = "OPSPLAN_SECRET_KEY"
_MAGIC = b"OPC1"
_FPR_LEN = 8
_HINT = (
    f"set {ENV_VAR} to the worker's Fernet key (or put it in var/secret.key); "
    "generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


# --- the secret key --------------------------------------------------------------------------------


def _check_key(key: bytes | str, origin: str) -> bytes:
    raw = key.encode() if isinstance(key, str) else bytes(key)
    raw = raw.strip()
    try:
        Fernet(raw)
    except (ValueError, binascii.Error, TypeError):
        raise CredentialKeyError(
            f"the secret key from {origin} is not a valid Fernet key (32 url-safe base64-encoded bytes); {_HINT}"
        ) from None
    return raw


def load_secret_key(settings, create: bool = False) -> bytes:
    """The Fernet key: ``OPSPLAN_SECRET_KEY``, else ``settings.secret_key_file``, else (create=True) a new one.

    A new key is written atomically with mode 0600 (two processes racing both end up with the same key).
    Missing key with create=False, or a malformed key: CredentialKeyError (no secret in the message).
    """
    env_key = os.environ.get(ENV_VAR) or (settings.extra or {}).get("secret_key")
    if env_key:
        return _check_key(env_key, ENV_VAR)
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


# --- key pair derivation ---------------------------------------------------------------------------


def _private_key(secret_key: bytes | str) -> X25519PrivateKey:
    raw = base64.urlsafe_b64decode(_check_key(secret_key, "the caller"))
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"opsplan credentials x25519 v1").derive(raw)
    return X25519PrivateKey.from_private_bytes(seed)


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes_raw()


def _fingerprint(public_raw: bytes) -> bytes:
    return hashlib.sha256(public_raw).digest()[:_FPR_LEN]


def public_key_for(secret_key: bytes | str) -> str:
    """The published form (url-safe base64) of the public key derived from ``secret_key``."""
    return base64.urlsafe_b64encode(_raw_public(_private_key(secret_key).public_key())).decode()


def key_fingerprint(public_key: str | bytes) -> str:
    raw = base64.urlsafe_b64decode(public_key) if isinstance(public_key, str) else public_key
    return _fingerprint(raw).hex()


def published_public_key(session: Session) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == PUBLIC_KEY_SETTING))


def publish_public_key(session: Session, secret_key: bytes | str) -> str:
    """Store the public key of ``secret_key`` in the settings table (idempotent); return it.

    Call it whenever a process holding the secret key starts (the worker, the CLI import). If a
    different key was published before, it is replaced: credentials encrypted under the old key can
    then only be read by a worker holding the old key (decrypt says so with both fingerprints).
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


def resolve_public_key(session: Session, settings=None, *, create_key: bool = False) -> str:
    """The published public key; if none yet, derive and publish it from a locally available secret key."""
    public = published_public_key(session)
    if public:
        return public
    if settings is None:
        from app.config import Settings

        settings = Settings.from_env()
    try:
        secret = load_secret_key(settings, create=create_key)
    except CredentialKeyError:
        raise CredentialKeyError(
            "cannot encrypt the credential: no public key is published yet. Start a worker once "
            f"(it publishes the key), or run `opsplan assets import` where {ENV_VAR} is available"
        ) from None
    return publish_public_key(session, secret)


# --- encrypt / decrypt -----------------------------------------------------------------------------


def _derive_fernet(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> Fernet:
    okm = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=eph_pub + recipient_pub, info=b"opsplan credential v1"
    ).derive(shared)
    return Fernet(base64.urlsafe_b64encode(okm))


def encrypt_secret(session_or_pubkey: Session | str | bytes, plaintext: str, *, settings=None) -> bytes:
    """Encrypt ``plaintext`` for the worker, with the published public key (or the given one)."""
    if isinstance(session_or_pubkey, Session):
        public = resolve_public_key(session_or_pubkey, settings)
    else:
        public = session_or_pubkey
    try:
        recipient_raw = base64.urlsafe_b64decode(public)
        recipient = X25519PublicKey.from_public_bytes(recipient_raw)
    except (ValueError, binascii.Error, TypeError):
        raise CredentialKeyError(f"the published credentials public key is malformed; {_HINT}") from None
    eph = X25519PrivateKey.generate()
    eph_pub = _raw_public(eph.public_key())
    token = _derive_fernet(eph.exchange(recipient), eph_pub, recipient_raw).encrypt(plaintext.encode("utf-8"))
    return _MAGIC + _fingerprint(recipient_raw) + eph_pub + token


def decrypt_secret(blob: bytes, secret_key: bytes | str) -> str:
    """Decrypt a blob made by encrypt_secret; a wrong key or corrupt blob gives CredentialKeyError."""
    blob = bytes(blob)
    head = len(_MAGIC) + _FPR_LEN + 32
    if not blob.startswith(_MAGIC) or len(blob) <= head:
        raise CredentialKeyError("the stored credential is not in a known encrypted format")
    private = _private_key(secret_key)
    own_raw = _raw_public(private.public_key())
    fpr = blob[len(_MAGIC):len(_MAGIC) + _FPR_LEN]
    if fpr != _fingerprint(own_raw):
        raise CredentialKeyError(
            f"the credential was encrypted for key {fpr.hex()} but this process holds key "
            f"{_fingerprint(own_raw).hex()}: {ENV_VAR} (or var/secret.key) is not the key the "
            "credentials were stored with; restore that key or re-enter the credential secrets"
        )
    eph_pub = blob[len(_MAGIC) + _FPR_LEN:head]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        return _derive_fernet(shared, eph_pub, own_raw).decrypt(blob[head:]).decode("utf-8")
    except (InvalidToken, ValueError):
        raise CredentialKeyError("the stored credential cannot be decrypted (corrupt or tampered data)") from None


def ensure_worker_key(session: Session, settings) -> bytes:
    """For a process that holds the key (worker start-up): load or create it, publish its public key."""
    key = load_secret_key(settings, create=True)
    publish_public_key(session, key)
    return key
