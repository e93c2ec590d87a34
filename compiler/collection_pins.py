"""The Ansible collections the catalog needs, where they come from, and which versions are pinned.

The action definitions name every module they use (``ActionSpec.modules``, read from the roles' tasks);
the collections are those modules' namespaces. They are installed from PyPI alone: the pinned ``ansible``
community package (``requirements.txt``) carries them under ``site-packages/ansible_collections``, so
``pip install -r requirements.txt`` (the Dockerfile, ``make run``) brings what every built-in action
needs, with no Galaxy. ``COLLECTION_PINS`` are the versions that package ships; the compiled bundle's
``collections/requirements.yml`` (and with it the AWX export) carries the same pins. A unit test checks
that the pins cover exactly the catalog's collections and equal what is installed.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

from compiler.catalog import Catalog

# The PyPI package that carries the collections (pinned in requirements.txt) and the versions it ships.
ANSIBLE_PACKAGE = "ansible"
ANSIBLE_PACKAGE_VERSION = "12.3.0"
COLLECTION_PINS: dict[str, str] = {
    "ansible.windows": "3.3.0",
    "chocolatey.chocolatey": "1.5.3",
    "community.general": "11.4.2",
    "community.windows": "3.1.0",
}
BUILTIN_PREFIX = "ansible.builtin."


def collection_of(module: str) -> str | None:
    """``community.general.listen_ports_facts`` -> ``community.general``; ansible.builtin and short names: None."""
    if module.startswith(BUILTIN_PREFIX) or module.count(".") < 2:
        return None
    return module.rsplit(".", 1)[0]


def catalog_modules(catalog: Catalog) -> dict[str, list[str]]:
    """Every module the catalog's tasks use -> the actions that use it (sorted)."""
    out: dict[str, set[str]] = {}
    for action in catalog.values():
        for modules in action.modules.values():
            for module in modules:
                out.setdefault(module, set()).add(action.name)
    return {m: sorted(names) for m, names in sorted(out.items())}


def catalog_collections(catalog: Catalog) -> dict[str, list[str]]:
    """Every collection (other than ansible.builtin) the catalog's modules come from -> the actions using it."""
    out: dict[str, set[str]] = {}
    for module, actions in catalog_modules(catalog).items():
        name = collection_of(module)
        if name is not None:
            out.setdefault(name, set()).update(actions)
    return {c: sorted(names) for c, names in sorted(out.items())}


def pin(collection: str) -> str:
    """The version requirement of ``collection`` in a bundle's collections/requirements.yml."""
    return COLLECTION_PINS.get(collection, "*")


def requirements(collections: Iterable[str]) -> list[dict[str, str]]:
    """The ``collections:`` list of a requirements.yml for ``collections`` (sorted, pinned)."""
    return [{"name": c, "version": pin(c)} for c in sorted(set(collections))]


def installed_collections(paths: Iterable[str] | None = None) -> dict[str, str]:
    """Collections installed under ``<path>/ansible_collections`` of ``paths`` (default: sys.path) -> version.

    Reads each collection's MANIFEST.json (what ``ansible-galaxy collection list`` reads); the first
    path that has a collection wins, as in Ansible's own search.
    """
    found: dict[str, str] = {}
    for entry in (sys.path if paths is None else paths):
        root = Path(entry or ".") / "ansible_collections"
        if not root.is_dir():
            continue
        for manifest in sorted(root.glob("*/*/MANIFEST.json")):
            name = f"{manifest.parent.parent.name}.{manifest.parent.name}"
            if name in found:
                continue
            try:
                info = json.loads(manifest.read_text(encoding="utf-8")).get("collection_info") or {}
            except (OSError, ValueError):
                continue
            found[name] = str(info.get("version") or "")
    return found
