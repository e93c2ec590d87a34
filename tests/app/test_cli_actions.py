"""``opsplan actions add ROLE_DIR`` / ``opsplan actions remove NAME``: real subprocesses on the test database;
admins only, one line per action, and a bad role is one line on stderr, exit 1, nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth import create_user
from app.db import session_scope
from app.db.models import ActionRole, AuditEntry
from tests.app.test_added_actions import opsplan
from tests.conftest import sqlite_only
from tests.harness.action_roles import ROLE, marker_role

pytestmark = [pytest.mark.integration, sqlite_only]


@pytest.fixture
def users(stack_env):
    with session_scope(stack_env["DATABASE_URL"]) as s:
        create_user(s, "root1", "admin")
        create_user(s, "olga", "operator")
    return stack_env


def stored(env: dict) -> tuple[int, int]:
    with session_scope(env["DATABASE_URL"]) as s:
        return (s.scalar(select(func.count()).select_from(ActionRole)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def refused(env: dict, *args: str, fragment: str) -> str:
    before = stored(env)
    proc = opsplan(env, *args, check=False)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
    assert proc.stdout == ""
    assert stored(env) == before
    return lines[0]


def test_add_list_and_remove_through_the_cli(users, tmp_path):
    env = users
    role_dir = marker_role(tmp_path, tmp_path / "markers")
    refused(env, "actions", "add", str(role_dir), "--user", "olga", fragment="needs the admin role")
    refused(env, "actions", "add", str(role_dir), "--user", "nobody", fragment="no Opsplan user 'nobody'")
    refused(env, "actions", "add", str(tmp_path / "missing"), "--user", "root1", fragment="is not a role directory")

    out = opsplan(env, "actions", "add", str(role_dir), "--user", "root1").stdout.splitlines()
    assert len(out) == 2 and out[0].startswith(f"added marker.touch (role {ROLE}, sha256 ") and \
        out[1].startswith("added marker.check"), out
    listing = opsplan(env, "actions").stdout
    assert any(line.startswith("marker.touch") and f"added:{ROLE}" in line for line in listing.splitlines())
    refused(env, "actions", "add", str(role_dir), "--user", "root1", fragment=f"role {ROLE} already exists")

    refused(env, "actions", "remove", "host.ping", "--user", "root1", fragment="built in")
    refused(env, "actions", "remove", "marker.nope", "--user", "root1", fragment="no added action or role")
    refused(env, "actions", "remove", ROLE, "--user", "olga", fragment="needs the admin role")
    out = opsplan({**env, "OPSPLAN_USER": "root1"}, "actions", "remove", ROLE).stdout.splitlines()
    assert out == [f"removed marker.touch (role {ROLE})", f"removed marker.check (role {ROLE})"]
    assert "marker.touch" not in opsplan(env, "actions").stdout
    with session_scope(env["DATABASE_URL"]) as s:
        entries = [(e.action, e.actor) for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert entries == [("action.added", "root1"), ("action.removed", "root1")]


def test_a_bad_role_directory_is_one_line_and_adds_nothing(users, tmp_path):
    env = users
    broken = marker_role(tmp_path / "a", tmp_path / "markers")
    spec = broken / "meta" / "argument_specs.yml"
    spec.write_text(spec.read_text().replace(f"{ROLE}_note:", "note:"))
    refused(env, "actions", "add", str(broken), "--user", "root1",
            fragment="option note of marker.touch must start with the role prefix acme_marker_")

    typed = marker_role(tmp_path / "b", tmp_path / "markers")
    spec = typed / "meta" / "argument_specs.yml"
    spec.write_text(spec.read_text().replace("type: str\n        required: false", "type: dict\n"
                                             "        required: false"))
    refused(env, "actions", "add", str(typed), "--user", "root1", fragment="has type 'dict'")

    plugin = marker_role(tmp_path / "c", tmp_path / "markers", extra_files={"library/acme.py": "print(1)\n"})
    refused(env, "actions", "add", str(plugin), "--user", "root1", fragment="library/acme.py is code")

    linked = marker_role(tmp_path / "d", tmp_path / "markers")
    (linked / "files").mkdir()
    (linked / "files" / "passwd").symlink_to("/etc/passwd")
    refused(env, "actions", "add", str(linked), "--user", "root1", fragment="is a symbolic link")

    clash = marker_role(tmp_path / "e", tmp_path / "markers", touch_action="file.copy")
    refused(env, "actions", "add", str(clash), "--user", "root1",
            fragment="action file.copy is already defined by role opsplan_file")

    bad_yaml = marker_role(tmp_path / "f", tmp_path / "markers",
                           extra_files={"tasks/check.yml": "---\n- name: x\n  acme.missing.module: {}\n"})
    refused(env, "actions", "add", str(bad_yaml), "--user", "root1",
            fragment="syntax check failed: couldn't resolve module/action 'acme.missing.module'")
