"""The walking skeleton through the REST API, from plain text, plus input errors and the SSE stream."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def test_ping_from_text_end_to_end(api, worker, fleet_assets):
    worker()
    r = api.post("/api/v1/plans", json={"request": "ping web-01"})
    assert r.status_code == 201
    plan = r.get_json()
    for field in ("status", "questions", "reason", "steps", "hosts", "risk", "read_only", "id"):
        assert field in plan
    assert plan["status"] == "ready" and plan["hosts"] == ["web-01"] and plan["read_only"] is True
    assert plan["steps"][0]["action"] == "host.ping"
    preview = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert preview["mode"] == "check" and preview["status"] == "successful"
    assert preview["hosts"]["web-01"]["status"] == "ok"
    # the requester (an approver) may approve a low-risk plan
    r = api.as_("approver1").post("/api/v1/plans", json={"request": "ping web-01 and web-02"})
    plan2 = r.get_json()
    assert plan2["hosts"] == ["web-01", "web-02"]
    r = api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 200 and r.get_json()["bundle_sha256"] == preview["bundle_sha256"]
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["mode"] == "run" and run["status"] == "successful"
    assert run["hosts"]["web-01"]["steps"][0]["status"] == "ok"
    # the live stream replays every stored event and ends; Last-Event-ID resumes after an event
    r = api.get(f"/api/v1/runs/{run['id']}/events")
    assert r.status_code == 200 and r.mimetype == "text/event-stream"
    text = r.get_data(as_text=True)
    kinds = [line[7:] for line in text.splitlines() if line.startswith("event: ")]
    assert kinds[0] == "start" and "step" in kinds and kinds[-2:] == ["end", "done"]
    ids = [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    r = api.client.get(f"/api/v1/runs/{run['id']}/events",
                       headers={**api.as_("viewer1")._headers(), "Last-Event-ID": str(ids[-2])})
    resumed = [json.loads(line[6:]) for line in r.get_data(as_text=True).splitlines() if line.startswith("data: ")]
    assert [e["seq"] for e in resumed if "seq" in e] == [ids[-1]]


def test_clarification_and_refusal_are_stored_but_not_runnable(api):
    r = api.post("/api/v1/plans", json={"request": "restart nginx"})
    plan = r.get_json()
    assert r.status_code == 201 and plan["status"] == "needs_clarification" and plan["questions"]
    r = api.post(f"/api/v1/plans/{plan['id']}/preview")
    assert r.status_code == 409
    r = api.post("/api/v1/plans", json={"request": "run 'rm -rf /' on all hosts"})
    assert r.get_json()["status"] == "rejected" and r.get_json()["reason"]


@pytest.mark.parametrize("body, status", [
    (None, 400),
    ({}, 400),
    ({"request": 42}, 400),
    ({"request": "x" * 5000}, 400),
    ({"plan": {"steps": []}}, 400),
    ({"plan": {"steps": [{"action": "rm.everything", "params": {}, "targets": {"hosts": ["web-01"]}}]}}, 400),
    ({"plan": {"steps": [{"action": "service.restart", "params": {"name": "a;b"},
                          "targets": {"hosts": ["web-01"]}}]}}, 400),
    ({"plan": {"steps": [{"action": "service.restart", "params": {}, "targets": {}}]}}, 400),
    ({"unexpected": 1}, 400),
])
def test_bad_input_gets_a_json_4xx(api, body, status):
    r = api.client.post("/api/v1/plans", data=json.dumps(body) if body is not None else "not json",
                        headers={**api._headers(), "Content-Type": "application/json"})
    assert r.status_code == status
    err = r.get_json()["error"]
    assert err["code"] and err["message"]


def test_unknown_ids_and_auth(api):
    assert api.get("/api/v1/plans/nope").status_code == 404
    assert api.get("/api/v1/runs/nope").status_code == 404
    assert api.client.get("/api/v1/plans").status_code == 401
    r = api.client.get("/api/v1/plans", headers={"Authorization": "Bearer ops_wrong"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    assert api.as_("viewer1").post("/api/v1/plans", json={"request": "ping web-01"}).status_code == 403
    assert api.client.get("/health").status_code == 200
