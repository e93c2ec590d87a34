"""The app's JSON provider: a body nested deeper than ``MAX_JSON_DEPTH`` is a 400, never a RecursionError.

Flask parses every request body (``request.get_json``, with or without ``silent``) through ``app.json.loads``,
so the depth check here covers every JSON endpoint. The error it raises is not a ``ValueError``: ``silent=True``
cannot turn it into "no body".
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

from app import defaults
from app.errors import BadRequest

# a whole JSON string (escapes included) or one bracket; brackets inside strings are skipped with their string
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset("[{")
_CLOSERS = frozenset("]}")


def depth_exceeds(text: str, limit: int) -> bool:
    """Whether ``text`` nests arrays/objects deeper than ``limit`` (a linear scan, no recursion)."""
    if text.count("[") + text.count("{") <= limit:  # the common case, at C speed
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif token in _CLOSERS:
            depth -= 1
    return False


def loads(s: str | bytes | bytearray, *, max_depth: int = defaults.MAX_JSON_DEPTH, **kwargs: Any) -> Any:
    """``json.loads`` that refuses documents nested deeper than ``max_depth`` with a 400 :class:`BadRequest`."""
    text = s.decode(json.detect_encoding(s), "surrogatepass") if isinstance(s, bytes | bytearray) else s
    if depth_exceeds(text, max_depth):
        raise BadRequest(f"the JSON document is nested deeper than {max_depth} levels")
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # a custom decoder recursing on its own; the scan above normally stops this first
        raise BadRequest(f"the JSON document is nested deeper than {max_depth} levels") from None


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's default provider with :func:`loads` for parsing."""

    max_depth = defaults.MAX_JSON_DEPTH

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, max_depth=self.max_depth, **kwargs)
