"""Input models (pydantic v2) for credentials, groups and assets, with messages that name the field.

The host-variable rule (asset ``vars``, group ``vars`` and ``address``; implemented in
``app.assets.hostvars``, checked at import, by the API, and again by the worker before every run):

* Everything an asset or group holds is data. It reaches Ansible only as ``!unsafe`` values in the
  per-run inventory, so ``{{ }}`` in a password or a var is never evaluated.
* ``address`` (-> ``ansible_host``) is a host name (letters, digits, ``-``, ``_``, dots; not starting with
  ``-``) or an IPv4/IPv6 address. ``ansible_host`` itself is not accepted in vars.
* Vars not starting with ``ansible_`` are free (any name that is an identifier, any JSON value), except
  Ansible's magic variables (``hostvars``, ``groups``, ``inventory_hostname``, ...).
* ``ansible_*`` vars follow an allowlist of connection settings that cannot make the controller run a
  program, each with a checked value (``app.assets.hostvars.ALLOWED``): ``ansible_port``, ``ansible_user``,
  ``ansible_connection`` (ssh, winrm, psrp; ``local`` only on an asset whose address is loopback or
  ``localhost``, never in group vars), ``ansible_python_interpreter`` (the *remote* interpreter: an
  absolute path without spaces or shell metacharacters, or ``auto*``), ``ansible_shell_type``, timeouts and
  retries, pipelining, transfer method, remote tmp/async dirs, ``ansible_become``/``_method``/``_user``/
  ``_flags`` (plain flags), ``ansible_group_priority``, and the WinRM/PSRP settings ``transport``, ``scheme``/
  ``protocol``, ``server_cert_validation``/``cert_validation`` (``ignore`` is shown as a warning on the plan
  page), ``path``, ``message_encryption``, timeouts and ``kerberos_delegation``. Their values never contain
  Jinja markers (``{{``, ``{%``, ``{#``).
* Refused with a reason, whatever the value: ``ansible_ssh_args``, ``ansible_ssh_common_args``,
  ``ansible_ssh_extra_args``, ``ansible_scp_extra_args``, ``ansible_sftp_extra_args`` (ProxyCommand,
  LocalCommand, -o ...); every ``ansible_*_executable`` / ``ansible_*_exe`` (``ansible_become_exe``,
  ``ansible_shell_executable``, ...); ``*host_key_checking*``; ``ansible_winrm_kinit_*``; key files
  (``ansible_ssh_private_key_file``, ...) and PKCS#11 providers; passwords, passphrases and other secrets
  (``ansible_password``, ``ansible_become_pass``, ...: they belong in a credential); control paths; and
  any other ``ansible_*`` name.

SSH host keys (``host_keys``: OpenSSH public key lines) are validated by ``app.assets.hostkeys``.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from app.assets.errors import AssetValidationError
from app.assets.hostkeys import parse_keys
from app.assets.hostvars import address_problem, vars_problem

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
_NAME_RE = re.compile(NAME_PATTERN)
RESERVED_GROUPS = frozenset({"all", "ungrouped"})
DEFAULT_PORTS = {"linux": 22, "windows": 5986}

OsName = Literal["linux", "windows"]
CredentialKindName = Literal["ssh_key", "password", "winrm"]
Port = Annotated[int, Field(ge=1, le=65535, strict=False)]
Environment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


def _address(value: str) -> str:
    if (reason := address_problem(value)) is not None:
        raise ValueError(reason)
    return value


Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
                    AfterValidator(_address)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
DEFAULT_ZONE = "default"
ZONE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_ZONE_RE = re.compile(ZONE_PATTERN)


def check_zone(value: Any) -> str:
    """An execution zone's name (CONTRACT 10): 1-64 letters, digits, '_', '.' or '-'."""
    if not isinstance(value, str) or not _ZONE_RE.match(value):
        raise ValueError(f"invalid zone {value!r}: use 1-64 letters, digits, '_', '.' or '-', "
                         "starting with a letter or digit")
    return value


