"""Execution benchmark (issue 18, part 3): an Opsplan run against plain ``ansible-playbook`` on the same bundle
with the SAME ansible.cfg (the honest baseline: raw-tuned), on real sshd hosts.

    .venv/bin/python benchmarks/bench_execution.py [--hosts 8] [--repeat 3] [--warmup 1] [--keep] [--no-reference]
                                                   [--strategy linear|mitogen_linear]

Sets up, all in one temp dir (removed at the end, also on Ctrl-C or errors):
  * ``--hosts`` real sshd hosts (tests/harness/sshd.py SshFleet, 127.0.0.2..), imported as assets with
    ``ansible_python_interpreter: /usr/bin/python3`` and their ssh-key credential;
  * a migrated SQLite database, Redis at REDIS_URL when reachable (else a private redis-server);
  * ONE ``python -m app worker`` subprocess on a unique queue.
Then builds a read-only 5-step plan on every host (host.ping, system.info, disk.check /, file.stat
/etc/hostname, port.check <sshd port>), previews it (that also warms the worker up) and approves it.

Measures, median of ``--repeat`` runs, variants interleaved per round:
  raw-tuned    BASELINE: ansible-playbook (the venv's) on the same bundle (Bundle.write), the same inventory
               (inventory.snapshot.write_snapshot: same hostvars + ansible_ssh_private_key_file) and the
               bundle's own ansible.cfg (the settings Opsplan runs with)
  opsplan      create_run + enqueue_run -> the run's final state in the database (polled every 50 ms)
  raw-default  (for reference only) the same ansible-playbook with an empty ansible.cfg: Ansible's defaults
All three check SSH host keys the worker's way: strictly, against a known_hosts file of the keys the
preview pinned (ANSIBLE_HOST_KEY_CHECKING + ANSIBLE_SSH_COMMON_ARGS from app.execution.runner).

Every run starts cold: each raw run gets a fresh ANSIBLE_SSH_CONTROL_PATH_DIR; the worker gets its own
ANSIBLE_SSH_CONTROL_PATH_DIR and every ControlPersist master in it is closed (ssh -O exit) before each
Opsplan run (without that the worker would use ~/.ansible/cp and reuse masters of the previous run).
Also reported: controller CPU seconds per variant (less noisy than wall time on a shared machine) and the
phases of an Opsplan run from the database timestamps (claimed_at, the "start" event, finished_at).
Goal: opsplan/raw-tuned <= 1.05 at 16 and 64 hosts (PASS/MISS printed); with ``--strategy mitogen_linear`` (the
worker's OPSPLAN_STRATEGY; the raw-tuned baseline stays on Ansible's linear strategy) <= 0.85, and a raw-mitogen run
(the same ansible-playbook with Mitogen's strategy) is measured too, for reference; opsplan/raw-default is printed after
it, for reference (``--no-reference`` skips raw-default). Exit code 0 always.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness.services import PrivateRedis, WorkerProcess, redis_reachable  # noqa: E402
from tests.harness.sshd import SshFleet  # noqa: E402

GOAL_TUNED = 1.05
GOAL_MITOGEN = 0.85  # with OPSPLAN_STRATEGY=mitogen_linear: at most this against the same (linear) raw-tuned run
POLL = 0.05
FINAL = ("successful", "partial", "failed", "canceled", "timed_out")
ANSIBLE_PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")
# Never handed to ansible-playbook (the executor scrubs the same names from the worker's environment).
SCRUB = ("OPSPLAN_SECRET_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL", "REDIS_URL",
         "TEST_POSTGRES_URL", "OPSPLAN_BOOTSTRAP_TOKEN")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def close_masters(cp_dir: Path) -> int:
    """Close every ControlPersist master whose socket is in ``cp_dir``; returns how many there were."""
    if not cp_dir.is_dir():
        return 0
    socks = [p for p in cp_dir.iterdir() if p.is_socket()]
    for sock in socks:
        subprocess.run(["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "bench-placeholder"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False)
    deadline = time.monotonic() + 5
    while any(p.exists() for p in socks) and time.monotonic() < deadline:
        time.sleep(0.02)
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.unlink()
    return len(socks)


def proc_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` plus all its reaped descendants (utime + stime + cutime + cstime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
    return out


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.root = Path(tempfile.mkdtemp(prefix="opsplan-bench-"))
        self.fleet: SshFleet | None = None
        self.redis: PrivateRedis | None = None
        self.worker: WorkerProcess | None = None
        self.raw_procs: list[subprocess.Popen] = []
        self.cp_dirs: list[Path] = []
        self.run_ids: list[str] = []
        self.env: dict[str, str] = {}
        self.settings = None
        self.snapshot = None

    # --- setup -------------------------------------------------------------------------------------------

    def setup(self) -> None:
        log(f"temp dir {self.root}")
        self.fleet = SshFleet(self.root / "sshd", self.args.hosts).start()
        log(f"{len(self.fleet.hosts)} sshd hosts on {self.fleet.hosts[0].address}..{self.fleet.hosts[-1].address}"
            f":{self.fleet.hosts[0].port}")
        redis_url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
        if not redis_reachable(redis_url):
            self.redis = PrivateRedis(self.root / "redis").start()
            redis_url = self.redis.url
        log(f"redis {redis_url}" + (" (private)" if self.redis else ""))
        from cryptography.fernet import Fernet

        var = self.root / "var"
        var.mkdir()
        self.env = {
            "DATABASE_URL": f"sqlite:///{var / 'opsplan.db'}",
            "REDIS_URL": redis_url,
            "OPSPLAN_VAR_DIR": str(var),
            "OPSPLAN_QUEUE": "opsplan-bench-" + uuid.uuid4().hex[:8],
            "OPSPLAN_SECRET_KEY": Fernet.generate_key().decode(),
            "OPSPLAN_RUN_TIMEOUT": "600",
            "OPSPLAN_STRATEGY": self.args.strategy,  # the worker's; the raw runs keep Ansible's linear strategy
        }
        os.environ.update(self.env)  # the services below read the key from the environment, like the app does
        from app.config import Settings
        from app.db import session_scope, upgrade

        self.settings = Settings.from_env(self.env)
        upgrade(self.settings.database_url)
        from app.assets.io import import_document
        from app.execution.keyring import publish_public_key

        with session_scope(self.settings.database_url) as s:
            publish_public_key(s, self.env["OPSPLAN_SECRET_KEY"])  # what a starting worker does first
        with session_scope(self.settings.database_url) as s:
            import_document(s, self.fleet.assets_yaml())
        self.worker_cp = self.root / "cp-worker"
        self.cp_dirs.append(self.worker_cp)
        self.worker = WorkerProcess({**self.env, "ANSIBLE_SSH_CONTROL_PATH_DIR": str(self.worker_cp)},
                                    self.root / "worker.log").start()
        log(f"worker pid {self.worker.pid} on queue {self.env['OPSPLAN_QUEUE']}")

    def make_plan(self) -> str:
        from app.db import session_scope
        from app.queue import enqueue_run
        from app.services import approvals, runs
        from app.services import plans as svc
        from app.services.planning import plan_from_structure

        names = [h.name for h in self.fleet.hosts]
        port = self.fleet.hosts[0].port
        targets = {"hosts": names}
        steps = [
            {"action": "host.ping", "params": {}, "targets": targets},
            {"action": "system.info", "params": {}, "targets": targets},
            {"action": "disk.check", "params": {"path": "/"}, "targets": targets},
            {"action": "file.stat", "params": {"path": "/etc/hostname"}, "targets": targets},
            {"action": "port.check", "params": {"port": str(port)}, "targets": targets},
        ]
        with session_scope(self.settings.database_url) as s:
            plan = plan_from_structure(s, {"steps": steps}, request_text="execution benchmark")
            if plan.status.value != "ready":
                raise RuntimeError(f"benchmark plan is {plan.status.value}: {plan.model_dump(mode='json')}")
            row = svc.create_plan(s, plan, "bench-operator")
            plan_id = row.id
            preview_id = runs.create_preview(s, plan_id, "bench-operator").id
        self.run_ids.append(preview_id)
        enqueue_run(self.settings, preview_id)
        status, _ = self.wait(preview_id, timeout=max(300, 10 * len(names)))  # a 64-host preview on a busy machine
        if status != "successful":
            raise RuntimeError(f"preview ended {status}: {self.run_error(preview_id)}")
        with session_scope(self.settings.database_url) as s:
            approvals.approve(s, plan_id, "bench-approver", "benchmark")
        log(f"plan {plan_id}: 5 steps x {len(names)} hosts, previewed and approved")
        return plan_id

    def write_raw_inputs(self, plan_id: str) -> None:
        """The same compiled bundle and the same inventory snapshot the worker uses, for ansible-playbook."""
        from app.db import session_scope
        from app.execution.keyring import load_secret_key
        from app.services import approvals
        from app.services import plans as svc
        from inventory.snapshot import write_snapshot

        raw = self.root / "raw"
        with session_scope(self.settings.database_url) as s:
            row = svc.get_plan(s, plan_id)
            bundle = svc.compile_body(s, svc.current_revision(row).body)
            sha = approvals.current_approval(s, row).bundle_sha256
            if bundle.sha256 != sha:
                raise RuntimeError("compiled bundle differs from the approved one")
            hosts = svc.bundle_hosts(bundle)
            self.snapshot = write_snapshot(s, hosts, raw, load_secret_key(self.settings))
        from app.execution import hostkeys
        from app.execution.runner import host_key_env

        # the same host key checking as the worker: strict, against the keys pinned by the preview
        verdict = hostkeys.check_before_run(self.settings.database_url, self.snapshot.inventory["_meta"]["hostvars"])
        if verdict.refused:
            raise RuntimeError(f"host keys refused: {verdict.refused}")
        known = raw / "known_hosts"
        known.write_text("".join(f"{line}\n" for line in verdict.known_hosts))
        self.ssh_env = host_key_env(type("Ws", (), {"known_hosts_path": known})())  # type: ignore[arg-type]
        self.project = bundle.write(raw / "project")
        self.playbook = bundle.playbook
        self.tuned_cfg = self.project / "ansible.cfg"
        self.default_cfg = raw / "default.cfg"
        self.default_cfg.write_text("[defaults]\n")  # Ansible's defaults; host keys as the worker checks them
        self.bundle_sha = bundle.sha256

    # --- measurements ------------------------------------------------------------------------------------

    def wait(self, run_id: str, timeout: float = 600) -> tuple[str, float]:
        from app.db import session_scope
        from app.db.models import Run

        deadline = time.monotonic() + timeout
        while True:
            with session_scope(self.settings.database_url) as s:
                status = s.get(Run, run_id).status
            if status in FINAL:
                return status, time.perf_counter()
            if time.monotonic() > deadline:
                raise RuntimeError(f"run {run_id} still {status} after {timeout}s")
            if self.worker.proc.poll() is not None:
                raise RuntimeError(f"worker exited ({self.worker.proc.returncode}); see {self.worker.log}")
            time.sleep(POLL)

    def wait_worker_idle(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while children_of(self.worker.pid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def run_error(self, run_id: str) -> str:
        from app.db import session_scope
        from app.db.models import Run

        with session_scope(self.settings.database_url) as s:
            run = s.get(Run, run_id)
            return f"{run.error[:800]} hosts={ {h: v['status'] for h, v in (run.hosts or {}).items()} }"

    def opsplan_run(self, plan_id: str) -> dict:
        from sqlalchemy import func, select

        from app.db import session_scope
        from app.db.models import Run, RunEvent
        from app.queue import enqueue_run
        from app.services import runs

        closed = close_masters(self.worker_cp)
        if closed:
            log(f"closed {closed} ControlPersist masters of the worker before the run")
        self.wait_worker_idle()
        cpu0 = proc_cpu(self.worker.pid)
        t0_wall = datetime.now(UTC)
        t0 = time.perf_counter()
        with session_scope(self.settings.database_url) as s:
            run_id = runs.create_run(s, plan_id, "bench-operator").id
        enqueue_run(self.settings, run_id)
        t_enq = time.perf_counter()
        self.run_ids.append(run_id)
        status, t_end = self.wait(run_id)
        wall = t_end - t0
        if status != "successful":
            raise RuntimeError(f"opsplan run {run_id} ended {status}: {self.run_error(run_id)}")
        self.wait_worker_idle()  # the work horse (and ansible-playbook under it) reaped: its CPU is counted
        cpu = proc_cpu(self.worker.pid) - cpu0
        with session_scope(self.settings.database_url) as s:
            run = s.get(Run, run_id)
            start_ev = s.execute(select(RunEvent.created_at).where(RunEvent.run_id == run_id, RunEvent.kind == "start")
                                 ).scalar_one()
            n_events = s.execute(select(func.count()).select_from(RunEvent).where(RunEvent.run_id == run_id)
                                 ).scalar_one()

            def since(ts) -> float:
                ts = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
                return (ts - t0_wall).total_seconds()

            claimed, started, finished = since(run.claimed_at), since(start_ev), since(run.finished_at)
        return {"wall": wall, "cpu": cpu, "phases": {
            "create_run + enqueue": t_enq - t0,
            "queue -> claimed by the worker": claimed - (t_enq - t0),
            "load run, compile, write bundle+snapshot": started - claimed,
            "ansible-runner + events + finish": finished - started,
            "final state -> seen by the poll": wall - finished,
        }, "events": n_events}

    def raw_run(self, variant: str, index: int) -> tuple[float, float]:
        run_dir = self.root / "raw" / f"{variant}-{index}"
        cp_dir = run_dir / "cp"
        (run_dir / "tmp").mkdir(parents=True)
        self.cp_dirs.append(cp_dir)
        env = {k: v for k, v in os.environ.items() if k not in SCRUB and not k.startswith("ANSIBLE_")}
        env.update(self.ssh_env)  # ANSIBLE_HOST_KEY_CHECKING + ANSIBLE_SSH_COMMON_ARGS, as the worker sets them
        env.update({
            "ANSIBLE_CONFIG": str(self.default_cfg if variant == "raw-default" else self.tuned_cfg),
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(cp_dir),
            "ANSIBLE_LOCAL_TEMP": str(run_dir / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
        })
        if variant == "raw-mitogen":
            from app.config import Strategy
            from app.execution.runner import strategy_env

            env.update(strategy_env(Strategy("mitogen_linear")))
        cmd = [ANSIBLE_PLAYBOOK, "-i", str(self.snapshot.inventory_path), "--diff", self.playbook]
        with open(run_dir / "stdout.txt", "wb") as out:
            cpu0 = children_cpu()
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=self.project, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            self.raw_procs.append(proc)
            rc = proc.wait()
            wall = time.perf_counter() - t0
            cpu = children_cpu() - cpu0
        self.raw_procs.remove(proc)
        close_masters(cp_dir)
        if rc != 0:
            tail = (run_dir / "stdout.txt").read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{variant} ansible-playbook rc={rc}:\n{tail}")
        return wall, cpu

    # --- teardown ----------------------------------------------------------------------------------------

    def cleanup(self) -> None:
        for proc in list(self.raw_procs):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                proc.wait(timeout=5)
        if self.worker is not None:
            with contextlib.suppress(Exception):
                self.worker.stop()
            self._kill_orphans()
        for cp_dir in self.cp_dirs:
            with contextlib.suppress(Exception):
                close_masters(cp_dir)
        if self.snapshot is not None:
            self.snapshot.cleanup()
        if self.fleet is not None:
            with contextlib.suppress(Exception):
                self.fleet.stop()
        self._clean_redis()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                self.redis.stop()
        with contextlib.suppress(Exception):
            from app.db import dispose_all

            dispose_all()
        if self.args.keep:
            log(f"kept {self.root}")
        else:
            import shutil

            shutil.rmtree(self.root, ignore_errors=True)

    def _kill_orphans(self) -> None:
        """ansible-playbook runs in its own session and outlives a stopped worker: stop it by its pid."""
        if self.settings is None or not self.run_ids:
            return
        with contextlib.suppress(Exception):
            from app.db import session_scope
            from app.db.models import Run

            with session_scope(self.settings.database_url) as s:
                pids = [r.runner_pid for r in (s.get(Run, i) for i in self.run_ids)
                        if r is not None and r.runner_pid and r.status not in FINAL]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def _clean_redis(self) -> None:
        """Leave nothing behind in a shared Redis: this benchmark's queue keys and jobs."""
        if not self.env or self.redis is not None:
            return
        with contextlib.suppress(Exception):
            from redis import Redis

            from app.queue import job_id_for

            conn = Redis.from_url(self.env["REDIS_URL"], socket_connect_timeout=2)
            queue = self.env["OPSPLAN_QUEUE"]
            keys = [k for pattern in (f"rq:*{queue}*",) for k in conn.scan_iter(match=pattern, count=500)]
            keys += [f"rq:job:{job_id_for(r)}" for r in self.run_ids]
            keys += [f"rq:results:{job_id_for(r)}" for r in self.run_ids]
            if keys:
                conn.delete(*keys)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=8, help="sshd test hosts (default 8)")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs per variant; medians (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs per variant first (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, stdout of raw runs)")
    parser.add_argument("--strategy", choices=("linear", "mitogen_linear"), default="linear",
                        help="the worker's OPSPLAN_STRATEGY (the raw baselines always run Ansible's linear strategy)")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip raw-default (Ansible's defaults, for reference only): a third less time at 64 hosts")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background (SIG_IGN)
    bench = Bench(args)
    try:
        bench.setup()
        plan_id = bench.make_plan()
        bench.write_raw_inputs(plan_id)
        variants: tuple[str, ...] = ("raw-tuned", "opsplan")
        if args.strategy == "mitogen_linear":
            variants += ("raw-mitogen",)
        if not args.no_reference:
            variants += ("raw-default",)
        times: dict[str, list[float]] = {v: [] for v in variants}
        cpus: dict[str, list[float]] = {v: [] for v in variants}
        phases: list[dict[str, float]] = []
        events: list[int] = []
        for i in range(args.warmup + args.repeat):
            measured = i >= args.warmup
            label = f"run {i - args.warmup + 1}/{args.repeat}" if measured else f"warm-up {i + 1}/{args.warmup}"
            row = {}
            for variant in variants:
                if variant == "opsplan":
                    res = bench.opsplan_run(plan_id)
                    row[variant] = (res["wall"], res["cpu"])
                    if measured:
                        phases.append(res["phases"])
                        events.append(res["events"])
                else:
                    row[variant] = bench.raw_run(variant, i)
                if measured:
                    times[variant].append(row[variant][0])
                    cpus[variant].append(row[variant][1])
            log(f"{label}: " + "  ".join(f"{v} {w:.2f}s (cpu {c:.2f}s)" for v, (w, c) in row.items()))
        report(args, bench, times, cpus, phases, events)
    except KeyboardInterrupt as exc:
        log(f"interrupted ({str(exc) or 'Ctrl-C'}); cleaning up")
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not fail the caller
        log(f"benchmark failed: {type(exc).__name__}: {exc}")
        if bench.worker is not None and bench.worker.log.exists():
            log("worker log tail:\n" + bench.worker.log.read_text(errors="replace")[-2000:])
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not abort the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        bench.cleanup()
    return 0


def report(args, bench: Bench, times: dict[str, list[float]], cpus: dict[str, list[float]],
           phases: list[dict[str, float]], events: list[int]) -> None:
    m = {v: med(t) for v, t in times.items()}
    c = {v: med(t) for v, t in cpus.items()}
    n = len(bench.fleet.hosts)
    print(f"\nExecution benchmark: 5-step read-only plan x {n} sshd hosts, median of {args.repeat} "
          f"(after {args.warmup} warm-up), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"bundle {bench.bundle_sha[:12]}, {ANSIBLE_PLAYBOOK}")
    print(f"\n{'variant':<12} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7}   what")
    what = {
        "opsplan": "create_run + enqueue_run -> final state in the DB (RQ worker, ansible-runner, events to DB+Redis)",
        "raw-default": "ansible-playbook, Ansible defaults (empty cfg)",
        "raw-tuned": "ansible-playbook, the bundle's own ansible.cfg",
        "raw-mitogen": "ansible-playbook, the bundle's own ansible.cfg, Mitogen's mitogen_linear strategy",
    }
    for v, t in times.items():
        print(f"{v:<12} {m[v]:>9.2f} {min(t):>7.2f} {max(t):>7.2f} {c[v]:>7.2f}   {what[v]}")
    r_tun = m["opsplan"] / m["raw-tuned"]
    goal = GOAL_MITOGEN if args.strategy == "mitogen_linear" else GOAL_TUNED
    print(f"\n{n} hosts: opsplan ({args.strategy}) / raw-tuned (same ansible.cfg, the baseline) = {r_tun:.2f}  "
          f"(goal <= {goal:.2f})  {'PASS' if r_tun <= goal else 'MISS'}")
    print(f"controller CPU (steadier on a busy machine): opsplan / raw-tuned = {c['opsplan'] / c['raw-tuned']:.2f}")
    if "raw-mitogen" in m:
        print(f"for reference: raw-mitogen / raw-tuned = {m['raw-mitogen'] / m['raw-tuned']:.2f} (what Mitogen alone "
              f"gives); opsplan / raw-mitogen = {m['opsplan'] / m['raw-mitogen']:.2f} (what Opsplan adds to it)")
    if "raw-default" in m:
        print(f"for reference: opsplan / raw-default = {m['opsplan'] / m['raw-default']:.2f}; raw-tuned / raw-default"
              f" = {m['raw-tuned'] / m['raw-default']:.2f} (what the tuned settings alone give)")
    print("  (cpu s: user+sys of ansible-playbook and its forks/ssh clients; "
          "for opsplan of the worker, its work horse,")
    print("   ansible-runner and ansible-playbook; not the sshd side nor detached ControlPersist masters)")
    if phases:
        print(f"\nwhere an Opsplan run's time goes (medians, s; {med(events):.0f} events stored per run):")
        for key in phases[0]:
            print(f"  {key:<42} {med([p[key] for p in phases]):7.3f}")
        print(f"  {'ansible part vs raw-tuned':<42} "
              f"{med([p['ansible-runner + events + finish'] for p in phases]) - m['raw-tuned']:+7.3f}")
    print("\nDifferences between the variants:")
    print("  raw-default: no pipelining, forks=5, ssh_args Ansible's default (-C -o ControlMaster=auto "
          "-o ControlPersist=60s), timeout=10, gathering=implicit (no effect: every play sets gather_facts: false),")
    print("               interpreter_python=auto (no effect: the inventory sets ansible_python_interpreter); "
          "host keys checked strictly like the worker")
    print("  raw-tuned:   pipelining=True, forks=50, ControlPersist=60s, ServerAliveInterval=15, timeout=30, "
          "gathering=explicit, callback_result_format=yaml")
    print("  both raw:    default stdout callback to a file, --diff like the executor, the worker's inventory "
          "snapshot, fresh ANSIBLE_SSH_CONTROL_PATH_DIR and ANSIBLE_LOCAL_TEMP per run")
    print("  opsplan:     ansible-runner (awx_display callback, pexpect), same --diff and ansible.cfg; worker's "
          "ANSIBLE_SSH_CONTROL_PATH_DIR emptied (masters closed) before every run")


if __name__ == "__main__":
    raise SystemExit(main())
