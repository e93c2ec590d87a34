#!/usr/bin/env python3
"""Opsplan dynamic inventory for AWX and Ansible: a client of Opsplan's ``GET /api/v1/inventory``.

    opsplan_inventory.py --list          # groups and _meta.hostvars (JSON)
    opsplan_inventory.py --host NAME     # one host's vars

Standard library only (AWX execution environments carry no Opsplan dependencies). It reads, from its
environment (in AWX: the inventory source's variables, or a credential that injects them):

    OPSPLAN_URL       the Opsplan service's base URL, e.g. https://opsplan.example.com
    OPSPLAN_TOKEN     an Opsplan API token; a viewer's is enough (read-only)
    OPSPLAN_PLAN_ID   optional: only that plan's hosts
    OPSPLAN_TIMEOUT   optional: seconds per request (default 30)
    OPSPLAN_CA_FILE   optional: CA bundle for an https URL with a private CA

Opsplan never sends a secret in the inventory: attach the machine credentials in AWX. Every string value
comes as ``{"__ansible_unsafe": ...}``, which Ansible's inventory loader turns into data (never templated).
"""
from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

USAGE = "usage: opsplan_inventory.py --list | --host NAME"
PATH = "/api/v1/inventory"


def fail(message: str) -> int:
    sys.stderr.write(f"opsplan_inventory: {message}\n")
    return 1


def request_url(base: str, host: str | None, plan_id: str | None) -> str:
    query = {k: v for k, v in (("plan_id", plan_id), ("host", host)) if v}
    return base.rstrip("/") + PATH + (("?" + urllib.parse.urlencode(query)) if query else "")


def fetch(url: str, token: str, timeout: float, ca_file: str | None) -> bytes:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                                               "User-Agent": "opsplan-inventory/1"})
    context = ssl.create_default_context(cafile=ca_file) if url.startswith("https://") else None
    with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:  # noqa: S310 - URL from the operator
        return resp.read()


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    env = dict(os.environ) if env is None else env
    if argv == ["--list"]:
        host = None
    elif len(argv) == 2 and argv[0] == "--host":
        host = argv[1]
    else:
        sys.stderr.write(USAGE + "\n")
        return 2
    base, token = env.get("OPSPLAN_URL", "").strip(), env.get("OPSPLAN_TOKEN", "").strip()
    if not base.startswith(("http://", "https://")):
        return fail("set OPSPLAN_URL to the Opsplan service's base URL (http:// or https://)")
    if not token:
        return fail("set OPSPLAN_TOKEN to an Opsplan API token (a viewer's is enough)")
    try:
        timeout = float(env.get("OPSPLAN_TIMEOUT") or 30)
    except ValueError:
        return fail("OPSPLAN_TIMEOUT must be a number of seconds")
    url = request_url(base, host, env.get("OPSPLAN_PLAN_ID") or None)
    try:
        body = fetch(url, token, timeout, env.get("OPSPLAN_CA_FILE") or None)
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read())["error"]["message"]
        except (ValueError, KeyError, TypeError, OSError):
            detail = exc.reason
        return fail(f"{url} answered {exc.code}: {detail}")
    except (urllib.error.URLError, OSError) as exc:
        return fail(f"cannot reach {url}: {getattr(exc, 'reason', exc)}")
    try:
        data = json.loads(body)
    except ValueError:
        return fail(f"{url} did not answer JSON")
    try:
        sys.stdout.write(json.dumps(data, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
