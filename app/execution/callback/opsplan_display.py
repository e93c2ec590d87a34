"""ansible-runner's ``awx_display`` stdout callback, minus the cost of its wrappers on Display calls that print
nothing: the same events, the same partial event files and the same stdout.

awx_display wraps Display's methods so that whatever they print is tagged with its kind (debug, verbose with its
verbosity, ...). The controller calls ``display.debug`` and ``display.vvv``/``vvvvv`` tens of thousands of times
per run (in the variable manager and the strategy, per host and task); with debug off and the verbosity below a
call's level those print nothing, yet every wrapped call still builds and tears down the event context (and
for ``verbose`` binds the call's signature): ~4% of ansible-playbook's CPU at 32 hosts. Here such a call
returns before the wrapper, exactly when Ansible's own method would print nothing; every call that may print
goes through awx_display's wrapper as before.

Each event's data (what awx_display writes as ``job_events/<uuid>-partial.json``, one file created and renamed
per event, then read and removed by ansible-runner in the worker) is appended as one JSON line to one file,
``<artifact dir>/opsplan-partials.jsonl``, through one descriptor opened once; the worker's reader
(app.execution.runner.EventRunner) reads it on from where it stopped. The same bytes, json.dumps with
awx_display's encoder, written before the event's marker reaches stdout, as before; no file per event.
"""
from __future__ import annotations

import base64
import functools
import json
import os
import sys
import uuid
from typing import Any, TextIO

from ansible import constants as C
from ansible.plugins.loader import callback_loader
from ansible.utils.display import Display

DOCUMENTATION = """
    name: opsplan_display
    short_description: ansible-runner's awx_display (Opsplan's events), without wrapping calls that print nothing
    description:
        - ansible-runner's awx_display event callback, unchanged in what it emits and prints
    type: stdout
    extends_documentation_fragment:
      - default_callback
    requirements:
      - Set as stdout in config
"""

# ansible-runner's plugin, through the loader (one module, which wraps Display's methods once)
AwxDisplay: Any = callback_loader.get("awx_display", class_only=True)

PARTIALS_FILE = "opsplan-partials.jsonl"  # in the artifact dir; app.execution.runner.PARTIALS_FILE reads it
_awx = sys.modules[AwxDisplay.__module__]


class PartialLog:
    """awx_display's IsolatedFileWrite (``event_context.cache``), as one append-only file of JSON lines."""

    def __init__(self, path: str):
        self.path = path
        self._fd: int | None = None
        self._pid = 0

    def set(self, key: str, value: Any) -> None:  # key: ':1:ev-<uuid>'; the value holds the uuid too
        data = (json.dumps(value, cls=_awx.AnsibleJSONEncoderLocal) + "\n").encode("utf-8")
        if self._fd is None or self._pid != os.getpid():  # a forked process appends through its own descriptor
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        view = memoryview(data)
        while view:  # one write per line; O_APPEND keeps each line whole
            view = view[os.write(self._fd, view):]


def _flag(name: str) -> bool:
    return os.getenv(name, "False").lower() == "true"


