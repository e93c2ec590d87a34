from __future__ import annotations

import pytest

from app.planner import AssetRef, Vocabulary, finalize, resolve
from compiler.models import Plan, PlanStatus, Step, Targets

V = Vocabulary.from_refs(
    [AssetRef("web-01", "linux", "production", ("web",)), AssetRef("web-02", "linux", "staging", ("web",)),
     AssetRef("web-03", "windows", "staging", ("web",)), AssetRef("api-01", "linux", "production", ("api",)),
     AssetRef("old-01", "linux", "production", ("web",), enabled=False)],
    {"web": ["frontend"], "api": ["frontend"]},
)


def _plan(**targets) -> Plan:
    return Plan(steps=[Step(action="service.restart", params={"name": "nginx"}, targets=Targets(**targets))])


@pytest.mark.unit
@pytest.mark.parametrize("targets,hosts", [
    ({"groups": ["web"]}, ["web-01", "web-02", "web-03"]),                       # disabled old-01 left out
    ({"groups": ["frontend"]}, ["api-01", "web-01", "web-02", "web-03"]),         # parent group
    ({"groups": ["web"], "environment": "staging"}, ["web-02", "web-03"]),
    ({"groups": ["web"], "environment": "stage", "os": "linux"}, ["web-02"]),    # synonym
    ({"hosts": ["web-01"], "groups": ["api"]}, ["api-01", "web-01"]),
    ({"all": True, "exclude": ["web"]}, ["api-01"]),
    ({"environment": "production"}, ["api-01", "web-01"]),
    ({"all": True, "os": "windows"}, ["web-03"]),
    ({"hosts": ["WEB-01"]}, ["web-01"]),
])
def test_resolution(targets, hosts):
    plan = resolve(_plan(**targets), V)
    assert plan.status is PlanStatus.READY and plan.hosts == hosts and plan.steps[0].hosts == hosts


@pytest.mark.unit
@pytest.mark.parametrize("targets,needle", [
    ({}, "Which hosts should I restart nginx on?"),
    ({"hosts": ["web-09"]}, "I don't know a host called 'web-09'"),
    ({"groups": ["webz"]}, "Did you mean web"),
    ({"hosts": ["old-01"]}, "old-01 is disabled"),
    ({"groups": ["api"], "environment": "staging"}, "No staging hosts are in group api"),
    ({"groups": ["web"], "environment": "qa"}, "no hosts in a 'qa' environment"),
    ({"hosts": ["web-01"], "exclude": ["web-01"]}, "leaves no hosts"),
    ({"all": True, "exclude": ["nope-01"]}, "to exclude"),
])
def test_problems_become_questions(targets, needle):
    plan = resolve(_plan(**targets), V)
    assert plan.status is PlanStatus.NEEDS_CLARIFICATION and plan.hosts == []
    assert any(needle in q for q in plan.questions), plan.questions


@pytest.mark.unit
def test_finalize_validates_refuses_and_recomputes_risk():
    bad = Plan(steps=[Step(action="service.restart", params={"name": "{{ x }}"}, targets=Targets(hosts=["web-01"]))])
    assert finalize(bad, V).status is PlanStatus.REJECTED
    smuggled = Plan(steps=[Step(action="host.ping", targets=Targets(hosts=["web-01;id"]))])
    assert finalize(smuggled, V).status is PlanStatus.REJECTED
    unknown = Plan(steps=[Step(action="service.nuke", targets=Targets(hosts=["web-01"]))])
    assert finalize(unknown, V).status is PlanStatus.REJECTED
    missing = Plan(steps=[Step(action="app.update", params={"name": "sc"}, targets=Targets(hosts=["web-01"]))])
    out = finalize(missing, V)
    assert out.status is PlanStatus.NEEDS_CLARIFICATION and "Where should I get the new sc from?" in out.questions[0]
    port = Plan(steps=[Step(action="port.check", params={"port": "99999"}, targets=Targets(hosts=["web-01"]))])
    assert finalize(port, V).status is PlanStatus.NEEDS_CLARIFICATION
    ok = Plan(risk="low", steps=[Step(action="host.reboot", targets=Targets(hosts=["web-01"]))])
    out = finalize(ok, V)
    assert out.status is PlanStatus.READY and out.risk.value == "critical" and out.read_only is False
