"""A plan's compiled bundle as an AWX project archive (tar.gz), byte-for-byte reproducible.

Layout (everything at the top level, as AWX expects of a project):

    site.yml                      the playbook
    roles/...                     the roles it imports
    vars/plan.yml                 the plan's parameters
    collections/requirements.yml  installed by AWX's project update
    ansible.cfg
    plan.json hosts.json policy.json
    inventory/opsplan_inventory.py  dynamic inventory (executable, standard library only): a client of
                                  Opsplan's GET /api/v1/inventory (CONTRACT 9); nothing else of Opsplan
    README.md                     how to use it in AWX
    PLAN.md                       the compiler's description of the plan (its README)
    opsplan.json                  plan id, revision, bundle hash
"""
from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from app.awx.errors import ExportError
from compiler.archive import EXEC_MODE, FILE_MODE, deterministic_tar_gz

# The exported inventory script: the standard-library HTTP client (no database access, no Opsplan code).
INVENTORY_CLIENT = Path(__file__).resolve().parent / "inventory_client.py"
INVENTORY_SCRIPT = "inventory/opsplan_inventory.py"


class BundleLike(Protocol):
    files: dict[str, bytes]
    sha256: str
    playbook: str


def project_files(bundle: BundleLike, plan_json: dict[str, Any], *, name: str,
                  inventory_client: Path = INVENTORY_CLIENT) -> dict[str, tuple[bytes, int]]:
    """Every file of the project: relative path -> (content, mode)."""
    executables = set(getattr(bundle, "executables", ()) or ())
    files: dict[str, tuple[bytes, int]] = {}
    for rel, data in bundle.files.items():
        _check_path(rel)
        target = "PLAN.md" if rel == "README.md" else rel
        files[target] = (data, EXEC_MODE if rel in executables else FILE_MODE)
    if bundle.playbook not in files:
        raise ExportError(f"bundle has no playbook {bundle.playbook!r}")
    if not inventory_client.is_file():
        raise ExportError(f"inventory script missing: {inventory_client}")
    files[INVENTORY_SCRIPT] = (inventory_client.read_bytes(), EXEC_MODE)
    meta = {"name": name, "plan_id": plan_json.get("id"), "revision": plan_json.get("revision"),
            "bundle_sha256": bundle.sha256, "playbook": bundle.playbook, "inventory_script": INVENTORY_SCRIPT,
            "hosts": list(plan_json.get("hosts") or []), "risk": plan_json.get("risk"),
            "read_only": plan_json.get("read_only")}
    files["opsplan.json"] = ((json.dumps(meta, indent=2, sort_keys=True) + "\n").encode(), FILE_MODE)
    files["README.md"] = (readme(name, plan_json, bundle).encode(), FILE_MODE)
    return files


def build_project(bundle: BundleLike, plan_json: dict[str, Any], *, name: str,
                  inventory_client: Path = INVENTORY_CLIENT) -> bytes:
    """The deterministic tar.gz of the project (see ``compiler.archive``)."""
    files = project_files(bundle, plan_json, name=name, inventory_client=inventory_client)
    try:
        return deterministic_tar_gz(files)
    except ValueError as exc:
        raise ExportError(str(exc)) from None


def _check_path(rel: str) -> None:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or not rel:
        raise ExportError(f"unsafe path in bundle: {rel!r}")


