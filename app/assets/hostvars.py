"""The host-variable rule: which asset/group vars and addresses Opsplan accepts (see app.assets.schemas).

``var_problem`` and ``address_problem`` return a reason (one line) or None; the schemas turn a reason
into a validation error naming the entry and the variable, and the worker checks the same rule again on
the inventory of every run (data stored before the rule existed, or written around the API).
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

JINJA_MARKERS = ("{{", "{%", "{#")
REMOTE_CONNECTIONS = frozenset({"ssh", "winrm", "psrp"})
LOOPBACK_NAMES = frozenset({"localhost"})
# Set by the inventory builder from the asset's own fields; never from vars.
FIELD_VARS = {"ansible_host": "the asset's address field", "ansible_ssh_host": "the asset's address field"}
MAGIC_VARS = frozenset({"hostvars", "groups", "group_names", "inventory_hostname", "inventory_hostname_short",
                        "inventory_dir", "inventory_file", "playbook_dir", "play_hosts", "omit", "role_name",
                        "role_names", "role_path"})

_LABEL = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,62}"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}\.?$){_LABEL}(?:\.{_LABEL})*\.?$")
_ABS_PATH = re.compile(r"^/[A-Za-z0-9_./+-]*$")
_REMOTE_DIR = re.compile(r"^[~/][A-Za-z0-9_./~-]*$")
_ACCOUNT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@\\-]{0,127}$")  # user, DOMAIN\user, user@REALM
_FLAGS = re.compile(r"^[A-Za-z0-9 _.,:=-]{0,200}$")


def _int(low: int, high: int) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        ok = isinstance(v, int) and not isinstance(v, bool) and low <= v <= high
        return None if ok else f"must be a whole number from {low} to {high}"

    return check


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


def _choice(*allowed: str, many: bool = False) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        values = [p.strip() for p in v.split(",")] if many and isinstance(v, str) else [v]
        if all(isinstance(x, str) and x in allowed for x in values):
            return None
        return f"must be {'one or more' if many else 'one'} of {', '.join(allowed)}"

    return check


def _match(pattern: re.Pattern[str], what: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if isinstance(v, str) and pattern.match(v) else f"must be {what}"

    return check


def _interpreter(v: Any) -> str | None:
    if v in ("auto", "auto_silent", "auto_legacy", "auto_legacy_silent"):
        return None
    return _match(_ABS_PATH, "an absolute path without spaces or shell metacharacters (e.g. /usr/bin/python3)")(v)


_TIMEOUT = _int(1, 86400)
_PATH = _match(_ABS_PATH, "an absolute path without spaces or shell metacharacters")
_ENCRYPTION = _choice("auto", "always", "never")
_VALIDATION = _choice("validate", "ignore")

# Connection settings an asset or group may set: none of them can make the controller run anything.
ALLOWED: dict[str, Callable[[Any], str | None]] = {
    "ansible_port": _int(1, 65535),
    "ansible_user": _match(_ACCOUNT, "an account name (letters, digits, _ . @ - \\)"),
    "ansible_connection": _choice(*sorted(REMOTE_CONNECTIONS), "local"),  # local: see var_problem
    "ansible_python_interpreter": _interpreter,
    "ansible_shell_type": _choice("sh", "csh", "fish", "powershell", "cmd"),
    "ansible_timeout": _TIMEOUT,
    "ansible_ssh_retries": _int(0, 20),
    "ansible_pipelining": _bool,
    "ansible_ssh_pipelining": _bool,
    "ansible_ssh_transfer_method": _choice("sftp", "scp", "piped", "smart"),
    "ansible_remote_tmp": _match(_REMOTE_DIR, "a directory path without spaces or shell metacharacters"),
    "ansible_async_dir": _match(_REMOTE_DIR, "a directory path without spaces or shell metacharacters"),
    "ansible_group_priority": _int(1, 1000),
    "ansible_become": _bool,
    "ansible_become_method": _choice("sudo", "su", "doas", "dzdo", "pbrun", "pfexec", "ksu", "runas"),
    "ansible_become_user": _match(_ACCOUNT, "an account name (letters, digits, _ . @ - \\)"),
    "ansible_become_flags": _match(_FLAGS, "plain flags (letters, digits, spaces, _ . , : = -)"),
    "ansible_winrm_transport": _choice("ntlm", "kerberos", "credssp", "basic", "certificate", "ssl", "plaintext",
                                       many=True),
    "ansible_winrm_scheme": _choice("https", "http"),
    "ansible_winrm_server_cert_validation": _VALIDATION,
    "ansible_winrm_path": _PATH,
    "ansible_winrm_message_encryption": _ENCRYPTION,
    "ansible_winrm_operation_timeout_sec": _TIMEOUT,
    "ansible_winrm_read_timeout_sec": _TIMEOUT,
    "ansible_winrm_connection_timeout": _TIMEOUT,
    "ansible_winrm_kerberos_delegation": _bool,
    "ansible_psrp_auth": _choice("negotiate", "kerberos", "ntlm", "basic", "certificate", "credssp"),
    "ansible_psrp_protocol": _choice("https", "http"),
    "ansible_psrp_cert_validation": _VALIDATION,
    "ansible_psrp_path": _PATH,
    "ansible_psrp_message_encryption": _ENCRYPTION,
    "ansible_psrp_connection_timeout": _TIMEOUT,
    "ansible_psrp_read_timeout": _TIMEOUT,
    "ansible_psrp_operation_timeout": _TIMEOUT,
}

_SSH_ARGS = frozenset({"ansible_ssh_args", "ansible_ssh_common_args", "ansible_ssh_extra_args",
                       "ansible_scp_extra_args", "ansible_sftp_extra_args"})
_SECRET = re.compile(r"(^|_)(pass|password|passphrase|secret|token)$|private_key", re.IGNORECASE)
# Reasons for the denied names an experienced Ansible user would try first (checked before the allowlist).
_DENIED: list[tuple[Callable[[str], bool], str]] = [
    (lambda n: n in _SSH_ARGS, "not allowed: ssh options can run commands on the controller "
                               "(ProxyCommand, LocalCommand, -o ...)"),
    (lambda n: n.endswith(("_executable", "_exe")), "not allowed: it names a program to execute"),
    (lambda n: "host_key_checking" in n, "not allowed: host keys are always checked against the pinned keys"),
    (lambda n: n.startswith("ansible_winrm_kinit"), "not allowed: it runs a program on the controller"),
    (lambda n: n.endswith("_key_file") or "pkcs11" in n, "not allowed: Opsplan writes key files from the asset's "
                                                         "credential; no other file on the controller is read"),
    (lambda n: bool(_SECRET.search(n)), "not allowed: secrets belong in a credential, not in vars"),
    (lambda n: "control_path" in n, "not allowed: each run uses its own SSH control directory"),
]


def allowed_summary() -> str:
    """The allowlist in one short line: ansible_port, ..., ansible_winrm_{path,scheme,...}."""
    plain = sorted(n for n in ALLOWED if not n.startswith(("ansible_winrm_", "ansible_psrp_")))
    grouped = [f"{prefix}{{{','.join(sorted(n[len(prefix):] for n in ALLOWED if n.startswith(prefix)))}}}"
               for prefix in ("ansible_winrm_", "ansible_psrp_")]
    return ", ".join(plain + grouped)


def is_loopback(address: str | None) -> bool:
    if not address:
        return False
    if address.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def address_problem(address: Any) -> str | None:
    """Why ``address`` is not a host name or IP address (None when it is one)."""
    if not isinstance(address, str) or not address:
        return "must be a host name or IP address"
    try:
        ipaddress.ip_address(address)
        return None
    except ValueError:
        pass
    if _HOSTNAME.match(address):
        return None
    return "not a host name or IP address (letters, digits, '-', '_' and dots; or an IPv4/IPv6 address)"


def _has_jinja(value: Any) -> bool:
    if isinstance(value, str):
        return any(m in value for m in JINJA_MARKERS)
    if isinstance(value, Mapping):
        return any(_has_jinja(k) or _has_jinja(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_jinja(v) for v in value)
    return False


def var_problem(name: str, value: Any, *, address: str | None = None, group: bool = False,
                address_known: bool = True) -> str | None:
    """Why host/group variable ``name`` = ``value`` is refused, or None.

    ``address``: the asset's address (``ansible_connection: local`` needs a loopback one); ``group``: a
    group var (never ``local``); ``address_known=False`` skips the address-dependent part (a patch
    without the address; the service checks the merged asset again).
    """
    low = name.lower()
    if low in MAGIC_VARS:
        return "not allowed: a reserved Ansible variable"
    if not low.startswith("ansible_"):
        return None  # plain data: any value, delivered to Ansible as !unsafe
    if low in FIELD_VARS:
        return f"not allowed: use {FIELD_VARS[low]}"
    for denied, reason in _DENIED:
        if denied(low):
            return reason
    check = ALLOWED.get(name)
    if check is None:
        return f"not an allowed ansible_* variable; allowed: {allowed_summary()}"
    if _has_jinja(value):
        return "must not contain Jinja markers ({{, {%, {#) in a connection variable"
    if (problem := check(value)) is not None:
        return problem
    if name == "ansible_connection" and value == "local":
        if group:
            return "'local' is not allowed in group vars (only on an asset whose address is loopback)"
        if address_known and not is_loopback(address):
            return f"'local' is only allowed on an asset whose address is loopback (127.0.0.1, ::1, localhost), " \
                   f"not {address!r}"
    return None


def vars_problem(values: Mapping[str, Any], *, address: str | None = None, group: bool = False,
                 address_known: bool = True) -> str | None:
    """'name: reason' for the first refused variable of ``values`` (in name order), or None."""
    for name in sorted(values):
        reason = var_problem(name, values[name], address=address, group=group, address_known=address_known)
        if reason is not None:
            return f"{name}: {reason}"
    return None


def inventory_problem(inv: Mapping[str, Any]) -> str | None:
    """The rule applied to a built inventory (script format), as the worker checks it before a run.

    Host vars there are the builder's merge: the address as ``ansible_host``, the credential's user,
    connection defaults, group overrides, asset vars and ``opsplan_*`` facts.
    """
    for host, hv in sorted(inv.get("_meta", {}).get("hostvars", {}).items()):
        address = hv.get("ansible_host")
        if (reason := address_problem(address)) is not None:
            return f"asset {host}: address: {reason}"
        own = {k: v for k, v in hv.items()
               if k not in ("ansible_host", "ansible_user") and not k.startswith("opsplan_")}
        if (reason := vars_problem(own, address=address)) is not None:
            return f"asset {host}: vars: {reason}"
    for group, entry in sorted(inv.items()):
        if group in ("_meta", "all") or not isinstance(entry, Mapping) or not entry.get("vars"):
            continue
        if (reason := vars_problem(entry["vars"], group=True)) is not None:
            return f"group {group}: vars: {reason}"
    return None
