"""Execution zones (CONTRACT 10) end to end: real workers started with ``--zone``, real Redis, real sshd hosts.

Two hosts of the SSH fleet are in the default zone and two in ``dmz``. A plan over all four runs as one run
with one approval, zone by zone; each zone's hosts are run (and their SSH host keys scanned: a real contact)
only by the worker serving that zone, and the run records which worker ran which hosts.
"""
from __future__ import annotations

import pytest
import yaml
from sqlalchemy import func, select

from app.db import session_scope
from app.db.models import Approval, Asset, Run, RunEvent
from tests.conftest import sqlite_only
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration

DEFAULT_HOSTS = ["web-01", "web-02"]
DMZ_HOSTS = ["web-03", "web-04"]


@pytest.fixture
def zoned_fleet(ssh_fleet, stack_env, tmp_path):
    """The four SSH test hosts as assets: web-01/02 in the default zone, web-03/04 in zone dmz."""
    from app.assets.cli import import_path
    from app.config import Settings

    doc = ssh_fleet.assets_yaml()
    for asset in doc["assets"]:
        if asset["name"] in DMZ_HOSTS:
            asset["zone"] = "dmz"
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(doc))
    import_path(Settings.from_env(stack_env), path)
    return doc


def _pid(worker_label: str) -> int:
    return int(worker_label.rpartition(":")[2])


def _plan(api, body: dict) -> dict:
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()
    assert plan["status"] == "ready" and plan["hosts"] == DEFAULT_HOSTS + DMZ_HOSTS, plan
    return plan


def _pinned(db_url: str) -> dict[str, bool]:
    """Which assets have SSH host keys pinned: a run scans a host's keys before it connects."""
    with session_scope(db_url) as s:
        return {name: bool(keys) for name, keys in s.execute(select(Asset.name, Asset.host_keys))}


def _assert_zone_parts(run: dict, by_zone: dict[str, int]) -> None:
    """The run ran zone by zone: default first, then dmz, each part on its zone's worker."""
    parts = run["zones"]
    assert [(p["zone"], p["hosts"]) for p in parts] == [("default", DEFAULT_HOSTS), ("dmz", DMZ_HOSTS)], parts
    for part in parts:
        assert _pid(part["worker"]) == by_zone[part["zone"]], (part, by_zone)
    for host, entry in run["hosts"].items():
        zone = "dmz" if host in DMZ_HOSTS else "default"
        assert entry["zone"] == zone and _pid(entry["worker"]) == by_zone[zone], (host, entry)


def _events(db_url: str, run_id: str, kind: str) -> list[dict]:
    with session_scope(db_url) as s:
        return [e.data for e in s.execute(select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.kind == kind)
                                          .order_by(RunEvent.seq)).scalars()]


