"""The worker proves its toolchain: every module the catalog uses resolves, ssh/sshpass exist, the key opens.

At start a worker checks the catalog it will serve (built-in and added actions) against the Ansible that
its runs will use: module names are resolved by Ansible's own plugin loader in a child of this
interpreter, with the same allowlisted environment ``ansible-playbook`` gets (``app.execution.runner``),
so a collection that is not installed where runs look for it is found missing here. The worker then
serves with the actions it cannot run marked unavailable (``app.services.toolchain`` publishes the
report where the web side reads it: ``GET /ready``, the actions page) and logs the list with what to fix.
``opsplan doctor`` runs the same check.

    python -m app.execution.toolchain [--json]    the check of the built-in catalog by this interpreter
"""
from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Any

from app.config import Settings
from app.execution.runner import build_safe_env
from compiler.catalog import Catalog
from compiler.collection_pins import ANSIBLE_PACKAGE, ANSIBLE_PACKAGE_VERSION, catalog_modules, collection_of

log = logging.getLogger(__name__)

# Resolves module names with Ansible's plugin loader (modules, or action plugins such as include_tasks).
RESOLVER = """
import json, sys
from ansible.plugins.loader import action_loader, init_plugin_loader, module_loader
init_plugin_loader()
missing = [n for n in json.load(sys.stdin) if not module_loader.find_plugin_with_context(n).resolved
           and not action_loader.find_plugin_with_context(n).resolved]
sys.stdout.write(json.dumps(missing))
"""
PROGRAMS = {
    "ssh": "every SSH host is unreachable (install openssh-client)",
    "sshpass": "SSH hosts with password credentials fail (install sshpass)",
}
SSH_NEEDED_BY = "ssh"  # without it, no Linux action can reach a host over SSH


@dataclass
class ToolchainReport:
    modules_checked: int = 0
    missing_modules: dict[str, list[str]] = field(default_factory=dict)  # module -> actions using it
    missing_programs: dict[str, str] = field(default_factory=dict)  # program -> what fails without it
    key: str = "ok"  # "ok", "not checked", or what is wrong with the credentials key
    unavailable: dict[str, list[str]] = field(default_factory=dict)  # action -> reasons
    error: str = ""  # the resolver itself could not run (no ansible-core)

    @property
    def ok(self) -> bool:
        return not (self.missing_modules or self.missing_programs or self.error) and self.key in ("ok", "not checked")

    def missing_collections(self) -> dict[str, list[str]]:
        out: dict[str, set[str]] = {}
        for module, actions in self.missing_modules.items():
            out.setdefault(collection_of(module) or "ansible.builtin", set()).update(actions)
        return {c: sorted(a) for c, a in sorted(out.items())}

    def problems(self) -> list[str]:
        """One line per problem, each saying what to fix."""
        lines = []
        if self.error:
            lines.append(f"Ansible cannot be loaded: {self.error} (pip install -r requirements.txt)")
        for collection, actions in self.missing_collections().items():
            modules = sorted(m for m in self.missing_modules if (collection_of(m) or "ansible.builtin") == collection)
            lines.append(f"collection {collection} is not installed (modules {', '.join(modules)}); unavailable "
                         f"actions: {', '.join(actions)}; install the pinned {ANSIBLE_PACKAGE}=="
                         f"{ANSIBLE_PACKAGE_VERSION} package: pip install -r requirements.txt")
        for program, consequence in self.missing_programs.items():
            lines.append(f"program {program} not found on PATH: {consequence}")
        if self.key not in ("ok", "not checked"):
            lines.append(f"credentials key: {self.key}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "missing_collections": self.missing_collections(),
                "problems": self.problems()}


def resolve_modules(modules: list[str], python: str = sys.executable) -> list[str]:
    """The names among ``modules`` that Ansible (run by ``python``, with a run's environment) cannot resolve."""
    import os

    with tempfile.TemporaryDirectory(prefix="opsplan-toolchain-") as tmp:
        env = build_safe_env(dict(os.environ), {"ANSIBLE_LOCAL_TEMP": tmp, "ANSIBLE_NOCOLOR": "1",
                                                "ANSIBLE_DEPRECATION_WARNINGS": "False"})
        done = subprocess.run([python, "-c", RESOLVER], input=json.dumps(sorted(modules)), env=env, cwd=tmp,
                              capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["exit code " + str(done.returncode)])[-1]
        raise RuntimeError(tail)
    return sorted(json.loads(done.stdout))


