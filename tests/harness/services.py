"""Real Redis (the one at REDIS_URL, or a private redis-server) and RQ worker subprocesses."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis


def redis_reachable(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - reachability probe: any failure means not reachable
        return False


def redis_url_for_tests() -> str:
    """The Redis the tests use: REDIS_URL (default the local one), one database per parallel pytest-xdist worker
    (gw0 -> 1, gw1 -> 2, ...), so a test that flushes its database or counts RQ workers sees only its own worker's."""
    url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        return url.rsplit("/", 1)[0] + f"/{1 + int(worker[2:])}"
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("no Redis reachable and redis-server is not installed (apt-get install redis-server)")
        self.root.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.root)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not redis_reachable(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("private redis-server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class WorkerProcess:
    """``python -m app worker`` in a subprocess with the given environment."""

    def __init__(self, env: dict[str, str], log: Path, python: str = sys.executable, cwd: Path | None = None,
                 zones: tuple[str, ...] = ()):
        self.env = env
        self.log = log
        self.zones = zones  # --zone NAME for each (none: the default zone)
        self.python = python  # another environment's interpreter (the runtime-only test's)
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        env = dict(os.environ)
        env.update(self.env)
        with open(self.log, "ab") as log:
            args = [a for zone in self.zones for a in ("--zone", zone)]
            self.proc = subprocess.Popen([self.python, "-m", "app", "worker", *args], env=env, stdout=log, cwd=self.cwd,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the worker's main process only (its work horse and ansible-playbook are left as orphans)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGTERM)  # second SIGTERM: RQ's cold shutdown
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