@sqlite_only
def test_a_plan_spanning_two_zones_runs_zone_by_zone_as_one_run_with_one_approval(api, worker, zoned_fleet,
                                                                                   tmp_path):
    default_worker, dmz_worker = worker(), worker(zones=("dmz",))
    by_zone = {"default": default_worker.pid, "dmz": dmz_worker.pid}
    marker = tmp_path / "ran"
    plan = _plan(api, {"plan": {"steps": [{"action": "command.run", "params": {"command": f"touch {marker}"},
                                           "targets": {"groups": ["web"]}}]}})  # changed on every host

    preview = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"], timeout=240)
    assert preview["status"] == "successful", (preview["error"], preview["hosts"])
    _assert_zone_parts(preview, by_zone)
    assert not marker.exists()  # check mode changed nothing
    assert all(_pinned(api.settings.database_url).values())

    r = api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 200, r.get_json()
    r = api.post(f"/api/v1/plans/{plan['id']}/runs")
    assert r.status_code == 202, r.get_json()
    run = api.wait_run(r.get_json()["id"], timeout=240)
    assert run["status"] == "successful", (run["error"], run["hosts"])
    assert marker.exists()
    _assert_zone_parts(run, by_zone)
    assert run["status_message"] == "" and all(e["status"] == "changed" for e in run["hosts"].values()), run

    db = api.settings.database_url
    with session_scope(db) as s:  # one run, one approval, used by it
        runs = s.execute(select(Run.id).where(Run.plan_id == plan["id"], Run.mode == "run",
                                              Run.verifies_run_id.is_(None))).scalars().all()
        approvals = s.execute(select(Approval).where(Approval.plan_id == plan["id"])).scalars().all()
        assert runs == [run["id"]] and [a.run_id for a in approvals] == [run["id"]]
    # the events say which worker ran which hosts; the run started and ended once
    zone_events = _events(db, run["id"], "zone")
    assert [(e["zone"], e["hosts"], _pid(e["worker"])) for e in zone_events] == [
        ("default", DEFAULT_HOSTS, default_worker.pid), ("dmz", DMZ_HOSTS, dmz_worker.pid)]
    assert len(_events(db, run["id"], "start")) == 1 and len(_events(db, run["id"], "end")) == 1
    # the verification of the last zone was recorded before the run settled: never an earlier zone's subset
    assert set(run["verification"]["hosts"]) == set(DEFAULT_HOSTS + DMZ_HOSTS), run["verification"]
    # every host was verified, each by its zone's worker, in one verification run
    wait_for("the verification", lambda: api.get(f"/api/v1/runs/{run['id']}").get_json()
             .get("verification", {}).get("status") not in (None, "pending"), timeout=120)
    verification = api.get(f"/api/v1/runs/{run['id']}").get_json()["verification"]
    assert verification["hosts"] == dict.fromkeys(DEFAULT_HOSTS + DMZ_HOSTS, "not_verifiable"), verification
    assert verification["status"] == "not_verifiable", verification
    check = api.get(f"/api/v1/runs/{verification['run_id']}").get_json()
    assert {h: _pid(e["worker"]) for h, e in check["hosts"].items()} == {
        h: by_zone["dmz" if h in DMZ_HOSTS else "default"] for h in DEFAULT_HOSTS + DMZ_HOSTS}


@sqlite_only
def test_a_run_waits_for_a_worker_of_its_zone_and_says_so(api, worker, zoned_fleet):
    worker()  # the default zone only
    db = api.settings.database_url
    plan = _plan(api, {"plan": {"steps": [{"action": "host.ping", "params": {}, "targets": {"groups": ["web"]}}]}})
    run_id = api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"]

    def waiting() -> dict | None:
        body = api.get(f"/api/v1/runs/{run_id}").get_json()
        return body if body["status"] == "queued" and body["zone"] == "dmz" else None

    run = wait_for("the default zone's part to finish", waiting, timeout=180)
    assert "waiting for a worker of zone 'dmz'" in run["status_message"], run["status_message"]
    assert "opsplan worker --zone dmz" in run["status_message"]
    assert [(p["zone"], p["hosts"], p["status"]) for p in run["zones"]] == [("default", DEFAULT_HOSTS, "successful")]
    assert {h: e["status"] for h, e in run["hosts"].items()} == {
        "web-01": "ok", "web-02": "ok", "web-03": "pending", "web-04": "pending"}
    # the default zone's worker never contacted the dmz hosts: not even to scan their SSH host keys
    assert _pinned(db) == {"web-01": True, "web-02": True, "web-03": False, "web-04": False}
    ready = api.client.get("/ready").get_json()
    assert ready["zones"] == {"default": 1, "dmz": 0}, ready
    page = api.client.get("/runs", headers={"Authorization": f"Bearer {api.tokens['viewer1']}"})
    assert page.status_code == 200 and b"dmz: 0" in page.data

    dmz_worker = worker(zones=("dmz",))
    run = api.wait_run(run_id, timeout=180)
    assert run["status"] == "successful", (run["error"], run["hosts"])
    assert run["status_message"] == ""
    assert [(p["zone"], _pid(p["worker"])) for p in run["zones"]][1] == ("dmz", dmz_worker.pid)
    assert all(_pinned(db).values())
    with session_scope(db) as s:
        assert s.execute(select(func.count()).select_from(RunEvent).where(
            RunEvent.run_id == run_id, RunEvent.kind == "end")).scalar_one() == 1


