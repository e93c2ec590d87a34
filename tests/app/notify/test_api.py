"""Admin CRUD of webhook endpoints and their deliveries over the REST API."""
from __future__ import annotations

import pytest

from app.notify import emit

pytestmark = pytest.mark.integration


@pytest.fixture
def wapi(api):
    assert "webhooks" in api.client.application.blueprints  # registered by the factory like every resource
    return api


def test_crud_admin_only_and_secret_write_only(wapi):
    admin = wapi.as_("admin1")
    body = {"name": "ops-slack", "url": "https://hooks.slack.example/T/B/x", "kind": "slack",
            "events": ["run.failed", "approval.needed"], "secret": "TOPSECRET-1"}
    for user in ("viewer1", "operator1", "approver1"):
        assert wapi.as_(user).post("/api/v1/webhooks", json=body).status_code == 403
        assert wapi.as_(user).get("/api/v1/webhooks").status_code == 403
    r = admin.post("/api/v1/webhooks", json=body)
    assert r.status_code == 201, r.get_json()
    hook = r.get_json()
    assert hook["events"] == ["approval.needed", "run.failed"] and hook["has_secret"] is True
    assert hook["created_by"] == "admin1" and hook["kind"] == "slack"
    assert admin.post("/api/v1/webhooks", json=body).status_code == 409
    for resp in (admin.get("/api/v1/webhooks"), admin.get(f"/api/v1/webhooks/{hook['id']}")):
        assert resp.status_code == 200 and "TOPSECRET" not in resp.get_data(as_text=True)
    r = admin.client.patch(f"/api/v1/webhooks/{hook['id']}", json={"enabled": False, "secret": ""},
                           headers=admin._headers())
    assert r.status_code == 200 and r.get_json()["enabled"] is False and r.get_json()["has_secret"] is False
    r = admin.client.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin._headers())
    assert r.status_code == 204
    assert admin.get(f"/api/v1/webhooks/{hook['id']}").status_code == 404


@pytest.mark.parametrize("body, fragment", [
    ({"name": "x", "url": "ftp://example.com/hook"}, "http"),
    ({"name": "x", "url": "https://example.com/h", "events": ["run.started"]}, "events"),
    ({"name": "x", "url": "https://example.com/h", "kind": "teams"}, "kind"),
    ({"name": "x y", "url": "https://example.com/h"}, "name"),
    ({"url": "https://example.com/h"}, "name"),
    ({"name": "x", "url": "https://example.com/h", "extra": 1}, "extra"),
    ({"name": "x", "url": "https://exa\u0000mple.com/h"}, "url"),
    ({"name": "x", "url": "http://[::1/h"}, "url"),
    ({"name": "x", "url": "https://example.com:99999/h"}, "url"),
    ({"name": "x", "url": "https://example.com/h", "secret": "a\u0000b"}, "secret"),
])
def test_bad_input_is_a_json_400(wapi, body, fragment):
    r = wapi.as_("admin1").post("/api/v1/webhooks", json=body)
    assert r.status_code == 400 and fragment in r.get_json()["error"]["message"]


def test_deliveries_listing(wapi):
    admin = wapi.as_("admin1")
    hook = admin.post("/api/v1/webhooks", json={"name": "down", "url": "http://127.0.0.1:9/hook"}).get_json()
    import dataclasses

    down = dataclasses.replace(wapi.settings, redis_url="redis://127.0.0.1:9/0")
    [delivery_id] = emit(down, "run.finished", {"plan_id": "a" * 32, "run_id": "b" * 32, "status": "successful"})
    r = admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries?limit=5")
    assert r.status_code == 200
    [d] = r.get_json()["deliveries"]
    assert d["id"] == delivery_id and d["status"] == "failed" and d["event"] == "run.finished"
    assert admin.get("/api/v1/webhooks/999/deliveries").status_code == 404
    assert admin.get(f"/api/v1/webhooks/{2**70}").status_code == 404
    r = admin.client.patch(f"/api/v1/webhooks/{hook['id']}", json={"name": None, "kind": "slack"},
                           headers=admin._headers())
    assert r.status_code == 200 and r.get_json()["name"] == "down" and r.get_json()["kind"] == "slack"
    assert admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries?limit=0").status_code == 400