def check_key(settings: Settings) -> str:
    """"ok", or what is wrong: no key, a malformed one, or not the key the published public key comes from."""
    from app.assets.errors import CredentialKeyError
    from app.execution.keyring import load_secret_key, public_key_for

    try:
        key = load_secret_key(settings, create=False)
    except CredentialKeyError as exc:
        return exc.message
    try:
        from app.assets.sealing import published_public_key
        from app.db.session import session_scope

        with session_scope(settings.database_url) as s:
            published = published_public_key(s)
    except Exception as exc:  # noqa: BLE001 - the database is reported by its own check
        return f"readable, but the published public key could not be read ({type(exc).__name__})"
    if published and published != public_key_for(key):
        return ("this key is not the one the stored credentials are sealed for (its public key differs from "
                "the published one): restore the right OPSPLAN_SECRET_KEY / var/secret.key")
    return "ok"


def check(catalog: Catalog, settings: Settings | None = None, *, python: str = sys.executable) -> ToolchainReport:
    """The whole check: modules of ``catalog``, programs, and (with ``settings``) the credentials key."""
    uses = catalog_modules(catalog)
    report = ToolchainReport(modules_checked=len(uses), key="not checked")
    try:
        missing = resolve_modules(list(uses), python)
    except (RuntimeError, OSError, subprocess.SubprocessError, ValueError) as exc:
        report.error = str(exc)
        missing = list(uses)
    for module in missing:
        report.missing_modules[module] = uses[module]
        for action in uses[module]:
            report.unavailable.setdefault(action, []).append(f"module {module} is not installed on the worker")
    for program, consequence in PROGRAMS.items():
        if shutil.which(program) is None:
            report.missing_programs[program] = consequence
    if SSH_NEEDED_BY in report.missing_programs:
        for spec in catalog.values():
            if "linux" in spec.os:
                report.unavailable.setdefault(spec.name, []).append("ssh is not installed on the worker")
    if settings is not None:
        report.key = check_key(settings)
    report.unavailable = {a: sorted(set(r)) for a, r in sorted(report.unavailable.items())}
    return report


_checked_version: str | None = None  # the catalog version this worker's last check covered


def at_start(settings: Settings, worker_name: str) -> ToolchainReport:
    """The worker's check at start: logged (problems with their fixes) and published for the web side."""
    global _checked_version
    from app.db.session import session_scope
    from app.services import toolchain as published
    from app.services.catalog import catalog_version, current_catalog

    with session_scope(settings.database_url) as s:
        version = catalog_version(s)
        catalog = current_catalog(s)
    _checked_version = version
    report = check(catalog, settings)
    if report.ok:
        log.info("toolchain: %d modules of %d actions resolve; ssh and sshpass found; credentials key ok",
                 report.modules_checked, len(catalog))
    else:
        log.error("toolchain: %d problem(s); serving with %d action(s) unavailable:\n  %s", len(report.problems()),
                  len(report.unavailable), "\n  ".join(report.problems()))
    try:
        published.publish(settings, worker_name, report.to_json())
    except Exception:  # noqa: BLE001 - the worker still serves; /ready then shows no report for it
        log.exception("could not publish the toolchain report")
    return report


def refresh(settings: Settings, worker_name: str) -> ToolchainReport | None:
    """Check again when actions were added or removed since the last check (the janitor calls this)."""
    from app.db.session import session_scope
    from app.services.catalog import catalog_version

    with session_scope(settings.database_url) as s:
        if catalog_version(s) == _checked_version:
            return None
    return at_start(settings, worker_name)


def main(argv: list[str] | None = None) -> int:
    from compiler.catalog import builtin_catalog

    argv = sys.argv[1:] if argv is None else argv
    report = check(builtin_catalog())
    if "--json" in argv:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        for line in report.problems() or [f"ok: {report.modules_checked} modules resolve; ssh and sshpass found"]:
            sys.stdout.write(line + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
