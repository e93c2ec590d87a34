"""What a step's object says about its hosts: the OS it belongs to, and whether acting on it locks us out.

A Linux-only service (nginx, sshd) asked "on all servers in production" must not reach the Windows hosts of
that environment, and a Windows service (W3SVC, "Print Spooler") must not reach the Linux ones: the OS the
object implies narrows group, environment and fleet-wide targets, with a note saying so, and a host named
explicitly with the other OS is a question, never a silent drop. Paths say their OS too (``/var`` vs ``C:\\``).

Stopping or disabling what Opsplan reaches hosts through (sshd, WinRM, networking, the firewall) cuts every
later run off from them: such steps are refused with the reason.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from compiler.models import Step

if TYPE_CHECKING:
    from app.planner.vocabulary import Vocabulary

_LINUX_SERVICES = frozenset((
    "nginx", "apache", "apache2", "httpd", "sshd", "ssh", "openssh-server", "cron", "crond", "anacron", "atd",
    "postgresql", "postgres", "postgresql-server", "mysql", "mysqld", "mariadb", "redis", "redis-server", "docker",
    "containerd", "dockerd", "podman", "kubelet", "k3s", "haproxy", "keepalived", "rsyslog", "syslog-ng",
    "journald", "systemd-journald", "systemd-resolved", "systemd-networkd", "systemd-timesyncd", "networkmanager",
    "networking", "network", "firewalld", "ufw", "iptables", "nftables", "chronyd", "chrony", "ntpd", "ntp",
    "postfix", "exim", "exim4", "dovecot", "named", "bind9", "unbound", "dnsmasq", "memcached", "rabbitmq-server",
    "elasticsearch", "opensearch", "kibana", "logstash", "mongod", "mongodb", "php-fpm", "tomcat", "tomcat9",
    "jenkins", "prometheus", "node_exporter", "grafana-server", "alertmanager", "auditd", "snapd", "fail2ban",
    "sssd", "nfs-server", "nfs-kernel-server", "smbd", "nmbd", "winbind", "squid", "varnish", "gunicorn", "uwsgi",
    "supervisor", "supervisord", "puppet", "chef-client", "salt-minion", "zabbix-agent", "telegraf", "filebeat",
    "metricbeat", "td-agent", "fluentd", "consul", "vault", "nomad", "etcd", "cups", "avahi-daemon", "polkit",
    "dbus", "udev",
))
# Packages only Linux distributions ship (no Chocolatey/winget package of that name): they restrict a mixed host set
_LINUX_PACKAGES = frozenset((
    "htop", "tmux", "strace", "ltrace", "lsof", "sysstat", "iotop", "iftop", "ncdu", "net-tools", "dnsutils",
    "bind-utils", "build-essential", "logrotate", "mlocate", "plocate", "nfs-common", "nfs-utils", "cifs-utils",
    "open-vm-tools", "policycoreutils", "bash-completion", "man-db", "procps", "procps-ng", "util-linux",
    "e2fsprogs", "xfsprogs", "lvm2", "mdadm", "unattended-upgrades", "yum-utils", "dnf-utils", "epel-release",
    "apt-transport-https", "software-properties-common", "iproute2", "iputils-ping", "traceroute", "mtr-tiny",
    "sosreport", "auditd", "aide", "rkhunter", "chkrootkit", "needrestart",
))
WINDOWS_DISPLAY_NAMES = (
    "Print Spooler", "Windows Update", "Windows Remote Management", "Windows Firewall", "Windows Defender Firewall",
    "Remote Registry", "Remote Desktop Services", "Task Scheduler", "Windows Time", "IIS Admin Service",
    "World Wide Web Publishing Service", "SQL Server", "SQL Server Agent", "Windows Event Log", "DNS Client",
    "Background Intelligent Transfer Service", "Windows Management Instrumentation", "Windows Defender",
    "Microsoft Defender Antivirus Service", "Windows Installer",
)
_WINDOWS_SERVICE_NAMES = (
    "W3SVC", "WAS", "IISADMIN", "MSSQLSERVER", "SQLSERVERAGENT", "SQLBrowser", "MSSQLFDLauncher", "ReportServer",
    "Spooler", "wuauserv", "WinRM", "MpsSvc", "BITS", "Dnscache", "LanmanServer", "LanmanWorkstation",
    "RemoteRegistry", "TermService", "EventLog", "Schedule", "W32Time", "WinDefend", "MSMQ", "NTDS", "CertSvc",
    "Netlogon", "DHCPServer", "DFSR", "AppHostSvc", "WMSVC", "WinMgmt", "RpcSs", "CryptSvc", "TrustedInstaller",
    "UsoSvc", "msiserver", "SENS", "AudioSrv", "NlaSvc", "iphlpsvc", "SamSs", "gpsvc", "ClusSvc", "vmms",
    *WINDOWS_DISPLAY_NAMES,
)
_WINDOWS_SERVICES = frozenset(name.lower() for name in _WINDOWS_SERVICE_NAMES)
# "w3svc" and "spooler" are W3SVC and Spooler: Windows compares service names without case; plans show them as
# Windows does
CANONICAL_SERVICES = {name.lower(): name for name in _WINDOWS_SERVICE_NAMES}
# What people call some Windows services: "the IIS web service" is W3SVC, "remote management" is WinRM
DESCRIBED_SERVICES = {
    "iis web service": "W3SVC", "iis web server": "W3SVC", "web publishing service": "W3SVC",
    "remote management": "WinRM", "remote management service": "WinRM", "windows remote management service": "WinRM",
    "print service": "Spooler", "printer service": "Spooler", "printing service": "Spooler",
    "firewall service": "MpsSvc", "firewall svc": "MpsSvc", "windows firewall service": "MpsSvc",
    "time service": "W32Time", "sql server service": "MSSQLSERVER", "sql agent": "SQLSERVERAGENT",
}
# Names of services and programs the planner knows: never "corrected" as typos of its own words.
KNOWN_OBJECTS = frozenset(_LINUX_SERVICES | {n for n in _WINDOWS_SERVICES if " " not in n} | {
    "httpd", "https", "curl", "wget", "htop", "vim", "git", "java", "python", "python3", "node", "nodejs", "perl",
    "openssl", "tree", "telnet", "strace", "tcpdump", "rsync", "unzip", "zip", "jq", "tmux", "screen", "nano",
})
# Software that Windows hosts commonly get from Chocolatey/winget: "update 7zip" on Windows means the package.
WINDOWS_PACKAGES = frozenset({
    "7zip", "7zip.install", "googlechrome", "chrome", "firefox", "notepadplusplus", "notepad++", "git", "vscode",
    "putty", "winscp", "vlc", "adobereader", "javaruntime", "jre8", "openjdk", "temurin", "python", "python3",
    "nodejs", "dotnet", "dotnetfx", "dotnet-runtime", "powershell", "powershell-core", "pwsh", "sysinternals",
    "curl", "wget", "openssl", "nginx", "microsoft-edge", "edge", "zoom", "teams", "microsoft-teams", "wireshark",
    "filezilla", "greenshot", "keepass", "paint.net", "procexp", "treesizefree", "vcredist140", "vcredist-all",
})
# What Opsplan itself reaches hosts through: stopping, disabling or killing it locks every later run out.
_ACCESS = frozenset({
    "sshd", "ssh", "openssh-server", "openssh", "winrm", "windows remote management", "ws-management",
    "windows remote management (ws-management)", "networking", "network",
    "networkmanager", "systemd-networkd", "firewall", "the firewall",
    "firewalld", "ufw", "iptables", "nftables", "mpssvc", "windows firewall",
    "windows defender firewall", "lanmanserver", "netlogon", "rpcss", "dbus",
})
_LOCKING_ACTIONS = frozenset({"service.stop", "service.disable", "process.kill", "package.remove"})
# Programs people ask about that are processes, never services: "is java running" is a process check
PROCESS_NAMES = frozenset({"java", "node", "nodejs", "python", "python3", "ruby", "perl", "dotnet", "w3wp", "explorer",
                           "notepad", "chrome", "firefox", "excel", "winword", "outlook", "powershell", "pwsh", "cmd",
                           "bash", "beam.smp", "gunicorn", "uwsgi", "celery", "sidekiq", "puma", "unicorn", "pm2",
                           "pg_dump", "pg_dumpall", "pg_restore", "pg_basebackup", "mysqldump", "rsync", "robocopy",
                           "tar", "gzip", "rman", "sqlcmd", "psql"})
EVENT_LOGS = frozenset({"system", "application", "security", "setup"})
# Directories whose deletion breaks the host (whole, or one level below the root of a Windows drive)
SYSTEM_DIR = re.compile(r"^(?:/(?:bin|boot|dev|etc|lib\w*|proc|root|sbin|sys|usr|var)?/?|[A-Za-z]:\\?(?:(?:windows|"
                        r"program\s*files(?:\s*\(x86\))?|programdata|users)(?:\\system32)?\\?)?)$", re.IGNORECASE)
_WIN_PATH = re.compile(r"^(?:[A-Za-z]:(?:[\\/]|$)|\\\\)")
_PATH_PARAMS = ("path", "dest", "source", "src")
_NAMED_ACTIONS = ("service.", "process.")


def _service_os(name: str) -> str | None:
    low = name.lower().strip()
    if low in _WINDOWS_SERVICES or low.startswith("mssql$") or low.startswith("sqlagent$"):
        return "windows"
    unit = low.removesuffix(".service")
    if unit in _LINUX_SERVICES or re.fullmatch(r"php\d[\d.]*-fpm|postgresql@[\w.-]+|tomcat\d+", unit):
        return "linux"
    if " " in low:  # systemd unit names have no spaces; Windows display names do
        return "windows"
    return None


def object_os(step: Step) -> tuple[str | None, str]:
    """(the OS the step's object implies, the words that say so) or (None, "")."""
    name = str(step.params.get("name") or "")
    if name and step.action.startswith(_NAMED_ACTIONS):
        if name.lower().endswith(".exe"):
            return "windows", f"{name} is a Windows program"
        if step.action.startswith("service."):
            found = _service_os(name)
            if found:
                return found, f"{name} is a {'Windows' if found == 'windows' else 'Linux'} service"
    unit = str(step.params.get("unit") or "")
    if step.action.startswith("logs.") and unit.lower() in EVENT_LOGS:
        return "windows", f"{unit} is a Windows event log"
    if step.action.startswith("logs.") and unit and _service_os(unit) == "linux":
        return "linux", f"{unit}'s journal is on Linux"
    if name and step.action.startswith("package.") and name.lower() in _LINUX_SERVICES | _LINUX_PACKAGES:
        return "linux", f"{name} is a Linux package"
    for key in _PATH_PARAMS:
        value = step.params.get(key)
        if not isinstance(value, str) or not value or "://" in value:
            continue
        if _WIN_PATH.match(value):
            return "windows", f"{value} is a Windows path"
        if value.startswith("/"):
            return "linux", f"{value} is a Linux path"
    return None, ""


_ACCESS_CONFIG = re.compile(r"(?:^|[\\/])(?:sshd_config(?:\.d[\\/]\S+)?|winrm\S*\.(?:xml|config)|"
                            r"hosts\.(?:allow|deny))$", re.I)
_ACCESS_LINES = re.compile(r"^\s*(?:DenyUsers|DenyGroups|AllowUsers|AllowGroups|PasswordAuthentication\s+no|"
                           r"PubkeyAuthentication"
                           r"\s+no|Port\s+\d+|ListenAddress|UsePAM\s+no|AuthorizedKeysFile|ALL\s*:|sshd\s*:)", re.I)


def canonical(step: Step) -> Step:
    """The step with a known Windows service named as Windows names it ("w3svc" -> "W3SVC")."""
    name = step.params.get("name")
    if step.action.startswith("service.") and isinstance(name, str) and name.lower() in CANONICAL_SERVICES \
            and CANONICAL_SERVICES[name.lower()] != name:
        return step.model_copy(update={"params": {**step.params, "name": CANONICAL_SERVICES[name.lower()]}})
    return step


def lockout_reason(step: Step) -> str | None:
    """Why stopping/disabling/killing this step's object (or this edit of the SSH server's configuration) would
    cut Opsplan off from its hosts, or None."""
    if step.action == "config.line" and _ACCESS_CONFIG.search(str(step.params.get("path") or "")) \
            and _ACCESS_LINES.match(str(step.params.get("line") or "")):
        return (f"Refused: that line in {step.params.get('path')} decides who may log in over SSH, and Opsplan "
                "reaches its hosts over SSH; a wrong value cuts the hosts off so no later run could undo it. Change "
                "it from the host's console.")
    if step.action not in _LOCKING_ACTIONS:
        return None
    name = str(step.params.get("name") or "").lower().removesuffix(".service").removesuffix(".exe")
    name = re.sub(r"\s*\([^)]*\)$", "", name)  # "Windows Remote Management (WS-Management)"
    if name in _ACCESS:
        verb = step.action.split(".")[1]
        return (f"Refused: to {verb} {step.params.get('name')} cuts the hosts off from Opsplan (it reaches them over "
                "SSH or WinRM, through their network and firewall), so no later run could undo it. Do it from the "
                "host's console, or restart it instead.")
    return None


def narrow(steps: list[Step], vocab: Vocabulary) -> tuple[list[Step], list[str], list[str]]:
    """(steps with the OS their object implies, questions, interpretation notes)."""
    from app.planner.resolve import _select  # resolve calls this module; imported late to avoid a cycle
    from app.planner.vocabulary import Selection

    out, questions, notes = [], [], []
    for step in steps:
        os_, why = object_os(step)
        t = step.targets
        if os_ is None or t.is_empty():
            out.append(step)
            continue
        if t.os and t.os != os_:
            questions.append(f"{why}, but you asked for {t.os} hosts. Which hosts did you mean?")
            out.append(step)
            continue
        named = frozenset(h for h in (vocab.host(n) for n in t.hosts) if h)
        oses = vocab.select_hosts(Selection(hosts=named)) if named else {}
        wrong = sorted(h for h, o in oses.items() if o != os_)
        if wrong:
            questions.append(f"{why}, and {', '.join(wrong)} {'is a' if len(wrong) == 1 else 'are'} "
                             f"{'Windows' if os_ == 'linux' else 'Linux'} host{'s' if len(wrong) > 1 else ''}. "
                             "Which hosts did you mean?")
            out.append(step)
            continue
        if t.os is None:
            selected, qs = _select(t, vocab, step)
            left = sorted(h for h, o in selected.items() if o != os_) if not qs else []
            if left:
                shown = ", ".join(left[:10]) + (f" and {len(left) - 10} more" if len(left) > 10 else "")
                notes.append(f"{why}: only the {os_} hosts, left out {shown}")
            step = step.model_copy(update={"targets": t.model_copy(update={"os": os_})})
        out.append(step)
    return _same_phrase_same_hosts(out, steps, notes, vocab), questions, notes


def _same_phrase_same_hosts(out: list[Step], given: list[Step], notes: list[str], vocab: Vocabulary) -> list[Step]:
    """Changes that share their target phrase with a step narrowed to one OS are narrowed the same way: "update
    openssl on the staging web servers and afterwards restart nginx" means the nginx servers for both steps. A check
    keeps every host ("ping all staging servers and restart nginx" pings them all)."""
    narrowed = {i: st.targets.os for i, st in enumerate(out) if st.targets.os and not given[i].targets.os}
    if not narrowed:
        return out
    result = list(out)
    for i, step in enumerate(out):
        if i in narrowed or step.targets.os or step.targets.is_empty() or step.action not in vocab.catalog \
                or vocab.catalog[step.action].read_only:
            continue
        oses = {narrowed[j] for j in narrowed if given[j].targets == given[i].targets}
        if len(oses) == 1:
            os_ = oses.pop()
            result[i] = step.model_copy(update={"targets": step.targets.model_copy(update={"os": os_})})
            notes.append(f"{step.action}: the same {os_} hosts as the other steps on those targets")
    return result
