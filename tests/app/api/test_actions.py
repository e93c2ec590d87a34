"""``POST /api/v1/actions`` (a role as a tar.gz) and ``DELETE /api/v1/actions/<name>``: admin only, clear 4xx
errors, nothing half-written, and plans of a removed action answer 409 everywhere (never a 500)."""
from __future__ import annotations

import io
import tarfile

import pytest

from compiler.archive import FILE_MODE, deterministic_tar_gz
from tests.harness.action_roles import ROLE, marker_role, role_archive, role_files

pytestmark = pytest.mark.integration


def upload(api, data: bytes, content_type: str = "application/gzip", user: str = "admin1"):
    return api.as_(user).post("/api/v1/actions", data=data, content_type=content_type)


def delete(api, name: str, user: str = "admin1"):
    return api.client.delete(f"/api/v1/actions/{name}", headers=api.as_(user)._headers())


def error(response, status: int, code: str) -> str:
    assert response.status_code == status, (response.status_code, response.get_json())
    body = response.get_json()["error"]
    assert body["code"] == code, body
    assert "\n" not in body["message"], body
    return body["message"]


def audit_actions(api) -> list[str]:
    entries = api.as_("approver1").get("/api/v1/audit", query_string={"limit": 200}).get_json()["entries"]
    return sorted(e["action"] for e in entries if e["action"].startswith("action."))


def names(api) -> set[str]:
    return {a["name"] for a in api.get("/api/v1/actions").get_json()["actions"]}


def symlink_archive() -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo(f"{ROLE}/tasks/check.yml")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    return raw.getvalue()


def test_admins_add_a_role_archive_and_remove_it(api, tmp_path):
    role_dir = marker_role(tmp_path, tmp_path / "markers")
    archive = role_archive(role_dir)
    builtin = names(api)
    for user in ("viewer1", "operator1", "approver1"):
        error(upload(api, archive, user=user), 403, "forbidden")
    message = error(api.as_("admin1").post("/api/v1/actions", json={"role": ROLE}), 400, "archive_required")
    assert "tar.gz" in message and "application/gzip" in message
    error(upload(api, archive, content_type="text/plain"), 400, "archive_required")
    error(upload(api, b""), 400, "archive_required")
    error(upload(api, b"not a gzip at all"), 400, "invalid_archive")
    assert "only regular files" in error(upload(api, symlink_archive()), 400, "invalid_archive")
    broken = {**role_files(role_dir), f"{ROLE}/meta/argument_specs.yml": b"argument_specs:\n  touch:\n"
              b"    options:\n      name: {type: str}\n"}
    message = error(upload(api, deterministic_tar_gz({k: (v, FILE_MODE) for k, v in broken.items()})), 400,
                    "invalid_role")
    assert "must start with the role prefix acme_marker_" in message
    assert names(api) == builtin and audit_actions(api) == []

    r = upload(api, archive)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["role"] == ROLE and len(body["sha256"]) == 64
    touch = body["actions"][0]
    assert touch["name"] == "marker.touch" and touch["source"] == {"role": ROLE, "sha256": body["sha256"]}
    assert [(p["name"], p["kind"], p["required"]) for p in touch["params"]] == [("name", "name", True),
                                                                               ("note", "command", False)]
    assert touch["risk"] == "medium" and touch["read_only"] is False and touch["os"] == ["linux"]
    listed = {a["name"]: a for a in api.get("/api/v1/actions").get_json()["actions"]}
    assert listed["marker.touch"] == touch and names(api) == builtin | {"marker.touch", "marker.check"}
    assert "already exists" in error(upload(api, archive), 409, "action_exists")

    assert "built in" in error(delete(api, "host.ping"), 400, "builtin_action")
    error(delete(api, "marker.nope"), 404, "not_found")
    error(delete(api, "marker.check", user="approver1"), 403, "forbidden")
    assert delete(api, "marker.check").status_code == 204
    assert names(api) == builtin
    error(delete(api, "marker.touch"), 404, "not_found")
    assert audit_actions(api) == ["action.added", "action.removed"]


def test_plans_of_a_removed_action_answer_409_and_a_queued_run_fails_cleanly(api, worker, tmp_path):
    admin = api.as_("admin1")
    r = admin.post("/api/v1/assets", json={"name": "web-01", "address": "127.0.0.9", "environment": "staging",
                                           "groups": ["web"]})
    assert r.status_code == 201, r.get_json()
    assert upload(api, role_archive(marker_role(tmp_path, tmp_path / "markers"))).status_code == 201
    step = {"action": "marker.touch", "params": {"name": "x"}, "targets": {"hosts": ["web-01"]}}
    queued_plan, plan = (api.post("/api/v1/plans", json={"plan": {"steps": [step]}}).get_json() for _ in "ab")
    r = api.post(f"/api/v1/plans/{queued_plan['id']}/preview")  # no worker yet: it stays queued
    assert r.status_code == 202, r.get_json()
    queued = r.get_json()["id"]
    assert delete(api, "marker.touch").status_code == 204

    pid = plan["id"]
    for response in (api.post(f"/api/v1/plans/{pid}/preview"),
                     api.as_("approver1").post(f"/api/v1/plans/{pid}/approve"),
                     api.post(f"/api/v1/plans/{pid}/runs"), api.get(f"/api/v1/plans/{pid}/playbook"),
                     api.get(f"/api/v1/plans/{pid}/export/awx")):
        assert "unknown action 'marker.touch'" in error(response, 409, "stale_plan")
    assert api.get(f"/api/v1/plans/{pid}").status_code == 200
    r = api.put(f"/api/v1/plans/{pid}", json={"plan": {"steps": [step]}})
    assert r.status_code == 400 and "marker.touch" in r.get_json()["error"]["message"], r.get_json()

    worker()  # the preview queued before the removal settles as failed, with the reason
    run = api.wait_run(queued)
    assert run["status"] == "failed" and "marker.touch" in run["error"], run
