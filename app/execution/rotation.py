"""``opsplan keys rotate``: re-seal every stored secret for a new credentials key (worker side: it opens them).

The keyring (``OPSPLAN_SECRET_KEY`` or ``var/secret.key``) may hold several keys, newest first; workers open
a credential with whichever key it was sealed for, so the old key is accepted until the rotation is done.

1. A new key becomes the primary: given (the operator already set ``OPSPLAN_SECRET_KEY=NEW,OLD`` on every
   worker), or generated and written first into ``var/secret.key`` ahead of the old key (0600, atomically).
2. Its public key is published, so everything sealed from now on (web, imports) is sealed for it.
3. Every secret sealed for another key is opened with the keyring and sealed again for the new key, in
   memory only, committed in small batches (a blob is replaced in one UPDATE: never a plaintext on disk,
   never a half-written row), then again until none is left (a secret stored with the old public key while
   step 2 took effect is caught by the next pass).
4. ``var/secret.key`` then keeps only the new key; with ``OPSPLAN_SECRET_KEY`` the operator drops the old key.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from app.assets.errors import CredentialKeyError
from app.assets.sealing import encrypt_secret
from app.config import Settings
from app.db.models import Credential
from app.db.session import session_scope
from app.execution.keyring import (
    ENV_VAR,
    decrypt_secret,
    fingerprint_of,
    keys_of,
    load_secret_key,
    public_key_for,
    publish_public_key,
    sealed_for,
)

BATCH = 100
MAX_PASSES = 5


@dataclass
class Rotation:
    fingerprint: str  # the new primary key's
    resealed: int
    already: int
    key_file: Path | None  # the key file rewritten (None: the key came from the environment)
    old_keys_left: int  # keys after the primary still in the keyring the operator must remove


def _write_key_file(path: Path, keys: list[bytes]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"\n".join(keys) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)


def _reseal_pass(settings: Settings, keyring: bytes, public: str, target: bytes) -> tuple[int, int]:
    """One pass over the credentials: (re-sealed, already sealed for ``target``)."""
    resealed = already = 0
    last_id = 0
    while True:
        with session_scope(settings.database_url) as s:
            rows = s.execute(select(Credential).where(Credential.id > last_id,
                                                      Credential.secret_encrypted.is_not(None))
                             .order_by(Credential.id).limit(BATCH)).scalars().all()
            if not rows:
                return resealed, already
            for row in rows:
                last_id = row.id
                blob = bytes(row.secret_encrypted or b"")
                if sealed_for(blob) == target:
                    already += 1
                    continue
                plaintext = decrypt_secret(blob, keyring)  # a wrong keyring raises: nothing of this batch is kept
                row.secret_encrypted = encrypt_secret(public, plaintext)
                del plaintext
                resealed += 1


def rotate(settings: Settings, new_key: bytes | None = None) -> Rotation:
    keyring = load_secret_key(settings, create=False)  # CredentialKeyError when there is none
    keys = keys_of(keyring)
    from_env = bool(settings.secret_key)
    path = settings.secret_key_file
    if new_key is not None:
        keys = [k for k in [new_key.strip(), *keys] if k]
        keys = list(dict.fromkeys(keys))
    elif from_env and len(keys) == 1:
        raise CredentialKeyError(
            f"{ENV_VAR} holds one key: generate a new one (python -c 'from cryptography.fernet import Fernet; "
            f"print(Fernet.generate_key().decode())'), set {ENV_VAR}=NEW,OLD on every worker and here, restart "
            "the workers, then run `opsplan keys rotate` again")
    elif len(keys) == 1:
        keys = [Fernet.generate_key(), *keys]
    keyring = b",".join(keys)
    if not from_env:
        _write_key_file(path, keys)  # from now on this machine's processes hold the new key first, the old after
    primary = keys[0]
    public = public_key_for(primary)
    with session_scope(settings.database_url) as s:
        publish_public_key(s, primary)
    target = fingerprint_of(primary)
    resealed = already = 0
    for _ in range(MAX_PASSES):
        done, already = _reseal_pass(settings, keyring, public, target)
        resealed += done
        if done == 0:
            break
    else:
        raise CredentialKeyError("secrets kept being stored for the old key; stop the processes sealing them "
                                 "(a web or worker holding the old key) and run `opsplan keys rotate` again")
    if not from_env:
        _write_key_file(path, [primary])
    return Rotation(fingerprint=target.hex(), resealed=resealed, already=already,
                    key_file=None if from_env else path, old_keys_left=len(keys) - 1 if from_env else 0)
