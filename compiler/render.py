"""Rendering helpers: the one Jinja environment, and the YAML serializers the compiler emits with.

Safety rules (tests/compiler/test_render.py and test_injection.py hold them):

* User values only ever reach the bundle through :func:`dump_vars`, which tags every string
  ``!unsafe`` so Ansible treats it as data (never templated, also not through ``{{ var }}``
  indirection under ansible-core 2.19 data tagging).
* Playbook structure is built as Python dicts and serialized by :func:`dump_structure`; the Jinja
  templates in ``playbook_templates/`` only receive structural values (action and role names,
  validated host names, numbers) — :func:`render` refuses anything else.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "playbook_templates"
HOST_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# What a structural template value may look like: identifiers, action names, paths of the bundle,
# percentages; never braces, quotes, colons or newlines.
_STRUCTURAL_RE = re.compile(r"^[A-Za-z0-9_.%/ -]*$")
UNSAFE_TAG = "!unsafe"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The compiler's single Jinja environment (StrictUndefined, no autoescape, trailing newline kept)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _check_structural(value: Any, where: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return
    if isinstance(value, str):
        if not _STRUCTURAL_RE.match(value):
            raise ValueError(f"non-structural value passed to a template at {where}: {value!r}")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _check_structural(k, where)
            _check_structural(v, f"{where}.{k}")
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_structural(v, f"{where}[{i}]")
        return
    raise TypeError(f"unsupported template value at {where}: {type(value).__name__}")


def render(template: str, **context: Any) -> str:
    """Render a playbook template with structural values only (anything else raises)."""
    for key, value in context.items():
        _check_structural(value, key)
    return _get_template(template).render(**context)


@cache
def _get_template(name: str) -> jinja2.Template:
    return environment().get_template(name)


# --- YAML: structure -------------------------------------------------------------------------------


class _StructureDumper(yaml.SafeDumper):
    """Safe dumper that indents block sequences inside mappings (yamllint/ansible-lint style)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump_structure(data: Any) -> str:
    """Serialize compiler-built structure (plays, requirements) as a YAML document."""
    return yaml.dump(data, Dumper=_StructureDumper, sort_keys=False, default_flow_style=False,
                     explicit_start=True, width=1_000_000, allow_unicode=True)


_RESOLVER = yaml.resolver.Resolver()


def yaml_scalar(name: str) -> str:
    """The YAML text of a validated host name: plain when it reads back as a string, else quoted."""
    if not HOST_NAME_RE.match(name):
        raise ValueError(f"invalid host name {name!r}")
    # Names starting with a digit are always quoted: YAML 1.2 readers (ruamel, yamllint) resolve more
    # of them as numbers (0o17) than PyYAML does.
    if not name[0].isdigit() and _RESOLVER.resolve(yaml.ScalarNode, name, (True, False)) == "tag:yaml.org,2002:str":
        return name
    return f"'{name}'"  # the host-name alphabet has no quote characters


def host_block(names: list[str], scalars: dict[str, str], indent: int) -> str:
    """A block sequence of host names at ``indent`` spaces (names pre-rendered by :func:`yaml_scalar`)."""
    prefix = " " * indent + "- "
    return "".join(f"{prefix}{scalars[n]}\n" for n in names)


# --- YAML: user data -----------------------------------------------------------------------------


class _UnsafeDumper(yaml.SafeDumper):
    """Dumps every string *value* as an ``!unsafe`` scalar; mapping keys stay plain (they are structural)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_unsafe_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Double-quoted style escapes every control character (newlines included), so no value can
    # break out of its scalar, whatever it contains.
    return dumper.represent_scalar(UNSAFE_TAG, data, style='"')


def _represent_mapping(dumper: yaml.SafeDumper, data: dict) -> yaml.MappingNode:
    items = []
    for key, value in data.items():
        if not isinstance(key, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            raise ValueError(f"vars file keys must be identifiers, got {key!r}")
        items.append((yaml.ScalarNode("tag:yaml.org,2002:str", key), dumper.represent_data(value)))
    return yaml.MappingNode("tag:yaml.org,2002:map", items, flow_style=False)


_UnsafeDumper.add_representer(str, _represent_unsafe_str)
_UnsafeDumper.add_representer(dict, _represent_mapping)


def dump_vars(data: dict[str, Any]) -> str:
    """Serialize a vars file whose every string value is tagged ``!unsafe``."""
    return yaml.dump(data, Dumper=_UnsafeDumper, sort_keys=False, default_flow_style=False,
                     explicit_start=True, width=1_000_000, allow_unicode=True)
