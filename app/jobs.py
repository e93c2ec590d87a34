"""RQ job functions: they take ids, load everything from the database and call the executor."""
from __future__ import annotations



def execute_run(run_id: str) -> str:
    from app import executor

    return executor.execute(executor.current_settings(), run_id)
