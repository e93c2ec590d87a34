"""Users, roles and API tokens: tokens are shown once, stored hashed, revocable and may expire."""
from __future__ import annotations

import base64
import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import g, request
from flask import session as web_session
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.db.models import ApiToken, Role, User
from app.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized

TOKEN_PREFIX = "ops_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, name: str, role: str, password: str | None = None) -> User:
    try:
        role_enum = Role(role)
    except ValueError:
        raise BadRequest(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}") from None
    if not name or len(name) > 128 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise BadRequest("user names use letters, digits, '-', '_' and '.'")
    if session.execute(select(User).where(User.name == name)).scalar_one_or_none():
        raise Conflict(f"user {name!r} already exists")
    user = User(name=name, role=role_enum.value,
                password_hash=generate_password_hash(password) if password else None)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"user {name!r} not found")
    return user


def create_token(session: Session, user_name: str, label: str = "", days: int | None = 90) -> tuple[ApiToken, str]:
    """Return the token row and the plaintext token (never stored)."""
    user = get_user(session, user_name)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    row = ApiToken(user_id=user.id, name=label or user_name, token_hash=hash_token(plaintext), expires_at=expires)
    session.add(row)
    session.flush()
    return row, plaintext


def revoke_token(session: Session, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"token {token_id} not found")
    row.revoked = True


def user_for_token(session: Session, plaintext: str) -> User | None:
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext))).scalar_one_or_none()
    if row is None or row.revoked:
        return None
    if row.expires_at is not None and row.expires_at < datetime.now(UTC):
        return None
    return row.user


def check_password(session: Session, name: str, password: str) -> User | None:
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None or not user.password_hash or not check_password_hash(user.password_hash, password):
        return None
    return user


def load_request_user() -> None:
    """before_request: the bearer token's user, else the logged-in web user, else nobody."""
    from app.context import db_session

    g.user = None
    header = request.headers.get("Authorization", "")
    token = None
    if header.startswith("Bearer "):
        token = header[7:].strip()
    elif header.startswith("Basic "):  # e.g. AWX fetching an archive project: any user name, token as password
        try:
            token = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            raise Unauthorized("malformed Basic authorization header") from None
    with db_session() as s:
        if token is not None:
            user = user_for_token(s, token)
            if user is None:
                raise Unauthorized("invalid, expired or revoked token")
            g.user = {"name": user.name, "role": user.role}
        elif web_session.get("user"):
            user = s.execute(select(User).where(User.name == web_session["user"])).scalar_one_or_none()
            if user is not None:
                g.user = {"name": user.name, "role": user.role}


def current_user() -> dict:
    user = getattr(g, "user", None)
    if user is None:
        raise Unauthorized("authentication required: send 'Authorization: Bearer TOKEN' or log in")
    return user


def has_role(user: dict, minimum: Role) -> bool:
    return Role(user["role"]).allows(minimum)


def require(minimum: Role):
    """Decorator: the request's user must hold at least ``minimum``."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            user = current_user()
            if not has_role(user, minimum):
                raise Forbidden(f"requires role {minimum.value} or higher (you are {user['role']})")
            return fn(*args, **kwargs)

        return wrapper

    return deco
