"""The request form: free text plus optional environment and group pickers from the asset database."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth import current_user
from app.context import db_session, settings
from app.db.models import Asset, Group, Plan, Role
from app.errors import BadRequest, Forbidden
from app.services import plans as svc
from app.services.planning import plan_from_request
from app.ui import ui_blueprint, user_can

bp = ui_blueprint("ui_pages", __name__)


def pickers(session) -> tuple[list[str], list[str]]:
    envs = session.execute(select(Asset.environment).where(Asset.environment != "").distinct()
                           .order_by(Asset.environment)).scalars().all()
    groups = session.execute(select(Group.name).order_by(Group.name)).scalars().all()
    return list(envs), list(groups)


def compose(text: str, environment: str = "", group: str = "") -> str:
    """The request text with the picked target appended the way the planner reads it."""
    text = " ".join(text.split())
    if group:
        text += f" on {group}"
    if environment:
        text += f" in {environment}"
    return text


def plan_text(text: str) -> str:
    """Plan ``text`` and store it (any status); return the new plan's id."""
    if not user_can(Role.OPERATOR.value):
        raise Forbidden("making plans requires the operator role or higher")
    if not text.strip():
        raise BadRequest("type what you want done, e.g. “restart nginx on web-01”")
    with db_session() as s:
        plan = plan_from_request(s, text, settings())
        row = svc.create_plan(s, plan, current_user()["name"])
        return row.id


@bp.get("/")
def index():
    with db_session() as s:
        envs, groups = pickers(s)
        recent = svc.plans_json(s, list(s.execute(select(Plan).order_by(Plan.created_at.desc()).limit(5)).scalars()))
    return render_template("request.html", environments=envs, groups=groups, recent=recent,
                           text=request.args.get("text", ""))


@bp.post("/")
def submit():
    text = request.form.get("request") or ""
    env, group = (request.form.get("environment") or "").strip(), (request.form.get("group") or "").strip()
    with db_session() as s:
        envs, groups = pickers(s)
    if env and env not in envs:
        raise BadRequest(f"unknown environment {env!r}")
    if group and group not in groups:
        raise BadRequest(f"unknown group {group!r}")
    plan_id = plan_text(compose(text, env, group))
    return redirect(url_for("ui_plans.plan_page", plan_id=plan_id), code=303)


@bp.post("/plans/<plan_id>/answer")
def answer(plan_id: str):
    """Answer the planner's question: plan the original request plus the answer as a new plan."""
    reply = (request.form.get("answer") or "").strip()
    if not reply:
        flash("Type an answer to the question first.", "error")
        return redirect(url_for("ui_plans.plan_page", plan_id=plan_id), code=303)
    with db_session() as s:
        original = svc.get_plan(s, plan_id).request
    new_id = plan_text(f"{original} {reply}")
    return redirect(url_for("ui_plans.plan_page", plan_id=new_id), code=303)
