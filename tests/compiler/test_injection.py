"""User values are data: they reach the host literally and nothing in them executes (check and run mode)."""
from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from compiler import HostSpec, compile_plan, load_policy
from compiler.bundle import _compile
from compiler.validate import validate_plan
from tests.compiler.conftest import make_plan, run, write_inventory

LOCAL = HostSpec(name="localhost", os="linux", environment="test", vars={"ansible_connection": "local"})
WRITER = "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"


def _payload(tmp: Path) -> str:
    return (f'{{{{ lookup("pipe", "touch {tmp}/pwned_lookup") }}}} $(touch {tmp}/pwned_subst) '
            f"; touch {tmp}/pwned_semicolon\n- hosts: all\n  tasks: []")


def _pwned(tmp: Path) -> list[str]:
    """Marker files a payload would create: absolute ones in ``tmp``, relative ones in the bundle dir."""
    return sorted(p.name for p in tmp.parent.rglob("pwned*"))


def _playbook(bundle_dir: Path, tmp: Path, check: bool) -> None:
    inv = write_inventory(tmp / "inventory.ini", [LOCAL], local=True)
    cmd = ["ansible-playbook", "-i", str(inv), "site.yml"] + (["--check"] if check else [])
    result = run(cmd, bundle_dir, tmp)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    work = tmp_path / "w"
    work.mkdir()
    return work


@pytest.mark.integration
def test_validated_values_arrive_literally(work: Path, tmp_path: Path) -> None:
    payload = _payload(work)
    src = work / "src $(touch pwned_src) ; touch pwned_src2"
    src.write_text("source content\n")
    dest = work / "dest $(id) ; touch pwned_dest"
    out = work / "out.txt"
    command = shlex.join(["/usr/bin/python3", "-c", WRITER, str(out), payload])
    plan = make_plan([
        ("command.run", {"command": command}, ["localhost"]),
        ("file.copy", {"src": str(src), "dest": str(dest)}, ["localhost"]),
    ])
    bundle = compile_plan(plan, [LOCAL], load_policy())
    bundle_dir = bundle.write(tmp_path / "bundle")

    _playbook(bundle_dir, tmp_path, check=True)
    assert not out.exists() and not dest.exists()
    assert _pwned(work) == []

    _playbook(bundle_dir, tmp_path, check=False)
    assert out.read_text() == payload
    assert dest.read_text() == "source content\n"
    assert _pwned(work) == []


@pytest.mark.integration
def test_serializer_alone_keeps_raw_values_inert(work: Path, tmp_path: Path) -> None:
    """Even values validation would refuse ({{ }}, newline + YAML) stay data: the vars file is the guard."""
    src = work / "src.txt"
    src.write_text("raw\n")
    dests = [
        work / "{{ lookup('pipe', 'touch pwned_raw') }}",
        work / "x\n- hosts: all\n  tasks: [{debug: {msg: pwned}}]",
        work / "{% set x = lookup('pipe', 'touch pwned_stmt') %}",
    ]
    plan = make_plan([("file.copy", {"src": str(src), "dest": str(d)}, ["localhost"]) for d in dests])
    bundle = _compile(plan, [LOCAL], load_policy())  # no validation on purpose
    assert json.loads(bundle.files["plan.json"])["steps"][0]["params"]["dest"] == str(dests[0])
    bundle_dir = bundle.write(tmp_path / "bundle")

    _playbook(bundle_dir, tmp_path, check=True)
    assert [d for d in dests if d.exists()] == []
    _playbook(bundle_dir, tmp_path, check=False)
    for d in dests:
        assert d.read_text() == "raw\n", d
    assert _pwned(work) == []


@pytest.mark.unit
def test_validation_refuses_template_markers_outside_commands() -> None:
    from compiler import InvalidParamsError

    plan = make_plan([("file.copy", {"src": "/tmp/a", "dest": "/tmp/{{ x }}"}, ["localhost"])])
    with pytest.raises(InvalidParamsError):
        validate_plan(plan)
