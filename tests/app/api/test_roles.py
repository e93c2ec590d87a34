"""Access control: every /api/v1 endpoint needs a token (but the public ops/doc ones), each enforces its role
minimum, and high-risk plans need a second person to approve them (four-eyes)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration

ROLES = ("viewer1", "operator1", "approver1", "admin1")  # ascending rank
RANK = {"viewer": 0, "operator": 1, "approver": 2, "admin": 3}
PUBLIC = {"/api/v1/health", "/api/v1/ready", "/api/v1/openapi.json", "/api/v1/docs"}

# (method, Flask rule) -> the lowest role allowed. Every /api/v1 endpoint must be listed here.
MINIMUM = {
    ("GET", "/api/v1/plans"): "viewer",
    ("POST", "/api/v1/plans"): "operator",
    ("GET", "/api/v1/plans/<plan_id>"): "viewer",
    ("PUT", "/api/v1/plans/<plan_id>"): "operator",
    ("POST", "/api/v1/plans/<plan_id>/preview"): "operator",
    ("POST", "/api/v1/plans/<plan_id>/approve"): "approver",
    ("POST", "/api/v1/plans/<plan_id>/reject"): "approver",
    ("POST", "/api/v1/plans/<plan_id>/runs"): "operator",
    ("POST", "/api/v1/ask"): "operator",
    ("GET", "/api/v1/plans/<plan_id>/playbook"): "viewer",
    ("GET", "/api/v1/plans/<plan_id>/export/awx"): "viewer",
    ("GET", "/api/v1/runs"): "viewer",
    ("GET", "/api/v1/runs/<run_id>"): "viewer",
    ("GET", "/api/v1/runs/<run_id>/events"): "viewer",
    ("POST", "/api/v1/runs/<run_id>/cancel"): "operator",
    ("POST", "/api/v1/runs/<run_id>/relaunch"): "operator",
    ("GET", "/api/v1/actions"): "viewer",
    ("GET", "/api/v1/inventory"): "viewer",
    ("POST", "/api/v1/actions"): "admin",
    ("DELETE", "/api/v1/actions/<name>"): "admin",
    ("POST", "/api/v1/chat"): "operator",
    ("GET", "/api/v1/chat/conversations"): "viewer",
    ("GET", "/api/v1/chat/<conversation_id>"): "viewer",
    ("GET", "/api/v1/assets"): "viewer",
    ("POST", "/api/v1/assets"): "admin",
    ("GET", "/api/v1/assets/<name>"): "viewer",
    ("PATCH", "/api/v1/assets/<name>"): "admin",
    ("DELETE", "/api/v1/assets/<name>"): "admin",
    ("POST", "/api/v1/assets/<name>/host-key/accept"): "admin",
    ("GET", "/api/v1/groups"): "viewer",
    ("POST", "/api/v1/groups"): "admin",
    ("GET", "/api/v1/groups/<name>"): "viewer",
    ("PATCH", "/api/v1/groups/<name>"): "admin",
    ("DELETE", "/api/v1/groups/<name>"): "admin",
    ("GET", "/api/v1/credentials"): "admin",
    ("POST", "/api/v1/credentials"): "admin",
    ("GET", "/api/v1/credentials/<name>"): "admin",
    ("PATCH", "/api/v1/credentials/<name>"): "admin",
    ("DELETE", "/api/v1/credentials/<name>"): "admin",
    ("GET", "/api/v1/webhooks"): "admin",
    ("POST", "/api/v1/webhooks"): "admin",
    ("GET", "/api/v1/webhooks/<int:webhook_id>"): "admin",
    ("PATCH", "/api/v1/webhooks/<int:webhook_id>"): "admin",
    ("DELETE", "/api/v1/webhooks/<int:webhook_id>"): "admin",
    ("GET", "/api/v1/webhooks/<int:webhook_id>/deliveries"): "admin",
    ("GET", "/api/v1/audit"): "approver",
    ("GET", "/api/v1/audit/verify"): "approver",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("GET", "/api/v1/users/<name>"): "admin",
    ("POST", "/api/v1/users/<name>/tokens"): "admin",
    ("DELETE", "/api/v1/tokens/<int:token_id>"): "admin",
    ("GET", "/api/v1/me"): "viewer",
}


def _url(rule: str) -> str:
    """A concrete URL for a rule: ids that exist nowhere, so nothing real is touched."""
    return re.sub(r"<int:[^>]+>", "999999", re.sub(r"<(?!int:)[^>]+>", "nope", rule))


def _endpoints(api) -> set[tuple[str, str]]:
    out = set()
    for rule in api.client.application.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule in PUBLIC or rule.rule.startswith("/api/v1/apidoc"):
            continue
        out |= {(m, rule.rule) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def _call(api, user: str | None, method: str, rule: str):
    headers = {} if user is None else {"Authorization": f"Bearer {api.tokens[user]}"}
    kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return api.client.open(_url(rule), method=method, headers=headers, **kw)


def test_the_role_table_covers_every_endpoint(api):
    assert _endpoints(api) == set(MINIMUM)


def test_every_endpoint_rejects_unauthenticated_requests(api):
    for method, rule in sorted(_endpoints(api)):
        r = _call(api, None, method, rule)
        assert r.status_code == 401, (method, rule, r.status_code)
        assert r.get_json()["error"]["code"] == "unauthorized"
        r = api.client.open(_url(rule), method=method, headers={"Authorization": "Bearer ops_not-a-token"})
        assert r.status_code == 401, (method, rule)


def test_public_endpoints_need_no_token(api):
    for path in ("/health", "/metrics", "/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"):
        assert api.client.get(path).status_code == 200, path
    assert api.client.get("/ready").status_code in (200, 503)  # no worker here: 503, but never 401


def test_every_endpoint_enforces_its_role_minimum(api):
    for (method, rule), minimum in sorted(MINIMUM.items()):
        for user in ROLES:
            r = _call(api, user, method, rule)
            role = user.rstrip("0123456789")
            if RANK[role] < RANK[minimum]:
                assert r.status_code == 403, (user, method, rule, r.status_code)
                assert r.get_json()["error"]["code"] == "forbidden"
            else:  # allowed: the request gets past the role check (then 400/404/409 for these fake ids)
                assert r.status_code not in (401, 403, 500), (user, method, rule, r.status_code, r.get_json())


def test_each_role_on_real_resources(api, fleet_assets, tmp_path):
    viewer, operator, approver, admin = (api.as_(u) for u in ROLES)
    body = {"plan": {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": ["web-01"]}}]}}
    # viewer: reads only
    assert viewer.post("/api/v1/plans", json=body).status_code == 403
    r = operator.post("/api/v1/plans", json=body)
    assert r.status_code == 201
    plan_id = r.get_json()["id"]
    assert viewer.get(f"/api/v1/plans/{plan_id}").status_code == 200
    assert viewer.get(f"/api/v1/plans/{plan_id}/playbook").status_code == 200
    assert viewer.post(f"/api/v1/plans/{plan_id}/preview").status_code == 403
    assert viewer.get("/api/v1/audit").status_code == 403
    # operator: plans, previews and cancels; cannot approve, reject, see the audit log or manage users/webhooks
    r = operator.post(f"/api/v1/plans/{plan_id}/preview")
    assert r.status_code == 202
    run_id = r.get_json()["id"]
    assert viewer.post(f"/api/v1/runs/{run_id}/cancel").status_code == 403
    assert operator.post(f"/api/v1/runs/{run_id}/cancel").status_code == 202
    r = operator.post(f"/api/v1/plans/{plan_id}/approve")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert operator.post(f"/api/v1/plans/{plan_id}/reject", json={"reason": "no"}).status_code == 403
    assert operator.get("/api/v1/audit").status_code == 403
    assert operator.post("/api/v1/users", json={"name": "eve", "role": "admin"}).status_code == 403
    assert operator.post("/api/v1/users/operator1/tokens", json={}).status_code == 403
    assert operator.post("/api/v1/webhooks", json={"name": "h", "url": "http://127.0.0.1:9/"}).status_code == 403
    assert operator.post("/api/v1/assets", json={"name": "x-01", "address": "127.0.0.1"}).status_code == 403
    # approver: approves/rejects and reads the audit log, but does not manage users or webhooks
    assert approver.post(f"/api/v1/plans/{plan_id}/approve").status_code == 409  # role ok; preview canceled
    assert approver.post(f"/api/v1/plans/{plan_id}/reject", json={"reason": "not today"}).status_code == 200
    assert approver.get("/api/v1/audit").status_code == 200
    assert approver.get("/api/v1/users").status_code == 403
    assert approver.get("/api/v1/webhooks").status_code == 403
    # admin: everything
    r = admin.post("/api/v1/users", json={"name": "ops2", "role": "operator"})
    assert r.status_code == 201 and r.get_json()["role"] == "operator"
    r = admin.post("/api/v1/users/ops2/tokens", json={"label": "ci", "days": 1})
    assert r.status_code == 201
    token = r.get_json()["token"]
    r = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.get_json() == {"name": "ops2", "role": "operator"}
    assert admin.post("/api/v1/webhooks", json={"name": "h", "url": "http://127.0.0.1:9/", "enabled": False}
                      ).status_code == 201
    assert admin.get("/api/v1/audit/verify").get_json()["intact"] is True
    for user in ROLES:
        me = api.as_(user).get("/api/v1/me").get_json()
        assert me["name"] == user and me["role"] == user.rstrip("0123456789")


def test_four_eyes_for_a_high_risk_plan(api, worker, fleet_assets, tmp_path):
    """The requester, even an approver, cannot approve their own high-risk plan; another approver can."""
    worker()
    body = {"plan": {"steps": [{"action": "command.run", "params": {"command": f"touch {tmp_path}/ran"},
                                "targets": {"hosts": ["web-01"]}}]}}
    requester = api.as_("approver1")
    plan = requester.post("/api/v1/plans", json=body).get_json()
    assert plan["risk"] == "high"
    r = requester.post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "preview_required"
    preview = requester.wait_run(requester.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert preview["status"] in ("successful", "partial"), preview
    r = requester.post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "four_eyes"
    assert api.as_("operator1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 403  # role
    assert api.get(f"/api/v1/plans/{plan['id']}").get_json()["approved"] is False
    r = api.as_("approver2").post(f"/api/v1/plans/{plan['id']}/approve", json={"reason": "checked"})
    assert r.status_code == 200 and r.get_json()["approved_by"] == "approver2"
    # an admin is no exception to four-eyes on its own plan
    plan2 = api.as_("admin1").post("/api/v1/plans", json=body).get_json()
    api.as_("admin1").wait_run(api.as_("admin1").post(f"/api/v1/plans/{plan2['id']}/preview").get_json()["id"])
    r = api.as_("admin1").post(f"/api/v1/plans/{plan2['id']}/approve")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "four_eyes"
    assert not (tmp_path / "ran").exists()  # nothing ran: previews of commands do not execute them
