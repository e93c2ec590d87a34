"""Opsplan: plain-language ops requests become reviewed, previewed, approved Ansible runs."""
from app.factory import create_app

__all__ = ["create_app"]
