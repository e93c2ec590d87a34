"""The approval gate through the API with a real worker, real Redis and sshd hosts: four-eyes over every
revision author, one approval for one run (plus relaunches on the hosts that did not succeed), and a
queue outage that answers 503 and creates nothing."""
from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.db import session_scope
from app.db.models import AuditEntry, Run

pytestmark = pytest.mark.integration


def command_plan(command: str, hosts: list[str]) -> dict:
    return {"plan": {"steps": [{"action": "command.run", "params": {"command": command},
                                "targets": {"hosts": hosts}}]}}


def preview(client, plan_id: str) -> dict:
    r = client.post(f"/api/v1/plans/{plan_id}/preview")
    assert r.status_code == 202, r.get_json()
    run = client.wait_run(r.get_json()["id"])
    assert run["status"] in ("successful", "partial"), run
    return run


def test_an_approver_cannot_approve_a_plan_they_revised_into_high_risk(api, worker, fleet_assets, tmp_path):
    """Regression (issue 11.1): the four-eyes check compared the approver with the plan's creator only."""
    worker()
    low = {"plan": {"steps": [{"action": "host.ping", "targets": {"hosts": ["web-01"]}}]}}
    plan = api.as_("operator1").post("/api/v1/plans", json=low).get_json()
    assert plan["risk"] == "low"
    r = api.as_("approver1").put(f"/api/v1/plans/{plan['id']}", json=command_plan(f"touch {tmp_path}/x", ["web-01"]))
    assert r.status_code == 200 and r.get_json()["risk"] == "high"
    preview(api.as_("approver1"), plan["id"])
    r = api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "four_eyes"
    assert "author of any revision" in r.get_json()["error"]["message"]
    r = api.as_("approver2").post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 200 and r.get_json()["approved_by"] == "approver2"


def test_one_approval_authorizes_one_run_and_relaunches_of_its_failed_hosts(api, worker, fleet_assets, tmp_path,
                                                                           ssh_fleet):
    """Regression (issue 11.2): one approval of a high-risk command.run allowed three successful runs."""
    worker()
    # both hosts (sshd on this machine) fail until the file the command reads exists
    needed = tmp_path / "needed"
    body = command_plan(f"cat {needed}", ["web-01", "web-02"])
    plan = api.post("/api/v1/plans", json=body).get_json()
    needed.write_text("x")
    preview(api, plan["id"])
    assert api.as_("approver2").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    assert api.get(f"/api/v1/plans/{plan['id']}").get_json()["state"] == "approved"
    needed.unlink()
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["status"] == "failed" and {h: e["status"] for h, e in run["hosts"].items()} == {
        "web-01": "failed", "web-02": "failed"}, run
    state = api.get(f"/api/v1/plans/{plan['id']}").get_json()
    assert state["state"] == "finished" and state["approved"] is False and state["approval_used"] is True
    r = api.post(f"/api/v1/plans/{plan['id']}/runs")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "approval_used"
    r = api.post(f"/api/v1/plans/{plan['id']}/runs", json={"limit": ["web-01"]})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "approval_used"
    needed.write_text("x")
    r = api.post(f"/api/v1/runs/{run['id']}/relaunch")  # the same approval, the hosts that did not succeed
    assert r.status_code == 202 and r.get_json()["limit"] == ["web-01", "web-02"]
    again = api.wait_run(r.get_json()["id"])
    assert again["status"] == "successful", again
    r = api.post(f"/api/v1/runs/{again['id']}/relaunch")
    assert r.status_code == 400  # everything succeeded: nothing left to relaunch
    r = api.post(f"/api/v1/runs/{run['id']}/relaunch")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "approval_used"
    with session_scope(api.settings.database_url) as s:
        used = s.execute(select(func.count()).select_from(Run).where(Run.plan_id == plan["id"],
                                                                     Run.mode == "run")).scalar_one()
    assert used == 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_queue_outage_answers_503_and_creates_nothing(api, fleet_assets):
    """Regression (issue 11.5): preview, run and relaunch answered 500 and left a run that only started later."""
    plan = api.post("/api/v1/plans", json={"request": "ping web-01"}).get_json()
    down = api.with_settings(replace(api.settings, redis_url=f"redis://127.0.0.1:{_closed_port()}/0"))
    with session_scope(api.settings.database_url) as s:
        before = (s.execute(select(func.count()).select_from(Run)).scalar_one(),
                  s.execute(select(func.count()).select_from(AuditEntry)).scalar_one())
    for path in (f"/api/v1/plans/{plan['id']}/preview", f"/api/v1/plans/{plan['id']}/runs"):
        r = down.post(path)
        assert r.status_code == 503, (path, r.get_json())
        assert r.get_json()["error"]["code"] == "queue_unavailable"
    with session_scope(api.settings.database_url) as s:
        after = (s.execute(select(func.count()).select_from(Run)).scalar_one(),
                 s.execute(select(func.count()).select_from(AuditEntry)).scalar_one())
    assert after == before


def test_a_run_committed_while_redis_went_away_waits_visibly_then_runs_once(api, worker, fleet_assets,
                                                                            monkeypatch):
    """Redis answers the ping but the enqueue fails: the run waits with a message, a worker enqueues it."""
    from app.errors import QueueUnavailable
    from app.services import launch

    def lost(*_args, **_kwargs):
        raise QueueUnavailable("the job queue (Redis) is unavailable: ConnectionError")

    monkeypatch.setattr(launch, "enqueue_run", lost)
    plan = api.post("/api/v1/plans", json={"request": "ping web-01"}).get_json()
    r = api.post(f"/api/v1/plans/{plan['id']}/preview")
    assert r.status_code == 202 and r.get_json()["status"] == "queued"
    assert "waiting for the job queue" in r.get_json()["error"]
    worker()  # its start-up pass enqueues queued runs that have no job
    run = api.wait_run(r.get_json()["id"])
    assert run["status"] == "successful" and run["error"] == ""
    with session_scope(api.settings.database_url) as s:
        starts = s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.run_id == run["id"], AuditEntry.action == "preview.finished")).scalar_one()
    assert starts == 1
