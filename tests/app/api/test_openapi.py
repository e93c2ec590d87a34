"""The OpenAPI document against the live app: schemathesis (no 5xx, responses match the document) and the
document itself (valid OpenAPI 3, every CONTRACT section 6 path, a docs page).

Random cases go through every operation (except the SSE stream) with an admin token; a second pass calls
each operation with real ids (a plan on real assets, a queued preview, a webhook, a token), so the success
responses are checked too, not only the 404s that random ids get.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# /ready answers a documented 503 when no worker is live (none runs here): the other checks still apply
READY_CHECKS = CHECKS[1:]
# streams forever while a run is queued; its 404/stream shape is checked by hand below
EXCLUDED = r"/events$"
# CONTRACT section 6 (paths under /api/v1, plus the root ops endpoints)
CONTRACT_PATHS = {
    "/api/v1/plans": {"post"},
    "/api/v1/plans/{plan_id}": {"get", "put"},
    "/api/v1/plans/{plan_id}/preview": {"post"},
    "/api/v1/plans/{plan_id}/approve": {"post"},
    "/api/v1/plans/{plan_id}/reject": {"post"},
    "/api/v1/plans/{plan_id}/runs": {"post"},
    "/api/v1/runs/{run_id}": {"get"},
    "/api/v1/runs/{run_id}/events": {"get"},
    "/api/v1/runs/{run_id}/cancel": {"post"},
    "/api/v1/plans/{plan_id}/playbook": {"get"},
    "/api/v1/plans/{plan_id}/export/awx": {"get"},
    "/api/v1/assets": {"get", "post"},
    "/api/v1/actions": {"get"},
    "/api/v1/chat": {"post"},
    "/api/v1/openapi.json": {"get"},
    "/health": {"get"},
    "/ready": {"get"},
    "/metrics": {"get"},
    # issue 8 additions
    "/api/v1/audit": {"get"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/{name}/tokens": {"post"},
    "/api/v1/tokens/{token_id}": {"delete"},
    "/api/v1/me": {"get"},
    "/api/v1/inventory": {"get"},  # CONTRACT 9
}


@pytest.fixture
def seeded(api, monkeypatch):
    """Two assets, a ready plan on them with a queued preview (no worker: it stays queued), a webhook."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # the rule planner: fast and offline
    admin = api.as_("admin1")
    for name in ("web-01", "web-02"):
        r = admin.post("/api/v1/assets", json={"name": name, "address": "127.0.0.9", "environment": "staging",
                                                "groups": ["web"]})
        assert r.status_code == 201, r.get_json()
    r = api.post("/api/v1/plans", json={"plan": {"steps": [{"action": "host.ping", "params": {},
                                                           "targets": {"hosts": ["web-01", "web-02"]}}]}})
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()
    r = api.post(f"/api/v1/plans/{plan['id']}/preview")
    assert r.status_code == 202, r.get_json()
    run_id = r.get_json()["id"]
    r = admin.post("/api/v1/webhooks", json={"name": "hook", "url": "http://127.0.0.1:9/hook", "enabled": False})
    assert r.status_code == 201, r.get_json()
    return {"plan_id": plan["id"], "run_id": run_id, "webhook_id": r.get_json()["id"]}


@pytest.fixture
def app_schema(api, seeded):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.client.application).exclude(
        path_regex=EXCLUDED)


def _checks(path: str) -> list:
    return READY_CHECKS if path.endswith("/ready") else CHECKS


