"""Import boundaries, read from the source: the web side and the planner never reach the worker side.

The graph follows every ``import`` and ``from ... import`` in the project's modules, at module level and
inside functions, starting from the web factory's blueprint list, every module of ``app.api`` and
``app.ui``, and the planner. None of them may reach the credentials keyring, the per-run snapshot writer
(which decrypts credentials), the worker package or ``ansible_runner``.
"""
from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "compiler", "inventory")
FORBIDDEN = ("app.execution", "inventory.snapshot", "ansible_runner")
pytestmark = pytest.mark.unit


def module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(name: str, source: str) -> set[str]:
    """Every module ``source`` (the text of module ``name``) imports, anywhere in it."""
    package = name if module_file(name) and module_file(name).name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            for alias in node.names:  # ``from app.api import plans`` imports the submodule app.api.plans
                if module_file(f"{mod}.{alias.name}"):
                    found.add(f"{mod}.{alias.name}")
    # importing a.b.c runs a/__init__ and a/b/__init__ too
    for mod in list(found):
        parts = mod.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return found


def reachable(starts: list[str], extra_sources: dict[str, str] | None = None) -> dict[str, str | None]:
    """Every module reachable from ``starts``, mapped to the module that first imported it."""
    extra_sources = extra_sources or {}
    parent: dict[str, str | None] = {s: None for s in starts}
    queue = deque(starts)
    while queue:
        name = queue.popleft()
        if name in extra_sources:
            source = extra_sources[name]
        else:
            path = module_file(name)
            if path is None or name.split(".")[0] not in PACKAGES:
                continue  # a third-party or standard-library module: a leaf
            source = path.read_text()
        for dep in imports_of(name, source):
            if dep and dep not in parent:
                parent[dep] = name
                queue.append(dep)
    return parent


def chain(parent: dict[str, str | None], name: str) -> str:
    out = [name]
    while parent.get(out[-1]):
        out.append(parent[out[-1]])  # type: ignore[arg-type]
    return " <- ".join(out)


def violations(parent: dict[str, str | None]) -> list[str]:
    return sorted(chain(parent, m) for m in parent if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))


def web_and_planner_modules() -> list[str]:
    names = ["app.factory", "app.planner", "app.services.planning", "app.services.chat", "app.services.launch"]
    for package in ("app/api", "app/ui", "app/planner"):
        names += [f"{package.replace('/', '.')}.{p.stem}" for p in sorted((ROOT / package).glob("*.py"))
                  if p.stem != "__init__"]
    return names


def test_web_and_planner_never_reach_the_worker_side():
    parent = reachable(web_and_planner_modules())
    assert "app.api.plans" in parent and "app.ui.runs" in parent and "app.services.plans" in parent
    assert violations(parent) == []


def test_the_factory_registers_every_blueprint_module_explicitly():
    """Every blueprint module is imported by name in the factory, so the graph above sees them all."""
    import app.factory

    registered = {bp.import_name for bp in app.factory.blueprints()}
    for package in ("app/api", "app/ui"):
        for path in (ROOT / package).glob("*.py"):
            source = path.read_text()
            if path.stem != "__init__" and "\nbp = " in source:
                assert f"{package.replace('/', '.')}.{path.stem}" in registered, path


@pytest.mark.parametrize("bad_import", [
    "from app.execution.keyring import decrypt_secret",
    "import ansible_runner",
    "from inventory import snapshot",
    "def later():\n    from app.execution import executor\n",
])
def test_the_check_catches_a_forbidden_import(bad_import):
    """The checker itself can fail: a blueprint module that gains a forbidden import is reported."""
    source = (ROOT / "app/api/plans.py").read_text() + "\n" + bad_import + "\n"
    parent = reachable(web_and_planner_modules(), extra_sources={"app.api.plans": source})
    found = violations(parent)
    assert found and all("app.api.plans" in line for line in found), found
