"""Fixtures of the AWX tests."""
from tests.app.awx.helpers import plan_id  # noqa: F401
