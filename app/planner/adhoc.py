"""Ansible written as Ansible: ad-hoc commands and module calls -> the plain words the rule planner reads.

Operators who live in Ansible type what they would have typed at the control node::

    ansible 'web:!web-02' -m ping                                   -> ping web except web-02
    ansible db -m ping --limit prod                                 -> ping db in prod
    ansible app-01 -m systemd -a 'name=tomcat state=restarted'      -> restart "tomcat" on app-01
    ansible db-04 -m yum -a 'name=htop state=absent'                -> remove package "htop" on db-04
    ansible web-03,web-04 -m shell -a 'nginx -t'                    -> run "nginx -t" on web-03 and web-04
    win_service name=Spooler start_mode=disabled on cis-03         -> disable "Spooler" on cis-03
    run the service module to restart nginx on db-01                -> restart nginx on db-01
    launch a job that restarts tomcat on app-01 and app-02          -> restart tomcat on app-01 and app-02

Only modules whose effect is one of the catalog's actions are read (service/systemd/win_service, the package
managers, command/shell/raw, lineinfile, copy/get_url, stat, uri, wait_for, reboot, ping, setup); any other
module, or arguments a module does not take that way (two package names, ``state=reloaded``, ``creates=``),
leave the text as it was, so the planner asks or refuses as it would for any request it cannot read. Values
(names, paths, commands, lines) are quoted, so they pass through every later rewrite unchanged.
"""
from __future__ import annotations

import re

from app.planner.rewrite import Lazy

_FQCN = r"(?:ansible\.(?:builtin|windows|posix)\.|community\.(?:general|windows|docker)\.|chocolatey\.chocolatey\.)?"
_SERVICE = {"service", "systemd", "systemd_service", "sysvinit", "win_service"}
_PACKAGE = {"package", "yum", "dnf", "apt", "zypper", "apk", "pacman", "homebrew", "win_chocolatey", "chocolatey",
            "win_package", "snap", "pip"}
_COMMAND = {"command", "shell", "raw", "win_command", "win_shell"}
_COPY = {"copy", "win_copy", "get_url", "win_get_url"}
_MODULES = (_SERVICE | _PACKAGE | _COMMAND | _COPY
            | {"lineinfile", "win_lineinfile", "stat", "win_stat", "uri", "win_uri", "wait_for", "win_wait_for",
               "reboot", "win_reboot", "ping", "win_ping", "setup", "gather_facts"})
_MODULE_WORD = _FQCN + r"(?P<mod>" + "|".join(sorted(map(re.escape, _MODULES), key=len, reverse=True)) + r")"

# "ansible PATTERN [options]": the whole command, up to the end of its line
_ADHOC = Lazy(r"(?im)^[ \t]*(?:\$\s*)?ansible[ \t]+(?P<pattern>'[^'\n]+'|\"[^\"\n]+\"|[^\s'\"-][^\s'\"]*)"
              r"(?P<opts>(?:[ \t]+(?:-[a-zA-Z-]+(?:[ =](?:'[^'\n]*'|\"[^\"\n]*\"|[^\s-][^\s]*))?))*)[ \t]*$")
# "win_service W3SVC restarted on iis-01", "lineinfile path=/etc/hosts line='...' on web-05": a module named first,
# with key=value arguments (or, for a service module, a name and a state word)
_KV = r"[a-z_]+=(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s'\"]+)"
_MODULE_CALL = Lazy(r"(?i)(?<![\w.-])" + _MODULE_WORD + r"(?::)?(?P<args>(?:[ \t]+" + _KV + r")+"
                    r"|[ \t]+(?P<svc>[A-Za-z][\w.@-]*)[ \t]+(?P<state>restarted|started|stopped|enabled|disabled)\b)")
# "run/use the service module to restart nginx": the tool named before the instruction
_MODULE_TO = Lazy(r"(?i)\b(?:run|use|with|via|using)\s+(?:the\s+)?(?:ansible\s+)?" + _MODULE_WORD
                  + r"\s+module\s+(?:to\s+|and\s+)?")

# "launch a job that restarts tomcat", "kick off the AWX template to clean /var/log/myapp": the job's instruction
_JOB_THAT = Lazy(r"(?i)\b(?:launch|run|kick\s+off|trigger|fire\s+off|start|execute)\s+(?:a|an|the|that|this)\s+"
                 r"(?:new\s+)?(?:awx\s+|rundeck\s+|ansible\s+|tower\s+|jenkins\s+)?(?:job(?:\s+template)?|template|"
                 r"playbook|workflow)\s+(?:that|which|to)\s+(?P<verb>[a-z]+)\b")