class LeanEventContext(_awx.EventContext):  # type: ignore[name-defined]
    """awx_display's EventContext, writing the same begin dicts and the same stdout markers with less work per event:
    the environment (event options, AWX's ids) is read once, not five times per event, and a marker is one write of
    one string instead of three or more."""

    _options: dict[str, Any] = {}
    _END = ""

    @classmethod
    def read_environment(cls) -> None:
        ids = {}
        for env, key in (("JOB_ID", "job_id"), ("AD_HOC_COMMAND_ID", "ad_hoc_command_id"),
                         ("PROJECT_UPDATE_ID", "project_update_id")):
            if os.getenv(env, ""):
                ids[key] = int(os.getenv(env, "0"))
        cls._options = {"omit": _flag("RUNNER_OMIT_EVENTS"), "only_failed": _flag("RUNNER_ONLY_FAILED_EVENTS"),
                        "max_res": int(os.getenv("MAX_EVENT_RES", "700000")), "ids": ids}
        cls._END = cls.marker({})

    @staticmethod
    def marker(data: dict[str, Any], max_width: int = 78) -> str:
        """What awx_display's ``dump`` writes for ``data``, as one string."""
        b64data = base64.b64encode(json.dumps(data).encode("utf-8")).decode()
        chunks = (b64data[at:at + max_width] for at in range(0, len(b64data), max_width))
        return "\x1b[K" + "".join(f"{chunk}\x1b[{len(chunk)}D" for chunk in chunks) + "\x1b[K"

    def get_begin_dict(self) -> dict[str, Any]:  # awx_display's, with the options read once
        opts = self._options
        event_data = {**self.get_global(), **self.get_local()}
        event = event_data.pop("event", None)
        if not event:
            event = next((key for key in ("debug", "verbose", "deprecated", "warning", "system_warning", "error")
                          if event_data.get(key, False)), "verbose")
        event_dict: dict[str, Any] = {"event": event, **opts["ids"]}
        # the defaults only when missing (awx_display computes them for every event, then drops them)
        event_dict["pid"] = event_data["pid"] if "pid" in event_data else os.getpid()
        event_dict["uuid"] = event_data["uuid"] if "uuid" in event_data else str(uuid.uuid4())
        event_dict["created"] = event_data["created"] if "created" in event_data else _awx.current_time().isoformat()
        if not event_data.get("parent_uuid"):
            for key in ("task_uuid", "play_uuid", "playbook_uuid"):
                parent_uuid = event_data.get(key)
                if parent_uuid and parent_uuid != event_data.get("uuid"):
                    event_dict["parent_uuid"] = parent_uuid
                    break
        else:
            event_dict["parent_uuid"] = event_data.get("parent_uuid")
        if "verbosity" in event_data:
            event_dict["verbosity"] = event_data.pop("verbosity")
        failed = event in ("runner_on_failed", "runner_on_async_failed", "runner_on_item_failed")
        if not opts["omit"] and (failed or not opts["only_failed"]):
            if event != "playbook_on_stats" and "res" in event_data and len(str(event_data["res"])) > opts["max_res"]:
                event_data["res"] = {}
        else:
            event_data = {}
        event_dict["event_data"] = event_data
        return event_dict

    def dump(self, fileobj: TextIO, data: dict[str, Any], max_width: int = 78, flush: bool = False) -> None:
        text = self.marker(data, max_width)
        with self.display_lock:
            fileobj.write(text)
            if flush:
                fileobj.flush()

    def dump_end(self, fileobj: TextIO) -> None:
        with self.display_lock:
            fileobj.write(self._END)
            fileobj.flush()


if os.getenv("AWX_ISOLATED_DATA_DIR") and hasattr(_awx.event_context, "cache"):
    _awx.event_context.cache = PartialLog(os.path.join(os.environ["AWX_ISOLATED_DATA_DIR"], PARTIALS_FILE))
    LeanEventContext.read_environment()
    _awx.event_context.__class__ = LeanEventContext  # the one instance awx_display's wrappers and callbacks use

_debug = Display.debug  # awx_display's wrapper around Ansible's (which returns unless debug is on)
_verbose = Display.verbose  # awx_display's wrapper around Ansible's verbose


@functools.wraps(_debug)
def _debug_when_on(self: Display, msg: str, host: str | None = None) -> None:
    if not C.DEFAULT_DEBUG:  # Ansible's own check: prints nothing
        return None
    return _debug(self, msg, host=host)


@functools.wraps(_verbose)
def _verbose_when_shown(self: Display, msg: str, host: str | None = None, caplevel: int = 2) -> None:
    # Ansible's verbose shows a message above the verbosity and logs it above the log verbosity; neither: nothing
    if self.verbosity <= caplevel and getattr(self, "log_verbosity", 0) <= caplevel:
        return None
    return _verbose(self, msg, host=host, caplevel=caplevel)


_display = Display.display  # awx_display's wrapper: an event around what it prints, unless one is being captured
_display_plain = getattr(_display, "__wrapped__", None)


@functools.wraps(_display)
def _display_in_event(self: Display, msg: str, *args: Any, **kwargs: Any) -> None:
    # awx_display's wrapper binds the call's signature first, then prints as is when an event is being captured
    # (the default callback's lines inside a v2_* method): the same, without the binding
    if _display_plain is not None and _awx.multiprocessing_context.parent_process() is None:
        ctx = _awx.event_context
        local = ctx.get_local()
        if local.get("uuid") if "uuid" in local else ctx.get_global().get("uuid"):
            with ctx.display_lock:
                return _display_plain(self, msg, *args, **kwargs)
    return _display(self, msg, *args, **kwargs)


if _display_plain is not None and _awx._ANSIBLE_214:
    Display.display = _display_in_event
if getattr(_debug, "__wrapped__", None) is not None:  # awx_display's wrappers are in place
    Display.debug = _debug_when_on
if getattr(_verbose, "__wrapped__", None) is not None:
    Display.verbose = _verbose_when_shown


class CallbackModule(AwxDisplay):
    CALLBACK_NAME = "opsplan_display"
