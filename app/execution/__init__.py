"""The worker side: everything that runs Ansible, holds the credentials key or touches hosts.

    run_worker(settings)           the RQ worker process (``opsplan worker``)
    execute(settings, run_id)      one run to its final state (what the RQ job calls)
    reap(settings)                 settle the runs of dead workers on this machine

The web process never imports this package (tests/test_boundaries.py reads the import graph); it
enqueues jobs by name through ``app.queue``.
"""
from __future__ import annotations

from app.execution.executor import execute
from app.execution.reaper import reap, requeue_lost
from app.execution.worker import run_worker

__all__ = ["execute", "reap", "requeue_lost", "run_worker"]
