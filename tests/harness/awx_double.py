"""A local AWX API v2 test double (real HTTP on a real port) that enforces fields and call order.

It speaks enough of AWX for ``app.awx.push``: Bearer tokens, list pagination ``{"count", "next",
"previous", "results"}``, 400s with field errors, and these rules of the real AWX:

* a project update fetches the project (``scm_type: archive``: downloads and unpacks ``scm_url``) and
  finishes only after a few polls (``update_polls``); the project's playbooks and files are known only
  after a *successful* update;
* a job template naming a playbook is refused (``{"playbook": ["Playbook not found for project."]}``)
  unless that project has a successful update that found the playbook;
* an inventory source from a project needs that project synced and ``source_path`` to be a file in it.
"""
from __future__ import annotations

import io
import json
import re
import tarfile
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

KINDS = ("organizations", "projects", "project_updates", "inventories", "inventory_sources", "job_templates",
         "jobs")
SCM_TYPES = ("", "git", "svn", "insights", "archive")
SOURCES = ("scm", "ec2", "gce", "azure_rm", "vmware", "satellite6", "openstack", "rhv", "controller", "insights")


class FieldErrors(Exception):
    def __init__(self, errors: dict[str, list[str]], status: int = 400):
        super().__init__(errors)
        self.errors, self.status = errors, status