_THIRD_PERSON = {"restarts": "restart", "starts": "start", "stops": "stop", "reboots": "reboot", "pings": "ping",
                 "checks": "check", "cleans": "clean", "installs": "install", "updates": "update", "removes": "remove",
                 "deletes": "delete", "kills": "kill", "copies": "copy", "deploys": "deploy", "tails": "tail",
                 "searches": "search", "enables": "enable", "disables": "disable", "bounces": "bounce",
                 "patches": "patch", "upgrades": "upgrade", "uninstalls": "uninstall", "pushes": "push",
                 "gathers": "gather", "collects": "collect", "shows": "show", "lists": "list", "tests": "test"}
_TRUE = {"yes", "true", "on", "1"}
_FALSE = {"no", "false", "off", "0"}


_ARG = re.compile(r"\s*([a-z_]+)=('[^'\n]*'|\"[^\"\n]*\"|[^\s'\"]+)")


def _args(text: str) -> dict[str, str] | None:
    """key=value arguments (a value quoted or not; backslashes are a Windows path's, kept); None when the text
    holds anything else (a free-form part)."""
    out: dict[str, str] = {}
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _ARG.match(text, pos)
        if m is None:
            return None
        value = m.group(2)
        out[m.group(1)] = value[1:-1] if value[:1] in "'\"" else value
        pos = m.end()
    return out


def _q(value: str) -> str:
    return '"' + value + '"' if '"' not in value else "'" + value + "'"


def _service(a: dict[str, str]) -> str | None:
    name = a.pop("name", "")
    state = a.pop("state", "")
    enabled = a.pop("enabled", "")
    mode = a.pop("start_mode", "").lower()
    a.pop("daemon_reload", None)
    if not name or a or "," in name:
        return None
    said = []
    verb = {"started": "start", "stopped": "stop", "restarted": "restart", "": ""}.get(state.lower())
    if verb is None:
        return None  # "reloaded", "paused": not an action of the catalog
    if verb:
        said.append(f"{verb} {_q(name)}")
    if enabled.lower() in _TRUE or mode in ("auto", "delayed"):
        said.append(f"enable {_q(name)}")
    elif enabled.lower() in _FALSE or mode in ("disabled", "manual"):
        said.append(f"disable {_q(name)}")
    elif enabled or mode:
        return None
    return " and ".join(said) if said else f"check the status of service {_q(name)}"


def _package(a: dict[str, str]) -> str | None:
    name = a.pop("name", "") or a.pop("pkg", "")
    state = a.pop("state", "present").lower()
    version = a.pop("version", "")
    for harmless in ("update_cache", "cache_valid_time", "autoremove", "purge"):
        a.pop(harmless, None)
    if not name or a or "," in name or " " in name.strip() or (version and not re.fullmatch(r"[\w.+~:-]+", version)):
        return None
    verb = {"present": "install", "installed": "install", "latest": "update", "absent": "remove",
            "removed": "remove"}.get(state)
    if verb is None:
        return None
    return f"{verb} package {_q(name)}" + (f" version {version}" if version else "")


def _module_words(mod: str, raw_args: str) -> str | None:
    """The plain instruction a module call stands for; None when it is not one of the catalog's."""
    mod = mod.lower()
    if mod in ("ping", "win_ping"):
        return "ping" if not raw_args.strip() else None
    if mod in ("setup", "gather_facts"):
        return "show system info"
    if mod in ("reboot", "win_reboot"):
        return "reboot" if not raw_args.strip() else None
    if mod in _COMMAND:
        command = raw_args.strip()
        if len(command) >= 2 and command[0] == command[-1] and command[0] in "'\"":
            command = command[1:-1]
        return f"run {_q(command)}" if command and not re.search(r"\b(?:creates|removes|chdir)=", command) else None
    a = _args(raw_args)
    if a is None:
        return None
    if mod in _SERVICE:
        return _service(a)
    if mod in _PACKAGE:
        return _package(a)
    if mod in _COPY:
        src, dest = a.pop("src", "") or a.pop("url", ""), a.pop("dest", "")
        a.pop("force", None)
        return f"copy {_q(src)} to {_q(dest)}" if src and dest and not a else None
    if mod in ("stat", "win_stat"):
        path = a.pop("path", "")
        return f"stat {_q(path)}" if path and not a else None
    if mod in ("uri", "win_uri"):
        url, method = a.pop("url", ""), a.pop("method", "GET")
        return f"check the url {url}" if url and method.upper() == "GET" and not a else None
    if mod in ("wait_for", "win_wait_for"):
        port = a.pop("port", "")
        a.pop("timeout", None)
        return f"check port {port}" if port.isdigit() and not a else None
    if mod in ("lineinfile", "win_lineinfile"):
        path = a.pop("path", "") or a.pop("dest", "")
        line, regexp, state = a.pop("line", ""), a.pop("regexp", ""), a.pop("state", "present").lower()
        a.pop("backup", None)
        if not path or not line or a or state not in ("present", "absent"):
            return None
        if state == "absent":
            return f"remove the line {_q(line)} from {_q(path)}"
        said = f"make sure the line {_q(line)} is in {_q(path)}"
        return said + (f" replacing the line matching {_q(regexp)}" if regexp else "")
    return None


