"""API tokens: stored hashed, shown once, expiring and revocable; an expired or revoked token gets a 401."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.auth import create_token, create_user, hash_token, revoke_token, user_for_token
from app.db import session_scope
from app.db.models import ApiToken


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.unit
def test_tokens_are_stored_hashed_and_expire_after_their_days(session):
    create_user(session, "alice", "operator")
    row, plaintext = create_token(session, "alice", "laptop", days=7)
    assert plaintext.startswith("ops_") and row.token_hash == hash_token(plaintext)
    assert plaintext not in {row.token_hash, row.name}
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    assert user_for_token(session, plaintext).name == "alice"
    never, forever = create_token(session, "alice", days=None)
    assert never.expires_at is None and user_for_token(session, forever).name == "alice"
    assert user_for_token(session, "ops_unknown") is None


@pytest.mark.unit
def test_expired_and_revoked_tokens_are_refused(session):
    create_user(session, "bob", "viewer")
    row, plaintext = create_token(session, "bob", days=1)
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.flush()
    assert user_for_token(session, plaintext) is None
    row2, plaintext2 = create_token(session, "bob", days=1)
    revoke_token(session, row2.id)
    assert user_for_token(session, plaintext2) is None


@pytest.mark.integration
def test_expired_token_gets_401(api):
    with session_scope(api.settings.database_url) as s:
        row, token = create_token(s, "viewer1", "short", days=1)
        token_id = row.id
    assert api.client.get("/api/v1/plans", headers=_bearer(token)).status_code == 200
    with session_scope(api.settings.database_url) as s:  # time passes: move the expiry into the past
        s.execute(update(ApiToken).where(ApiToken.id == token_id)
                  .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    r = api.client.get("/api/v1/plans", headers=_bearer(token))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    assert api.client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert api.as_("viewer1").get("/api/v1/plans").status_code == 200  # the user's other token still works


@pytest.mark.integration
def test_revoked_token_gets_401(api):
    with session_scope(api.settings.database_url) as s:
        row, token = create_token(s, "operator1", "ci")
        token_id = row.id
    assert api.client.get("/api/v1/me", headers=_bearer(token)).get_json()["name"] == "operator1"
    with session_scope(api.settings.database_url) as s:
        revoke_token(s, token_id)
    r = api.client.get("/api/v1/me", headers=_bearer(token))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.integration
def test_tokens_through_the_api_are_shown_once_and_revocable(api):
    admin = api.as_("admin1")
    r = admin.post("/api/v1/users/approver2/tokens", json={"label": "pager", "days": 30})
    assert r.status_code == 201
    created = r.get_json()
    token = created["token"]
    assert created["user"] == "approver2" and created["label"] == "pager" and created["expires_at"]
    assert api.client.get("/api/v1/me", headers=_bearer(token)).get_json() == {"name": "approver2",
                                                                              "role": "approver"}
    # never shown again: the user listing has the token's metadata, not the token
    listing = admin.get("/api/v1/users/approver2").get_data(as_text=True)
    assert token not in listing and str(created["id"]) in listing
    with session_scope(api.settings.database_url) as s:
        stored = s.execute(select(ApiToken.token_hash).where(ApiToken.id == created["id"])).scalar_one()
    assert stored == hash_token(token)
    r = api.client.delete(f"/api/v1/tokens/{created['id']}", headers=admin._headers())
    assert r.status_code == 200 and r.get_json()["revoked"] is True
    assert api.client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert api.client.delete("/api/v1/tokens/999999", headers=admin._headers()).status_code == 404
    # a token without expiry; bad input is a 400
    assert admin.post("/api/v1/users/approver2/tokens", json={"days": 0}).get_json()["expires_at"] is None
    assert admin.post("/api/v1/users/approver2/tokens", json={"days": -1}).status_code == 400
    assert admin.post("/api/v1/users/nobody/tokens", json={}).status_code == 404
    # the audit log records who issued and revoked tokens, never the token itself
    entries = admin.get("/api/v1/audit?limit=20").get_json()["entries"]
    assert {"token.created", "token.revoked"} <= {e["action"] for e in entries}
    assert token not in admin.get("/api/v1/audit?limit=20").get_data(as_text=True)


@pytest.mark.integration
def test_users_through_the_api(api):
    admin = api.as_("admin1")
    r = admin.post("/api/v1/users", json={"name": "carol", "role": "approver", "password": "s3cret-pass"})
    assert r.status_code == 201
    assert r.get_json() == {**r.get_json(), "name": "carol", "role": "approver", "has_password": True, "tokens": []}
    assert "s3cret" not in r.get_data(as_text=True)
    assert admin.post("/api/v1/users", json={"name": "carol", "role": "viewer"}).status_code == 409
    for bad in ({"name": "dave", "role": "root"}, {"name": "a b", "role": "viewer"}, {"role": "viewer"},
                {"name": "dave", "role": "viewer", "extra": 1}, {"name": "dave", "role": "viewer", "password": "x"}):
        r = admin.post("/api/v1/users", json=bad)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request", bad
    names = [u["name"] for u in admin.get("/api/v1/users").get_json()["users"]]
    assert "carol" in names and "admin1" in names
    assert admin.get("/api/v1/users/nobody").status_code == 404
