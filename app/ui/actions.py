"""The actions page: what each action does, its params, risk, preview support, OS and source."""
from __future__ import annotations

from flask import render_template

from app.context import db_session
from app.services.catalog import current_catalog
from app.ui import ui_blueprint

bp = ui_blueprint("ui_actions", __name__)


@bp.get("/actions")
def action_list():
    with db_session() as s:
        catalog = current_catalog(s)
        actions = catalog.to_json()
    families: dict[str, list[dict]] = {}
    for a in actions:
        families.setdefault(a["name"].split(".", 1)[0], []).append(a)
    return render_template("actions.html", families=sorted(families.items()), count=len(actions),
                           added=sum(1 for a in actions if a["source"] != "builtin"), unavailable=_unavailable())


def _unavailable() -> dict[str, list[str]]:
    """Actions some live worker cannot run (its toolchain check at start), with the reasons; {} without Redis."""
    from app.context import redis_conn, settings
    from app.services.toolchain import live_reports, unavailable_actions

    try:
        return unavailable_actions(live_reports(settings(), redis_conn()))
    except Exception:  # noqa: BLE001 - the page still lists the catalog when Redis is down
        return {}
