"""The web process never holds the credentials key (issue 11.4)."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.assets.sealing import published_public_key
from app.db import session_scope

pytestmark = pytest.mark.integration


def test_storing_a_secret_before_a_worker_published_its_key_fails_clearly(api, monkeypatch):
    """Regression: the web process loaded (or created) the private key to encrypt a credential."""
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("OPSPLAN_SECRET_KEY", key)  # even when the web's environment holds the key
    key_file = api.settings.secret_key_file
    r = api.as_("admin1").post("/api/v1/credentials", json={"name": "ops", "kind": "password", "username": "ops",
                                                             "secret": "pw-1"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "credential_key_error"
    assert "no worker has published" in r.get_json()["error"]["message"]
    assert not key_file.exists()
    with session_scope(api.settings.database_url) as s:
        assert published_public_key(s) is None
    assert api.as_("admin1").get("/api/v1/credentials/ops").status_code == 404  # nothing half-written
    assert api.client.application.config["OPSPLAN_SETTINGS"].secret_key is None


def test_opsplan_up_keeps_the_key_from_the_web_child():
    from app.launcher import web_env

    env = {"OPSPLAN_SECRET_KEY": "k", "DATABASE_URL": "sqlite://", "REDIS_URL": "redis://x"}
    assert web_env(env) == {"DATABASE_URL": "sqlite://", "REDIS_URL": "redis://x"}


def test_the_web_process_never_imports_the_keyring():
    """Loading the app and serving a request leaves the worker side unimported (see test_boundaries too)."""
    import subprocess
    import sys

    code = ("import sys\nfrom app import create_app\nfrom app.config import Settings\n"
            "app = create_app(Settings.from_env({'DATABASE_URL': 'sqlite://', 'OPSPLAN_VAR_DIR': sys.argv[1]}))\n"
            "app.test_client().get('/health')\n"
            "bad = [m for m in sys.modules if m.startswith(('app.execution', 'ansible_runner', "
            "'inventory.snapshot'))]\n"
            "print(bad)\n")
    import tempfile

    with tempfile.TemporaryDirectory() as var:
        out = subprocess.run([sys.executable, "-c", code, var], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
