"""Errors of the AWX export and push."""
from __future__ import annotations


class AwxError(Exception):
    """Base of every AWX error; ``status`` is AWX's HTTP status (None when AWX was not reached)."""

    def __init__(self, message: str, *, status: int | None = None, detail: object = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ExportError(AwxError):
    """The project archive could not be built (e.g. the inventory script is missing)."""
