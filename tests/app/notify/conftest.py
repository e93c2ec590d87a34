"""Fixtures of the notification tests."""
from tests.app.notify.helpers import nsettings, receiver  # noqa: F401
