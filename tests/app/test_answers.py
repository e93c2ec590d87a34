"""Answers, not logs (CONTRACT 8): a read-only question runs at once and answers per host; a changing run is
followed by a verification (converged / drift)."""
from __future__ import annotations

import pytest

from tests.conftest import sqlite_only
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration


def verification_of(api, run_id: str) -> dict | None:
    """The run's verification once it has an outcome (None while there is none or it is pending)."""
    found = api.get(f"/api/v1/runs/{run_id}").get_json().get("verification")
    return found if found and found["status"] != "pending" else None


def test_a_changing_run_is_verified_converged(api, worker, fleet_assets, tmp_path):
    worker()
    src, dest = tmp_path / "src.txt", tmp_path / "dest.txt"
    src.write_text("release 2\n")
    dest.write_text("release 1\n")
    body = {"plan": {"steps": [{"action": "file.copy", "params": {"src": str(src), "dest": str(dest)},
                                "targets": {"hosts": ["web-01"]}}]}}
    plan = api.post("/api/v1/plans", json=body).get_json()
    api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["status"] == "successful" and run["hosts"]["web-01"]["status"] == "changed"
    verified = wait_for("the verification", lambda: verification_of(api, run["id"]))
    assert verified["status"] == "converged" and verified["hosts"] == {"web-01": "converged"}, verified
    check = api.get(f"/api/v1/runs/{verified['run_id']}").get_json()
    assert check["mode"] == "check" and check["verifies_run_id"] == run["id"]
    # the verification is not a preview: the plan's preview is still the one it was approved on
    assert api.get(f"/api/v1/plans/{plan['id']}").get_json()["preview_run_id"] != verified["run_id"]


@sqlite_only
def test_ask_answers_a_read_only_question_at_once_and_plans_a_change(api, worker, fleet_assets):
    worker()
    r = api.post("/api/v1/ask", json={"request": "ping web-01 and web-02"})
    assert r.status_code == 202, r.get_json()
    body = r.get_json()
    assert body["plan"]["read_only"] is True and body["run"]["mode"] == "run"
    run = api.wait_run(body["run"]["id"])
    assert run["status"] == "successful" and set(run["hosts"]) == {"web-01", "web-02"}
    r = api.post("/api/v1/ask", json={"request": "restart nginx on web-01"})
    assert r.status_code == 201 and "run" not in r.get_json()
    assert r.get_json()["plan"]["read_only"] is False and r.get_json()["plan"]["approved"] is False


def drift_role(parent, stamp_dir):
    """A role the project did not ship whose action is not idempotent: every run writes a new line."""
    import yaml

    role = parent / "acme_stamp"
    files = {
        "meta/opsplan.yml": {"actions": [{
            "name": "stamp.write", "description": "Append a time stamp to a file (never converges)",
            "entry_point": "write", "risk": "medium", "read_only": False, "previewable": True, "os": ["linux"],
            "phrases": ["stamp the {name} file"], "params": {"name": {"kind": "name"}}}]},
        "meta/argument_specs.yml": {"argument_specs": {
            "main": {"short_description": "Stamps (use tasks_from)", "options": {}},
            "write": {"short_description": "Append a stamp", "options": {
                "acme_stamp_name": {"type": "str", "required": True, "description": "the file's name"}}}}},
        "meta/main.yml": {"galaxy_info": {"role_name": "acme_stamp", "author": "tests", "description": "stamps",
                                          "license": "MIT", "min_ansible_version": "2.19",
                                          "platforms": [{"name": "Debian", "versions": ["all"]}]},
                          "dependencies": []},
        "defaults/main.yml": {"acme_stamp_dir": str(stamp_dir)},
        "tasks/main.yml": [{"name": "Require an entry point", "ansible.builtin.fail": {"msg": "use tasks_from"}}],
        "tasks/write_linux.yml": [{"name": "Append a new stamp", "ansible.builtin.lineinfile": {
            "path": "{{ acme_stamp_dir }}/{{ acme_stamp_name }}", "line": "{{ now(utc=true).isoformat() }}",
            "create": True, "mode": "0644"}}],
    }
    for rel, doc in files.items():
        (role / rel).parent.mkdir(parents=True, exist_ok=True)
        (role / rel).write_text("---\n" + yaml.safe_dump(doc, sort_keys=False))
    return role


@sqlite_only
def test_a_non_idempotent_action_ends_drift(api, worker, fleet_assets, tmp_path):
    """A role written by the test that changes the host on every run: its verification says drift."""
    import subprocess
    import sys

    role = drift_role(tmp_path / "roles", tmp_path)
    proc = subprocess.run([sys.executable, "-m", "app", "actions", "add", str(role), "--user", "admin1"],
                          capture_output=True, text=True, timeout=300)  # the test's environment: its database
    assert proc.returncode == 0, proc.stderr
    worker()
    plan = api.post("/api/v1/plans", json={"request": "stamp the deploys file on web-01"}).get_json()
    assert plan["status"] == "ready" and plan["steps"][0]["action"] == "stamp.write", plan
    api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/preview").get_json()["id"])
    assert api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve").status_code == 200
    run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"])
    assert run["status"] == "successful" and run["hosts"]["web-01"]["status"] == "changed", run
    verified = wait_for("the verification", lambda: verification_of(api, run["id"]))
    assert verified["status"] == "drift" and verified["hosts"] == {"web-01": "drift"}, verified
