"""Workers prove their toolchain and ``opsplan doctor`` says what to fix.

A collection is made really unresolvable: a Python environment whose site-packages are the project's, less
the ``chocolatey`` collection namespace (symlinks), so Ansible's plugin loader run by that interpreter,
with a run's allowlisted environment, cannot find ``chocolatey.chocolatey``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.harness.services import WorkerProcess
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = "chocolatey"


def python_without_collection(tmp: Path, hidden_namespace: str = HIDDEN) -> str:
    """An interpreter seeing the project's packages, minus one collection namespace."""
    site = Path(sysconfig.get_paths()["purelib"])
    overlay = tmp / "overlay"
    (overlay / "ansible_collections").mkdir(parents=True)
    for entry in site.iterdir():
        if entry.name != "ansible_collections":
            (overlay / entry.name).symlink_to(entry)
    for ns in (site / "ansible_collections").iterdir():
        if ns.name != hidden_namespace:
            (overlay / "ansible_collections" / ns.name).symlink_to(ns)
    venv = tmp / "venv-partial"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    own_site = next((venv / "lib").glob("python3*/site-packages"))
    # the overlay first; the project itself (app, compiler) from its source folder
    (own_site / "overlay.pth").write_text(f"{overlay}\n{ROOT}\n")
    return str(venv / "bin" / "python")


def doctor(env: dict[str, str], python: str = sys.executable, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "app", "doctor", *args], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_doctor_passes_on_a_fresh_installation(stack_env):
    done = doctor(stack_env)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for name in ("database", "migrations", "clock", "redis", "modules", "ssh", "sshpass", "credentials key"):
        assert f"ok    {name}:" in out, out
    assert "checks passed" in out.splitlines()[-1]


def test_doctor_names_what_is_missing_and_how_to_fix_it(stack_env, tmp_path):
    unmigrated = {**stack_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"}
    import sqlite3

    sqlite3.connect(tmp_path / "old.db").close()  # exists, but no schema
    done = doctor(unmigrated, sys.executable, "--web")
    assert done.returncode == 1
    assert "FAIL  migrations: not migrated" in done.stdout and "opsplan db upgrade" in done.stdout, done.stdout
    nowhere = {**stack_env, "DATABASE_URL": "sqlite:///" + str(tmp_path / "nowhere" / "opsplan.db"),
               "REDIS_URL": "redis://127.0.0.1:1/0"}
    done = doctor(nowhere)
    assert done.returncode == 1
    assert f"FAIL  database: no database at {tmp_path / 'nowhere' / 'opsplan.db'}" in done.stdout, done.stdout
    assert "FAIL  redis" in done.stdout and "DATABASE_URL" in done.stdout
    assert not (tmp_path / "nowhere").exists()  # the doctor never creates a database
    wrong_key = {**stack_env}
    from cryptography.fernet import Fernet

    from app.config import Settings
    from app.db import session_scope
    from app.execution.keyring import publish_public_key

    with session_scope(stack_env["DATABASE_URL"]) as s:
        publish_public_key(s, Fernet.generate_key())  # the credentials are sealed for another key
    done = doctor(wrong_key)
    assert done.returncode == 1 and "FAIL  credentials key: this key is not the one" in done.stdout, done.stdout
    assert Settings.from_env(stack_env).secret_key  # (the key itself is never printed)
    assert stack_env["OPSPLAN_SECRET_KEY"] not in done.stdout + done.stderr


def test_missing_collection_named_with_its_actions_by_doctor_worker_ready_and_page(stack_env, tmp_path, api):
    python = python_without_collection(tmp_path)
    done = doctor(stack_env, python)
    assert done.returncode == 1, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("FAIL  collection chocolatey.chocolatey"))
    assert "chocolatey.chocolatey.win_chocolatey" in line and "package.install" in line, line
    assert "ansible.windows" not in line
    assert "pip install -r requirements.txt" in done.stdout
    assert "ok    ssh:" in done.stdout and "ok    migrations:" in done.stdout

    # a worker of that environment serves, with the actions it cannot run marked where the web reads them
    worker = WorkerProcess(stack_env, tmp_path / "worker.log", python=python, cwd=ROOT).start()
    try:
        ready = wait_for("the worker's toolchain report", lambda: (
            body if (body := api.client.get("/ready").get_json())["unavailable_actions"] and body["status"] == "ready"
            else None), timeout=120)
        assert ready["status"] == "ready" and ready["checks"]["toolchain"].startswith("degraded"), ready
        unavailable = ready["unavailable_actions"]
        assert "package.install" in unavailable and "service.restart" not in unavailable, unavailable
        assert any("chocolatey.chocolatey.win_chocolatey" in r for r in unavailable["package.install"])
        log = (tmp_path / "worker.log").read_text()
        assert "collection chocolatey.chocolatey is not installed" in log, log[-2000:]
        page = api.get("/actions")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "unavailable" in html and "chocolatey.chocolatey.win_chocolatey" in html

        # an action added later (on the web side, where the collection is installed) is checked by the worker too
        from tests.harness.action_roles import marker_role, role_archive

        check_yml = ("---\n- name: Facts that need the hidden collection\n"
                     "  chocolatey.chocolatey.win_chocolatey_facts:\n")
        role = marker_role(tmp_path / "roles", tmp_path / "markers", extra_files={"tasks/check.yml": check_yml})
        added = api.as_("admin1").client.post("/api/v1/actions", data=role_archive(role),
                                              headers={**api.as_("admin1")._headers(),
                                                       "Content-Type": "application/gzip"})
        assert added.status_code == 201, added.get_json()
        later = wait_for("the worker to check the added action", lambda: (
            body if "marker.check" in (body := api.client.get("/ready").get_json())["unavailable_actions"]
            else None), timeout=120)
        assert "marker.touch" not in later["unavailable_actions"]
    finally:
        worker.stop()


@pytest.mark.unit
def test_compose_migrates_first_restarts_and_checks_health():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["migrate"]["command"] == ["opsplan", "db", "upgrade"]
    for name in ("web", "worker"):
        svc = services[name]
        assert svc["restart"] == "unless-stopped" and svc["healthcheck"]["test"], name
        assert svc["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert "OPSPLAN_SECRET_KEY" not in services["web"]["environment"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "opsplan", "doctor", "--this-worker"]
    assert "/health" in " ".join(services["web"]["healthcheck"]["test"])


def test_worker_health_check_sees_this_machines_worker(stack_env, worker):
    done = doctor(stack_env, sys.executable, "--this-worker")
    assert done.returncode == 1 and "FAIL  worker: no live worker" in done.stdout, done.stdout
    worker()
    wait_for("the worker's health check", lambda: doctor(stack_env, sys.executable, "--this-worker").returncode == 0,
             timeout=120, every=1.0)
