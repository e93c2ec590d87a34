"""The compiler's view of the fleet: HostSpecs (connection settings, never secrets) from the asset database."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Asset
from compiler import HostSpec
from inventory.builder import connection_vars


def host_specs(session: Session, names: list[str]) -> list[HostSpec]:
    if not names:
        return []
    rows = session.execute(
        select(Asset).where(Asset.name.in_(names)).options(selectinload(Asset.credential))
    ).scalars().all()
    found = {a.name: a for a in rows}
    missing = sorted(set(names) - set(found))
    if missing:
        from app.errors import Conflict

        raise Conflict(f"hosts no longer in the asset database: {', '.join(missing)}", code="stale_plan")
    return [
        HostSpec(name=a.name, os=a.os, environment=a.environment or "", vars=connection_vars(a))
        for a in sorted(rows, key=lambda a: a.name)
    ]
