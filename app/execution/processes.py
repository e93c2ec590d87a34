"""Local processes of a run, found by the marker every run's environment carries (no pid bookkeeping).

ansible-runner starts ``ansible-playbook`` in its own session; if the worker dies, the playbook and its
ssh children live on as orphans. Each run's child environment carries ``OPSPLAN_RUN_ID=<run id>``, so
the run's whole local process tree can be found (and stopped) from ``/proc`` by any worker on the
machine, whatever became of the pids.
"""
from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

MARKER_VAR = "OPSPLAN_RUN_ID"


def marker(run_id: str) -> bytes:
    return f"{MARKER_VAR}={run_id}".encode()


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def run_processes(run_id: str) -> list[int]:
    """Live pids whose environment carries the run's marker."""
    wanted = marker(run_id)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if wanted in env.split(b"\0") and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


def stop_run_processes(run_id: str, grace: float = 3.0) -> list[int]:
    """SIGTERM the run's processes, SIGKILL what is left after ``grace`` seconds; return the pids found."""
    pids = run_processes(run_id)
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(pid_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in run_processes(run_id):
        _signal(pid, signal.SIGKILL)
    return pids


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def stop_worker_horse(pid: int | None) -> None:
    """SIGKILL an orphaned RQ work horse (``python -m app worker`` or ``opsplan worker``) by pid, if it is one."""
    if pid is None or not pid_alive(pid):
        return
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return
    if b"worker" in args and any(a.endswith((b"opsplan", b"app")) for a in args):
        _signal(pid, signal.SIGKILL)
