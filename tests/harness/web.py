"""The real web service in a subprocess (``python -m app serve``: gunicorn, the same start-up checks)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.harness.services import free_port
from tests.harness.waiting import wait_for


class WebServer:
    def __init__(self, env: dict[str, str], log: Path):
        self.env = env
        self.log = log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"the web service exited ({self.proc.returncode}): {self.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def start(self) -> WebServer:
        env = {k: v for k, v in os.environ.items() if k != "OPSPLAN_SECRET_KEY"}
        env.update({k: v for k, v in self.env.items() if k != "OPSPLAN_SECRET_KEY"})
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port",
                                          str(self.port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        wait_for("the web service to answer /health", self._healthy, timeout=60)
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
