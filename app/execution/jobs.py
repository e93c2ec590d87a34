"""RQ job functions: they take ids, load everything from the database and call the executor."""
from __future__ import annotations

from app.execution import executor, runtime


def execute_run(run_id: str) -> str:
    return executor.execute(runtime.settings(), run_id)
