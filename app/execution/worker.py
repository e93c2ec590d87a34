"""The RQ worker process: the only process that holds the credentials key and touches hosts."""
from __future__ import annotations

import logging
import os
import socket
import threading

from rq import Worker

from app import audit, defaults
from app.config import Settings
from app.db.migrate import upgrade
from app.db.session import session_scope
from app.execution import reaper, runtime
from app.execution.keyring import CredentialKeyError, load_secret_key, publish_public_key
from app.queue import DEFAULT_ZONE, get_queue, notify_queue, redis_connection, zone_order

log = logging.getLogger(__name__)


def _janitor(settings: Settings, stop: threading.Event, every: float, name: str) -> None:
    from app.execution.toolchain import refresh

    while not stop.wait(every):
        try:
            reaper.reap(settings)
            reaper.requeue_lost(settings)
            refresh(settings, name)  # an action added since: its modules are checked too
        except Exception:  # noqa: BLE001 - keep the worker alive; the next pass tries again
            log.exception("janitor pass failed")


def run_worker(settings: Settings, burst: bool = False, janitor_every: float = defaults.JANITOR_SECONDS,
               zones: tuple[str, ...] = (DEFAULT_ZONE,)) -> None:
    """Serve the run queues of ``zones`` (CONTRACT 10: only their hosts are ever contacted) and webhooks."""
    zones = tuple(sorted(set(zones or (DEFAULT_ZONE,)), key=zone_order))
    upgrade(settings.database_url)
    key: bytes | None
    try:
        key = load_secret_key(settings, create=True)
    except CredentialKeyError as exc:  # runs still work for hosts without credentials; say why others fail
        log.error("credentials key unusable: %s", exc)
        key = None
    if key is not None:
        with session_scope(settings.database_url) as s:
            publish_public_key(s, key)
    audit.configure(settings)  # the audit key is read before the environment is scrubbed
    runtime.configure(settings, key, zones)
    reaper.reap(settings)
    reaper.requeue_lost(settings, older_than=0)
    name = f"opsplan-{socket.gethostname()}-{os.getpid()}"
    from app.execution.toolchain import at_start  # here: `python -m app.execution.toolchain` stays warning-free

    at_start(settings, name)  # modules, ssh/sshpass, key: logged and published for /ready
    stop = threading.Event()
    thread = threading.Thread(target=_janitor, args=(settings, stop, janitor_every, name), daemon=True)
    thread.start()
    queues = [notify_queue(settings), *(get_queue(settings, zone) for zone in zones)]
    log.info("serving execution zone(s) %s", ", ".join(zones))
    worker = Worker(queues, connection=redis_connection(settings.redis_url), name=name)
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
    finally:
        stop.set()