@sqlite_only
def test_cancel_while_waiting_for_a_zone_then_relaunch_runs_only_the_hosts_not_run(api, worker, zoned_fleet,
                                                                                  tmp_path):
    worker()
    src = tmp_path / "release.txt"
    src.write_text("release 3\n")
    dest = tmp_path / "installed.txt"
    plan = _plan(api, {"plan": {"steps": [{"action": "file.copy", "params": {"src": str(src), "dest": str(dest)},
                                           "targets": {"groups": ["web"]}}]}})
    preview_id = api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"]
    wait_for("the preview to wait for zone dmz", lambda: api.get(f"/api/v1/runs/{preview_id}").get_json()["zone"]
             == "dmz" and api.get(f"/api/v1/runs/{preview_id}").get_json()["status"] == "queued", timeout=180)
    dmz_worker = worker(zones=("dmz",))
    preview = api.wait_run(preview_id, timeout=180)
    assert preview["status"] == "successful", preview
    dmz_worker.stop()
    wait_for("the dmz worker to be gone", lambda: api.client.get("/ready").get_json()["zones"].get("dmz") == 0)
    assert api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run_id = api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"]
    wait_for("the run to wait for zone dmz", lambda: api.get(f"/api/v1/runs/{run_id}").get_json()["zone"]
             == "dmz" and api.get(f"/api/v1/runs/{run_id}").get_json()["status"] == "queued", timeout=180)

    r = api.post(f"/api/v1/runs/{run_id}/cancel")
    assert r.status_code == 202, r.get_json()
    run = api.get(f"/api/v1/runs/{run_id}").get_json()
    assert run["status"] == "canceled" and "waiting for zone 'dmz'" in run["error"], run
    statuses = {h: e["status"] for h, e in run["hosts"].items()}  # both default hosts copy to one path here
    assert {statuses[h] for h in DEFAULT_HOSTS} <= {"ok", "changed"} and "changed" in statuses.values(), statuses
    assert [statuses[h] for h in DMZ_HOSTS] == ["canceled", "canceled"], statuses
    assert dest.read_text() == "release 3\n"

    r = api.post(f"/api/v1/runs/{run_id}/relaunch")  # the same approval, the hosts that did not succeed
    assert r.status_code == 202, r.get_json()
    relaunch = r.get_json()
    assert relaunch["limit"] == DMZ_HOSTS and relaunch["zone"] == "dmz"
    assert "no live worker" in api.get(f"/api/v1/runs/{relaunch['id']}").get_json()["status_message"]
    dmz_again = worker(zones=("dmz",))
    done = api.wait_run(relaunch["id"], timeout=180)
    assert done["status"] == "successful", (done["error"], done["hosts"])
    assert sorted(done["hosts"]) == DMZ_HOSTS
    assert [(p["zone"], p["hosts"], _pid(p["worker"])) for p in done["zones"]] == [
        ("dmz", DMZ_HOSTS, dmz_again.pid)]


@sqlite_only
def test_a_lost_worker_fails_its_zones_hosts_and_leaves_the_other_zone_untouched(api, worker, zoned_fleet):
    import os
    import signal

    from tests.app.test_executor import processes_with

    first, dmz = worker(), worker(zones=("dmz",))
    sleeper = f"sleep {60 + int.from_bytes(os.urandom(2), 'big') % 1000}.5"
    plan = _plan(api, {"plan": {"steps": [{"action": "command.run", "params": {"command": sleeper},
                                           "targets": {"groups": ["web"]}}]}})
    preview = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"], timeout=180)
    assert preview["status"] == "successful", preview
    dmz.stop()  # the run's dmz part will wait; the default part is where the worker gets lost
    assert api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run_id = api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"]
    wait_for("the remote commands to start", lambda: len(processes_with(sleeper)) >= 2, timeout=120)
    first.kill(signal.SIGKILL)
    worker()  # a new default-zone worker on this machine reaps the lost part
    final = api.wait_run(run_id, timeout=120)
    assert final["status"] == "failed" and "worker lost" in final["error"], final
    for host in DEFAULT_HOSTS:
        assert final["hosts"][host]["status"] == "failed", final["hosts"][host]
    for host in DMZ_HOSTS:  # never contacted by this run: canceled, steps not run, relaunchable
        entry = final["hosts"][host]
        assert entry["status"] == "canceled" and entry["steps"][0]["status"] == "skipped", entry
        assert "worker" not in entry
    assert [p["zone"] for p in final["zones"]] == []  # the lost part was never recorded as finished
    wait_for("the remote commands to stop", lambda: not processes_with(sleeper), timeout=60)
