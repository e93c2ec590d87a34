"""Plan + hosts + rollout policy -> an AWX-ready Ansible project bundle (files in memory, content-hashed)."""
from __future__ import annotations

import hashlib
import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from compiler.catalog import ActionSpec, Catalog, RoleSource, builtin_catalog
from compiler.collection_pins import requirements
from compiler.errors import InvalidPlanError
from compiler.models import Plan, PlanStatus
from compiler.policy import RolloutPolicy, StepRollout, decide, load_policy
from compiler.render import HOST_NAME_RE, dump_structure, dump_vars, host_block, render, yaml_scalar
from compiler.validate import validate_plan

PLAYBOOK = "site.yml"
VARS_FILE = "vars/plan.yml"
_SECRET_KEY_RE = re.compile(r"pass|secret|token|private_key(?!_file)|vault", re.IGNORECASE)
_HOSTS_SENTINEL = "__opsplan_hosts_{}__"


class HostSpec(BaseModel):
    """One target host as the compiler sees it: connection vars only, never secrets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    os: Literal["linux", "windows"]
    environment: str = ""
    vars: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not HOST_NAME_RE.match(value):
            raise ValueError(f"invalid host name {value!r}: use letters, digits, '_', '.', '-'")
        return value

    @field_validator("vars")
    @classmethod
    def _no_secrets(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if _SECRET_KEY_RE.search(key):
                raise ValueError(f"host var {key!r} looks like a secret; pass a credential name instead")
            if not isinstance(item, (str, int, float, bool)) and item is not None:
                raise ValueError(f"host var {key!r} must be a scalar")
        return value


_HOSTS_ADAPTER = TypeAdapter(list[HostSpec])


@dataclass(frozen=True)
class StepInfo:
    """Executor metadata of one compiled step (= one play)."""

    index: int
    action: str
    play: str
    hosts: list[str]
    role: str
    entry_point: str
    previewable: bool
    not_previewable_reason: str
    risk: str
    read_only: bool
    serial: list[int | str] | None
    max_fail_percentage: int | None
    rules: list[dict[str, str]]
    rollback: bool = False  # the role rescues a failure (block/rescue) and rolls back

    @property
    def result_fact(self) -> str:
        """The fact the action's last task sets with its answer (docs/actions.md, Results)."""
        return f"{self.role}_result"

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Bundle:
    files: dict[str, bytes]
    steps: list[StepInfo]
    sha256: str = ""
    playbook: str = PLAYBOOK
    executables: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.sha256:
            self.sha256 = content_hash(self.files)

    def write(self, directory: Path | str) -> Path:
        """Write every file under ``directory`` (created if missing); returns the directory."""
        root = Path(directory)
        for rel, data in self.files.items():
            target = root.joinpath(*PurePosixPath(rel).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            if rel in self.executables:
                target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return root

    def step_for_play(self, play_name: str) -> StepInfo | None:
        """The step an ansible-runner event's ``event_data.play`` belongs to."""
        match = re.match(r"^step (\d+): ", play_name or "")
        if not match or not 1 <= int(match.group(1)) <= len(self.steps):
            return None
        return self.steps[int(match.group(1)) - 1]


def content_hash(files: dict[str, bytes]) -> str:
    """sha256 over the sorted (path, content) pairs, length-prefixed so no two bundles collide."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        name = rel.encode("utf-8")
        data = files[rel]
        digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def role_files(source: RoleSource, dispatchers: dict[str, tuple[str, ...]]) -> dict[str, bytes]:
    """The role's files under ``roles/``, plus a generated ``tasks/<entry>.yml`` for each entry point that
    has only per-OS task files (it checks ``opsplan_os`` and includes the host's file)."""
    files = {f"roles/{rel}": data for rel, data in source.files.items()}
    for entry, oses in sorted(dispatchers.items()):
        rel = f"roles/{source.name}/tasks/{entry}.yml"
        if rel not in files:
            files[rel] = render("dispatcher.yml.j2", entry=entry, oses=list(oses)).encode("utf-8")
    return files


def _canonical_json(data: Any) -> bytes:
    return (json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def _step_hosts(plan: Plan) -> list[list[str]]:
    out = []
    for i, step in enumerate(plan.steps, 1):
        names = sorted(set(step.hosts or plan.hosts))
        if not names:
            raise InvalidPlanError(f"step {i} ({step.action}) has no resolved hosts")
        out.append(names)
    return out


def compile_plan(plan: Plan, hosts: list[HostSpec], policy: RolloutPolicy | None = None,
                 catalog: Catalog | None = None) -> Bundle:
    """Validate ``plan`` against the catalog and compile it for ``hosts`` under ``policy``."""
    if plan.status is not PlanStatus.READY:
        raise InvalidPlanError(f"only a ready plan can be compiled (status is {plan.status.value})")
    if not plan.steps:
        raise InvalidPlanError("the plan has no steps")
    catalog = catalog if catalog is not None else builtin_catalog()
    return _compile(validate_plan(plan, catalog), hosts, policy if policy is not None else load_policy(), catalog)


def _compile(plan: Plan, hosts: list[HostSpec], policy: RolloutPolicy, catalog: Catalog | None = None) -> Bundle:
    """Compile an already validated plan (tests call this to prove the serializer alone is safe)."""
    by_name = {h.name: h for h in hosts}
    if len(by_name) != len(hosts):
        raise InvalidPlanError("duplicate host names in the host list")
    step_hosts = _step_hosts(plan)
    used = set().union(*step_hosts)
    unknown = sorted(used - by_name.keys())
    if unknown:
        raise InvalidPlanError(f"plan names hosts that are not in the host list: {', '.join(unknown[:10])}")
    environments = {n: by_name[n].environment for n in used}
    scalars = {n: yaml_scalar(n) for n in used}

    plays: list[dict[str, Any]] = []
    infos: list[StepInfo] = []
    step_vars: list[dict[str, Any]] = []
    catalog = catalog if catalog is not None else builtin_catalog()
    roles: dict[str, dict[str, tuple[str, ...]]] = {}  # role -> entry point -> OSes
    collections: set[str] = set()
    for i, (step, names) in enumerate(zip(plan.steps, step_hosts, strict=True), 1):
        action = catalog[step.action]
        wrong_os = sorted(n for n in names if by_name[n].os not in action.os)
        if wrong_os:
            raise InvalidPlanError(f"step {i} ({action.name}) runs on {' and '.join(action.os)} hosts only, not on "
                                   f"{', '.join(wrong_os[:10])}")
        rollout = decide(policy, i, action, names, environments)
        plays.append(_play(i, action, step.params, rollout))
        step_vars.append({"index": i, "action": action.name, "params": dict(step.params)})
        roles.setdefault(action.role, {})[action.entry_point] = action.os
        collections |= action.collections({by_name[n].os for n in names})
        infos.append(StepInfo(
            index=i, action=action.name, play=f"step {i}: {action.name}", hosts=names, role=action.role,
            entry_point=action.entry_point, previewable=action.previewable,
            not_previewable_reason=action.not_previewable_reason, risk=action.risk.value,
            read_only=action.read_only, serial=rollout.serial, max_fail_percentage=rollout.max_fail_percentage,
            rules=rollout.rules, rollback=action.rollback,
        ))

    site = dump_structure(plays)
    for info in infos:
        # The executor's play naming ("step N: action") is lower case by contract: tell ansible-lint.
        line = f"- name: '{info.play}'\n"
        if site.count(line) != 1:
            raise InvalidPlanError("internal error: play name line not found exactly once")
        site = site.replace(line, f"- name: '{info.play}'  # noqa: name[casing]\n")
    for i, names in enumerate(step_hosts, 1):
        line = f"  hosts: {_HOSTS_SENTINEL.format(i)}\n"
        if site.count(line) != 1:
            raise InvalidPlanError("internal error: host list placeholder not found exactly once")
        site = site.replace(line, "  hosts:\n" + host_block(names, scalars, 4))

    summary = [{"index": s.index, "action": s.action, "role": s.role, "host_count": len(s.hosts),
                "serial": s.serial, "max_fail_percentage": s.max_fail_percentage,
                "previewable": s.previewable} for s in infos]
    header = render("site_header.j2", steps=summary, risk=plan.risk.value, read_only=plan.read_only,
                    host_count=len(used))
    files: dict[str, bytes] = {
        PLAYBOOK: (header + site).encode("utf-8"),
        VARS_FILE: dump_vars({"opsplan_steps": step_vars}).encode("utf-8"),
        "ansible.cfg": render("ansible.cfg.j2", forks=50, gathering="explicit", timeout=30,
                              control_persist="60s").encode("utf-8"),
        "collections/requirements.yml": dump_structure({"collections": requirements(collections)}).encode("utf-8"),
        "README.md": render("README.md.j2", steps=summary, risk=plan.risk.value, read_only=plan.read_only,
                            host_count=len(used)).encode("utf-8"),
        "plan.json": _canonical_json(plan.model_dump(mode="json")),
        "hosts.json": _canonical_json(_HOSTS_ADAPTER.dump_python(
            sorted((by_name[n] for n in used), key=lambda h: h.name), mode="json")),
        "policy.json": _canonical_json({
            "policy": policy.model_dump(mode="json"),
            "steps": [{"index": s.index, "action": s.action, "hosts": len(s.hosts), "serial": s.serial,
                       "max_fail_percentage": s.max_fail_percentage, "rules": s.rules} for s in infos],
        }),
    }
    for role, entries in sorted(roles.items()):
        files.update(role_files(catalog.roles[role], entries))
    return Bundle(files=dict(sorted(files.items())), steps=infos)


def _play(index: int, action: ActionSpec, params: dict[str, Any], rollout: StepRollout) -> dict[str, Any]:
    """One play: structure only; every user value is referenced from vars/plan.yml."""
    # Param names are catalog identifiers that no dict method shadows (test_parity checks), so dot access is safe.
    role_vars = {action.role_var(p): f"{{{{ opsplan_steps[{index - 1}].params.{p} }}}}"
                 for p in action.param_names if p in params}
    task: dict[str, Any] = {
        "name": f"Run {action.name}",
        "ansible.builtin.import_role": {"name": action.role, "tasks_from": action.entry_point},
    }
    if role_vars:
        task["vars"] = role_vars
    play: dict[str, Any] = {
        "name": f"step {index}: {action.name}",
        "hosts": _HOSTS_SENTINEL.format(index),
        "gather_facts": False,
    }
    if rollout.serial is not None:
        play["serial"] = list(rollout.serial)
    if rollout.max_fail_percentage is not None:
        play["max_fail_percentage"] = rollout.max_fail_percentage
    play["vars_files"] = [VARS_FILE]
    play["tasks"] = [task]
    return play
