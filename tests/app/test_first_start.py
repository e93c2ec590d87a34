"""Everyday first-start mistakes get clear answers: a taken port names its process, and a CLI run from another
folder refuses instead of silently creating an empty database there."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPSPLAN_VAR_DIR")}
    env["PYTHONPATH"] = str(ROOT)
    return {**env, **extra}


@pytest.mark.parametrize("command", [["serve"], ["up", "--no-install"]])
def test_a_taken_port_is_named_with_its_process(command, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "app", *command, "--port", str(port)], cwd=tmp_path,
                              env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"port {port} is in use by process {os.getpid()}" in done.stderr, done.stderr
    assert "--port N" in done.stderr and "PORT=N make run" in done.stderr
    assert "is up" not in done.stdout  # nothing was started, no URL printed
    assert not (tmp_path / "var" / "opsplan.db").exists()


def test_a_cli_run_from_another_folder_refuses_to_create_an_empty_database(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for argv in (["status", "0123abcd"], ["plan", "ping local"], ["users", "create", "bob", "--role", "viewer"]):
        done = subprocess.run([sys.executable, "-m", "app", *argv], cwd=elsewhere, env=_env(), capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 1, (argv, done.stdout, done.stderr)
        message = done.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert f"no Opsplan database at {elsewhere / 'var' / 'opsplan.db'}" in message
        assert "DATABASE_URL is not set" in message and "export DATABASE_URL=sqlite:////" in message
    assert list(elsewhere.iterdir()) == []  # nothing created
    explicit = tmp_path / "typo.db"
    done = subprocess.run([sys.executable, "-m", "app", "actions"], cwd=elsewhere, capture_output=True, text=True,
                          env=_env(DATABASE_URL=f"sqlite:///{explicit}"), timeout=120)
    assert done.returncode == 1 and "DATABASE_URL names it" in done.stderr and not explicit.exists()


def test_doctor_passes_on_a_fresh_opsplan_up(tmp_path, redis_url):
    """What `make run` starts (database, demo fleet, worker, web), then `opsplan doctor` in that folder."""
    import signal
    import urllib.request

    from tests.harness.services import free_port
    from tests.harness.waiting import wait_for

    port = free_port()
    env = _env(REDIS_URL=redis_url, OPSPLAN_QUEUE=f"opsplan-up-{port}")
    env.pop("OPSPLAN_SECRET_KEY", None)
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        up = subprocess.Popen([sys.executable, "-m", "app", "up", "--port", str(port), "--no-install"], cwd=tmp_path,
                              env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def ready() -> bool:
        assert up.poll() is None, log.read_text()[-2000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    try:
        wait_for("opsplan up to be ready", ready, timeout=120, every=0.5)
        done = subprocess.run([sys.executable, "-m", "app", "doctor"], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().splitlines()[-1].startswith("all ") and "FAIL" not in done.stdout
    finally:
        os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait(timeout=10)
