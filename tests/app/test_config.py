"""The typed settings: every variable documented, nothing read around them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import FIELDS, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit


def test_the_readme_configuration_table_lists_exactly_the_settings():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", section, flags=re.M))
    assert documented == {f.name for f in FIELDS}


def test_no_module_reads_the_environment_for_configuration():
    allowed = {"app/config.py",  # the settings; process plumbing below only removes or copies variables
               # an Ansible callback plugin, run inside ansible-playbook (not an Opsplan process): it reads
               # ansible-runner's AWX_ISOLATED_DATA_DIR, as ansible-runner's own awx_display does
               "app/execution/callback/opsplan_display.py"}
    pattern = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[\"[A-Z]")
    offenders = [str(p.relative_to(ROOT)) for pkg in ("app", "compiler") for p in (ROOT / pkg).rglob("*.py")
                 if str(p.relative_to(ROOT)) not in allowed and pattern.search(p.read_text())]
    assert offenders == []


def test_typed_values_and_clear_errors(tmp_path):
    s = Settings.from_env({"OPSPLAN_VAR_DIR": str(tmp_path), "OPSPLAN_RUN_TIMEOUT": "60",
                           "OPSPLAN_BASE_URL": "https://ops.example/", "OPSPLAN_POLICY_FILE": "/etc/p.yml"})
    assert s.run_timeout == 60 and s.secure_cookies is True and s.base_url == "https://ops.example"
    assert s.policy_file == Path("/etc/p.yml") and s.database_url == f"sqlite:///{tmp_path / 'opsplan.db'}"
    assert Settings.from_env({"OPSPLAN_SECURE_COOKIES": "0", "OPSPLAN_BASE_URL": "https://x"}).secure_cookies is False
    with pytest.raises(SettingsError, match="OPSPLAN_RUN_TIMEOUT must be a number"):
        Settings.from_env({"OPSPLAN_RUN_TIMEOUT": "soon"})
    with pytest.raises(SettingsError, match="OPSPLAN_SECURE_COOKIES"):
        Settings.from_env({"OPSPLAN_SECURE_COOKIES": "maybe"})


def test_the_web_copy_never_holds_the_credentials_key():
    s = Settings.from_env({"OPSPLAN_SECRET_KEY": "k" * 44})
    assert s.secret_key and s.for_web().secret_key is None
    assert "k" * 44 not in repr(s)
