"""The compiler's view of the fleet: HostSpecs (connection settings, never secrets) from the asset database.

The specs come from the same inventory builder the worker's per-run snapshot uses, and carry a fingerprint
of the whole inventory slice (group membership and group vars included), so any change in the assets
behind a plan changes its bundle hash and makes an approval stale.
"""
from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy.orm import Session

from app.errors import Conflict
from compiler import HostSpec
from inventory.builder import build_inventory

_SECRETISH = re.compile(r"pass|secret|token|vault|private_key(?!_file)", re.IGNORECASE)


def _spec_vars(hostvars: dict) -> dict:
    return {k: v for k, v in sorted(hostvars.items())
            if isinstance(v, (str, int, float, bool)) or v is None
            if not _SECRETISH.search(k)}


def host_specs(session: Session, names: list[str]) -> list[HostSpec]:
    if not names:
        return []
    inv = build_inventory(session, sorted(set(names)))
    hostvars = inv["_meta"]["hostvars"]
    missing = sorted(set(names) - set(hostvars))
    if missing:
        raise Conflict(f"hosts no longer in the asset database (or disabled): {', '.join(missing)}",
                       code="stale_plan")
    fingerprint = hashlib.sha256(json.dumps(inv, sort_keys=True, default=str).encode()).hexdigest()
    specs = []
    for name in sorted(hostvars):
        hv = hostvars[name]
        spec_vars = _spec_vars(hv)
        spec_vars["opsplan_inventory_sha256"] = fingerprint
        specs.append(HostSpec(name=name, os=hv.get("opsplan_os", "linux"),
                              environment=hv.get("opsplan_environment", ""), vars=spec_vars))
    return specs
