"""Errors of the worker side."""
from __future__ import annotations


class ExecutionError(Exception):
    """Base of every error the worker side raises on purpose."""


class RunNotFound(ExecutionError):
    """A job names a run this worker's database does not hold (another installation's job)."""


class RunnerError(ExecutionError):
    """ansible-playbook cannot be started as configured (a strategy whose package is missing)."""
