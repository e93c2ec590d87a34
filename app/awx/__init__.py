"""AWX hand-over: export a plan as an AWX-syncable project archive and push it through the AWX API v2.

    data = build_project(bundle, plan_json, name="opsplan-plan-<id>")   # deterministic tar.gz bytes
    ids = push(url, token, "opsplan-plan-<id>", scm_url, launch=True, job_type="check")
"""
from app.awx.errors import AwxError, ExportError
from app.awx.export import build_project
from app.awx.push import AwxClient, push

__all__ = ["AwxClient", "AwxError", "ExportError", "build_project", "push"]