def _zone_before(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_ZONE
    return value.strip() if isinstance(value, str) else value


def default_port(os_name: str) -> int:
    return DEFAULT_PORTS.get(os_name, 22)


def check_name(value: Any, what: str = "name") -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    if not _NAME_RE.match(value):
        raise ValueError(
            f"invalid {what} {value!r}: use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )
    return value


def _check_group(value: Any) -> str:
    check_name(value, "group name")
    if value in RESERVED_GROUPS:
        raise ValueError(f"group name {value!r} is reserved by Ansible")
    return value


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


def _check_vars(value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("vars must be a mapping of variable names to values")
    for key in value:
        if not isinstance(key, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            raise ValueError(f"invalid variable name {key!r}")
    return value


def _group_vars_rule(value: dict | None) -> dict | None:
    if value and (problem := vars_problem(value, group=True)) is not None:
        raise ValueError(problem)
    return value


def _asset_vars_rule(value: dict | None, info: ValidationInfo, *, patch: bool) -> dict | None:
    """The host-variable rule; a patch without an address leaves the loopback check to the service."""
    if not value:
        return value
    address = info.data.get("address")
    if "address" not in info.data and not patch:
        return value  # the address itself is invalid: that error is reported instead
    problem = vars_problem(value, address=address, address_known=address is not None)
    if problem is not None:
        raise ValueError(problem)
    return value


def _host_keys_before(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):  # one key, or CSV-style 'key1;key2'
        value = [p for p in re.split(r"[;\n]+", value) if p.strip()]
    if not isinstance(value, list):
        raise ValueError("host_keys must be a list of OpenSSH public key lines ('ssh-ed25519 AAAA...')")
    return parse_keys(value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class CredentialIn(_Strict):
    name: str
    kind: CredentialKindName
    username: Username
    secret: str | None = Field(default=None, repr=False)

    _name = field_validator("name")(classmethod(lambda cls, v: check_name(v, "credential name")))

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: str | None) -> str | None:
        if v is not None and not v:
            raise ValueError("secret must not be empty (omit it to keep the stored one)")
        return v


class CredentialPatch(_Strict):
    name: str | None = None
    kind: CredentialKindName | None = None
    username: Username | None = None
    secret: str | None = Field(default=None, repr=False)

    _name = field_validator("name")(classmethod(lambda cls, v: v if v is None else check_name(v, "credential name")))


class GroupIn(_Strict):
    name: str
    description: str = ""
    parents: list[str] = Field(default_factory=list)
    vars: dict[str, Any] = Field(default_factory=dict)

    _name = field_validator("name")(classmethod(lambda cls, v: _check_group(v)))
    _vars = field_validator("vars", mode="before")(classmethod(lambda cls, v: _check_vars(v)))
    _vars_rule = field_validator("vars")(classmethod(lambda cls, v: _group_vars_rule(v)))

    _parents = field_validator("parents", mode="before")(classmethod(lambda cls, v: _parents_before(v)))

    @field_validator("description", mode="before")
    @classmethod
    def _descr(cls, v: Any) -> str:
        return "" if v is None else v


class GroupPatch(_Strict):
    name: str | None = None
    description: str | None = None
    parents: list[str] | None = None
    vars: dict[str, Any] | None = None

    _name = field_validator("name")(classmethod(lambda cls, v: v if v is None else _check_group(v)))
    _vars = field_validator("vars", mode="before")(classmethod(lambda cls, v: v if v is None else _check_vars(v)))
    _vars_rule = field_validator("vars")(classmethod(lambda cls, v: _group_vars_rule(v)))
    _parents = field_validator("parents", mode="before")(
        classmethod(lambda cls, v: v if v is None else _parents_before(v))
    )


def _groups_before(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):  # CSV and hand-written files: "web;db" or "web, db"
        v = [p for p in re.split(r"[;,\s]+", v) if p]
    if not isinstance(v, list):
        raise ValueError("groups must be a list of group names")
    return _unique([_check_group(g) for g in v])


def _parents_before(v: Any) -> list[str]:
    v = [] if v is None else ([v] if isinstance(v, str) else v)
    if not isinstance(v, list):
        raise ValueError("parents must be a list of group names")
    return _unique([_check_group(p) for p in v])


def _os_before(v: Any) -> Any:
    return v.strip().lower() if isinstance(v, str) else v


class AssetIn(_Strict):
    name: str
    address: Address
    os: OsName = "linux"
    environment: Environment = ""
    groups: list[str] = Field(default_factory=list)
    credential: str | None = None
    port: Port | None = None
    vars: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    host_keys: list[str] | None = None  # None: keep the pinned keys (re-import); []: none (pin at first contact)
    zone: str = DEFAULT_ZONE  # the execution zone: only its workers contact the host

    _name = field_validator("name")(classmethod(lambda cls, v: check_name(v, "asset name")))
    _zone_before = field_validator("zone", mode="before")(classmethod(lambda cls, v: _zone_before(v)))
    _zone = field_validator("zone")(classmethod(lambda cls, v: check_zone(v)))
    _groups = field_validator("groups", mode="before")(classmethod(lambda cls, v: _groups_before(v)))
    _vars = field_validator("vars", mode="before")(classmethod(lambda cls, v: _check_vars(v)))
    _vars_rule = field_validator("vars")(classmethod(lambda cls, v, info: _asset_vars_rule(v, info, patch=False)))
    _host_keys = field_validator("host_keys", mode="before")(classmethod(lambda cls, v: _host_keys_before(v)))

    _os = field_validator("os", mode="before")(classmethod(lambda cls, v: _os_before(v)))

    @field_validator("environment", mode="before")
    @classmethod
    def _env(cls, v: Any) -> Any:
        return "" if v is None else v

    @field_validator("credential", mode="before")
    @classmethod
    def _cred(cls, v: Any) -> Any:
        return None if v in (None, "") else check_name(v, "credential name")

    @property
    def effective_port(self) -> int:
        return self.port or default_port(self.os)


class AssetPatch(_Strict):
    name: str | None = None
    address: Address | None = None
    os: OsName | None = None
    environment: Environment | None = None
    groups: list[str] | None = None
    credential: str | None = None
    port: Port | None = None
    vars: dict[str, Any] | None = None
    enabled: bool | None = None
    host_keys: list[str] | None = None
    zone: str | None = None

    _name = field_validator("name")(classmethod(lambda cls, v: v if v is None else check_name(v, "asset name")))
    _zone_before = field_validator("zone", mode="before")(
        classmethod(lambda cls, v: None if v is None else _zone_before(v)))
    _zone = field_validator("zone")(classmethod(lambda cls, v: v if v is None else check_zone(v)))
    _groups = field_validator("groups", mode="before")(
        classmethod(lambda cls, v: v if v is None else _groups_before(v)))
    _vars = field_validator("vars", mode="before")(classmethod(lambda cls, v: v if v is None else _check_vars(v)))
    _vars_rule = field_validator("vars")(classmethod(lambda cls, v, info: _asset_vars_rule(v, info, patch=True)))
    _host_keys = field_validator("host_keys", mode="before")(classmethod(lambda cls, v: _host_keys_before(v)))
    _os = field_validator("os", mode="before")(classmethod(lambda cls, v: _os_before(v)))
    _cred = field_validator("credential", mode="before")(
        classmethod(lambda cls, v: None if v in (None, "") else check_name(v, "credential name"))
    )


def describe_errors(exc: ValidationError) -> str:
    """'field: message; field2: message' with pydantic's noise (URLs, input echo) removed."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "entry"
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


def parse(model: type[BaseModel], data: Any, where: str):
    """Validate ``data`` as ``model``; raise AssetValidationError naming ``where`` and the field."""
    if not isinstance(data, dict):
        raise AssetValidationError(f"{where}: expected a mapping of fields, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AssetValidationError(f"{where}: {describe_errors(exc)}") from None
