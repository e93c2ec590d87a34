"""The executor end to end: real RQ worker subprocess, real Redis, real sshd hosts, real ansible-runner."""
from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.db.models import AuditEntry, Run, RunEvent
from tests.conftest import sqlite_only
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration


def copy_plan(src: Path, dest: Path, hosts: list[str]) -> dict:
    return {"plan": {"steps": [{"action": "file.copy", "params": {"src": str(src), "dest": str(dest)},
                                "targets": {"hosts": hosts}}]}}


def approved(api, body: dict, approver: str = "approver1") -> str:
    """Create, preview (must succeed) and approve a plan; return its id."""
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()
    assert plan["status"] == "ready", plan
    r = api.post(f"/api/v1/plans/{plan['id']}/preview")
    assert r.status_code == 202, r.get_json()
    preview = api.wait_run(r.get_json()["id"])
    assert preview["mode"] == "check" and preview["status"] in ("successful", "partial"), preview
    r = api.as_(approver).post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 200, r.get_json()
    return plan["id"]


def test_preview_changes_nothing_and_run_changes_the_host(api, worker, fleet_assets, tmp_path):
    worker()
    src = tmp_path / "src.txt"
    src.write_text("release 2\n")
    dest = tmp_path / "dest.txt"
    dest.write_text("release 1\n")
    r = api.post("/api/v1/plans", json=copy_plan(src, dest, ["web-01"]))
    plan = r.get_json()
    assert plan["hosts"] == ["web-01"] and plan["read_only"] is False
    r = api.post("/api/v1/runs/none")  # method not allowed: JSON error, not HTML
    assert r.status_code == 405 and "error" in r.get_json()

    r = api.post(f"/api/v1/plans/{plan['id']}/runs")
    assert r.status_code == 409  # no preview, no approval
    r = api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "preview_required"

    preview = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert preview["mode"] == "check" and preview["status"] == "successful", (preview["error"], preview["hosts"])
    step = preview["hosts"]["web-01"]["steps"][0]
    assert step["status"] == "changed" and step["previewable"] is True
    assert "-release 1" in step["diff"] and "+release 2" in step["diff"]
    assert dest.read_text() == "release 1\n"  # the preview changed nothing on the host

    r = api.as_("operator1").post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 403  # operators cannot approve
    assert api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["mode"] == "run" and run["status"] == "successful", run
    assert run["hosts"]["web-01"]["status"] == "changed"
    assert dest.read_text() == "release 2\n"

    # a later preview of the same plan never executes for real, whatever ran before
    dest.write_text("release 1\n")
    again = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert again["mode"] == "check" and again["hosts"]["web-01"]["steps"][0]["status"] == "changed"
    assert dest.read_text() == "release 1\n"
    with session_scope(api.settings.database_url) as s:
        actions = [e.action for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert actions[:2] == ["plan.created", "preview.requested"]
    assert "plan.approved" in actions and "run.finished" in actions


def test_edit_voids_approval_and_stale_assets_refuse_the_run(api, worker, fleet_assets, tmp_path):
    worker()
    src = tmp_path / "a.txt"
    src.write_text("x\n")
    plan_id = approved(api, copy_plan(src, tmp_path / "b.txt", ["web-01"]))
    # the asset behind the plan changes after approval: the run is refused as stale
    from app.db.models import Asset

    approved_sha = api.get(f"/api/v1/plans/{plan_id}").get_json()["bundle_sha256"]
    with session_scope(api.settings.database_url) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-01")).scalar_one()
        asset.port = asset.port  # no-op first: same bundle
    assert api.get(f"/api/v1/plans/{plan_id}/playbook").headers["X-Bundle-Sha256"] == approved_sha
    with session_scope(api.settings.database_url) as s:
        asset = s.execute(select(Asset).where(Asset.name == "web-01")).scalar_one()
        asset.vars = {**asset.vars, "team": "ops"}
    assert api.get(f"/api/v1/plans/{plan_id}/playbook").headers["X-Bundle-Sha256"] != approved_sha
    r = api.post(f"/api/v1/plans/{plan_id}/runs")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_approval"
    # an edit makes a new revision and voids the approval
    r = api.put(f"/api/v1/plans/{plan_id}", json=copy_plan(src, tmp_path / "c.txt", ["web-01"]))
    assert r.status_code == 200 and r.get_json()["revision"] == 2 and r.get_json()["approved"] is False
    r = api.post(f"/api/v1/plans/{plan_id}/runs")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_approved"


@sqlite_only
def test_four_eyes_for_high_risk(api, worker, fleet_assets, tmp_path):
    worker()
    body = {"plan": {"steps": [{"action": "command.run", "params": {"command": f"touch {tmp_path}/ran"},
                                "targets": {"hosts": ["web-01"]}}]}}
    r = api.as_("approver1").post("/api/v1/plans", json=body)
    plan = r.get_json()
    assert plan["risk"] == "high"
    preview = api.as_("approver1").wait_run(
        api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    step = preview["hosts"]["web-01"]["steps"][0]
    assert step["status"] == "not_previewable" and step["previewable"] is False and step["reason"]
    assert not (tmp_path / "ran").exists()
    r = api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "four_eyes"
    assert api.as_("approver2").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["status"] == "successful", run
    assert (tmp_path / "ran").exists()


@sqlite_only
def test_unreachable_host_does_not_stop_the_others_and_secrets_never_stored(api, worker, fleet_assets, tmp_path,
                                                                           ssh_fleet, redis_url):
    worker()
    # two more assets where nothing listens; one with a password credential carrying a marker secret
    from app.assets.io import import_document

    marker = "MARKER-" + os.urandom(8).hex()
    with session_scope(api.settings.database_url) as s:
        import_document(s, {
            "credentials": [{"name": "marker-pw", "kind": "password", "username": "ops", "secret": marker}],
            "assets": [{"name": "web-09", "address": "127.0.0.99", "os": "linux", "environment": "staging",
                        "groups": ["web"], "credential": "test-ssh", "port": 9,
                        "vars": {"ansible_python_interpreter": "/usr/bin/python3"}},
                       {"name": "web-10", "address": "127.0.0.98", "os": "linux", "environment": "staging",
                        "groups": ["web"], "credential": "marker-pw", "port": 9}]})
    src = tmp_path / "s.txt"
    src.write_text("hello\n")
    body = {"plan": {"steps": [{"action": "file.stat", "params": {"path": str(src)},
                                "targets": {"groups": ["web"]}}]}}
    plan = api.post("/api/v1/plans", json=body).get_json()
    assert {"web-01", "web-09", "web-10"} <= set(plan["hosts"])
    preview = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert preview["status"] == "partial", preview
    assert preview["hosts"]["web-09"]["status"] == preview["hosts"]["web-10"]["status"] == "unreachable"
    assert all(preview["hosts"][h]["status"] == "ok" for h in plan["hosts"] if h not in ("web-09", "web-10"))
    assert api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["status"] == "partial" and run["hosts"]["web-01"]["status"] == "ok"
    # relaunch: a new run of the same approved bundle on the failed hosts only
    r = api.post(f"/api/v1/runs/{run['id']}/relaunch")
    assert r.status_code == 202 and r.get_json()["limit"] == ["web-09", "web-10"]
    again = api.wait_run(r.get_json()["id"])
    assert again["status"] == "failed" and sorted(again["hosts"]) == ["web-09", "web-10"]
    assert again["parent_run_id"] == run["id"]

    # neither the marker password nor the private key is in any stored byte
    needles = [marker.encode(), ssh_fleet.hosts[0].key_file.read_text().splitlines()[1].encode()]
    haystacks: list[bytes] = []
    with session_scope(api.settings.database_url) as s:
        haystacks.append(json.dumps([e.data for e in s.execute(select(RunEvent)).scalars()]).encode())
        haystacks.append(json.dumps([(r.hosts, r.error) for r in s.execute(select(Run)).scalars()]).encode())
        haystacks.append(json.dumps([a.details for a in s.execute(select(AuditEntry)).scalars()]).encode())
    if api.settings.database_url.startswith("sqlite"):
        db_file = Path(api.settings.database_url.split("///", 1)[1])
        haystacks += [p.read_bytes() for p in db_file.parent.glob(db_file.name + "*")]  # db, -wal, -shm
    haystacks += [p.read_bytes() for p in Path(api.settings.var_dir).rglob("*") if p.is_file()]
    from redis import Redis

    conn = Redis.from_url(redis_url)
    for key in conn.scan_iter("rq:*"):
        kind = conn.type(key)
        if kind == b"hash":
            haystacks.append(b"".join(k + v for k, v in conn.hgetall(key).items()))
        elif kind == b"string":
            haystacks.append(conn.get(key) or b"")
    for needle in needles:
        assert not any(needle in h for h in haystacks)
    assert list(Path(api.settings.var_dir, "runs").glob("*")) == []  # private data dirs and key files are gone


def processes_with(cmdline: str) -> list[int]:
    """Live pids whose command line is exactly ``cmdline`` (the test hosts share this machine)."""
    from app.execution.processes import pid_alive

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().rstrip(b"\0").split(b"\0")
            except OSError:
                continue
            if b" ".join(args).decode(errors="replace") == cmdline and pid_alive(int(entry.name)):
                found.append(int(entry.name))
    return found


@sqlite_only
def test_cancel_stops_a_running_run_and_its_remote_command(api, worker, fleet_assets, tmp_path):
    worker()
    marker = tmp_path / "after"
    sleeper = f"sleep {30 + int.from_bytes(os.urandom(2), 'big') % 1000}.5"  # unique on this machine
    body = {"plan": {"steps": [
        {"action": "command.run", "params": {"command": sleeper}, "targets": {"hosts": ["web-01"]}},
        {"action": "command.run", "params": {"command": f"touch {marker}"}, "targets": {"hosts": ["web-01"]}}]}}
    plan_id = approved(api, body, approver="approver2")
    run_id = api.post(f"/api/v1/plans/{plan_id}/runs").get_json()["id"]
    wait_for("the remote command to start", lambda: processes_with(sleeper))
    # the per-host view is saved while the run goes on
    live = wait_for("the live per-host view", lambda: (lambda r: r if r["hosts"]["web-01"]["status"] == "running"
                                                        else None)(api.get(f"/api/v1/runs/{run_id}").get_json()))
    assert live["status"] == "running" and live["hosts"]["web-01"]["steps"][1]["status"] == "pending"
    t0 = time.monotonic()
    assert api.post(f"/api/v1/runs/{run_id}/cancel").status_code == 202
    run = api.wait_run(run_id, timeout=30)
    assert run["status"] == "canceled" and time.monotonic() - t0 < 20
    host = run["hosts"]["web-01"]
    assert host["status"] == "canceled", host  # never "ok": the host was interrupted
    assert host["steps"][0]["status"] == "canceled" and "canceled" in host["steps"][0]["msg"]
    assert host["steps"][1]["status"] == "skipped" and "not run" in host["steps"][1]["msg"]
    assert not marker.exists()
    wait_for("the canceled remote command to be stopped", lambda: not processes_with(sleeper), timeout=20)


def test_sigkilled_worker_leaves_no_run_running(api, worker, fleet_assets, tmp_path):
    from app.execution.processes import run_processes

    w = worker()
    sleeper = f"sleep {45 + int.from_bytes(os.urandom(2), 'big') % 1000}.5"
    body = {"plan": {"steps": [{"action": "command.run", "params": {"command": sleeper},
                                "targets": {"hosts": ["web-01"]}}]}}
    plan_id = approved(api, body, approver="approver2")
    run_id = api.post(f"/api/v1/plans/{plan_id}/runs").get_json()["id"]
    wait_for("the remote command to start", lambda: processes_with(sleeper))
    w.kill(signal.SIGKILL)
    assert run_processes(run_id)  # ansible-playbook survived its parent: orphans carrying the run's marker
    worker()  # a new worker finds the orphans, stops them and settles the run
    final = api.wait_run(run_id, timeout=60)
    assert final["status"] == "failed" and "worker lost" in final["error"]
    host = final["hosts"]["web-01"]
    assert host["status"] == "failed" and host["steps"][0]["status"] == "failed", host  # saved, not 'running'
    assert "worker" in host["steps"][0]["msg"]
    with session_scope(api.settings.database_url) as s:  # the stored row says so too, not only the event
        assert s.get(Run, run_id).hosts["web-01"]["status"] == "failed"
    wait_for("the orphaned local processes to stop", lambda: not run_processes(run_id), timeout=20)
    wait_for("the remote command to stop", lambda: not processes_with(sleeper), timeout=30)


def _logs(settings, run_id: str) -> str:
    with session_scope(settings.database_url) as s:
        return "\n".join(e.data.get("line", "") for e in s.execute(
            select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.kind == "log")).scalars())


@sqlite_only
def test_template_and_shell_payloads_stay_literal_over_ssh(api, worker, fleet_assets, tmp_path):
    """User values are data: a Jinja lookup, $(...) and a newline+YAML payload arrive literally; nothing runs."""
    worker()
    marker1, marker2 = tmp_path / "lookup-ran", tmp_path / "subshell-ran"
    payload = (f"echo {{{{ lookup('pipe','touch {marker1}') }}}} $(touch {marker2}) `id` "
               "{% raw %}x{% endraw %}")
    body = {"plan": {"steps": [{"action": "command.run", "params": {"command": payload},
                                "targets": {"hosts": ["web-01"]}}]}}
    plan_id = approved(api, body, approver="approver2")  # the preview (check mode) ran here too
    assert not marker1.exists() and not marker2.exists()
    run = api.wait_run(api.post(f"/api/v1/plans/{plan_id}/runs").get_json()["id"])
    assert run["status"] == "successful", run
    assert not marker1.exists() and not marker2.exists()
    # the callback folds long YAML strings at 80 columns (where depends on the temp path's length)
    logs = re.sub(r"\s+", " ", _logs(api.settings, run["id"]))
    # the command module splits words like a shell would (quotes go) but nothing is evaluated
    for literal in ("{{ lookup(pipe,touch", f"$(touch {marker2})", "`id`", "{% raw %}x{% endraw %}"):
        assert literal in logs, logs[-3000:]
    # a newline plus YAML in a path value is refused before it reaches any YAML
    evil = {"plan": {"steps": [{"action": "file.stat", "params": {"path": "/tmp/x\n- hosts: all"},
                                "targets": {"hosts": ["web-01"]}}]}}
    assert api.post("/api/v1/plans", json=evil).status_code == 400


@sqlite_only
def test_run_timeout_stops_the_process_tree_and_the_remote_command(api, worker, fleet_assets):
    from app.execution.processes import run_processes

    first = worker()  # previews with the usual time-out, however loaded the machine is
    sleeper = f"sleep {120 + int.from_bytes(os.urandom(2), 'big') % 1000}.5"
    body = {"plan": {"steps": [{"action": "command.run", "params": {"command": sleeper},
                                "targets": {"hosts": ["web-01"]}}]}}
    plan_id = approved(api, body, approver="approver2")
    first.stop()
    worker({"OPSPLAN_RUN_TIMEOUT": "15"})  # long enough for the command to start, short next to its sleep
    t0 = time.monotonic()
    run_id = api.post(f"/api/v1/plans/{plan_id}/runs").get_json()["id"]
    wait_for("the remote command to start", lambda: processes_with(sleeper))
    run = api.wait_run(run_id, timeout=90)
    assert run["status"] == "timed_out" and time.monotonic() - t0 < 80
    host = run["hosts"]["web-01"]
    assert host["status"] == "timed_out" and host["steps"][0]["status"] == "timed_out", host
    assert "timed out" in host["steps"][0]["msg"]
    wait_for("ansible-playbook to stop", lambda: not run_processes(run["id"]), timeout=20)
    wait_for("the remote command to stop", lambda: not processes_with(sleeper), timeout=20)


INIT_SCRIPT = """#!/bin/sh
# test service for app.update: runs {exe} in the background, pid in {pidfile}
case "$1" in
  start) if [ -f {pidfile} ] && kill -0 $(cat {pidfile}) 2>/dev/null; then exit 0; fi
         nohup {exe} >/dev/null 2>&1 & echo $! > {pidfile}; sleep 0.3; kill -0 $(cat {pidfile}) ;;
  stop) [ -f {pidfile} ] && kill $(cat {pidfile}) 2>/dev/null; rm -f {pidfile}; exit 0 ;;
  status) [ -f {pidfile} ] && kill -0 $(cat {pidfile}) 2>/dev/null && exit 0; exit 3 ;;
  restart) $0 stop; $0 start ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture
def sysv_service(tmp_path):
    """A real SysV service (init script) whose executable lives under the test's temp dir."""
    import subprocess
    import uuid

    name = "opsplan-t" + uuid.uuid4().hex[:6]
    exe = tmp_path / "app" / name
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n# version 1\nwhile true; do sleep 1; done\n")
    exe.chmod(0o755)
    script = Path("/etc/init.d") / name
    script.write_text(INIT_SCRIPT.format(exe=exe, pidfile=tmp_path / "app.pid"))
    script.chmod(0o755)
    subprocess.run([str(script), "start"], check=True)
    yield name, exe, tmp_path / "app.pid"
    subprocess.run([str(script), "stop"], check=False)
    script.unlink()


@sqlite_only
def test_app_update_rolls_back_when_verification_fails(api, worker, fleet_assets, tmp_path, sysv_service):
    worker()
    name, exe, pidfile = sysv_service
    broken = tmp_path / "release" / name
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\n# version 2: exits at once, so the verification fails\nexit 0\n")
    body = {"plan": {"steps": [{"action": "app.update",
                                "params": {"name": name, "source": str(broken), "path": str(exe)},
                                "targets": {"hosts": ["web-01"]}}]}}
    plan_id = approved(api, body, approver="approver2")
    assert "version 1" in exe.read_text()  # the preview replaced nothing
    run = api.wait_run(api.post(f"/api/v1/plans/{plan_id}/runs").get_json()["id"], timeout=180)
    host = run["hosts"]["web-01"]
    assert run["status"] == "failed" and host["status"] == "failed" and host.get("rolled_back") is True, run
    assert "backup was restored" in host["steps"][0]["msg"]
    assert "version 1" in exe.read_text()  # the old executable is back ...
    pid = int(pidfile.read_text())
    assert Path(f"/proc/{pid}/comm").read_text().strip() == name  # ... and running again
    assert not Path(f"{exe}.opsplan-new").exists()
