"""A run's workspace: a fresh private data dir, its own SSH control dir, the inventory snapshot and
the known_hosts file of the run's pinned SSH host keys.

Created for one ansible-runner invocation and removed with everything in it (secret files first)
when the ``with`` block ends, whatever the outcome::

    with Workspace.create(settings, run_id, bundle, hosts, key) as ws:
        ws.private_data_dir, ws.project_dir, ws.inventory_path, ws.control_dir, ws.secrets
        ws.known_hosts_path   # 0600; ssh connects with StrictHostKeyChecking=yes against it alone
        ws.refused            # hosts left out of the run (changed host key), with the message

Before anything connects, the inventory is checked against the host-variable rule (data stored before
the rule existed is refused with the asset and variable named) and the SSH hosts' keys are pinned or
compared (``app.execution.hostkeys``: only hosts with nothing pinned, or keys pending, are scanned).
After the run, ``ws.host_key_refusals(...)`` scans the pinned hosts ssh refused and returns the
changed-key messages (the same as a refusal before the run).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.assets.errors import AssetValidationError
from app.assets.hostvars import inventory_problem
from app.config import Settings
from app.db.session import session_scope
from app.execution import hostkeys
from compiler import Bundle
from inventory.snapshot import SnapshotSecrets, write_snapshot


@dataclass
class Workspace:
    private_data_dir: Path
    control_dir: Path
    snapshot: SnapshotSecrets | None = None
    refused: dict[str, str] = field(default_factory=dict)
    _preflight: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _closed: bool = field(default=False, repr=False)

    @classmethod
    def create(cls, settings: Settings, run_id: str, bundle: Bundle | None, hosts: list[str],
               secret_key: bytes, extra_files: dict[str, bytes] | None = None) -> Workspace:
        runs_dir = settings.var_dir / "runs"
        runs_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        pdd = Path(tempfile.mkdtemp(prefix=f"{run_id}-", dir=runs_dir))  # fresh, 0700, every invocation
        # SSH multiplexing sockets of this invocation only (short path: unix sockets are limited to 108
        # bytes), so no connection opened under other credentials is ever reused
        control = Path(tempfile.mkdtemp(prefix="opsplan-cp-"))
        ws = cls(private_data_dir=pdd, control_dir=control)
        try:
            if bundle is not None:
                bundle.write(ws.project_dir)
            for rel, data in (extra_files or {}).items():
                target = ws.project_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            with session_scope(settings.database_url) as s:
                ws.snapshot = write_snapshot(s, sorted(hosts), pdd, secret_key)
            if (problem := inventory_problem(ws.snapshot.inventory)) is not None:
                raise AssetValidationError(f"refusing to run: {problem} (fix it in the asset database first)")
            verdict = hostkeys.check_before_run(settings.database_url, ws.snapshot.inventory["_meta"]["hostvars"],
                                                run_id)
            ws._write_known_hosts(verdict.known_hosts)
            ws.refused = dict(verdict.refused)
            ws._preflight = hostkeys.failure_events(bundle, verdict.refused)
        except BaseException:
            ws.close()
            raise
        return ws

    @property
    def project_dir(self) -> Path:
        return self.private_data_dir / "project"

    @property
    def inventory_path(self) -> Path:
        assert self.snapshot is not None
        return self.snapshot.inventory_path

    @property
    def secrets(self) -> list[str]:
        return list(self.snapshot.secrets) if self.snapshot else []

    @property
    def known_hosts_path(self) -> Path:
        return self.private_data_dir / "known_hosts"

    def _write_known_hosts(self, lines: list[str]) -> None:
        fd = os.open(self.known_hosts_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(f"{line}\n" for line in lines))

    def host_key_refusals(self, database_url: str, run_id: str, unreachable: dict[str, str]) -> dict[str, str]:
        """Of the hosts that ended unreachable (host -> message), those whose host key changed -> the message."""
        failed = sorted(h for h, msg in unreachable.items() if hostkeys.is_host_key_failure(msg))
        if not failed or self.snapshot is None:
            return {}
        refused = hostkeys.check_after_failure(database_url, self.snapshot.inventory["_meta"]["hostvars"], failed,
                                               run_id)
        self.refused.update(refused)
        return refused

    def take_preflight_events(self) -> list[dict[str, Any]]:
        """The events failing the refused hosts, once (the run's first ansible-runner call reports them)."""
        events, self._preflight = self._preflight, []
        return events

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.snapshot is not None:
            self.snapshot.cleanup()
        self.known_hosts_path.unlink(missing_ok=True)
        shutil.rmtree(self.private_data_dir, ignore_errors=True)
        shutil.rmtree(self.control_dir, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