def _hosts(pattern: str, limit: str) -> str | None:
    """An Ansible host pattern (with --limit) as target words: "web:!web-02" -> "web except web-02"."""
    pattern = pattern.strip("'\"")
    if pattern in ("all", "*"):
        pattern = "all hosts"
    parts = [p for p in re.split(r"[:,]", pattern) if p]
    keep = [p for p in parts if not p.startswith(("!", "&"))]
    drop = [p[1:] for p in parts if p.startswith("!")]
    within = [p[1:] for p in parts if p.startswith("&")] + [p for p in re.split(r"[:,]", limit.strip("'\"")) if p]
    if not keep or any(p.startswith(("!", "&", "~")) for p in drop + within):
        return None
    words = " and ".join(keep)
    if drop:
        words += " except " + " and ".join(drop)
    if within:
        words += " in " + " and ".join(within)
    return words


def _adhoc(m: re.Match[str]) -> str:
    opts = m.group("opts") or ""
    found = re.findall(r"(-[a-zA-Z-]+)(?:[ =]('[^'\n]*'|\"[^\"\n]*\"|[^\s-][^\s]*))?", opts)
    module, args, limit = "command", "", ""
    for flag, value in found:
        if flag in ("-m", "--module-name"):
            module = value.strip("'\"")
        elif flag in ("-a", "--args"):
            args = value[1:-1] if value[:1] in "'\"" and len(value) >= 2 else value
        elif flag in ("-l", "--limit"):
            limit = value
        elif flag not in ("-b", "--become", "-K", "-k", "-o", "--one-line", "-i", "--inventory", "-u", "--user",
                          "-f", "--forks", "-C", "--check", "-D", "--diff", "-v", "-vv", "-vvv", "--become-user"):
            return m.group(0)  # an option that changes what runs: left as written
    module = re.sub(r"^" + _FQCN, "", module)
    said = _module_words(module, args)
    targets = _hosts(m.group("pattern"), limit)
    if said is None or targets is None:
        return m.group(0)
    return f"{said} on {targets}"


def _call(m: re.Match[str]) -> str:
    if m.group("svc"):
        verb = {"restarted": "restart", "started": "start", "stopped": "stop", "enabled": "enable",
                "disabled": "disable"}[m.group("state").lower()]
        if m.group("mod").lower() not in _SERVICE:
            return m.group(0)
        return f"{verb} {_q(m.group('svc'))}"
    said = _module_words(m.group("mod"), m.group("args"))
    return said if said is not None else m.group(0)


# "service: name=nginx state=restarted --limit web-04": a module call's --limit, outside any quotes, names its hosts
_LIMIT = Lazy(r"[ \t]+--limit[ =](?P<v>'[^'\n]+'|\"[^\"\n]+\"|[^\s'\"]+)")


def _limit(text: str) -> str:
    def on(m: re.Match[str]) -> str:
        before = text[:m.start()]
        if any(before.count(q) % 2 for q in ("'", '"', "`")):
            return m.group(0)  # inside a quoted command: its own option
        targets = _hosts(m.group("v"), "")
        return f" on {targets}" if targets is not None else m.group(0)
    return _LIMIT.sub(on, text)


def _job_that(m: re.Match[str]) -> str:
    verb = m["verb"].lower()
    verb = _THIRD_PERSON.get(verb, verb if verb in _THIRD_PERSON.values() else "")
    return verb if verb else m.group(0)  # "a job that nobody owns": left as written


def plain(text: str) -> str:
    """``text`` with its Ansible ad-hoc commands and module calls written as plain instructions."""
    low = text.lower()
    if any(w in low for w in ("job", "template", "playbook", "workflow")):
        text = _JOB_THAT.sub(_job_that, text)
    if "ansible" not in low and "=" not in low and "win_" not in low and "module" not in low:
        return text  # none of the three shapes: nothing compiled
    out = _ADHOC.sub(_adhoc, text)
    called = _MODULE_CALL.sub(_call, out)
    if called != out:
        called = _limit(called)
    return _MODULE_TO.sub("", called)