@pytest.mark.integration
@pytest.mark.timeout(600)
def test_every_operation_conforms(api, app_schema):
    """Generated valid and invalid input for every operation: no 5xx; status code, content type and body as
    documented. (schemathesis' own pytest plugin does not run on this pytest, so operations are looped here.)"""
    headers = api.as_("admin1")._headers()
    failures: dict[str, str] = {}
    statuses: dict[int, int] = {}
    operations = [result.ok() for result in app_schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hsettings(max_examples=20, derandomize=True, deadline=None, database=None, print_blob=False,
                       suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                if case.operation.path == "/api/v1/tokens/{token_id}":  # never revoke the token in use
                    case.path_parameters["token_id"] = 10**6
                response = case.call_and_validate(headers=headers, checks=_checks(case.operation.path))
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code < 500 or case.operation.path.endswith("/ready")

            try:
                check()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                continue
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, report them together
                failures[f"{operation.label} ({mode.value})"] = str(exc)[:3000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert {200, 201, 400, 404} <= set(statuses) and sum(statuses.values()) > 1000, statuses


@pytest.mark.integration
def test_real_resources_conform(api, app_schema, seeded):
    """Each operation with real ids: the success (and 409) responses match the document too."""
    plan_id, run_id, hook = seeded["plan_id"], seeded["run_id"], seeded["webhook_id"]
    admin = {**api.as_("admin1")._headers()}
    token_id = api.as_("admin1").post("/api/v1/users/viewer1/tokens", json={"label": "x"}).get_json()["id"]
    conversation = api.as_("admin1").post("/api/v1/chat", json={"message": "restart nginx"}).get_json()
    calls = [
        ("GET", "/api/v1/chat/conversations", {}, None, None),
        ("GET", "/api/v1/chat/{conversation_id}", {"conversation_id": conversation["conversation_id"]}, None, None),
        ("GET", "/api/v1/plans", {}, None, {"limit": 5}),
        ("GET", "/api/v1/plans/{plan_id}", {"plan_id": plan_id}, None, None),
        ("GET", "/api/v1/plans/{plan_id}/playbook", {"plan_id": plan_id}, None, None),
        ("GET", "/api/v1/plans/{plan_id}/playbook", {"plan_id": plan_id}, None, {"format": "tar"}),
        ("GET", "/api/v1/plans/{plan_id}/export/awx", {"plan_id": plan_id}, None, None),
        ("POST", "/api/v1/plans/{plan_id}/approve", {"plan_id": plan_id}, {}, None),  # 409: preview not finished
        ("POST", "/api/v1/plans/{plan_id}/runs", {"plan_id": plan_id}, {}, None),  # 409: not approved
        ("POST", "/api/v1/ask", {}, {"request": "restart nginx on web-01"}, None),  # 201: a change plan
        ("GET", "/api/v1/runs", {}, None, {"plan_id": plan_id}),
        ("GET", "/api/v1/runs/{run_id}", {"run_id": run_id}, None, None),
        ("POST", "/api/v1/runs/{run_id}/relaunch", {"run_id": run_id}, None, None),  # 409: a preview
        ("POST", "/api/v1/runs/{run_id}/cancel", {"run_id": run_id}, None, None),
        ("POST", "/api/v1/runs/{run_id}/cancel", {"run_id": run_id}, None, None),  # 409: already canceled
        ("PUT", "/api/v1/plans/{plan_id}", {"plan_id": plan_id},
         {"plan": {"steps": [{"action": "host.ping", "params": {}, "targets": {"hosts": ["web-01"]}}]}}, None),
        ("POST", "/api/v1/plans/{plan_id}/reject", {"plan_id": plan_id}, {"reason": "not now"}, None),
        ("POST", "/api/v1/plans", {}, {"request": "restart nginx"}, None),
        ("POST", "/api/v1/chat", {}, {"message": "ping web-01"}, None),
        ("GET", "/api/v1/assets", {}, None, {"group": "web", "enabled": "true"}),
        ("GET", "/api/v1/assets/{name}", {"name": "web-01"}, None, None),
        ("PATCH", "/api/v1/assets/{name}", {"name": "web-02"}, {"environment": "production"}, None),
        ("POST", "/api/v1/assets", {}, {"name": "web-01", "address": "127.0.0.9"}, None),  # 409
        ("GET", "/api/v1/inventory", {}, None, None),
        ("GET", "/api/v1/inventory", {}, None, {"plan_id": plan_id}),
        ("GET", "/api/v1/inventory", {}, None, {"host": "web-01"}),
        ("GET", "/api/v1/groups", {}, None, None),
        ("GET", "/api/v1/groups/{name}", {"name": "web"}, None, None),
        ("GET", "/api/v1/credentials", {}, None, None),
        ("GET", "/api/v1/actions", {}, None, None),
        ("POST", "/api/v1/actions", {}, {"role": "acme"}, None),  # 400: the body is a tar.gz, not JSON
        ("DELETE", "/api/v1/actions/{name}", {"name": "host.ping"}, None, None),  # 400: built in
        ("DELETE", "/api/v1/actions/{name}", {"name": "acme.nope"}, None, None),  # 404
        ("GET", "/api/v1/webhooks", {}, None, None),
        ("GET", "/api/v1/webhooks/{webhook_id}", {"webhook_id": hook}, None, None),
        ("PATCH", "/api/v1/webhooks/{webhook_id}", {"webhook_id": hook}, {"kind": "slack"}, None),
        ("GET", "/api/v1/webhooks/{webhook_id}/deliveries", {"webhook_id": hook}, None, None),
        ("DELETE", "/api/v1/webhooks/{webhook_id}", {"webhook_id": hook}, None, None),
        ("GET", "/api/v1/users", {}, None, None),
        ("GET", "/api/v1/users/{name}", {"name": "viewer1"}, None, None),
        ("POST", "/api/v1/users", {}, {"name": "newbie", "role": "viewer"}, None),
        ("POST", "/api/v1/users", {}, {"name": "newbie", "role": "viewer"}, None),  # 409
        ("POST", "/api/v1/users/{name}/tokens", {"name": "newbie"}, {"days": 0}, None),
        ("DELETE", "/api/v1/tokens/{token_id}", {"token_id": token_id}, None, None),
        ("GET", "/api/v1/me", {}, None, None),
        ("GET", "/api/v1/audit", {}, None, {"plan_id": plan_id, "limit": 3}),
        ("GET", "/api/v1/audit/verify", {}, None, None),
        ("POST", "/api/v1/assets/{name}/host-key/accept", {"name": "web-01"}, {}, None),
        ("POST", "/api/v1/assets/{name}/host-key/accept", {"name": "web-01"}, {"fingerprint": "SHA256:x"}, None),
        ("DELETE", "/api/v1/assets/{name}", {"name": "web-02"}, None, None),
        ("GET", "/health", {}, None, None),
        ("GET", "/ready", {}, None, None),
        ("GET", "/metrics", {}, None, None),
        ("GET", "/api/v1/openapi.json", {}, None, None),
        ("GET", "/api/v1/docs", {}, None, None),
    ]
    seen = set()
    for method, path, params, body, query in calls:
        operation = app_schema[path][method]
        kwargs = {"path_parameters": params, "query": query, "headers": admin}
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        response = operation.Case(**kwargs).call_and_validate(checks=_checks(path))
        seen.add((method, response.status_code))
        assert response.status_code < 500 or (path == "/ready" and response.status_code == 503)
    assert {("POST", 409), ("POST", 201), ("DELETE", 204), ("GET", 200)} <= seen
    # every documented operation but the stream was exercised with real ids
    covered = {(m, p) for m, p, *_ in calls}
    documented = {(m.upper(), p) for p, ops in api.get("/api/v1/openapi.json").get_json()["paths"].items()
                  for m in ops if not p.endswith("/events") and not p.startswith("/api/v1/health")
                  and not p.startswith("/api/v1/ready")}
    missing = documented - covered - {("POST", "/api/v1/plans/{plan_id}/preview"), ("POST", "/api/v1/groups"),
                                      ("PATCH", "/api/v1/groups/{name}"), ("DELETE", "/api/v1/groups/{name}"),
                                      ("POST", "/api/v1/credentials"), ("GET", "/api/v1/credentials/{name}"),
                                      ("PATCH", "/api/v1/credentials/{name}"),
                                      ("DELETE", "/api/v1/credentials/{name}"), ("POST", "/api/v1/webhooks")}
    assert not missing, missing


@pytest.mark.integration
def test_event_stream_is_documented_and_served(api, seeded):
    doc = api.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/runs/{run_id}/events"]["get"]
    assert "text/event-stream" in op["responses"]["200"]["content"]
    assert op["responses"]["404"]["content"]["application/json"]
    api.post(f"/api/v1/runs/{seeded['run_id']}/cancel")  # finished: the stream replays and ends
    r = api.get(f"/api/v1/runs/{seeded['run_id']}/events?follow=0")
    assert r.status_code == 200 and r.mimetype == "text/event-stream"
    r = api.get("/api/v1/runs/nope/events")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


@pytest.mark.unit
def test_document_is_valid_openapi_listing_the_contract(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = r.get_json()
    assert doc["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(doc).validate()  # raises on an invalid OpenAPI document
    for path, methods in CONTRACT_PATHS.items():
        assert path in doc["paths"], path
        assert methods <= set(doc["paths"][path]), (path, methods)
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            public = path in ("/health", "/ready", "/metrics") or path.split("/")[-1] in (
                "health", "ready", "openapi.json", "docs")
            assert (op.get("security") == []) == public, (method, path)
            if not public:
                assert {"401", "403"} <= set(op["responses"]), (method, path)
            for code, resp in op["responses"].items():
                if code.startswith("4"):  # errors are {"error": {"code", "message"}}
                    ref = resp["content"]["application/json"]["schema"]["$ref"]
                    assert ref.split("/")[-1].startswith("ErrorOut"), (method, path, code)
                assert code != "422", (method, path)  # the API answers bad input with 400, not 422
    media = {p: set(doc["paths"][p]["get"]["responses"]["200"]["content"]) for p in (
        "/api/v1/plans/{plan_id}/playbook", "/api/v1/plans/{plan_id}/export/awx", "/metrics")}
    assert media == {"/api/v1/plans/{plan_id}/playbook": {"application/yaml", "application/gzip"},
                     "/api/v1/plans/{plan_id}/export/awx": {"application/gzip"}, "/metrics": {"text/plain"}}


@pytest.mark.unit
def test_docs_page_renders(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    for path in ("/api/v1/plans/{plan_id}/approve", "/api/v1/audit", "/api/v1/users", "openapi.json"):
        assert path in page
