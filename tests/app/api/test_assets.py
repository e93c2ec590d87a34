from __future__ import annotations

import json

import pytest
from flask import Flask, g

from app.api.assets import bp
from app.errors import register_error_handlers
from tests.app.assets.helpers import MARKER, loaded, published, secret_key  # noqa: F401

pytestmark = pytest.mark.integration


@pytest.fixture
def api(settings, loaded):  # noqa: F811 - pytest fixture
    """A Flask app with just the assets blueprint (independent of the other resources)."""
    return _bare_app(settings).test_client()


def _bare_app(settings) -> Flask:
    flask_app = Flask(__name__)
    flask_app.config.update(OPSPLAN_SETTINGS=settings, TESTING=True)
    register_error_handlers(flask_app)
    flask_app.register_blueprint(bp)

    @flask_app.before_request
    def _as_admin():  # the role checks themselves are covered by tests/app/api/test_roles.py
        g.user = {"name": "admin", "role": "admin"}

    return flask_app


def _no_secret(resp) -> dict | list | None:
    body = resp.get_data(as_text=True)
    assert MARKER not in body and "secret_encrypted" not in body and '"secret"' not in body
    return resp.get_json(silent=True)


def test_list_and_filters(api):
    body = _no_secret(api.get("/api/v1/assets"))
    assert body["count"] == 5 and [a["name"] for a in body["assets"]][:2] == ["cis-01", "db-01"]
    names = lambda q: [a["name"] for a in _no_secret(api.get(f"/api/v1/assets?{q}"))["assets"]]  # noqa: E731
    assert names("environment=staging") == ["web-02"]
    assert names("os=windows") == ["cis-01"]
    assert names("group=web&environment=production") == ["old-01", "web-01"]
    assert names("group=frontend") == ["old-01", "web-01", "web-02"]  # descendants of a parent group
    assert names("group=nope") == []
    assert names("enabled=false") == ["old-01"]


def test_asset_crud(api):
    resp = api.post("/api/v1/assets", json={"name": "app-01", "address": "10.5.0.1", "os": "windows",
                                            "groups": ["apps"], "credential": "win-admin"})
    assert resp.status_code == 201
    created = _no_secret(resp)
    assert created["port"] == 5986 and created["groups"] == ["apps"] and created["credential"] == "win-admin"
    assert api.post("/api/v1/assets", json={"name": "app-01", "address": "x"}).status_code == 409
    resp = api.patch("/api/v1/assets/app-01", json={"port": 5985, "groups": ["apps", "iis"], "enabled": False})
    assert resp.status_code == 200 and _no_secret(resp)["port"] == 5985 and resp.get_json()["enabled"] is False
    assert _no_secret(api.get("/api/v1/assets/app-01"))["groups"] == ["apps", "iis"]
    assert api.get("/api/v1/groups/iis").get_json()["asset_count"] == 1
    resp = api.patch("/api/v1/assets/app-01", json={"credential": None, "name": "app-02"})
    assert resp.get_json()["credential"] is None and resp.get_json()["name"] == "app-02"
    assert api.delete("/api/v1/assets/app-02").status_code == 204
    resp = api.get("/api/v1/assets/app-02")
    assert resp.status_code == 404
    assert resp.get_json() == {"error": {"code": "not_found", "message": "asset 'app-02' not found"}}


@pytest.mark.parametrize("body,status,fragment", [
    ({"name": "bad name", "address": "x"}, 400, "asset 'bad name': name: invalid asset name"),
    ({"name": "ok", "address": "x", "port": 0}, 400, "port: Input should be greater than or equal to 1"),
    ({"name": "ok", "address": "x", "credential": "ghost"}, 400, "credential: unknown credential 'ghost'"),
    ({"name": "web-01", "address": "x"}, 409, "asset 'web-01' already exists"),
])
def test_asset_errors_are_json(api, body, status, fragment):
    resp = api.post("/api/v1/assets", json=body)
    assert resp.status_code == status
    assert fragment in resp.get_json()["error"]["message"]
    assert set(resp.get_json()["error"]) == {"code", "message"}


