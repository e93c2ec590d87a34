"""The README stands on its own: no reference to files outside the repository, and the operator's commands."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.unit
def test_readme_is_self_contained_and_documents_operations():
    readme = (ROOT / "README.md").read_text()
    assert "CONTRACT" not in readme and "../shared" not in readme and "shared/" not in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme):  # relative links point into the repository
        if not link.startswith(("http://", "https://")) and not link.endswith(".png"):  # screenshots: make screenshots
            assert (ROOT / link).exists(), link
    for phrase in ("PORT=8080 make run", "opsplan db upgrade", "opsplan doctor", "opsplan keys rotate",
                   "Backup and restore", "OPSPLAN_SECRET_KEY", "pg_dump", "GET /api/v1/inventory",
                   "opsplan users create admin --role admin"):
        assert phrase in readme, phrase