class AwxDouble:
    def __init__(self, token: str = "awx-test-token", *, update_polls: int = 2, git_files: list[str] | None = None):
        self.token = token
        self.update_polls = update_polls
        self.git_files = git_files if git_files is not None else ["site.yml", "inventory/opsplan_inventory.py"]
        self.objects: dict[str, dict[int, dict]] = {k: {} for k in KINDS}
        self.log: list[tuple[str, str, int]] = []  # (method, path, status)
        self._next_id = 1
        self._lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._new("organizations", {"name": "Default", "description": ""})  # as a fresh AWX has

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> AwxDouble:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def named(self, kind: str, name: str) -> list[dict]:
        return [o for o in self.objects[kind].values() if o.get("name") == name]

    def calls(self, method: str | None = None) -> list[str]:
        return [f"{m} {p}" for m, p, _ in self.log if method is None or m == method]

    # --- request dispatch -----------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, auth: str) -> tuple[int, Any]:
        if not auth.startswith("Bearer "):
            return 401, {"detail": "Authentication credentials were not provided."}
        if auth[7:] != self.token:
            return 401, {"detail": "Invalid token."}
        m = re.fullmatch(r"/api/v2/(?:(me|ping)|([a-z_]+)/(?:(\d+)/(?:(update|launch)/)?)?)", path)
        if not m:
            return 404, {"detail": "Not found."}
        if m.group(1):
            return 200, {"count": 1, "results": [{"id": 1, "username": "admin"}]} if m.group(1) == "me" else {}
        kind, oid, action = m.group(2), m.group(3), m.group(4)
        if kind not in KINDS:
            return 404, {"detail": "Not found."}
        with self._lock:
            try:
                if oid is None:
                    if method == "GET":
                        return 200, self._list(kind, query)
                    if method == "POST" and kind not in ("project_updates", "jobs"):
                        if not isinstance(body, dict):
                            return 400, {"detail": "JSON parse error - Expecting object"}
                        return 201, self._create(kind, body)
                    return 405, {"detail": f'Method "{method}" not allowed.'}
                obj = self.objects[kind].get(int(oid))
                if obj is None:
                    return 404, {"detail": "Not found."}
                if action == "update" and kind == "projects" and method == "POST":
                    return 202, self._start_update(obj)
                if action == "launch" and kind == "job_templates" and method == "POST":
                    return 201, self._launch(obj, body if isinstance(body, dict) else {})
                if action is None and method == "GET":
                    if kind == "project_updates":
                        self._advance(obj)
                    return 200, obj
                if action is None and method == "PATCH" and kind not in ("project_updates", "jobs"):
                    merged = {**obj, **(body or {})}
                    self._validate(kind, merged, existing=obj["id"])
                    obj.update({k: merged[k] for k in (body or {}) if k in merged})
                    return 200, obj
                return 405, {"detail": f'Method "{method}" not allowed.'}
            except FieldErrors as exc:
                return exc.status, exc.errors

    def _list(self, kind: str, query: dict[str, str]) -> dict:
        filters = {k: v for k, v in query.items() if k not in ("page", "page_size", "order_by")}
        rows = [o for o in self.objects[kind].values()
                if all(str(o.get(k)) == v for k, v in filters.items())]
        return {"count": len(rows), "next": None, "previous": None, "results": rows}

    def _new(self, kind: str, fields: dict) -> dict:
        obj = {"id": self._next_id, "type": kind.rstrip("s"), "url": f"/api/v2/{kind}/{self._next_id}/", **fields}
        self._next_id += 1
        self.objects[kind][obj["id"]] = obj
        return obj

    def _create(self, kind: str, body: dict) -> dict:
        defaults = {
            "projects": {"scm_type": "", "scm_url": "", "scm_branch": "", "description": "", "status": "never updated",
                         "last_update_status": None, "_files": [], "_playbooks": []},
            "inventories": {"description": ""},
            "inventory_sources": {"source_path": "", "overwrite": False, "update_on_launch": False, "source_vars": ""},
            "job_templates": {"job_type": "run", "ask_job_type_on_launch": False, "diff_mode": False,
                              "description": ""},
            "organizations": {"description": ""},
        }.get(kind, {})
        fields = {**defaults, **body}
        self._validate(kind, fields)
        return self._public(self._new(kind, fields))

    # --- validation: the fields and rules the client relies on ------------------------------------

    def _validate(self, kind: str, f: dict, existing: int | None = None) -> None:
        errors: dict[str, list[str]] = {}

        def need(field: str) -> bool:
            if f.get(field) in (None, ""):
                errors[field] = ["This field is required."]
                return False
            return True

        def ref(field: str, target: str) -> dict | None:
            if not need(field):
                return None
            value = f[field]
            if not isinstance(value, int) or isinstance(value, bool):
                errors[field] = [f"Incorrect type. Expected pk value, received {type(value).__name__}."]
                return None
            obj = self.objects[target].get(value)
            if obj is None:
                errors[field] = [f'Invalid pk "{value}" - object does not exist.']
            return obj

        if need("name"):
            scope = {"organizations": None, "projects": "organization", "inventories": "organization",
                     "inventory_sources": "inventory", "job_templates": None}[kind]
            for other in self.named(kind, f["name"]):
                if other["id"] != existing and (scope is None or other.get(scope) == f.get(scope)):
                    errors["__all__"] = [f"{kind[:-1].replace('_', ' ').title()} with this Name already exists."]
        if kind in ("projects", "inventories"):
            ref("organization", "organizations")
        if kind == "projects":
            if f.get("scm_type") not in SCM_TYPES:
                errors["scm_type"] = [f'"{f.get("scm_type")}" is not a valid choice.']
            elif f.get("scm_type") == "" and not f.get("local_path"):
                errors["local_path"] = ["This field is required for a manual project."]
            elif f.get("scm_type") and not f.get("scm_url"):
                errors["scm_url"] = ["SCM URL is required."]
        if kind == "inventory_sources":
            ref("inventory", "inventories")
            if f.get("source") not in SOURCES:
                errors["source"] = [f'"{f.get("source")}" is not a valid choice.']
            elif f["source"] == "scm":
                project = ref("source_project", "projects")
                if project is not None and project.get("last_update_status") != "successful":
                    errors["source_project"] = ["Cannot use a project that has not been synced successfully."]
                elif project is not None and f.get("source_path") not in project["_files"]:
                    errors["source_path"] = [f'File "{f.get("source_path")}" does not exist in the project.']
        if kind == "job_templates":
            if f.get("job_type") not in ("run", "check"):
                errors["job_type"] = [f'"{f.get("job_type")}" is not a valid choice.']
            ref("inventory", "inventories")
            project = ref("project", "projects")
            if need("playbook") and project is not None and f["playbook"] not in project["_playbooks"]:
                errors["playbook"] = ["Playbook not found for project."]
            for flag in ("ask_job_type_on_launch", "diff_mode"):
                if not isinstance(f.get(flag), bool):
                    errors[flag] = ["Must be a valid boolean."]
        if errors:
            raise FieldErrors(errors)

    # --- project updates and launches ------------------------------------------------------------

    def _start_update(self, project: dict) -> dict:
        update = self._new("project_updates", {"project": project["id"], "name": project["name"], "status": "pending",
                                               "job_explanation": "", "_polls": 0, "_result": None})
        try:
            files = self._fetch(project)
            update["_result"] = ("successful", files, "")
        except Exception as exc:  # noqa: BLE001 - the real AWX fails the update with the fetch error
            update["_result"] = ("failed", [], f"{type(exc).__name__}: {exc}")
        project["status"] = "pending"
        return {"project_update": update["id"], **self._public(update)}

    def _fetch(self, project: dict) -> list[str]:
        if project["scm_type"] == "git":
            return list(self.git_files)
        with urllib.request.urlopen(project["scm_url"], timeout=10) as resp:
            data = resp.read()
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            return sorted(m.name for m in tar.getmembers() if m.isfile())

    def _advance(self, update: dict) -> None:
        if update["status"] in ("successful", "failed"):
            return
        update["_polls"] += 1
        update["status"] = "running"
        if update["_polls"] >= self.update_polls:
            status, files, error = update["_result"]
            update["status"], update["job_explanation"] = status, error
            project = self.objects["projects"][update["project"]]
            project["status"] = project["last_update_status"] = status
            if status == "successful":
                project["_files"] = files
                project["_playbooks"] = [p for p in files if "/" not in p and p.endswith((".yml", ".yaml"))]

    def _launch(self, template: dict, body: dict) -> dict:
        ignored = {}
        job_type = template["job_type"]
        if "job_type" in body:
            if template["ask_job_type_on_launch"]:
                job_type = body["job_type"]
            else:
                ignored["job_type"] = body["job_type"]
        job = self._new("jobs", {"name": template["name"], "job_template": template["id"], "job_type": job_type,
                                 "playbook": template["playbook"], "diff_mode": template["diff_mode"],
                                 "status": "pending"})
        return {"job": job["id"], "ignored_fields": ignored, **job}

    @staticmethod
    def _public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}


def _handler(double: AwxDouble):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                status, payload = 400, {"detail": "JSON parse error"}
            else:
                status, payload = double.handle(method, parts.path, dict(parse_qsl(parts.query)), body,
                                                self.headers.get("Authorization", ""))
            if isinstance(payload, dict) and "results" in payload:
                payload = {**payload, "results": [AwxDouble._public(r) for r in payload["results"]]}
            elif isinstance(payload, dict):
                payload = AwxDouble._public(payload)
            double.log.append((method, parts.path, status))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            self._serve("GET")

        def do_POST(self):  # noqa: N802
            self._serve("POST")

        def do_PATCH(self):  # noqa: N802
            self._serve("PATCH")

        def log_message(self, *args):  # keep test output quiet
            pass

    return Handler
