"""The opsplan command, as a user runs it: real subprocesses against the test database, Redis and hosts."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import sqlite_only


def opsplan(env: dict, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "app", *args], env={**os.environ, **env}, input=stdin,
                          capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"opsplan {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


@sqlite_only
@pytest.mark.integration
def test_plan_preview_approve_run_through_the_cli(stack_env, worker, fleet_assets):
    worker()
    opsplan(stack_env, "users", "create", "alice", "--role", "approver")
    out = opsplan(stack_env, "plan", "ping web-01 and web-02", "--user", "alice").stdout
    plan_id = re.search(r"plan ([0-9a-f]{32}): ready", out).group(1)
    prev = opsplan(stack_env, "preview", plan_id, "--follow", "--user", "alice").stdout
    assert "CHECK" in prev and "successful" in prev.splitlines()[-1], prev
    assert re.search(r"web-01\s+ok", prev) and re.search(r"web-02\s+ok", prev)
    assert "approved plan" in opsplan(stack_env, "approve", plan_id, "--user", "alice").stdout
    run = opsplan(stack_env, "run", plan_id, "--follow", "--user", "alice").stdout
    assert "RUN" in run and run.splitlines()[-1].endswith("successful")
    assert "hosts done=2 failed=0" in run
    # a question (read-only) runs again at once; `ask` plans and answers in one go, as a table per step
    assert opsplan(stack_env, "run", plan_id, "--follow", "--user", "alice").stdout.splitlines()[-1].endswith(
        "successful")
    answer = opsplan(stack_env, "ask", "check disk space on web-01", "--user", "alice").stdout
    assert "step 1: disk.check" in answer and "used_percent" in answer and "web-01" in answer, answer
    changed = opsplan(stack_env, "ask", "restart nginx on web-01", "--user", "alice").stdout
    assert "CHANGES HOSTS" in changed and "preview it" in changed


@pytest.mark.integration
def test_the_cli_acts_only_as_an_existing_user_with_the_role(stack_env, worker, fleet_assets):
    """Regression: `approve --user nobody-at-all` approved a high-risk plan as a user that does not exist."""
    worker()
    opsplan(stack_env, "users", "create", "olga", "--role", "operator")
    opsplan(stack_env, "users", "create", "anna", "--role", "approver")
    out = opsplan(stack_env, "plan", 'run "uptime" on web-01', "--user", "olga").stdout
    plan_id = re.search(r"plan ([0-9a-f]{32}): ready", out).group(1)
    assert "risk=high" in out
    opsplan(stack_env, "preview", plan_id, "--follow", "--user", "olga")
    nobody = opsplan(stack_env, "approve", plan_id, "--user", "nobody-at-all", check=False)
    assert nobody.returncode == 1 and "no Opsplan user 'nobody-at-all'" in nobody.stderr
    assert len(nobody.stderr.strip().splitlines()) == 1
    operator = opsplan(stack_env, "approve", plan_id, "--user", "olga", check=False)
    assert operator.returncode == 1 and "needs the approver role" in operator.stderr
    anonymous = opsplan({**stack_env, "OPSPLAN_USER": ""}, "approve", plan_id, check=False)  # the OS user: unknown
    assert anonymous.returncode == 1 and "no Opsplan user" in anonymous.stderr
    assert "approved plan" in opsplan({**stack_env, "OPSPLAN_USER": "anna"}, "approve", plan_id).stdout
    from sqlalchemy import select

    from app.db import session_scope
    from app.db.models import AuditEntry

    with session_scope(stack_env["DATABASE_URL"]) as s:
        approvals = s.execute(select(AuditEntry.actor).where(AuditEntry.action == "plan.approved")).scalars().all()
    assert approvals == ["anna"]


@sqlite_only
@pytest.mark.integration
def test_plan_json_follows_the_contract(stack_env, fleet_assets):
    proc = opsplan(stack_env, "plan", "--json", "restart nginx on web-01")
    plan = json.loads(proc.stdout)
    assert plan["status"] == "ready" and plan["hosts"] == ["web-01"]
    assert set(plan) >= {"status", "questions", "reason", "steps", "hosts", "risk", "read_only"}
    lines = opsplan(stack_env, "plan", "--json", "-",
                    stdin="ping web-01\n\nrestart nginx\nformat c: on web-01\n").stdout
    plans = [json.loads(line) for line in lines.splitlines()]
    assert [p["status"] for p in plans] == ["ready", "needs_clarification", "needs_clarification", "rejected"]


@sqlite_only
@pytest.mark.integration
def test_bad_usage_is_one_line_and_non_zero(stack_env):
    opsplan(stack_env, "users", "create", "olga", "--role", "operator")
    proc = opsplan(stack_env, "preview", "no-such-plan", "--user", "olga", check=False)
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == ["Error: plan no-such-plan not found"]
    proc = opsplan(stack_env, "assets", "import", "/nonexistent.yml", check=False)
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1


@sqlite_only
@pytest.mark.integration
def test_compile_writes_a_bundle(stack_env, fleet_assets, tmp_path):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps({"steps": [{"action": "service.restart", "params": {"name": "nginx"},
                                                "targets": {"groups": ["web"]}}]}))
    out = opsplan(stack_env, "compile", str(plan_file), "--out", str(tmp_path / "b")).stdout
    assert "sha256" in out
    assert (tmp_path / "b" / "site.yml").is_file() and (tmp_path / "b" / "vars" / "plan.yml").is_file()
    again = opsplan(stack_env, "compile", str(plan_file), "--out", str(tmp_path / "c")).stdout
    assert out.split("sha256 ")[1] == again.split("sha256 ")[1]
