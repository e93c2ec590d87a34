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

import functools
import json
import os
import sys
from typing import Any

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


if os.getenv("AWX_ISOLATED_DATA_DIR") and hasattr(_awx.event_context, "cache"):
    _awx.event_context.cache = PartialLog(os.path.join(os.environ["AWX_ISOLATED_DATA_DIR"], PARTIALS_FILE))

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


if getattr(_debug, "__wrapped__", None) is not None:  # awx_display's wrappers are in place
    Display.debug = _debug_when_on
if getattr(_verbose, "__wrapped__", None) is not None:
    Display.verbose = _verbose_when_shown


class CallbackModule(AwxDisplay):
    CALLBACK_NAME = "opsplan_display"
