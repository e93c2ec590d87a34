"""Bundle layout, the play convention the executor relies on, determinism and input checks."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from compiler import Bundle, HostSpec, InvalidPlanError, Plan, PlanStatus, Step, compile_plan, content_hash, load_policy
from tests.compiler.conftest import CATALOG, LINUX, WINDOWS, catalog_plan, make_plan

TASK_KEYWORDS = {"block", "rescue", "always"}


def _tasks(node):
    """Every task dict in a task list, descending into blocks."""
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        yield node
        for key in TASK_KEYWORDS:
            if key in node:
                yield from _tasks(node[key])


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return compile_plan(catalog_plan([LINUX.name, WINDOWS.name]), [LINUX, WINDOWS])


@pytest.mark.unit
def test_layout(bundle: Bundle) -> None:
    files = set(bundle.files)
    for required in ("site.yml", "vars/plan.yml", "ansible.cfg", "collections/requirements.yml", "plan.json",
                     "hosts.json", "policy.json", "README.md"):
        assert required in files
    assert bundle.playbook == "site.yml"
    roles = {p.split("/")[1] for p in files if p.startswith("roles/")}
    assert roles == set(CATALOG.roles)  # every role of the catalog: the plan uses every action
    cfg = bundle.files["ansible.cfg"].decode()
    for setting in ("pipelining = True", "ControlPersist=", "forks = 50", "gathering = explicit",
                    "host_key_checking = True"):
        assert setting in cfg
    assert "stdout_callback" not in cfg.replace("# ansible-runner sets the stdout callback", "")


@pytest.mark.unit
def test_one_play_per_step(bundle: Bundle) -> None:
    plays = yaml.safe_load(bundle.files["site.yml"])
    plan = json.loads(bundle.files["plan.json"])
    assert len(plays) == len(plan["steps"]) == len(bundle.steps)
    for i, (play, step, info) in enumerate(zip(plays, plan["steps"], bundle.steps, strict=True), 1):
        assert play["name"] == f"step {i}: {step['action']}" == info.play
        assert play["hosts"] == sorted(step["hosts"]) == info.hosts
        assert play["gather_facts"] is False
        assert play["vars_files"] == ["vars/plan.yml"]
        assert bundle.step_for_play(play["name"]) is info
        (task,) = play["tasks"]
        assert task["ansible.builtin.import_role"]["tasks_from"] == info.entry_point
        for value in task.get("vars", {}).values():
            assert value.startswith(f"{{{{ opsplan_steps[{i - 1}].params.")
    assert bundle.step_for_play("something else") is None


@pytest.mark.unit
def test_no_task_disables_check_mode(bundle: Bundle) -> None:
    for path, data in bundle.files.items():
        if path.endswith(".yml") and path != "vars/plan.yml":
            for task in _tasks(yaml.safe_load(data)):
                assert task.get("check_mode") is not False, path
            assert b"check_mode: false" not in data, path


def _value_scalars(node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            yield from _value_scalars(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _value_scalars(item)
    else:
        yield node


@pytest.mark.unit
def test_vars_file_holds_every_user_value_as_unsafe(bundle: Bundle) -> None:
    root = yaml.compose(bundle.files["vars/plan.yml"], Loader=yaml.SafeLoader)
    scalars = list(_value_scalars(root))
    strings = [n for n in scalars if n.tag != "tag:yaml.org,2002:int"]
    assert {n.value for n in strings} >= {"stationcontroller", "\\\\file-01\\releases\\stationcontroller.exe"}
    assert all(n.tag == "!unsafe" for n in strings)
    site = bundle.files["site.yml"].decode()
    for distinctive in ("stationcontroller", "file-01", "/etc/hosts", "example.invalid", "htop", "uptime"):
        assert distinctive not in site


@pytest.mark.unit
def test_deterministic(tmp_path: Path) -> None:
    plan = catalog_plan([LINUX.name, WINDOWS.name])
    a = compile_plan(plan, [LINUX, WINDOWS])
    b = compile_plan(plan.model_copy(deep=True), [WINDOWS, LINUX], load_policy())
    assert a.files == b.files and a.sha256 == b.sha256 == content_hash(b.files)
    a.write(tmp_path / "a")
    written = {p.relative_to(tmp_path / "a").as_posix(): p.read_bytes()
               for p in (tmp_path / "a").rglob("*") if p.is_file()}
    assert written == a.files


@pytest.mark.unit
def test_hash_covers_host_vars_and_policy() -> None:
    plan = make_plan([("service.restart", {"name": "nginx"}, [LINUX.name])])
    base = compile_plan(plan, [LINUX])
    moved = LINUX.model_copy(update={"vars": {**LINUX.vars, "ansible_port": 2222}})
    assert compile_plan(plan, [moved]).sha256 != base.sha256
    hosts = json.loads(base.files["hosts.json"])
    assert hosts == [LINUX.model_dump(mode="json")]


@pytest.mark.unit
def test_collections_only_where_used() -> None:
    linux_only = compile_plan(make_plan([("service.start", {"name": "nginx"}, [LINUX.name])]), [LINUX])
    assert yaml.safe_load(linux_only.files["collections/requirements.yml"]) == {"collections": []}
    win = compile_plan(make_plan([("package.install", {"name": "7zip"}, [WINDOWS.name]),
                                  ("port.check", {"port": 80}, [LINUX.name])]), [LINUX, WINDOWS])
    names = [c["name"] for c in yaml.safe_load(win.files["collections/requirements.yml"])["collections"]]
    assert names == ["chocolatey.chocolatey", "community.general"]
    assert not any(p.startswith("roles/opsplan_app/") for p in win.files)


@pytest.mark.unit
@pytest.mark.parametrize("name", ["123", "true", "null", "1e3", "0x1F", "no", "web-01", "a.b_c"])
def test_host_names_round_trip_as_strings(name: str) -> None:
    host = HostSpec(name=name, os="linux")
    bundle = compile_plan(make_plan([("host.ping", {}, [name])]), [host])
    assert yaml.safe_load(bundle.files["site.yml"])[0]["hosts"] == [name]


@pytest.mark.unit
@pytest.mark.parametrize("name", ["-x", "a b", "a:b", "x\n- hosts: all", "{{ x }}", "", "a'b"])
def test_bad_host_names_rejected(name: str) -> None:
    with pytest.raises(ValueError):
        HostSpec(name=name, os="linux")


@pytest.mark.unit
@pytest.mark.parametrize("key", ["ansible_password", "ansible_ssh_pass", "ansible_become_password",
                                 "ansible_winrm_password", "api_token", "ansible_ssh_private_key"])
def test_secret_host_vars_rejected(key: str) -> None:
    with pytest.raises(ValueError):
        HostSpec(name="h", os="linux", vars={key: "x"})
    HostSpec(name="h", os="linux", vars={"ansible_ssh_private_key_file": "/keys/id"})


@pytest.mark.unit
def test_input_errors() -> None:
    ok = make_plan([("host.ping", {}, [LINUX.name])])
    with pytest.raises(InvalidPlanError, match="not in the host list"):
        compile_plan(ok, [WINDOWS])
    with pytest.raises(InvalidPlanError, match="duplicate"):
        compile_plan(ok, [LINUX, LINUX])
    with pytest.raises(InvalidPlanError, match="ready"):
        compile_plan(Plan(status=PlanStatus.NEEDS_CLARIFICATION, questions=["which host?"]), [LINUX])
    with pytest.raises(InvalidPlanError, match="no steps"):
        compile_plan(Plan(), [LINUX])
    with pytest.raises(InvalidPlanError, match="no resolved hosts"):
        compile_plan(Plan(steps=[Step(action="host.ping")]), [LINUX])
    # a step without its own hosts runs on plan.hosts
    fallback = compile_plan(Plan(steps=[Step(action="host.ping")], hosts=[LINUX.name]), [LINUX])
    assert fallback.steps[0].hosts == [LINUX.name]


@pytest.mark.unit
def test_step_metadata(bundle: Bundle) -> None:
    by_action = {s.action: s for s in bundle.steps}
    assert by_action["command.run"].previewable is False
    assert by_action["command.run"].not_previewable_reason
    assert by_action["host.ping"].previewable is True
    assert by_action["host.reboot"].serial == [1]
    assert by_action["app.update"].role == "opsplan_app"
    assert json.loads(json.dumps([s.to_json() for s in bundle.steps]))
