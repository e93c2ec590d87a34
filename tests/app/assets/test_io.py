from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from app.assets.errors import ImportFileError
from app.assets.io import export_csv, export_data, export_yaml, import_document, import_file, load_yaml, parse_csv
from app.db import session_scope
from app.db.models import Credential
from app.execution.keyring import decrypt_secret
from tests.app.assets.helpers import MARKER, row_counts, sample_doc

pytestmark = pytest.mark.integration


def _strip_secrets(doc: dict) -> dict:
    for c in doc["credentials"]:
        c.pop("secret", None)
    return doc


def test_yaml_round_trip(loaded, tmp_path):
    with session_scope(loaded) as s:
        text = export_yaml(s)
    assert MARKER not in text and "secret" not in text
    exported = yaml.safe_load(text)
    names = [a["name"] for a in exported["assets"]]
    assert names == sorted(names) == ["cis-01", "db-01", "old-01", "web-01", "web-02"]
    web02 = next(a for a in exported["assets"] if a["name"] == "web-02")
    assert web02 == {"name": "web-02", "address": "10.20.1.12", "os": "linux", "environment": "staging",
                     "groups": ["canary", "web"], "credential": "linux-ops", "port": 2222,
                     "vars": {"nginx_workers": 4}}
    assert next(a for a in exported["assets"] if a["name"] == "old-01")["enabled"] is False
    groups = {g["name"]: g for g in exported["groups"]}
    assert groups["web"] == {"name": "web", "description": "Web servers", "parents": ["frontend"],
                             "vars": {"http_port": 8080}}
    assert "empty-group" in groups and "canary" not in groups  # implicit groups live in the assets
    # re-import into a fresh database gives the same export
    other = f"sqlite:///{tmp_path / 'other.db'}"
    from app.db import upgrade

    upgrade(other)
    path = tmp_path / "export.yml"
    path.write_text(text)
    with session_scope(other) as s:
        from cryptography.fernet import Fernet

        from app.execution.keyring import publish_public_key

        publish_public_key(s, Fernet.generate_key())
        result = import_file(s, path)
    assert result.assets.created == 5 and result.credentials.created == 3
    with session_scope(other) as s:
        assert export_yaml(s) == text


def test_reimporting_an_export_keeps_the_secrets(loaded, published):
    with session_scope(loaded) as s:
        exported = export_data(s)
    with session_scope(loaded) as s:
        result = import_document(s, exported)
    assert (result.assets.created, result.assets.updated) == (0, 5)
    with session_scope(loaded) as s:
        cred = s.scalar(select(Credential).where(Credential.name == "db-pass"))
        assert decrypt_secret(cred.secret_encrypted, published) == f"{MARKER}-pw"


def test_upsert_replaces_asset_fields_and_groups(loaded):
    doc = {"assets": [{"name": "web-01", "address": "10.99.0.1", "os": "linux", "groups": ["db"]}]}
    with session_scope(loaded) as s:
        result = import_document(s, doc)
    assert (result.assets.created, result.assets.updated, result.groups.created) == (0, 1, 0)
    with session_scope(loaded) as s:
        web01 = next(a for a in export_data(s)["assets"] if a["name"] == "web-01")
    assert web01 == {"name": "web-01", "address": "10.99.0.1", "os": "linux", "environment": "", "groups": ["db"]}


def test_csv_round_trip(loaded, tmp_path):
    with session_scope(loaded) as s:
        text = export_csv(s)
        before = export_data(s)["assets"]
    assert MARKER not in text
    assert text.splitlines()[0] == "name,address,os,environment,groups,credential,port,vars,enabled,zone"
    parsed = parse_csv(text)
    assert [a.name for a in parsed] == [a["name"] for a in before]
    path = tmp_path / "fleet.csv"
    path.write_text(text)
    with session_scope(loaded) as s:
        result = import_file(s, path)
        assert result.assets.updated == 5
        assert export_data(s)["assets"] == before


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d["assets"][3].update(port=70000),
     "assets[3] (cis-01): port: Input should be less than or equal to 65535"),
    (lambda d: d["assets"][1].update(credential="nope"), "assets[1] (web-02): credential: unknown credential 'nope'"),
    (lambda d: d["assets"].append({"name": "web-01", "address": "x"}),
     "assets[5] (web-01): name: duplicate of assets[0]"),
    (lambda d: d["assets"][0].pop("address"), "assets[0] (web-01): address: required field is missing"),
    (lambda d: d["credentials"][1].update(kind="kerberos"), "credentials[1] (win-admin): kind: Input should be"),
    (lambda d: d["groups"][1].update(parents=["web"]), "parents: cycle"),
    (lambda d: d.update(hosts=[]), "unknown top-level key(s) hosts"),
    (lambda d: d["assets"].insert(2, "just-a-string"), "assets[2]: expected a mapping"),
])
def test_bad_file_writes_nothing_and_names_entry_and_field(db_url, published, mutate, expected):
    with session_scope(db_url) as s:
        before = row_counts(s)
    doc = sample_doc()
    mutate(doc)
    with pytest.raises(ImportFileError) as err, session_scope(db_url) as s:
        import_document(s, doc)
    assert expected in err.value.message
    assert MARKER not in err.value.message
    with session_scope(db_url) as s:
        assert row_counts(s) == before


def test_failure_after_partial_writes_rolls_back(loaded):
    """The second half of a file fails at the database level: the first half must not stay."""
    with session_scope(loaded) as s:
        before = row_counts(s)
        snapshot = export_data(s)
    doc = {"assets": [{"name": "new-01", "address": "10.1.1.1", "groups": ["brand-new"]},
                      {"name": "new-02", "address": "x" * 300}]}
    with (
        pytest.raises(ImportFileError, match=r"assets\[1\] \(new-02\): address: String should have at most 255"),
        session_scope(loaded) as s,
    ):
        import_document(s, doc)
    with session_scope(loaded) as s:
        assert row_counts(s) == before and export_data(s) == snapshot


def test_invalid_yaml_and_csv_messages(tmp_path):
    with pytest.raises(ImportFileError, match=r"f.yml: invalid YAML at line \d+, column \d+"):
        load_yaml("assets:\n  - name: [unclosed\n", "f.yml")
    with pytest.raises(ImportFileError, match=r"assets\[1\] \(line 3, b\): port: Input should be a valid integer"):
        parse_csv("name,address,port\na,h1,22\nb,h2,twenty\n")
    with pytest.raises(ImportFileError, match="unknown column"):
        parse_csv("name,address,colour\na,h,red\n")
    with pytest.raises(ImportFileError, match=r"vars: not a JSON object"):
        parse_csv("name,address,vars\na,h,{bad\n")
    with pytest.raises(ImportFileError, match="cannot read"):
        from app.assets.io import read_file

        read_file(tmp_path / "missing.yml")


def test_cli_import_opens_its_own_transaction_and_publishes_the_local_key(settings, tmp_path, monkeypatch):
    from app.assets.cli import import_path

    monkeypatch.delenv("OPSPLAN_SECRET_KEY", raising=False)
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(sample_doc()))
    result = import_path(settings, path)
    assert str(result) == "3 credentials, 6 groups, 5 assets" and settings.secret_key_file.exists()
    with session_scope(settings.database_url) as s:
        assert row_counts(s)["assets"] == 5
