"""The collections the catalog needs: derived from the roles' modules, pinned once, installed from PyPI."""
from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from compiler.catalog import builtin_catalog
from compiler.collection_pins import (
    ANSIBLE_PACKAGE,
    ANSIBLE_PACKAGE_VERSION,
    COLLECTION_PINS,
    catalog_collections,
    catalog_modules,
    installed_collections,
)

ROOT = Path(__file__).resolve().parents[2]
FQCN_RE = re.compile(r"^\s*-?\s*([a-z_]+\.[a-z_]+\.[a-z_0-9]+):", re.MULTILINE)


@pytest.mark.unit
def test_collections_derived_from_the_roles_tasks() -> None:
    """The catalog's modules are the FQCNs in the roles' task files; their namespaces are the collections."""
    in_files = set()
    for path in (ROOT / "roles").glob("*/tasks/*.yml"):
        in_files |= set(FQCN_RE.findall(path.read_text()))
    modules = set(catalog_modules(builtin_catalog()))
    include_like = {m for m in in_files if m.rsplit(".", 1)[1] in ("include_tasks", "import_tasks")}
    assert modules - include_like == in_files - include_like
    collections = catalog_collections(builtin_catalog())
    assert set(collections) == {"ansible.windows", "chocolatey.chocolatey", "community.general", "community.windows"}
    assert "port.check" in collections["community.general"]
    assert "package.install" in collections["chocolatey.chocolatey"]


@pytest.mark.unit
def test_pins_cover_the_catalog_and_equal_what_is_installed() -> None:
    assert set(COLLECTION_PINS) == set(catalog_collections(builtin_catalog()))
    installed = installed_collections()
    for name, pinned in COLLECTION_PINS.items():
        assert installed.get(name) == pinned, f"{name}: pinned {pinned}, installed {installed.get(name)}"
    assert version(ANSIBLE_PACKAGE) == ANSIBLE_PACKAGE_VERSION


@pytest.mark.unit
def test_runtime_requirements_carry_the_collections_package() -> None:
    """requirements.txt (what the Dockerfile installs) pins the package; the dev requirements do not repeat it."""
    runtime = (ROOT / "requirements.txt").read_text().splitlines()
    assert f"{ANSIBLE_PACKAGE}=={ANSIBLE_PACKAGE_VERSION}" in runtime
    dev = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert not any(line.startswith(f"{ANSIBLE_PACKAGE}==") for line in dev)
    assert "-r requirements.txt" in dev


@pytest.mark.unit
def test_bundle_requirements_carry_the_same_pins() -> None:
    from compiler import compile_plan
    from tests.compiler.conftest import LINUX, WINDOWS, make_plan

    bundle = compile_plan(make_plan([("package.install", {"name": "7zip"}, [WINDOWS.name]),
                                     ("port.check", {"port": 80}, [LINUX.name])]), [LINUX, WINDOWS])
    reqs = yaml.safe_load(bundle.files["collections/requirements.yml"])["collections"]
    assert reqs == [{"name": c, "version": COLLECTION_PINS[c]} for c in ("chocolatey.chocolatey", "community.general")]
