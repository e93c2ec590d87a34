"""The asset list: names, address, OS, environment, groups, enabled, SSH host keys. Never any credential secret."""
from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.assets import hostkeys
from app.context import db_session
from app.db.models import Asset, Group
from app.ui import ui_blueprint

bp = ui_blueprint("ui_assets", __name__)


@bp.get("/assets")
def asset_list():
    env, group = request.args.get("environment", ""), request.args.get("group", "")
    with db_session() as s:
        q = select(Asset).options(selectinload(Asset.groups)).order_by(Asset.name)
        if env:
            q = q.where(Asset.environment == env)
        if group:
            q = q.where(Asset.groups.any(Group.name == group))
        assets = [{"name": a.name, "address": a.address, "os": a.os, "environment": a.environment, "zone": a.zone,
                   "port": a.port, "groups": [g.name for g in a.groups], "enabled": a.enabled,
                   "host_keys": hostkeys.keys_json(a.host_keys, a.host_key_source, a.host_keys_pinned_at),
                   "host_keys_pending": hostkeys.pending_json(a.host_keys_pending, a.host_keys_pending_at)}
                  for a in s.execute(q).scalars()]
        groups = [{"name": g.name, "description": g.description, "parents": [p.name for p in g.parents],
                   "size": len(g.assets)}
                  for g in s.execute(select(Group).order_by(Group.name)).scalars()]
        envs = sorted({e for e in s.execute(select(Asset.environment).distinct()).scalars() if e})
    return render_template("assets.html", assets=assets, groups=groups, environments=envs, environment=env,
                           group=group)
