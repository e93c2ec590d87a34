"""The production path: an environment built exactly as the Dockerfile builds it (requirements.txt only, no
development requirements) runs every action. In it: every Windows action's task files pass
``ansible-playbook --syntax-check`` (module names resolve only when the collections are installed), the
worker's toolchain check finds every module of the catalog, and a real worker from that environment runs
``port.check`` against an sshd test host.

Slow (a virtualenv with the ``ansible`` package: ~25 s on the 2-core CI machine), so it is one test. The
Dockerfile's own ``pip install`` commands are run, with ``--no-index --find-links`` into a wheelhouse of
the pinned versions that ``pip download`` fills once (kept under ~/.cache, keyed by requirements.txt).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import sqlite_only
from tests.harness.services import WorkerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def dockerfile_steps() -> tuple[list[str], list[list[str]]]:
    """The directories the Dockerfile copies into the image and its ``pip install`` commands (argv lists)."""
    text = (ROOT / "Dockerfile").read_text()
    copied = [line.split()[1] for line in text.splitlines() if line.startswith("COPY ") and
              len(line.split()) == 3 and line.split()[1] == line.split()[2].removeprefix("./")]
    files = [w for line in text.splitlines() if line.startswith("COPY ") and len(line.split()) > 3
             for w in line.split()[1:-1]]
    pips = [shlex.split(m) for m in re.findall(r"pip install [^&\n]+", text)]
    return copied + files, pips


def wheelhouse() -> Path:
    """Wheels of exactly the pinned requirements (plus the build backend), downloaded once per requirements.txt."""
    digest = hashlib.sha256((ROOT / "requirements.txt").read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    where = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "opsplan-tests"
    house = where / f"wheelhouse-{digest.hexdigest()[:16]}"
    if not (house / ".complete").exists():
        house.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "-d", str(house),
                        "-r", str(ROOT / "requirements.txt"), "setuptools>=68", "wheel"], check=True, timeout=900,
                       capture_output=True)
        (house / ".complete").write_text("ok\n")
    return house


def build_image_env(tmp: Path) -> tuple[Path, Path]:
    """The image's /srv/opsplan (only what the Dockerfile copies) and its virtualenv, built by its commands."""
    copied, pips = dockerfile_steps()
    assert pips and any("-r" in p for p in pips), "the Dockerfile installs requirements.txt with pip"
    srv = tmp / "srv"
    srv.mkdir()
    for name in copied:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, srv / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, srv / name)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    house = wheelhouse()
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PIP_CONSTRAINT", None)
    for argv in pips:
        assert argv[:2] == ["pip", "install"], argv
        cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(house),
               *argv[2:]]
        done = subprocess.run(cmd, cwd=srv, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{' '.join(argv)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return srv, venv


def windows_syntax_playbook(srv: Path) -> Path:
    """One play per Windows action that statically imports every Windows task file of its role."""
    from compiler.catalog import builtin_catalog

    plays = []
    for action in builtin_catalog().values():
        if "windows" not in action.os:
            continue
        files = sorted(p.stem for p in (srv / "roles" / action.role / "tasks").glob("*windows*.yml"))
        assert files, f"{action.name}: no Windows task file in {action.role}"
        plays.append({"name": f"syntax of {action.name}", "hosts": "all", "gather_facts": False, "tasks": [
            {"name": f"{action.role} {stem}", "ansible.builtin.import_role": {"name": action.role, "tasks_from": stem}}
            for stem in files]})
    assert len(plays) >= 10
    path = srv / "windows-syntax.yml"
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    return path


@sqlite_only
def test_runtime_only_environment_runs_the_catalog(tmp_path, api, stack_env, ssh_fleet, fleet_assets):
    srv, venv = build_image_env(tmp_path)
    bindir = venv / "bin"
    # the collections come from requirements.txt alone
    shown = subprocess.run([str(bindir / "python"), "-m", "pip", "show", "ansible"], capture_output=True, text=True)
    assert shown.returncode == 0 and "Version: 12.3.0" in shown.stdout, shown.stderr
    dev_only = subprocess.run([str(bindir / "python"), "-c", "import pytest"], capture_output=True)
    assert dev_only.returncode != 0, "development requirements leaked into the runtime environment"

    # every Windows action's task files parse, their modules resolved in this environment
    playbook = windows_syntax_playbook(srv)
    env = {"PATH": f"{bindir}:{os.environ['PATH']}", "HOME": str(tmp_path / "home"), "LANG": "C.UTF-8",
           "ANSIBLE_ROLES_PATH": str(srv / "roles"), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "at"), "ANSIBLE_NOCOLOR": "1"}
    done = subprocess.run([str(bindir / "ansible-playbook"), "--syntax-check", "-i", "win-01,", str(playbook)],
                          env=env, capture_output=True, text=True, timeout=300, cwd=srv)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    # the worker's toolchain check, run by this environment's python, finds every module of the catalog
    probe = subprocess.run([str(bindir / "python"), "-m", "app.execution.toolchain", "--json"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert probe.returncode == 0, probe.stdout[-3000:] + probe.stderr[-3000:]
    assert json.loads(probe.stdout)["missing_modules"] == {}

    # a real worker of this environment runs port.check against an sshd test host
    worker = WorkerProcess(stack_env, tmp_path / "runtime-worker.log", python=str(bindir / "python"), cwd=srv).start()
    try:
        host = ssh_fleet.hosts[0]
        body = {"plan": {"steps": [{"action": "port.check", "params": {"port": host.port},
                                    "targets": {"hosts": ["web-01"]}}]}}
        plan = api.post("/api/v1/plans", json=body).get_json()
        assert plan["read_only"] is True, plan
        run = api.wait_run(api.post(f"/api/v1/plans/{plan['id']}/runs").get_json()["id"], timeout=240)
        log = (tmp_path / "runtime-worker.log").read_text()
        assert run["status"] == "successful", (run["error"], run["hosts"], log[-3000:])
        result = run["hosts"]["web-01"]["steps"][0]["result"]
        assert result["port"] == host.port and result["listening"] is True, result
        assert "sshd" in result["process"], result
    finally:
        worker.stop()
