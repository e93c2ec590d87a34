"""Validation gates over real compiled bundles: ansible-playbook --syntax-check, ansible-lint (production
profile, offline) and a check-mode run of the Linux read-only actions on localhost."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler import HostSpec, compile_plan
from tests.compiler.conftest import (
    CATALOG,
    LINUX,
    SAMPLE_PARAMS,
    WINDOWS,
    catalog_plan,
    make_plan,
    run,
    write_inventory,
)

LOCAL = HostSpec(name="localhost", os="linux", environment="test")


@pytest.mark.integration
@pytest.mark.parametrize("hosts", [[LINUX, WINDOWS]], ids=["both"])  # every action on each OS it supports
def test_syntax_check(tmp_path: Path, hosts: list[HostSpec]) -> None:
    bundle = compile_plan(catalog_plan([h.name for h in hosts]), hosts)
    out = bundle.write(tmp_path / "bundle")
    inv = write_inventory(tmp_path / "inventory.ini", hosts)
    result = run(["ansible-playbook", "--syntax-check", "-i", str(inv), "site.yml"], out, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.integration
def test_ansible_lint_production_profile(tmp_path: Path) -> None:
    bundle = compile_plan(catalog_plan([LINUX.name, WINDOWS.name]), [LINUX, WINDOWS])
    out = bundle.write(tmp_path / "bundle")
    result = run(["ansible-lint", "--offline", "--profile", "production", "--nocolor", "-f", "pep8"], out, tmp_path,
                 timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert "Profile 'production' was required, and it passed" in result.stderr


@pytest.mark.integration
def test_linux_read_only_actions_preview_on_localhost(tmp_path: Path) -> None:
    """Read-only Linux checks really run in check mode (nothing skipped) except the documented http.check."""
    target = tmp_path / "probe.txt"
    target.write_text("probe\n")
    params = dict(SAMPLE_PARAMS, **{"file.stat": {"path": str(target)}, "process.check": {"name": "python3"},
                                    "package.check": {"name": "bash"}, "disk.check": {"path": str(tmp_path)},
                                    "port.check": {"port": "22"}, "service.status": {"name": "procps"}})
    actions = [a for a in CATALOG.values() if a.read_only and a.previewable]
    plan = make_plan([(a.name, params[a.name], ["localhost"]) for a in actions])
    out = compile_plan(plan, [LOCAL]).write(tmp_path / "bundle")
    inv = write_inventory(tmp_path / "inventory.ini", [LOCAL], local=True)
    env_cmd = ["ansible-playbook", "-i", str(inv), "site.yml", "--check"]
    result = run(env_cmd, out, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-4000:]
    recap = result.stdout.split("PLAY RECAP")[-1]
    assert "failed=0" in recap and "changed=0" in recap, recap
    assert "skipping: [localhost]" not in result.stdout.replace("skipping: [localhost] => (item", "")
    assert "probe.txt" in result.stdout and json.dumps(str(target))[1:-1] in result.stdout