def test_non_object_body(api):
    resp = api.post("/api/v1/assets", data="[1]", content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_request"


def test_groups_crud_and_cycles(api):
    resp = api.post("/api/v1/groups", json={"name": "eu", "parents": ["world"], "vars": {"region": "eu"}})
    assert resp.status_code == 201 and resp.get_json()["parents"] == ["world"]
    assert api.patch("/api/v1/groups/world", json={"parents": ["eu"]}).status_code == 400
    assert "cycle" in api.patch("/api/v1/groups/world", json={"parents": ["eu"]}).get_json()["error"]["message"]
    listed = {g["name"]: g for g in api.get("/api/v1/groups").get_json()["groups"]}
    assert listed["web"]["asset_count"] == 3 and listed["web"]["parents"] == ["frontend"]
    assert api.delete("/api/v1/groups/web").status_code == 409
    assert api.delete("/api/v1/groups/world").status_code == 409  # has a child group
    assert api.delete("/api/v1/groups/web?force=1").status_code == 204
    assert _no_secret(api.get("/api/v1/assets/web-01"))["groups"] == []
    assert api.get("/api/v1/groups/nope").status_code == 404


def test_credentials_secret_is_write_only(api, published):  # noqa: F811 - pytest fixture
    resp = api.post("/api/v1/credentials", json={"name": "new-cred", "kind": "password", "username": "u",
                                                 "secret": f"{MARKER}-new"})
    assert resp.status_code == 201
    assert _no_secret(resp) == {**resp.get_json(), "name": "new-cred", "kind": "password", "username": "u",
                                "has_secret": True}
    resp = api.patch("/api/v1/credentials/new-cred", json={"secret": f"{MARKER}-rotated", "username": "v"})
    assert _no_secret(resp)["username"] == "v"
    for url in ("/api/v1/credentials", "/api/v1/credentials/new-cred", "/api/v1/credentials/linux-ops",
                "/api/v1/assets", "/api/v1/assets/web-01", "/api/v1/groups"):
        assert api.get(url).status_code == 200
        _no_secret(api.get(url))
    assert api.delete("/api/v1/credentials/linux-ops").status_code == 409  # in use
    assert api.delete("/api/v1/credentials/linux-ops?force=true").status_code == 204
    assert _no_secret(api.get("/api/v1/assets/web-01"))["credential"] is None
    bad = api.post("/api/v1/credentials", json={"name": "x", "kind": "token", "username": "u", "secret": MARKER})
    assert bad.status_code == 400
    _no_secret(bad)


def test_credentials_need_a_published_key(settings, db_url, monkeypatch):
    """The web process never holds the key: without a published public key, a clear 409."""
    monkeypatch.delenv("OPSPLAN_SECRET_KEY", raising=False)
    resp = _bare_app(settings).test_client().post("/api/v1/credentials", json={"name": "c", "kind": "password",
                                                                     "username": "u", "secret": MARKER})
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "credential_key_error"
    assert "no worker has published the credentials public key yet" in json.dumps(resp.get_json())
    assert not settings.secret_key_file.exists()


def _pubkey() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()


@pytest.mark.parametrize("method,path,body,fragment", [
    ("post", "/api/v1/assets", {"name": "evil-01", "address": "10.9.9.9",
                                "vars": {"ansible_ssh_common_args": "-o ProxyCommand='touch /tmp/x'"}},
     "asset 'evil-01': vars: ansible_ssh_common_args: not allowed: ssh options can run commands on the controller"),
    ("post", "/api/v1/assets", {"name": "evil-01", "address": "{{ lookup('pipe','id') }}"},
     "asset 'evil-01': address: not a host name or IP address"),
    ("patch", "/api/v1/assets/web-01", {"vars": {"ansible_become_exe": "/tmp/evil"}},
     "asset 'web-01': vars: ansible_become_exe: not allowed: it names a program to execute"),
    ("patch", "/api/v1/assets/web-01", {"vars": {"ansible_connection": "local"}},
     "asset 'web-01': vars: ansible_connection: 'local' is only allowed on an asset whose address is loopback"),
    ("patch", "/api/v1/assets/web-01", {"vars": {"ansible_password": "x"}},
     "asset 'web-01': vars: ansible_password: not allowed: secrets belong in a credential"),
    ("post", "/api/v1/groups", {"name": "evil", "vars": {"ansible_ssh_executable": "/tmp/evil"}},
     "group 'evil': vars: ansible_ssh_executable: not allowed"),
    ("patch", "/api/v1/groups/web", {"vars": {"ansible_connection": "local"}},
     "group 'web': vars: ansible_connection: 'local' is not allowed in group vars"),
    ("post", "/api/v1/assets", {"name": "k-01", "address": "10.9.9.9", "host_keys": ["ssh-ed25519 no+pe!"]},
     "asset 'k-01': host_keys: [0]: ssh-ed25519 key: the key data is not valid base64"),
])
def test_dangerous_vars_are_refused_and_nothing_changes(api, method, path, body, fragment):
    before = {a["name"]: a for a in api.get("/api/v1/assets").get_json()["assets"]}
    groups_before = api.get("/api/v1/groups").get_json()
    resp = getattr(api, method)(path, json=body)
    assert resp.status_code == 400, resp.get_json()
    error = resp.get_json()["error"]
    assert set(error) == {"code", "message"} and error["code"] == "validation_error"
    assert error["message"].startswith(fragment), error["message"]
    assert {a["name"]: a for a in api.get("/api/v1/assets").get_json()["assets"]} == before
    assert api.get("/api/v1/groups").get_json() == groups_before


def test_local_connection_follows_the_address(api):
    resp = api.post("/api/v1/assets", json={"name": "ctl", "address": "127.0.0.1",
                                            "vars": {"ansible_connection": "local"}})
    assert resp.status_code == 201
    moved = api.patch("/api/v1/assets/ctl", json={"address": "192.0.2.7"})  # local would now run here
    assert moved.status_code == 400 and "loopback" in moved.get_json()["error"]["message"]
    assert api.get("/api/v1/assets/ctl").get_json()["address"] == "127.0.0.1"


def test_host_keys_are_validated_shown_and_kept(api):
    key = _pubkey()
    resp = api.post("/api/v1/assets", json={"name": "k-01", "address": "10.9.9.9", "host_keys": [key + " me@x"]})
    assert resp.status_code == 201
    shown = resp.get_json()["host_keys"]
    assert [(k["key"], k["source"], k["type"]) for k in shown] == [(key, "import", "ssh-ed25519")]
    assert shown[0]["fingerprint"].startswith("SHA256:") and shown[0]["pinned_at"]
    assert resp.get_json()["host_keys_pending"] == []
    # a patch that does not name host_keys keeps them; [] unpins
    assert api.patch("/api/v1/assets/k-01", json={"port": 2222}).get_json()["host_keys"] == shown
    assert api.patch("/api/v1/assets/k-01", json={"host_keys": []}).get_json()["host_keys"] == []
    assert api.get("/api/v1/assets/web-01").get_json()["host_keys"] == []


def test_accept_a_seen_host_key(api, settings):
    from sqlalchemy import select

    from app.db import session_scope
    from app.db.models import Asset, AuditEntry, utcnow

    old, new = _pubkey(), _pubkey()
    assert api.patch("/api/v1/assets/web-01", json={"host_keys": [old]}).status_code == 200
    assert api.post("/api/v1/assets/web-01/host-key/accept").status_code == 200  # nothing seen: unpin
    assert api.get("/api/v1/assets/web-01").get_json()["host_keys"] == []
    api.patch("/api/v1/assets/web-01", json={"host_keys": [old]})
    with session_scope(settings.database_url) as s:  # what a worker records when the host shows another key
        asset = s.execute(select(Asset).where(Asset.name == "web-01")).scalar_one()
        asset.host_keys_pending, asset.host_keys_pending_at = [new], utcnow()
    seen = api.get("/api/v1/assets/web-01").get_json()["host_keys_pending"]
    assert [k["key"] for k in seen] == [new]
    wrong = api.post("/api/v1/assets/web-01/host-key/accept", json={"fingerprint": "SHA256:nope"})
    assert wrong.status_code == 409 and seen[0]["fingerprint"] in wrong.get_json()["error"]["message"]
    assert api.post("/api/v1/assets/web-01/host-key/accept", json={"bogus": 1}).status_code == 400
    assert api.post("/api/v1/assets/ghost/host-key/accept").status_code == 404
    resp = api.post("/api/v1/assets/web-01/host-key/accept", json={"fingerprint": seen[0]["fingerprint"]})
    assert resp.status_code == 200
    body = resp.get_json()
    assert [(k["key"], k["source"]) for k in body["host_keys"]] == [(new, "accepted")]
    assert body["host_keys_pending"] == []
    with session_scope(settings.database_url) as s:
        entries = [e for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
                   if e.action == "asset.host_key_accepted"]
    assert [(e.actor, e.outcome) for e in entries] == [("admin", "next-contact"), ("admin", "seen-key")]
    assert entries[1].details["accepted"][0]["fingerprint"] == seen[0]["fingerprint"]
