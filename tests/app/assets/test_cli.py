from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from app.assets.cli import assets
from app.db import session_scope
from tests.app.assets.helpers import MARKER, row_counts, sample_doc

pytestmark = pytest.mark.integration


def test_import_then_export(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("OPSPLAN_SECRET_KEY", raising=False)
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(sample_doc()))
    runner = CliRunner()
    result = runner.invoke(assets, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("imported 3 credentials (3 created, 0 updated), 6 groups (6 created, 0 updated), "
                                     "5 assets (5 created, 0 updated)")
    assert settings.secret_key_file.exists()  # generated on first use by the CLI
    out = runner.invoke(assets, ["export"])
    assert out.exit_code == 0 and MARKER not in out.output
    assert [a["name"] for a in yaml.safe_load(out.stdout)["assets"]][0] == "cis-01"
    csv_out = runner.invoke(assets, ["export", "--format", "csv"])
    assert csv_out.exit_code == 0 and csv_out.stdout.startswith("name,address,os,")
    assert MARKER not in csv_out.output


def test_bad_file_one_line_error_exit_1(settings, tmp_path):
    doc = sample_doc()
    doc["assets"][2]["os"] = "solaris"
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump(doc))
    result = CliRunner().invoke(assets, ["import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == ["Error: assets[2] (db-01): os: Input should be 'linux' or 'windows'"]
    assert result.stdout == ""
    with session_scope(settings.database_url) as s:
        assert row_counts(s)["assets"] == 0
