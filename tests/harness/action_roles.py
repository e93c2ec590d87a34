"""Roles the project did not ship, written by tests: added through the CLI or the API (CONTRACT 7)."""
from __future__ import annotations

from pathlib import Path

import yaml

from compiler.archive import FILE_MODE, deterministic_tar_gz

ROLE = "acme_marker"


def _dump(doc: object) -> str:
    return "---\n" + yaml.safe_dump(doc, sort_keys=False)


def marker_role(parent: Path, marker_dir: Path, *, name: str = ROLE, touch_action: str = "marker.touch",
                check_action: str = "marker.check", extra_files: dict[str, str] | None = None) -> Path:
    """A role ``name`` under ``parent`` with two actions:

    - ``marker.touch`` (params ``name``: kind name, ``note``: kind command, the one kind whose values may hold
      template markers, optional): creates
      ``<marker_dir>/<name>.marker`` with ansible.builtin.file (previewable, linux only, per-OS task file, so
      the compiler generates its dispatcher) and prints the note;
    - ``marker.check`` (param ``name``): read-only, reports whether the marker exists (ships ``tasks/check.yml``).
    """
    role = parent / name
    meta = {"actions": [
        {"name": touch_action, "description": "Create a marker file in the test directory", "entry_point": "touch",
         "risk": "medium", "read_only": False, "previewable": True, "os": ["linux"],
         "phrases": ["touch the {name} marker", "drop a marker named {name}"],
         "params": {"name": {"kind": "name"}, "note": {"kind": "command"}},
         "questions": {"name": "Which marker should I touch?"},
         "result_schema": {"type": "object", "properties": {"touched": {"type": "string"}}}},
        {"name": check_action, "description": "Tell whether a marker file exists in the test directory",
         "entry_point": "check", "risk": "low", "read_only": True, "previewable": True, "os": ["linux"],
         "phrases": ["does the {name} marker exist"], "params": {"name": {"kind": "name"}}},
    ]}
    specs = {"argument_specs": {
        "main": {"short_description": "Markers (use tasks_from)", "options": {}},
        "touch": {"short_description": "Create a marker file", "options": {
            f"{name}_name": {"type": "str", "required": True, "description": "the marker's name"},
            f"{name}_note": {"type": "str", "required": False, "description": "a note to print"}}},
        "check": {"short_description": "Tell whether a marker exists", "options": {
            f"{name}_name": {"type": "str", "required": True, "description": "the marker's name"}}},
    }}
    path = f'"{{{{ {name}_dir }}}}/{{{{ {name}_name }}}}.marker"'
    files = {
        "meta/opsplan.yml": _dump(meta),
        "meta/argument_specs.yml": _dump(specs),
        "meta/main.yml": _dump({"galaxy_info": {"role_name": name, "author": "tests", "description": "markers",
                                                "license": "MIT", "min_ansible_version": "2.19",
                                                "platforms": [{"name": "Debian", "versions": ["all"]}]},
                                "dependencies": []}),
        "defaults/main.yml": _dump({f"{name}_dir": str(marker_dir), f"{name}_note": ""}),
        "tasks/main.yml": "---\n- name: Require an entry point\n  ansible.builtin.fail:\n"
                          "    msg: use tasks_from touch or check\n",
        "tasks/touch_linux.yml": f"""---
- name: Touch the marker
  ansible.builtin.file:
    path: {path}
    state: touch
    mode: "0644"
- name: Print the note
  ansible.builtin.debug:
    msg: "{{{{ {name}_note }}}}"
- name: Record the result
  ansible.builtin.set_fact:
    {name}_result:
      touched: "{{{{ {name}_name }}}}"
""",
        "tasks/check.yml": f"""---
- name: Look at the marker
  ansible.builtin.stat:
    path: {path}
  register: {name}_stat
- name: Record the result
  ansible.builtin.set_fact:
    {name}_result:
      exists: "{{{{ {name}_stat.stat.exists }}}}"
""",
        "README.md": "A test role: markers.\n",
    }
    files.update(extra_files or {})
    for rel, text in files.items():
        target = role / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return role


def role_archive(role_dir: Path) -> bytes:
    """The role directory as the tar.gz ``POST /api/v1/actions`` takes (``<role>/...``)."""
    files = {f"{role_dir.name}/{p.relative_to(role_dir).as_posix()}": (p.read_bytes(), FILE_MODE)
             for p in sorted(role_dir.rglob("*")) if p.is_file()}
    return deterministic_tar_gz(files)


def role_files(role_dir: Path) -> dict[str, bytes]:
    """The role directory as ``add_role`` takes it: ``<role>/...`` -> content."""
    return {f"{role_dir.name}/{p.relative_to(role_dir).as_posix()}": p.read_bytes()
            for p in sorted(role_dir.rglob("*")) if p.is_file()}
