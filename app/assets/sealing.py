"""Credentials at rest, the sealing half: encrypt a secret for the workers with their public key alone.

The workers hold a Fernet key (``OPSPLAN_SECRET_KEY`` or ``var/secret.key``); from it they derive an
X25519 key pair (HKDF-SHA256) and publish the public half in the ``settings`` table (key
``credentials_public_key``). Any process can seal a secret with that public key: an ephemeral X25519
exchange + HKDF gives a one-time Fernet key. Only a holder of the secret key can open it
(``app.execution.keyring``, worker side). This module never sees a private key, so the web process
can use it: when no worker has published its key yet, storing a secret fails with a clear message.

Blob layout (bytes): ``b"OPC1"`` + 8-byte recipient fingerprint + 32-byte ephemeral public key + Fernet token.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets.errors import CredentialKeyError
from app.db.models import Setting

PUBLIC_KEY_SETTING = "credentials_public_key"
MAGIC = b"OPC1"
FPR_LEN = 8
HEAD_LEN = len(MAGIC) + FPR_LEN + 32
NO_KEY_YET = ("cannot store the secret: no worker has published the credentials public key yet. Start a worker "
              "once (`opsplan worker`; it publishes the key), or import the file with `opsplan assets import` on "
              "a machine that holds OPSPLAN_SECRET_KEY")

# A provider of the public key for when none is published (the CLI passes the keyring's; the web none).
PublicKeyFallback = Callable[[Session], str]


def raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes_raw()


def fingerprint(public_raw: bytes) -> bytes:
    return hashlib.sha256(public_raw).digest()[:FPR_LEN]


def key_fingerprint(public_key: str | bytes) -> str:
    raw = base64.urlsafe_b64decode(public_key) if isinstance(public_key, str) else public_key
    return fingerprint(raw).hex()


def derive_fernet(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> Fernet:
    okm = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=eph_pub + recipient_pub, info=b"opsplan credential v1"
    ).derive(shared)
    return Fernet(base64.urlsafe_b64encode(okm))


def published_public_key(session: Session) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == PUBLIC_KEY_SETTING))


def resolve_public_key(session: Session, fallback: PublicKeyFallback | None = None) -> str:
    """The published public key; without one, the fallback's (if any), else CredentialKeyError."""
    public = published_public_key(session)
    if public:
        return public
    if fallback is None:
        raise CredentialKeyError(NO_KEY_YET)
    return fallback(session)


def encrypt_secret(session_or_pubkey: Session | str | bytes, plaintext: str, *,
                   fallback: PublicKeyFallback | None = None) -> bytes:
    """Seal ``plaintext`` for the workers, with the published public key (or the given one)."""
    if isinstance(session_or_pubkey, Session):
        public: str | bytes = resolve_public_key(session_or_pubkey, fallback)
    else:
        public = session_or_pubkey
    try:
        recipient_raw = base64.urlsafe_b64decode(public)
        recipient = X25519PublicKey.from_public_bytes(recipient_raw)
    except (ValueError, binascii.Error, TypeError):
        raise CredentialKeyError("the published credentials public key is malformed; restart a worker to "
                                 "publish it again") from None
    eph = X25519PrivateKey.generate()
    eph_pub = raw_public(eph.public_key())
    token = derive_fernet(eph.exchange(recipient), eph_pub, recipient_raw).encrypt(plaintext.encode("utf-8"))
    return MAGIC + fingerprint(recipient_raw) + eph_pub + token
