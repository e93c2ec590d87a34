"""Done when (issue 13): a role the project did not ship is added (CLI or API), planned from plain language,
previewed (nothing changes), approved by a second person, run on a real sshd host (the change happens),
exported to AWX with its files, and removed again (its plans can no longer be approved or run).

Real parts: a real RQ worker subprocess, Redis, sshd hosts, ansible-runner, the ``opsplan`` command."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import sqlite_only
from tests.harness.action_roles import ROLE, marker_role, role_archive

pytestmark = [pytest.mark.integration, sqlite_only]


def opsplan(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "app", *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"opsplan {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


def add(face: str, api, stack_env: dict, role_dir: Path) -> None:
    if face == "cli":
        out = opsplan(stack_env, "actions", "add", str(role_dir), "--user", "admin1").stdout.splitlines()
        assert [line.split()[:2] for line in out] == [["added", "marker.touch"], ["added", "marker.check"]], out
        return
    r = api.as_("admin1").post("/api/v1/actions", data=role_archive(role_dir), content_type="application/gzip")
    assert r.status_code == 201, r.get_json()
    assert [a["name"] for a in r.get_json()["actions"]] == ["marker.touch", "marker.check"]


def remove(face: str, api, stack_env: dict, name: str) -> None:
    if face == "cli":
        out = opsplan(stack_env, "actions", "remove", name, "--user", "admin1").stdout.splitlines()
        assert out == [f"removed marker.touch (role {ROLE})", f"removed marker.check (role {ROLE})"], out
        return
    r = api.as_("admin1").client.delete(f"/api/v1/actions/{name}", headers=api.as_("admin1")._headers())
    assert r.status_code == 204, r.get_json()


def create(api, body: dict) -> dict:
    r = api.post("/api/v1/plans", json=body)
    assert r.status_code == 201, r.get_json()
    plan = r.get_json()
    assert plan["status"] == "ready", plan
    return plan


def preview(api, plan_id: str) -> dict:
    r = api.post(f"/api/v1/plans/{plan_id}/preview")
    assert r.status_code == 202, r.get_json()
    run = api.wait_run(r.get_json()["id"])
    assert run["mode"] == "check" and run["status"] == "successful", (run["error"], run["hosts"])
    return run


def approve(api, plan_id: str) -> None:
    r = api.as_("approver1").post(f"/api/v1/plans/{plan_id}/approve")
    assert r.status_code == 200, r.get_json()


def run(api, plan_id: str) -> dict:
    r = api.post(f"/api/v1/plans/{plan_id}/runs")
    assert r.status_code == 202, r.get_json()
    result = api.wait_run(r.get_json()["id"])
    assert result["mode"] == "run" and result["status"] == "successful", (result["error"], result["hosts"])
    return result


def archive_files(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def assert_409(response, *codes: str) -> None:
    assert response.status_code == 409, (response.status_code, response.get_json())
    assert response.get_json()["error"]["code"] in codes, response.get_json()


@pytest.mark.parametrize("face", ["cli", "api"])
def test_an_added_action_goes_from_plain_language_to_a_run_to_awx_and_away(api, worker, fleet_assets, stack_env,
                                                                            tmp_path, face):
    worker()
    markers = tmp_path / "markers"
    markers.mkdir()
    role_dir = marker_role(tmp_path / "src", markers)
    add(face, api, stack_env, role_dir)
    listed = {a["name"]: a for a in api.get("/api/v1/actions").get_json()["actions"]}
    assert listed["marker.touch"]["source"]["role"] == ROLE and len(listed["marker.touch"]["source"]["sha256"]) == 64
    assert listed["host.ping"]["source"] == "builtin"

    # planned from plain language through the added action's own phrases
    plan = create(api, {"request": "touch the alpha marker on web-01"})
    assert [(s["action"], s["params"]) for s in plan["steps"]] == [("marker.touch", {"name": "alpha"})], plan
    assert plan["hosts"] == ["web-01"] and plan["risk"] == "medium" and plan["read_only"] is False

    checked = preview(api, plan["id"])
    step = checked["hosts"]["web-01"]["steps"][0]
    assert step["status"] == "changed" and step["previewable"] is True, step
    assert not (markers / "alpha.marker").exists(), "the preview changed the host"
    r = api.post(f"/api/v1/plans/{plan['id']}/approve")  # the operator is not an approver: a second person is
    assert r.status_code == 403
    approve(api, plan["id"])
    done = run(api, plan["id"])
    assert (markers / "alpha.marker").is_file(), "the run did not change the host"
    assert done["hosts"]["web-01"]["steps"][0]["status"] == "changed"
    assert done["hosts"]["web-01"]["steps"][0].get("result") == {"touched": "alpha"}

    # the AWX project carries the added role's files, exactly, and no worker-side module
    r = api.get(f"/api/v1/plans/{plan['id']}/export/awx")
    assert r.status_code == 200, r.get_json()
    project = archive_files(r.data)
    for path in sorted(role_dir.rglob("*")):
        if path.is_file():
            rel = f"roles/{ROLE}/{path.relative_to(role_dir).as_posix()}"
            assert project.get(rel) == path.read_bytes(), rel
    assert b"include_tasks: touch_{{ opsplan_os }}.yml" in project[f"roles/{ROLE}/tasks/touch.yml"]  # dispatcher
    assert "inventory/opsplan_inventory.py" in project and "inventory/snapshot.py" not in project
    assert yaml.safe_load(project["collections/requirements.yml"]) == {"collections": []}

    # a read-only plan of the other added action, previewed and approved before the removal
    check = create(api, {"request": "does the alpha marker exist on web-01"})
    assert [s["action"] for s in check["steps"]] == ["marker.check"], check
    seen = preview(api, check["id"])
    assert seen["hosts"]["web-01"]["steps"][0].get("result") == {"exists": True}
    approve(api, check["id"])

    remove(face, api, stack_env, "marker.touch")
    listed = {a["name"] for a in api.get("/api/v1/actions").get_json()["actions"]}
    assert not {"marker.touch", "marker.check"} & listed and "host.ping" in listed
    # plans that use a removed action no longer compile: nothing can be approved, run or exported (409, no 500)
    assert_409(api.post(f"/api/v1/plans/{check['id']}/runs"), "stale_plan")
    assert_409(api.as_("approver1").post(f"/api/v1/plans/{plan['id']}/approve"), "stale_plan")
    assert_409(api.post(f"/api/v1/plans/{plan['id']}/preview"), "stale_plan")
    assert_409(api.get(f"/api/v1/plans/{plan['id']}/export/awx"), "stale_plan")
    assert_409(api.get(f"/api/v1/plans/{check['id']}/playbook"), "stale_plan")
    assert api.get(f"/api/v1/plans/{plan['id']}").status_code == 200
    assert api.get("/api/v1/plans").status_code == 200
    again = api.post("/api/v1/plans", json={"request": "touch the alpha marker on web-01"}).get_json()
    assert "marker.touch" not in [s["action"] for s in again.get("steps", [])], again


def test_params_of_an_added_action_reach_ansible_as_data(api, worker, fleet_assets, stack_env, tmp_path):
    """A free-text param holding Jinja (kind ``command``: the other kinds refuse template markers up front)
    is printed as it is, in the preview and in the run: never evaluated."""
    worker()
    markers = tmp_path / "markers"
    markers.mkdir()
    add("api", api, stack_env, marker_role(tmp_path / "src", markers))
    pwned = tmp_path / "pwned"
    note = f"{{{{ lookup('pipe', 'touch {pwned}') }}}}"
    step = {"action": "marker.touch", "params": {"name": "u1", "note": note}, "targets": {"hosts": ["web-01"]}}
    r = api.post("/api/v1/plans", json={"plan": {"steps": [{**step, "params": {"name": note}}]}})
    assert r.status_code == 400 and "template markers" in r.get_json()["error"]["message"], r.get_json()
    plan = create(api, {"plan": {"steps": [step]}})
    assert plan["steps"][0]["params"] == {"name": "u1", "note": note}
    r = api.get(f"/api/v1/plans/{plan['id']}/playbook", query_string={"format": "tar"})
    plan_vars = next(data for name, data in archive_files(r.data).items() if name.endswith("vars/plan.yml"))
    assert b"!unsafe" in plan_vars and b"lookup('pipe'" in plan_vars
    preview(api, plan["id"])
    assert not pwned.exists() and not (markers / "u1.marker").exists()
    approve(api, plan["id"])
    run(api, plan["id"])
    assert (markers / "u1.marker").is_file()
    assert not pwned.exists(), "a param value was evaluated as a template"
