from __future__ import annotations

import pytest

from app.assets.errors import AssetValidationError
from app.assets.schemas import AssetIn, AssetPatch, CredentialIn, GroupIn, parse

pytestmark = pytest.mark.unit


def test_defaults_and_effective_port():
    linux = parse(AssetIn, {"name": "web-01", "address": "10.0.0.1"}, "asset")
    assert (linux.os, linux.port, linux.effective_port, linux.enabled, linux.groups) == ("linux", None, 22, True, [])
    win = parse(AssetIn, {"name": "cis-01", "address": "10.0.0.2", "os": "Windows"}, "asset")
    assert (win.os, win.effective_port) == ("windows", 5986)


def test_groups_accept_a_separated_string_and_deduplicate():
    a = parse(AssetIn, {"name": "a", "address": "h", "groups": "web; db web"}, "asset")
    assert a.groups == ["web", "db"]


@pytest.mark.parametrize("field,value,expected", [
    ("name", "-bad", "name: invalid asset name '-bad'"),
    ("name", "x" * 129, "name: invalid asset name"),
    ("port", 0, "port: Input should be greater than or equal to 1"),
    ("port", 65536, "port: Input should be less than or equal to 65535"),
    ("os", "bsd", "os: Input should be 'linux' or 'windows'"),
    ("groups", ["ok", "no spaces"], "groups: invalid group name 'no spaces'"),
    ("groups", ["all"], "groups: group name 'all' is reserved"),
    ("vars", {"bad-key": 1}, "vars: invalid variable name 'bad-key'"),
    ("colour", "blue", "colour: unknown field"),
])
def test_invalid_asset_messages_name_the_field(field, value, expected):
    data = {"name": "web-01", "address": "10.0.0.1", field: value}
    with pytest.raises(AssetValidationError) as err:
        parse(AssetIn, data, "assets[3] (web-01)")
    assert err.value.message.startswith("assets[3] (web-01): ")
    assert expected in err.value.message
    assert err.value.status == 400


def test_missing_required_fields():
    with pytest.raises(AssetValidationError, match="address: required field is missing"):
        parse(AssetIn, {"name": "web-01"}, "asset")


def test_credential_secret_never_echoed_in_errors():
    with pytest.raises(AssetValidationError) as err:
        parse(CredentialIn, {"name": "c", "kind": "token", "username": "u", "secret": "hunter2-secret"}, "cred")
    assert "kind" in err.value.message and "hunter2" not in err.value.message
    assert "hunter2" not in repr(parse(CredentialIn, {"name": "c", "kind": "password", "username": "u",
                                                      "secret": "hunter2-secret"}, "c"))


def test_group_parents_and_patch_partial():
    g = parse(GroupIn, {"name": "web", "parents": "frontend", "vars": None}, "group")
    assert g.parents == ["frontend"] and g.vars == {}
    p = parse(AssetPatch, {"port": 2200}, "patch")
    assert p.model_fields_set == {"port"}
    with pytest.raises(AssetValidationError, match="expected a mapping"):
        parse(AssetIn, ["not", "a", "dict"], "assets[0]")
