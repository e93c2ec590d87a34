from __future__ import annotations

import pytest

from app.planner import AssetRef, Vocabulary
from tests.app.planner.helpers import fleet_vocab, load_fleet_into_db


def _small() -> Vocabulary:
    return Vocabulary.from_refs(
        [AssetRef("web-01", "linux", "production", ("web",)), AssetRef("web-02", "linux", "staging", ("web",)),
         AssetRef("api-01", "linux", "production", ("api",)),
         AssetRef("old-01", "windows", "production", ("web",), False)],
        {"web": ["frontend"], "api": ["frontend"]},
    )


@pytest.mark.unit
def test_aliases_plurals_and_synonyms():
    v = fleet_vocab()
    for word in ("web", "webs", "webservers", "WEB", "www"):
        assert v.group(word) == "web"
    for word in ("cis", "cisservers", "cisboxes"):
        assert v.group(word) == "cis"
    assert v.group("database") == "db" and v.group("databases") == "db"
    assert v.environment("prod") == v.environment("PRD") == "production"
    assert v.environment("stage") == v.environment("stg") == "staging"
    assert v.environment("dev") == "development"
    assert v.environment("qa") is None and "qa" in v.env_family_words
    assert v.host("WEB-01") == "web-01"
    assert len(v.os_members["windows"]) == 8 and len(v.os_members["linux"]) == 12


@pytest.mark.unit
def test_parent_groups_contain_child_hosts_and_disabled_hosts_are_known():
    v = _small()
    assert v.group_members["frontend"] == {"web-01", "web-02", "api-01", "old-01"}
    assert "old-01" not in v.enabled and v.host("old-01") == "old-01"
    assert v.groups == ["api", "frontend", "web"]


@pytest.mark.unit
def test_from_session_matches_yaml(session):
    load_fleet_into_db(session, parents={"cis": ["plant"]}, disabled=("web-05",))
    v = Vocabulary.from_session(session)
    y = fleet_vocab()
    assert set(v.assets) == set(y.assets)
    assert v.group_members["web"] == y.group_members["web"]
    assert v.group_members["plant"] == y.group_members["cis"]
    assert "web-05" not in v.enabled
    assert v.assets["cis-01"].os == "windows" and v.assets["cis-01"].environment == "production"
