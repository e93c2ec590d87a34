"""Opsplan: plain-language ops requests become reviewed, previewed, approved Ansible runs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.factory import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:  # the web stack is imported only by those who use it (CLI start-up)
    if name == "create_app":
        from app.factory import create_app

        return create_app
    raise AttributeError(name)
