"""Adding and removing actions (CONTRACT 7): what is refused (one line, nothing written), what is stored, audited
and bumped. Real databases and the real ``ansible-playbook --syntax-check``."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.db import session_scope
from app.db.models import ActionRole, AuditEntry
from app.errors import OpsplanError
from app.services.actions import add_role, remove_action_role
from app.services.catalog import catalog_version, current_catalog, role_source
from compiler.archive import read_tar_gz
from compiler.catalog import RoleSource
from tests.harness.action_roles import ROLE, marker_role, role_files

pytestmark = pytest.mark.integration


def _state(url: str) -> tuple[int, int, str]:
    """(stored roles, audit entries, catalog version): what a refused role must leave as it was."""
    with session_scope(url) as s:
        return (s.scalar(select(func.count()).select_from(ActionRole)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0, catalog_version(s))


def _add(url: str, files: dict[str, bytes], actor: str = "admin1") -> list[str]:
    with session_scope(url) as s:
        return add_role(s, files, actor)


def _refused(url: str, files: dict[str, bytes], *fragments: str, status: int = 400) -> str:
    before = _state(url)
    with pytest.raises(OpsplanError) as info:
        _add(url, files)
    message = info.value.message
    assert info.value.status == status, message
    assert "\n" not in message and message.strip() == message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert _state(url) == before, "a refused role wrote something"
    return message


def _edit_yaml(files: dict[str, bytes], rel: str, change) -> dict[str, bytes]:
    doc = yaml.safe_load(files[rel])
    change(doc)
    return {**files, rel: yaml.safe_dump(doc).encode()}


def test_an_added_role_is_stored_content_hashed_audited_and_plannable(settings, tmp_path: Path):
    url = settings.database_url
    files = role_files(marker_role(tmp_path, tmp_path / "markers"))
    assert _state(url) == (0, 0, "0")
    assert _add(url, files) == ["marker.touch", "marker.check"]
    with session_scope(url) as s:
        row = s.execute(select(ActionRole)).scalar_one()
        assert row.name == ROLE and row.actions == ["marker.touch", "marker.check"] and row.added_by == "admin1"
        assert read_tar_gz(row.archive) == files  # exactly the files given, nothing more
        assert row.sha256 == RoleSource(ROLE, files).sha256 == role_source(row).sha256
        assert catalog_version(s) == "1"
        entry = s.execute(select(AuditEntry)).scalar_one()
        assert (entry.action, entry.actor) == ("action.added", "admin1")
        assert entry.details == {"role": ROLE, "sha256": row.sha256, "actions": ["marker.touch", "marker.check"]}
        catalog = current_catalog(s)
        assert catalog["marker.touch"].source == "added" and "host.ping" in catalog
        assert catalog.to_json()[[a["name"] for a in catalog.to_json()].index("marker.touch")]["source"] == {
            "role": ROLE, "sha256": row.sha256}


BROKEN = {
    "an option without the role prefix": (
        lambda f: _edit_yaml(f, f"{ROLE}/meta/argument_specs.yml", lambda d: d["argument_specs"]["touch"]["options"]
                             .update({"colour": {"type": "str"}})),
        ("option colour of marker.touch must start with the role prefix acme_marker_",)),
    "an option of type dict": (
        lambda f: _edit_yaml(f, f"{ROLE}/meta/argument_specs.yml", lambda d: d["argument_specs"]["check"]["options"]
                             .update({f"{ROLE}_extra": {"type": "dict"}})),
        ("option acme_marker_extra of marker.check has type 'dict'",)),
    "an option of type list with a kind named": (
        lambda f: _edit_yaml(f, f"{ROLE}/meta/argument_specs.yml", lambda d: d["argument_specs"]["touch"]["options"]
                             [f"{ROLE}_note"].update(type="list", elements="str")),
        ("option acme_marker_note of marker.touch has type 'list'",)),
    "no argument specs": (
        lambda f: {k: v for k, v in f.items() if not k.endswith("argument_specs.yml")},
        ("meta/argument_specs.yml is missing",)),
    "an unknown risk": (
        lambda f: _edit_yaml(f, f"{ROLE}/meta/opsplan.yml", lambda d: d["actions"][0].update(risk="spicy")),
        ("risk 'spicy' is not one of",)),
    "an unknown OS": (
        lambda f: _edit_yaml(f, f"{ROLE}/meta/opsplan.yml", lambda d: d["actions"][1].update(os=["solaris"])),
        ("os must list linux and/or windows",)),
    "check_mode: false in a previewable action": (
        lambda f: {**f, f"{ROLE}/tasks/touch_linux.yml": f[f"{ROLE}/tasks/touch_linux.yml"].replace(
            b"    mode: \"0644\"\n", b"    mode: \"0644\"\n  check_mode: false\n")},
        ("marker.touch is previewable but tasks/touch_linux.yml sets check_mode: false",)),
    "a module that does not exist": (
        lambda f: {**f, f"{ROLE}/tasks/check.yml": b"---\n- name: Nope\n  acme.nowhere.frobnicate:\n    x: 1\n"},
        ("syntax check failed", "acme.nowhere.frobnicate", "tasks/check.yml")),
    "a task with two actions": (
        lambda f: {**f, f"{ROLE}/tasks/touch_linux.yml": b"---\n- name: Two\n  ansible.builtin.file:\n"
                   b"    path: /tmp/x\n  ansible.builtin.debug:\n    msg: hi\n"},
        ("syntax check failed",)),
    "Python in files/": (
        lambda f: {**f, f"{ROLE}/files/helper.py": b"print('hi')\n"},
        ("files/helper.py is code",)),
    "a module library": (
        lambda f: {**f, f"{ROLE}/library/acme_mod.sh": b"#!/bin/sh\necho '{}'\n"},
        ("library/ directory",)),
    "a filter plugin directory": (
        lambda f: {**f, f"{ROLE}/filter_plugins/x.yml": b"--- {}\n"},
        ("filter_plugins/ directory",)),
    "module_utils": (
        lambda f: {**f, f"{ROLE}/module_utils/x.ps1": b"#\n"},
        ("module_utils/ directory",)),
    "a role dependency": (
        lambda f: _edit_yaml(f, f"{ROLE}/meta/main.yml", lambda d: d.update(dependencies=["opsplan_file"])),
        ("meta/main.yml lists dependencies",)),
    "two roles in one archive": (
        lambda f: {**f, "other/meta/opsplan.yml": b"actions: []\n"},
        ("exactly one role directory",)),
    "a file outside the role directory": (
        lambda f: {**f, "stray.yml": b"{}\n"},
        ("exactly one role directory",)),
    "an absolute path": (lambda f: {**f, "/etc/passwd": b"x"}, ("unsafe path '/etc/passwd'",)),
    "a '..' path": (lambda f: {**f, f"{ROLE}/../../x.yml": b"x"}, ("unsafe path",)),
    "a file name with a space": (
        lambda f: {**f, f"{ROLE}/files/my file.txt": b"x"},
        ("use only letters, digits",)),
    "an invalid role name": (
        lambda f: {k.replace(ROLE, "Acme-Marker", 1): v for k, v in f.items()},
        ("role name 'Acme-Marker' must be lowercase",)),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_role_is_refused_with_one_line_and_nothing_is_written(settings, tmp_path: Path, case: str):
    change, fragments = BROKEN[case]
    files = change(role_files(marker_role(tmp_path, tmp_path / "markers")))
    _refused(settings.database_url, files, *fragments)


def test_a_templated_static_import_is_refused_before_anything_parses_it(settings, tmp_path: Path):
    """Ansible templates static import names while it parses (the syntax check too): refused up front, so a
    lookup there never runs in the web process."""
    pwned = tmp_path / "pwned"
    lookup = f"{{{{ lookup('pipe', 'touch {pwned}') }}}}"
    files = role_files(marker_role(tmp_path, tmp_path / "markers"))
    for task in (f'ansible.builtin.import_tasks: "{lookup}helper.yml"',
                 f'import_tasks:\n    file: "{lookup}helper.yml"',
                 f'ansible.builtin.import_role:\n    name: {ROLE}\n    tasks_from: "{lookup}check"'):
        text = f"---\n- name: Outer\n  block:\n  - name: Import\n    {task.replace(chr(10), chr(10) + '  ')}\n"
        _refused(settings.database_url, {**files, f"{ROLE}/tasks/check.yml": text.encode()},
                 "must name its file or role literally")
    assert not pwned.exists()


def test_name_clashes_are_refused(settings, tmp_path: Path):
    url = settings.database_url
    marker = tmp_path / "markers"
    _refused(url, role_files(marker_role(tmp_path / "a", marker, touch_action="host.ping")),
             "action host.ping is already defined by role opsplan_host", status=409)
    _refused(url, role_files(marker_role(tmp_path / "b", marker, name="opsplan_file")),
             "role opsplan_file already exists", status=409)
    _add(url, role_files(marker_role(tmp_path / "c", marker)))
    _refused(url, role_files(marker_role(tmp_path / "d", marker, touch_action="marker.poke",
                                         check_action="marker.peek")),
             f"role {ROLE} already exists", status=409)
    _refused(url, role_files(marker_role(tmp_path / "e", marker, name="acme_other", touch_action="marker.poke")),
             "action marker.check is already defined by role acme_marker", status=409)
    assert _add(url, role_files(marker_role(tmp_path / "f", marker, name="acme_other", touch_action="other.poke",
                                            check_action="other.peek"))) == ["other.poke", "other.peek"]


def test_removing_takes_the_whole_added_role_and_never_a_builtin_one(settings, tmp_path: Path):
    url = settings.database_url
    _add(url, role_files(marker_role(tmp_path, tmp_path / "markers")))
    for name, code, status in (("host.ping", "builtin_action", 400), ("opsplan_file", "builtin_action", 400),
                               ("marker.nope", "not_found", 404)):
        before = _state(url)
        with pytest.raises(OpsplanError) as info, session_scope(url) as s:
            remove_action_role(s, name, "admin1")
        assert (info.value.code, info.value.status) == (code, status), info.value.message
        assert _state(url) == before
    with session_scope(url) as s:
        assert remove_action_role(s, "marker.check", "admin2") == (ROLE, ["marker.touch", "marker.check"])
    with session_scope(url) as s:
        assert s.scalar(select(func.count()).select_from(ActionRole)) == 0
        assert catalog_version(s) == "2"
        catalog = current_catalog(s)
        assert "marker.touch" not in catalog and "marker.check" not in catalog and ROLE not in catalog.roles
        entry = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        assert (entry.action, entry.actor, entry.details["role"], entry.details["actions"]) == (
            "action.removed", "admin2", ROLE, ["marker.touch", "marker.check"])
    _add(url, role_files(marker_role(tmp_path / "again", tmp_path / "markers")))  # and it can come back
    with session_scope(url) as s:
        assert remove_action_role(s, ROLE, "admin1")[0] == ROLE


def test_two_roles_added_at_once_never_both_define_an_action(settings, tmp_path: Path):
    """Both pass validation against the same catalog; the second to store sees the first and is refused."""
    import threading

    url = settings.database_url
    files = [role_files(marker_role(tmp_path / name, tmp_path / "markers", name=name)) for name in ("acme_a", "acme_b")]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def add(i: int) -> None:
        barrier.wait()
        try:
            _add(url, files[i])
            outcomes[f"r{i}"] = "added"
        except OpsplanError as exc:
            outcomes[f"r{i}"] = f"{exc.status} {exc.message}"

    threads = [threading.Thread(target=add, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(o.split(" ")[0] for o in outcomes.values()) == ["409", "added"], outcomes
    assert any("action marker.touch is already defined by role acme_" in o for o in outcomes.values()), outcomes
    with session_scope(url) as s:
        assert s.scalar(select(func.count()).select_from(ActionRole)) == 1
        assert catalog_version(s) == "1"
        assert [e.action for e in s.execute(select(AuditEntry)).scalars()] == ["action.added"]
