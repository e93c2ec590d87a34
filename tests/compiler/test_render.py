"""The Jinja environment and the YAML serializers."""
from __future__ import annotations

import jinja2
import pytest
import yaml

from compiler.render import dump_structure, dump_vars, environment, render, yaml_scalar

PAYLOADS = ["{{ lookup('pipe','id') }}", "$(id)", "; touch /tmp/x", "x\n- hosts: all", "a: b", "'\"",
            "{% raw %}", "\x1b[31m", "tab\there", "- item", "!unsafe x", "#comment", "\u2028line"]


@pytest.mark.unit
def test_environment_is_strict() -> None:
    env = environment()
    assert env.undefined is jinja2.StrictUndefined and env.autoescape is False and env.keep_trailing_newline
    assert environment() is env
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


@pytest.mark.unit
@pytest.mark.parametrize("value", ["{{ x }}", "a\nb", "x: y", "'q'", {"k": "v{"}, ["ok", "bad'"]])
def test_render_refuses_non_structural_values(value) -> None:
    with pytest.raises(ValueError):
        render("ansible.cfg.j2", forks=value, gathering="explicit", timeout=30, control_persist="60s")


@pytest.mark.unit
@pytest.mark.parametrize("payload", PAYLOADS)
def test_dump_vars_round_trips_and_tags(payload: str) -> None:
    text = dump_vars({"opsplan_steps": [{"index": 1, "params": {"name": payload}}]})
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    scalar = node.value[0][1].value[0].value[1][1].value[0][1]
    assert scalar.tag == "!unsafe" and scalar.value == payload
    assert len(node.value) == 1  # nothing broke out into a new top-level key


@pytest.mark.unit
def test_ansible_loader_keeps_values_untrusted() -> None:
    from ansible._internal._datatag._tags import TrustedAsTemplate
    from ansible.parsing.yaml.loader import AnsibleLoader

    text = dump_vars({"v": {"a": PAYLOADS[0], "b": PAYLOADS[3]}})
    data = AnsibleLoader(text).get_single_data()
    assert data["v"]["a"] == PAYLOADS[0] and data["v"]["b"] == PAYLOADS[3]
    assert not TrustedAsTemplate.is_tagged_on(data["v"]["a"])


@pytest.mark.unit
def test_dump_vars_rejects_odd_keys() -> None:
    with pytest.raises(ValueError):
        dump_vars({"bad key": "x"})


@pytest.mark.unit
def test_yaml_scalar_quotes_what_would_not_read_back_as_a_string() -> None:
    for name in ["true", "123", "1.5", "null", "0o17", "on"]:
        assert yaml_scalar(name) == f"'{name}'"
        assert yaml.safe_load(f"- {yaml_scalar(name)}") == [name]
    assert yaml_scalar("web-01") == "web-01"
    with pytest.raises(ValueError):
        yaml_scalar("a b")


@pytest.mark.unit
def test_dump_structure_is_a_yaml_document() -> None:
    text = dump_structure([{"name": "step 1: x.y", "tasks": [{"a": 1}]}])
    assert text.startswith("---\n") and "\n  tasks:\n    - a: 1\n" in text
    assert yaml.safe_load(text) == [{"name": "step 1: x.y", "tasks": [{"a": 1}]}]
