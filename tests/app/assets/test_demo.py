from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from app.assets.io import import_file
from app.db import session_scope
from inventory.builder import build_inventory

pytestmark = pytest.mark.integration
DEMO = Path(__file__).resolve().parents[3] / "app" / "demo" / "assets.yml"


def test_demo_fleet_imports_and_resolves(db_url, published):
    with session_scope(db_url) as s:
        result = import_file(s, DEMO)
        inv = build_inventory(s)
    assert result.assets.created == 9 and result.credentials.created == 3
    hv = inv["_meta"]["hostvars"]
    assert sorted(hv) == ["cis-01", "cis-02", "cis-03", "db-01", "local", "web-01", "web-02", "web-03", "web-04"]
    assert hv["local"]["ansible_connection"] == "local" and hv["local"]["ansible_host"] == "127.0.0.1"
    assert hv["local"]["ansible_python_interpreter"] == "/usr/bin/python3"
    assert inv["web"]["hosts"] == ["web-01", "web-02", "web-03", "web-04"] and inv["db"]["hosts"] == ["db-01"]
    assert inv["cis"]["hosts"] == ["cis-01", "cis-02", "cis-03"]
    assert all(hv[h]["ansible_connection"] == "winrm" and hv[h]["opsplan_os"] == "windows" for h in inv["cis"]["hosts"])
    assert set(inv["env_staging"]["hosts"]) >= {"web-03", "web-04"} and "web-01" in inv["env_production"]["hosts"]
    test_net = ipaddress.ip_network("192.0.2.0/24")
    assert all(ipaddress.ip_address(v["ansible_host"]) in test_net for h, v in hv.items() if h != "local")
