"""Rollout policy: canary + batches in production, one host at a time for critical actions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from compiler import CompilerError, HostSpec, compile_plan, load_policy
from compiler.policy import RolloutPolicy
from tests.compiler.conftest import make_plan


def _hosts(n: int, env: str) -> list[HostSpec]:
    return [HostSpec(name=f"{env}-{i:02d}", os="linux", environment=env) for i in range(n)]


def _compile(action: str, params: dict, hosts: list[HostSpec], policy: RolloutPolicy | None = None):
    bundle = compile_plan(make_plan([(action, params, [h.name for h in hosts])]), hosts, policy)
    return bundle, yaml.safe_load(bundle.files["site.yml"])[0], json.loads(bundle.files["policy.json"])


@pytest.mark.unit
def test_production_change_on_many_hosts_is_a_canary() -> None:
    bundle, play, policy = _compile("service.restart", {"name": "nginx"}, _hosts(12, "production"))
    assert play["serial"] == [1, "20%"] and play["max_fail_percentage"] == 0
    assert bundle.steps[0].rules[0]["rule"] == "canary"
    assert "canary of 1" in policy["steps"][0]["rules"][0]["reason"]
    assert policy["policy"]["canary"]["batch"] == "20%"


@pytest.mark.unit
@pytest.mark.parametrize("count,env,action,params", [
    (3, "production", "service.restart", {"name": "nginx"}),
    (12, "staging", "service.restart", {"name": "nginx"}),
    (12, "production", "service.status", {"name": "nginx"}),
])
def test_no_rule(count: int, env: str, action: str, params: dict) -> None:
    bundle, play, policy = _compile(action, params, _hosts(count, env))
    assert "serial" not in play and "max_fail_percentage" not in play
    assert bundle.steps[0].rules == [] and policy["steps"][0]["rules"] == []


@pytest.mark.unit
def test_mixed_environments_count_production() -> None:
    hosts = _hosts(3, "staging") + _hosts(1, "Production")
    _, play, _ = _compile("service.stop", {"name": "nginx"}, hosts)
    assert play["serial"] == [1, "20%"]


@pytest.mark.unit
@pytest.mark.parametrize("env", ["production", "lab"])
def test_reboot_is_one_host_at_a_time(env: str) -> None:
    bundle, play, _ = _compile("host.reboot", {}, _hosts(2, env))
    assert play["serial"] == [1] and play["max_fail_percentage"] == 0
    assert bundle.steps[0].rules[0]["rule"] == "critical"


@pytest.mark.unit
def test_custom_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("canary:\n  batch: 5\n  canary_hosts: 2\n  max_fail_percentage: 10\n  environments: [prod]\n"
                    "critical:\n  enabled: false\ndefault_max_fail_percentage: 50\n")
    policy = load_policy(path)
    _, play, _ = _compile("service.restart", {"name": "x"}, _hosts(5, "prod"), policy)
    assert play["serial"] == [2, 5] and play["max_fail_percentage"] == 10
    _, play, _ = _compile("host.reboot", {}, _hosts(5, "lab"), policy)
    assert "serial" not in play and play["max_fail_percentage"] == 50


@pytest.mark.unit
@pytest.mark.parametrize("text", ["canary:\n  batch: 'all'\n", "canary:\n  batch: 0\n", "nope: 1\n", "- a\n",
                                  "canary: [\n"])
def test_bad_policy_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.yml"
    path.write_text(text)
    with pytest.raises(CompilerError):
        load_policy(path)
    with pytest.raises(CompilerError):
        load_policy(tmp_path / "missing.yml")


@pytest.mark.unit
def test_default_file_matches_model_defaults() -> None:
    assert load_policy() == RolloutPolicy()
