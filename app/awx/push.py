"""A small AWX API v2 client and ``push``: create or update the organization, project (and wait for its
sync), inventory, inventory source and job template of a plan, then optionally launch it.

Objects are looked up by name (``?name=``), so a second push updates them instead of duplicating them.
"""
from __future__ import annotations

import time
from typing import Any

import requests

from app.awx.errors import AwxError

API = "/api/v2"
PLAYBOOK = "site.yml"
INVENTORY_SCRIPT = "inventory/opsplan_inventory.py"
UPDATE_DONE = {"successful", "failed", "error", "canceled"}
JOB_TYPES = ("check", "run")
SCM_TYPES = ("archive", "git")


class AwxClient:
    """Bearer-token client of one AWX server; every error becomes an ``AwxError``."""

    def __init__(self, url: str, token: str, *, timeout: float = 30.0, verify: bool = True,
                 session: requests.Session | None = None):
        if not url.startswith(("http://", "https://")):
            raise AwxError(f"AWX URL must start with http:// or https:// (got {url!r})")
        self.base = url.rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()
        self.http.verify = verify
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json",
                                  "User-Agent": "opsplan-awx-push"})

    # --- raw requests ---------------------------------------------------------------------------

    def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None) -> Any:
        url = path if path.startswith("http") else f"{self.base}{path if path.startswith(API) else API + path}"
        try:
            resp = self.http.request(method, url, json=json, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise AwxError(f"cannot reach AWX at {self.base}: {type(exc).__name__}: {exc}") from None
        if resp.status_code >= 400:
            raise _error(method, path, resp)
        if resp.status_code == 204 or not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError:
            raise AwxError(f"AWX answered {method} {path} with non-JSON ({resp.status_code})",
                           status=resp.status_code) from None

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: dict | None = None) -> Any:
        return self.request("POST", path, json=body or {})

    def patch(self, path: str, body: dict) -> Any:
        return self.request("PATCH", path, json=body)

    # --- objects --------------------------------------------------------------------------------

    def find(self, kind: str, name: str, **filters: Any) -> dict | None:
        page = self.get(f"/{kind}/", name=name, **filters)
        results = [r for r in page.get("results", []) if r.get("name") == name]
        if len(results) > 1:
            raise AwxError(f"AWX has {len(results)} {kind} named {name!r}; rename or delete the extra ones")
        return results[0] if results else None

    def upsert(self, kind: str, fields: dict[str, Any], **filters: Any) -> tuple[dict, bool]:
        """Create ``kind`` named ``fields['name']`` or patch the fields that differ; (object, created)."""
        found = self.find(kind, fields["name"], **filters)
        if found is None:
            return self.post(f"/{kind}/", fields), True
        changed = {k: v for k, v in fields.items() if found.get(k) != v}
        if not changed:
            return found, False
        return self.patch(f"/{kind}/{found['id']}/", changed), False

    def sync_project(self, project_id: int, *, timeout: float = 600.0, interval: float = 1.0) -> dict:
        """Start a project update and wait until it ends; an ``AwxError`` unless it succeeded."""
        started = self.post(f"/projects/{project_id}/update/")
        update_id = started.get("project_update") or started.get("id")
        if not update_id:
            raise AwxError(f"AWX did not start an update of project {project_id}: {started}")
        return self.wait(f"/project_updates/{update_id}/", timeout=timeout, interval=interval,
                         what=f"project update {update_id}")

    def wait(self, path: str, *, timeout: float, interval: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(path)
            status = job.get("status")
            if status == "successful":
                return job
            if status in UPDATE_DONE:
                explanation = job.get("job_explanation") or job.get("result_traceback") or ""
                raise AwxError(f"{what} ended {status}" + (f": {explanation.strip()[-500:]}" if explanation else ""),
                               detail=job)
            if time.monotonic() > deadline:
                raise AwxError(f"{what} still {status} after {timeout:.0f}s")
            time.sleep(interval)


def push(url: str, token: str, project_name: str, scm_url: str, *, scm_type: str = "archive",
         scm_branch: str = "", organization: str = "Default", job_type: str = "check", launch: bool = False,
         inventory_name: str | None = None, template_name: str | None = None, description: str = "",
         inventory_credential: int | None = None, source_vars: str = "", verify: bool = True,
         timeout: float = 30.0, sync_timeout: float = 600.0, poll_interval: float = 1.0,
         client: AwxClient | None = None) -> dict[str, Any]:
    """Create or update everything AWX needs to run the project at ``scm_url``; returns the object ids."""
    if job_type not in JOB_TYPES:
        raise AwxError(f"job_type must be one of {', '.join(JOB_TYPES)} (got {job_type!r})")
    if scm_type not in SCM_TYPES:
        raise AwxError(f"scm_type must be one of {', '.join(SCM_TYPES)} (got {scm_type!r})")
    if not scm_url:
        raise AwxError("an scm_url is needed: the archive's URL (scm_type archive) or the Git repository")
    awx = client or AwxClient(url, token, timeout=timeout, verify=verify)
    out: dict[str, Any] = {"created": []}

    def keep(kind: str, obj: dict, created: bool) -> dict:
        out[kind] = obj["id"]
        if created:
            out["created"].append(kind)
        return obj

    org = awx.find("organizations", organization)
    if org is None:
        org = keep("organization", awx.post("/organizations/", {"name": organization}), True)
    else:
        keep("organization", org, False)
    project = keep("project", *awx.upsert("projects", {
        "name": project_name, "organization": org["id"], "scm_type": scm_type, "scm_url": scm_url,
        "scm_branch": scm_branch, "scm_update_on_launch": False, "allow_override": False,
        "description": description or "Opsplan plan exported as an AWX project",
    }, organization=org["id"]))
    # AWX refuses a job template naming a playbook of a project that never synced: wait for the update.
    update = awx.sync_project(project["id"], timeout=sync_timeout, interval=poll_interval)
    out["project_update"] = update["id"]
    inventory = keep("inventory", *awx.upsert("inventories", {
        "name": inventory_name or project_name, "organization": org["id"],
        "description": "Opsplan asset database (dynamic inventory script from the project)",
    }, organization=org["id"]))
    source_fields: dict[str, Any] = {
        "name": f"{inventory['name']} (opsplan assets)", "inventory": inventory["id"], "source": "scm",
        "source_project": project["id"], "source_path": INVENTORY_SCRIPT, "overwrite": True,
        "overwrite_vars": True, "update_on_launch": True,
    }
    if source_vars:
        source_fields["source_vars"] = source_vars
    if inventory_credential is not None:
        source_fields["credential"] = inventory_credential
    keep("inventory_source", *awx.upsert("inventory_sources", source_fields, inventory=inventory["id"]))
    template = keep("job_template", *awx.upsert("job_templates", {
        "name": template_name or project_name, "job_type": job_type, "inventory": inventory["id"],
        "project": project["id"], "playbook": PLAYBOOK, "ask_job_type_on_launch": True, "diff_mode": True,
        "description": description or "Opsplan plan: launch with job type check to preview, run to apply",
    }))
    out["job"] = None
    if launch:
        job = awx.post(f"/job_templates/{template['id']}/launch/", {"job_type": job_type})
        out["job"] = job.get("job") or job.get("id")
        out["job_url"] = f"{awx.base}/#/jobs/playbook/{out['job']}/output"
    return out


def _error(method: str, path: str, resp: requests.Response) -> AwxError:
    try:
        body = resp.json()
    except ValueError:
        body = resp.text[:300]
    message = _message(body)
    if resp.status_code in (401, 403):
        prefix = f"AWX refused the token ({resp.status_code})"
    else:
        prefix = f"AWX {method} {path} failed ({resp.status_code})"
    return AwxError(f"{prefix}: {message}" if message else prefix, status=resp.status_code, detail=body)


def _message(body: Any) -> str:
    """AWX errors are {"detail": "..."} or field errors {"field": ["msg", ...], "__all__": [...]}."""
    if isinstance(body, dict):
        if "detail" in body:
            return str(body["detail"])
        parts = []
        for field, msgs in body.items():
            text = "; ".join(str(m) for m in msgs) if isinstance(msgs, list) else str(msgs)
            parts.append(text if field in ("__all__", "non_field_errors") else f"{field}: {text}")
        return "; ".join(parts)
    return str(body or "").strip()
