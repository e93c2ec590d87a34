"""Users and API tokens (admin), and the caller's own identity (/me). Tokens are shown once, stored hashed."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from app import audit
from app.api import API_PREFIX, json_body
from app.api.openapi import doc, parse
from app.api.schemas import MeOut, TokenCreatedOut, TokenCreateIn, TokenOut, UserCreateIn, UserListOut, UserOut
from app.auth import create_token, create_user, current_user, get_user, require, revoke_token
from app.context import db_session
from app.db.models import ApiToken, Role, User
from app.db.types import iso
from app.errors import NotFound

bp = Blueprint("users", __name__, url_prefix=API_PREFIX)





def _token_json(row: ApiToken, user_name: str) -> dict:
    return {"id": row.id, "user": user_name, "label": row.name, "created_at": iso(row.created_at),
            "expires_at": iso(row.expires_at), "revoked": bool(row.revoked)}


def _user_json(session, user: User) -> dict:
    tokens = session.execute(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).scalars()
    return {"name": user.name, "role": user.role, "has_password": bool(user.password_hash),
            "created_at": iso(user.created_at), "tokens": [_token_json(t, user.name) for t in tokens]}


@bp.get("/users")
@doc(resp={200: UserListOut}, tags=("users",))
@require(Role.ADMIN)
def list_users():
    """Every user with its role and its tokens' metadata (never the tokens themselves)."""
    with db_session() as s:
        users = s.execute(select(User).order_by(User.name)).scalars().all()
        return jsonify({"users": [_user_json(s, u) for u in users]})


@bp.post("/users")
@doc(json=UserCreateIn, resp={201: UserOut}, tags=("users",), errors=(409,))
@require(Role.ADMIN)
def add_user():
    """Create a user with a role (viewer, operator, approver, admin) and optionally a web-login password."""
    data = parse(UserCreateIn, json_body())
    actor = current_user()["name"]
    with db_session() as s:
        user = create_user(s, data.name, data.role, data.password)
        audit.record(s, "user.created", actor=actor, outcome=data.role, details={"user": data.name})
        return jsonify(_user_json(s, user)), 201


@bp.get("/users/<name>")
@doc(resp={200: UserOut}, tags=("users",), errors=(404,))
@require(Role.ADMIN)
def show_user(name: str):
    """One user and its tokens' metadata."""
    with db_session() as s:
        return jsonify(_user_json(s, get_user(s, name)))


@bp.post("/users/<name>/tokens")
@doc(json=TokenCreateIn, resp={201: TokenCreatedOut}, tags=("users",), errors=(404,))
@require(Role.ADMIN)
def add_token(name: str):
    """Issue an API token for a user; the response is the only time the token is shown."""
    data = parse(TokenCreateIn, json_body())
    actor = current_user()["name"]
    with db_session() as s:
        row, plaintext = create_token(s, name, data.label, data.days or None)
        audit.record(s, "token.created", actor=actor, outcome="created",
                     details={"user": name, "token_id": row.id, "label": row.name,
                              "expires_at": iso(row.expires_at)})
        return jsonify({**_token_json(row, name), "token": plaintext}), 201


@bp.delete("/tokens/<int:token_id>")
@doc(resp={200: TokenOut}, tags=("users",), errors=(404,))
@require(Role.ADMIN)
def delete_token(token_id: int):
    """Revoke a token: it stops working at once (the record stays, for the audit trail)."""
    actor = current_user()["name"]
    with db_session() as s:
        row = s.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"token {token_id} not found")
        revoke_token(s, token_id)
        owner = row.user.name
        audit.record(s, "token.revoked", actor=actor, outcome="revoked", details={"user": owner, "token_id": token_id})
        return jsonify(_token_json(row, owner))


@bp.get("/me")
@doc(resp={200: MeOut}, tags=("users",))
@require(Role.VIEWER)
def me():
    """Who the request's token (or login session) belongs to, and its role."""
    user = current_user()
    return jsonify({"name": user["name"], "role": user["role"]})
