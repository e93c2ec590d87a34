"""The opsplan command, as a user runs it: real subprocesses against the test database, Redis and hosts."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest


def opsplan(env: dict, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "app", *args], env={**os.environ, **env}, input=stdin,
                          capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"opsplan {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


@pytest.mark.integration
def test_plan_preview_approve_run_through_the_cli(stack_env, worker, fleet_assets):
    worker()
    out = opsplan(stack_env, "plan", "ping web-01 and web-02", "--user", "alice").stdout
    plan_id = re.search(r"plan ([0-9a-f]{32}): ready", out).group(1)
    prev = opsplan(stack_env, "preview", plan_id, "--follow", "--user", "alice").stdout
    assert "CHECK" in prev and "successful" in prev.splitlines()[-1], prev
    assert re.search(r"web-01\s+ok", prev) and re.search(r"web-02\s+ok", prev)
    assert "approved plan" in opsplan(stack_env, "approve", plan_id, "--user", "alice").stdout
    run = opsplan(stack_env, "run", plan_id, "--follow", "--user", "alice").stdout
    assert "RUN" in run and run.splitlines()[-1].endswith("successful")
    assert "hosts done=2 failed=0" in run


@pytest.mark.integration
def test_plan_json_follows_the_contract(stack_env, fleet_assets):
    proc = opsplan(stack_env, "plan", "--json", "restart nginx on web-01")
    plan = json.loads(proc.stdout)
    assert plan["status"] == "ready" and plan["hosts"] == ["web-01"]
    assert set(plan) >= {"status", "questions", "reason", "steps", "hosts", "risk", "read_only"}
    lines = opsplan(stack_env, "plan", "--json", "-", stdin="ping web-01\n\nrestart nginx\nformat c: on web-01\n").stdout
    plans = [json.loads(line) for line in lines.splitlines()]
    assert [p["status"] for p in plans] == ["ready", "needs_clarification", "needs_clarification", "rejected"]


@pytest.mark.integration
def test_bad_usage_is_one_line_and_non_zero(stack_env):
    proc = opsplan(stack_env, "preview", "no-such-plan", check=False)
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == ["Error: plan no-such-plan not found"]
    proc = opsplan(stack_env, "assets", "import", "/nonexistent.yml", check=False)
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1


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