def readme(name: str, plan_json: dict[str, Any], bundle: BundleLike) -> str:
    hosts = ", ".join(plan_json.get("hosts") or []) or "(none)"
    steps = "\n".join(f"{i}. `{s.get('action')}`" for i, s in enumerate(plan_json.get("steps") or [], 1))
    return f"""# {name}: an Opsplan plan as an AWX project

Plan `{plan_json.get('id', '-')}` revision {plan_json.get('revision', '-')}, risk **{plan_json.get('risk', '-')}**,
{'read-only' if plan_json.get('read_only') else 'changes hosts'}; bundle sha256 `{bundle.sha256}`.
Hosts: {hosts}

{steps}

The compiler's description of each step is in `PLAN.md`; `plan.json`, `hosts.json` and `policy.json`
are the exact inputs, and `opsplan.json` names the plan, revision and bundle hash this archive was built from.

## Contents

| path | what |
| --- | --- |
| `{bundle.playbook}` | the playbook (one play per step, named `step N: action`) |
| `roles/` | the Opsplan roles the playbook imports |
| `vars/plan.yml` | the plan's parameters |
| `collections/requirements.yml` | collections AWX installs during the project update |
| `ansible.cfg` | settings the playbook was tested with |
| `{INVENTORY_SCRIPT}` | dynamic inventory (executable, standard library only) asking `GET /api/v1/inventory` |

## Syncing it in AWX

1. **Project.** Either serve this archive over HTTP(S) and create a project with *Source Control Type*
   `Remote Archive` (`scm_type: archive`) whose URL points at it (for example Opsplan's
   `GET /api/v1/plans/{{id}}/export/awx`, or an artifact store you upload it to), or commit the unpacked
   files to a Git repository and use `scm_type: git`. Then *Sync* the project; AWX installs
   `collections/requirements.yml` during the sync. A manual project works too: unpack the archive into a
   directory under the AWX projects path (`/var/lib/awx/projects/`) and pick it as the playbook directory.
2. **Inventory.** Create an inventory and add a source *Sourced from a Project*: project = this one,
   inventory file = `{INVENTORY_SCRIPT}`, *Overwrite* on. The script asks Opsplan over HTTP
   (`GET /api/v1/inventory`) and reads from its environment `OPSPLAN_URL` (Opsplan's base URL, e.g.
   `https://opsplan.example.com`), `OPSPLAN_TOKEN` (an Opsplan API token; a viewer's is enough:
   `opsplan users create awx --role viewer`, `opsplan tokens create awx`) and optionally `OPSPLAN_PLAN_ID`
   (only this plan's hosts: `{plan_json.get('id', 'PLAN_ID')}`). Put `OPSPLAN_URL` and `OPSPLAN_PLAN_ID` in
   the source's variables and give the token with a custom credential type whose injector sets the
   environment variable `OPSPLAN_TOKEN` (keeps it out of the source variables). It needs nothing but
   Python's standard library, and Opsplan never sends a secret in the inventory: attach the machine
   credentials (SSH key or WinRM password) in AWX.
3. **Job template.** Playbook `{bundle.playbook}`, the inventory above, *Job Type* `check` (a preview:
   `--check`) or `run`, *Prompt on launch* for the job type (`ask_job_type_on_launch`), and *Show Changes*
   on (`diff_mode`), the same `--diff` view Opsplan previews with. Launch with job type `check` first.

`opsplan awx push PLAN_ID --url https://awx.example --token TOKEN --scm-url URL [--launch]` does all three
through the AWX API v2 and waits for the project sync before it creates the job template.
"""


def export_plan(session, plan_id: str) -> tuple[bytes, str]:
    """The project archive of a stored plan's current revision and its file name (404/409 as the API's)."""
    from app.services import plans as svc

    row = svc.get_plan(session, plan_id)
    _rev, bundle = svc.ready_bundle(session, row)
    name = f"opsplan-plan-{row.id}"
    return build_project(bundle, svc.plan_json(session, row), name=name), f"{name}.tar.gz"


def export_response(session, plan_id: str):
    """The Flask response of ``GET /api/v1/plans/<id>/export/awx`` (application/gzip, attachment)."""
    import hashlib

    from flask import Response

    data, filename = export_plan(session, plan_id)
    return Response(data, mimetype="application/gzip",
                    headers={"Content-Disposition": f"attachment; filename={filename}",
                             "X-Archive-Sha256": hashlib.sha256(data).hexdigest()})
