"""RQ job functions: they take ids, load everything from the database and call the executor."""
from __future__ import annotations

from app.db.session import after_fork
from app.execution import executor, runtime


def execute_run(run_id: str) -> str:
    after_fork()  # a work horse: never share the parent worker's database connections
    return executor.execute(runtime.settings(), run_id)
