"""`opsplan chat` driven through a pseudo-terminal (stdlib pty), against the real stack: a change request, the
clarifying question answered, preview, approval by a second user (a second terminal on the same conversation),
the live run to its end with per-host outcome, a follow-up to the failed hosts, and a read-only question
answered with its table."""
from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest

from tests.conftest import sqlite_only

pytestmark = [pytest.mark.integration, sqlite_only]
SLOW = 180.0


class Terminal:
    """`opsplan chat` on a pty: type lines, wait (with a deadline) for patterns in what it prints."""

    def __init__(self, env: dict, *args: str):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "app", "chat", *args], env={**os.environ, **env},
                                     stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self.seen, self.pos = "", 0

    def expect(self, pattern: str, timeout: float = 60.0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            match = re.compile(pattern).search(self.seen, self.pos)
            if match:
                self.pos = match.end()
                return match
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} within {timeout:.0f}s; the terminal shows:\n{self.seen[-3000:]}")
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if ready:
                try:
                    self.seen += os.read(self.master, 65536).decode(errors="replace").replace("\r\n", "\n")
                except OSError:  # the child closed the terminal
                    raise AssertionError(f"the chat exited; it showed:\n{self.seen[-3000:]}") from None

    def send(self, line: str) -> None:
        self.expect(r"opsplan> $|opsplan> ", timeout=60)
        self.seen, self.pos = "", 0  # what follows belongs to this line
        os.write(self.master, (line + "\n").encode())

    def close(self) -> int:
        os.write(self.master, b"/quit\n")
        try:
            return self.proc.wait(timeout=30)
        finally:
            os.close(self.master)


def opsplan(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "app", *args], env={**os.environ, **env}, check=True,
                   capture_output=True, timeout=120)


def test_the_whole_job_in_the_terminal_chat(stack_env, worker, fleet_assets, tmp_path):
    from app.assets.io import import_document
    from app.db import session_scope

    worker()
    with session_scope(stack_env["DATABASE_URL"]) as s:
        import_document(s, {"assets": [{"name": "web-09", "address": "127.0.0.99", "os": "linux",
                                        "environment": "staging", "groups": ["web"], "credential": "test-ssh",
                                        "port": 9, "vars": {"ansible_python_interpreter": "/usr/bin/python3"}}]})
    from app.notify.service import create_webhook
    from tests.harness.waiting import wait_for
    from tests.harness.webhook_receiver import WebhookReceiver

    receiver = WebhookReceiver().start()
    with session_scope(stack_env["DATABASE_URL"]) as s:
        create_webhook(s, name="pager", url=receiver.url, events=["approval.needed"])
    opsplan(stack_env, "users", "create", "olga", "--role", "operator")
    opsplan(stack_env, "users", "create", "anna", "--role", "approver")
    src, dest = tmp_path / "src.txt", tmp_path / "dest.txt"
    src.write_text("release 2\n")
    dest.write_text("release 1\n")

    olga = Terminal(stack_env, "--user", "olga")
    olga.expect(r"Opsplan chat as olga \(operator\)")
    olga.send(f"copy {src} to {dest}")
    olga.expect(r"Which hosts")
    olga.send("on the web hosts")
    olga.expect(r"plan ([0-9a-f]{8}): medium risk, changes hosts")
    olga.expect(r"actions: /preview /reject")
    olga.send("/preview")
    olga.expect(r"\] \d/\d done=\d failed=\d pending=\d")  # the progress line while it runs
    olga.expect(r"preview \(check mode, nothing changed\) [0-9a-f]{8}: partial", timeout=SLOW)
    olga.expect(r"web-09\s+unreachable")
    olga.expect(r"web-01\s+would change")
    assert dest.read_text() == "release 1\n"
    olga.send("/approve")
    olga.expect(r"error: olga may not approve this plan; who can: admin|who can: anna")
    olga.send("/ask-approver")
    olga.expect(r"Asked anna to approve \(1 webhook notification")
    asked = wait_for("the approval request at the webhook", lambda: [
        r.json for r in receiver.requests if r.json.get("requested_by") == "olga"], timeout=60)
    assert asked[0]["event"] == "approval.needed" and asked[0]["approvers"] == ["anna"]
    receiver.stop()
    olga.send("/history")
    conversation = olga.expect(r"([0-9a-f]{32})\s+\d+ msgs\s+copy ").group(1)

    anna = Terminal(stack_env, "--user", "anna", "--conversation", conversation)
    anna.expect(r"Opsplan chat as anna \(approver\)")
    anna.expect(r"actions: /preview /approve")
    anna.send("/approve")
    anna.expect(r"Approved by anna; the run started")
    anna.expect(r"run [0-9a-f]{8}: partial  done=4 failed=1 pending=0", timeout=SLOW)
    anna.expect(r"web-09\s+unreachable")
    assert anna.close() == 0
    assert dest.read_text() == "release 2\n"

    olga.send("only on the ones that failed")
    olga.expect(r"Resolved “the ones that failed” to web-09")
    olga.expect(r"actions: /relaunch")
    olga.send("/relaunch")
    olga.expect(r"Relaunched on web-09")
    olga.expect(r"run [0-9a-f]{8}: failed  done=0 failed=1 pending=0", timeout=SLOW)

    olga.send("check disk space on web-01")
    olga.expect(r"answer [0-9a-f]{8}: successful", timeout=SLOW)
    olga.expect(r"step 1: disk.check")
    olga.expect(r"host\s+mount.*used_percent")
    olga.expect(r"web-01\s+/")
    assert olga.close() == 0
