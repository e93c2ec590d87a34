"""Refusals shared by every planner: catastrophic commands, smuggled payloads, prompt injection, off-topic chat."""
from __future__ import annotations

import functools
import re

_I = re.IGNORECASE

# "delete everything in there older than 30 days", "delete all files older than 7 days in /var/tmp": a cleanup
_NOT_AGED = r"(?![^.;\n]*\bolder\s+than\s+\d+\s*(?:days?|d|weeks?)\b)"
_CATASTROPHIC = (  # (pattern, what it involves), compiled on first use
        (r"\brm\s+(?:-\S+\s+)*-[a-z]*r[a-z]*\s+(?:-\S+\s+)*(?:/|/\*|~/?|\*|/(?:bin|boot|dev|etc|home|lib\w*|opt|proc|root|"
         r"sbin|srv|sys|usr|var)/?)(?=$|[\s\"'*;])", "recursively deleting / or a system directory"),
        (r"\brm\s+(?:-\S+\s+)*-[a-z]*r[a-z]*\s+(?:-\S+\s+)*[\"']?/(?:var/lib|var/opt|srv|data|home|opt|etc|usr|boot|"
         r"root|var/www|var/log|mnt|media)(?:/[^\s\"']+)*/?\*?(?=$|[\s\"'*;])",
         "recursively deleting a data or system directory"),
        (r"\brm\s+(?:-\S+\s+)*-[a-z]*r[a-z]*\s+(?:-\S+\s+)*[\"']?/[\w.-]+/?\*?(?=$|[\s\"';])"
         r"|\bremove-item\b[^\n]*-recurse[^\n]*\b[a-z]:\\[^\\\s\"']+\\?(?:\*)?(?=$|[\s\"'])",
         "recursively deleting a top-level directory"),
        (r"\bremove-item\b[^\n]*-recurse[^\n]*\b[a-z]:\\(?:[^\\\s\"']+\\?){1,2}(?:\*)?(?=$|[\s\"'])"
         r"|\bremove-item\b[^\n]*-recurse[^\n]*\b[a-z]:\\(?:inetpub|programdata|program\s+files[^\\]*|windows|users|data|"
         r"shares?|backups?|sql\w*)\b", "recursively deleting a data or system directory"),
        (r"\b(?:iptables|ip6tables|nft|ufw|firewall-cmd|netsh\s+advfirewall|new-netfirewallrule|set-netfirewallprofile)\b[^\n]*"
         r"(?:-j\s+(?:drop|reject)\b|-p\s+input\s+drop\b|\bdeny\b|\breject\b|-action\s+block\b|\bstate\s+off\b|"
         r"--remove-service\b|\bdefault\s+deny\b)", "firewall rules that can cut the hosts off"),
        (r"\bdocker\s+(?:system|volume)\s+prune\b[^\n]*(?:--volumes|\s-a)|\bdocker\s+volume\s+rm\b|\bpodman\s+system\s+reset\b",
         "deleting container data"),
        (r"\bpg_dropcluster\b|\bdropuser\b|\bdropDatabase\b|\bdrop\s+user\b", "dropping a database or its users"),
        (r"\bkill\s+(?:-\S+\s+)*-1\b|\bkillall5\b|\bpkill\s+(?:-\S+\s+)*-u\s+root\b",
         "killing every process on a host"),
        (r"\breg(?:\.exe)?\s+delete\s+[\"']?HK(?:LM|EY_LOCAL_MACHINE)\\(?:SYSTEM|SOFTWARE|SAM|SECURITY)\b"
         r"|\bremove-item\s+(?:-path\s+)?[\"']?HKLM:\\?(?:SYSTEM|SOFTWARE)\b", "deleting system registry keys"),
        (r"\b(?:invoke-webrequest|iwr|invoke-restmethod|irm|curl|wget|downloadstring)\b[^\n]*\|\s*(?:sudo\s+)?"
         r"(?:invoke-expression|iex|sh|bash|zsh|python3?|perl|pwsh|powershell)\b|\biex\s*\(|\binvoke-expression\b",
         "running code downloaded from the network"),
        (r"\b[a-z]:\\(?:windows|program\s*files|users|programdata)\b[^\n|]*\|\s*(?:remove-item|rm|del|ri)\b",
         "recursively deleting a Windows system directory"),
        (r"\b(?:userdel|deluser)\b|\bremove-localuser\b|\bnet\s+user\s+\S+\s+/del(?:ete)?\b", "deleting user accounts"),
        (r"\bwevtutil(?:\.exe)?\s+(?:cl|clear-log)\b|\bclear-eventlog\b|\bremove-eventlog\b", "clearing event logs"),
        (r"\b(?:format-volume|initialize-disk|clear-disk|remove-partition|format-disk)\b", "formatting a disk"),
        (r"\bstop-computer\b|\binit\s+0\b|\bsystemctl\s+(?:poweroff|halt)\b"
         r"|\bshutdown(?:\.exe)?\s+(?:[-/]\S+\s+)*[-/](?:h|p|s|P)\b"
         r"|\b(?:poweroff|halt)\b(?:\s+-{1,2}[a-z-]+)*(?=\s*[\"']?\s*(?:$|on\b))",
         "powering hosts off"),
        (r"\b(?:chmod|chown|chgrp|icacls|takeown)\s+(?:\S+\s+)*?(?:-R|--recursive|/t|/r)\b[^\"'\n]*\s[\"']?(?:/|/(?:etc|usr|var|"
         r"bin|sbin|lib\w*|boot|home|root|opt|srv)/?|[a-z]:\\(?:windows|program files[^\\]*|users)?\\?)(?=$|[\s\"'])",
         "recursively changing ownership or permissions of a system directory"),
        (r"\b(?:rd|rmdir)\s+(?:/[sq]\s+)+[\"']?[a-z]:\\(?:windows|program files|users|programdata)?",
         "recursively deleting a Windows system directory"),
        (r"\bremove-item\b[^\n]*\b[a-z]:\\(?:windows|program files|users|programdata)\b",
         "recursively deleting a Windows system directory"),
        (r"\bdelete\s+from\s+[\w.\"]+\s*;?\s*[\"']?\s*(?:$|on\b)", "deleting every row of a table"),
        (r"\bmkfs\b|\bmkfs\.\w+|\bmke2fs\b|\bnewfs\b", "creating a file system (formats a disk)"),
        (r"\bdd\b[^\n]*\bof=/dev/", "writing raw data to a disk with dd"),
        (r">\s*/dev/(?:sd|hd|nvme|xvd|vd|disk)", "overwriting a disk device"),
        (r"\bformat(?:-volume)?\s+(?:the\s+)?(?:[a-z]:|disks?\b|drives?\b|volumes?\b|partitions?\b)",
         "formatting a disk"),
        (r"\b(?:wipe|wiping|shred)\b|\b(?:nuke|zap)\b(?![^.;\n]*\b(?:process(?:es)?|older\s+than)\b)", "wiping data"),
        (r"\bfind\s+[\"']?(?:/|/(?:etc|usr|var|bin|sbin|lib\w*|boot|home|root|opt|srv|data)/?)[\"']?\s[^\n]*?"
         r"(?:-delete\b|-exec\s+rm\b)", "deleting files across / or a system directory"),
        (r"\b(?:fdisk|sfdisk|parted|diskpart|clear-disk|wipefs)\b", "repartitioning or clearing disks"),
        (r"\bdrop\s+(?:database|table|schema|keyspace|collection)\b|\btruncate\s+(?:table\s+)?(?!-)[A-Za-z_\"][\w.\"]*"
         r"|\bdropdb\b|\bflushall\b",
         "dropping a database or table"),
        (r"\b(?:delete|remove|erase|destroy)\s+(?:all|every|each)\b[^,.]*\b(?:files?|data|database|databases|disks?|"
         r"everything|directories|folders|users?|vms?|servers?|hosts?|backups?)\b(?<!files)(?<!file)(?<!everything)|"
         r"\b(?:delete|remove|erase|destroy)\s+(?:all|every|each)\b[^,.]*\b(?:files?|everything)\b" + _NOT_AGED
         + r"|\b(?:delete|erase|destroy)\s+everything\b" + _NOT_AGED,
         "deleting data wholesale"),
        (r"\b(?:shut\s*down|shutdown|power\s*off|poweroff|halt|turn\s+off)\s+(?:all|every|everything|the\s+(?:whole|entire)|"
         r"-h\b|/s\b|now\b)", "shutting down the fleet"),
        (r":\(\)\s*\{", "a fork bomb"),
        (r"/proc/sysrq-trigger|\bsysrq\b", "crashing or halting the kernel"),
        (r"\bvssadmin\s+delete\s+shadows\b|\bwmic\s+shadowcopy\s+delete\b|\bwbadmin\s+delete\s+(?:catalog|systemstatebackup|backup)\b"
         r"|\bbcdedit\s+/set\s+\S+\s+recoveryenabled\s+no\b", "deleting backups or shadow copies"),
        (r"\btruncate\s+(?:-\S+\s+)*-s\s*0\s+\S*/(?:var/lib|etc|boot|usr|data|srv|opt)/|(?<![<>])>\s*/(?:var/lib|etc|boot)/\S+",
         "emptying a data or system file"),
        (r"\bchmod\s+(?:-\S+\s+)*[0-7]{3,4}\s+/(?=\s|$)|\bchown\s+-R\s+\S+\s+/(?=\s|$)", "changing permissions of /"),
        (r"\bremove-item\b[^\n]*-recurse[^\n]*\b[a-z]:\\?(?:\s|$|[\"'])|\b(?:del|erase)\s+/[sfq]\b|\brd\s+/s\b|\brmdir\s+/s\b",
         "recursively deleting a Windows drive"),
        (r"\b(?:drop|delete)\s+(?:the\s+)?(?:prod(?:uction)?\s+)?(?:database|db)\b"
         r"|\b(?:drop|truncate)\s+(?:the\s+)?\S+\s+(?:table|database|schema|db)\b", "dropping a database or table"),
)

INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|your|my|of|these|those)\s+){0,3}(?:previous|prior|"
    r"above|earlier|preceding|system|safety|security)?\s*(?:instructions?|prompts?|rules|guidelines|directions|constraints|"
    r"restrictions|policies|guardrails)\b"
    r"|\byou\s+are\s+now\b|\byou\s+are\s+(?:an?\s+)?(?:admin|root|administrator)\b|\bgive\s+yourself\b|\bsystem\s+prompt\b|\bdeveloper\s+mode\b|\bjailbreak\b|\bDAN\s+mode\b"
    r"|\bnew\s+instructions?\s*:|\bact\s+as\s+(?:an?\s+)?(?:unrestricted|different|root)\b|\bpretend\s+(?:to\s+be|you\s+are)\b"
    r"|\bbegin\s+system\b|<\|?(?:system|im_start)\|?>"
    # attempts to switch the product's own controls off from inside a request
    r"|\bsystem\s+(?:override|message|notice)\s*:|\b(?:admin|root|operator)\s+override\b"
    r"|\bapprovals?\s+(?:are|is)\s+(?:now\s+)?(?:off|disabled|not\s+(?:needed|required))\b"
    r"|\b(?:skip|bypass|disable|turn\s+off|without)\s+(?:the\s+|any\s+)?(?:approvals?|four[-\s]eyes|review|preview|"
    r"safety\s+checks?|guardrails?)\b"
    r"|\bauto-?approve[ds]?\b|\bno\s+(?:review|approval|preview|sign-?off)\b|\bdon'?t\s+wait\s+(?:for|on)\s+(?:the\s+)?"
    r"(?:approval|approver|review|reviewer|sign-?off|preview)|\b(?:set|mark|change|lower)\s+(?:the\s+)?risk\s+(?:level\s+)?"
    r"(?:to|as)\b|\bas\s+the\s+(?:planner|assistant|ai|system)\b|\b(?:reviewer|approver|manager|boss|lead)\s+(?:already\s+)?"
    r"(?:said|says|gave|approved)\s+(?:ok|okay|yes|fine|go|it|the\s+go)"
    r"|\bmark\s+(?:it|this|that)\s+(?:plan\s+|request\s+|change\s+|one\s+)?(?:as\s+)?(?:approved|reviewed|safe|low)\b"
    r"|\bno\s+need\s+(?:to\s+)?(?:wait\s+)?(?:for\s+)?(?:an?\s+|the\s+)?(?:approval|review|sign-?off|preview)\b"
    r"|\bapprovals?\s+(?:already\s+|has\s+been\s+|was\s+|is\s+)?(?:granted|given|done|obtained)\b|\bpre-?approved\b"
    r"|</?\s*(?:request|system|user|assistant|instructions?|prompt)\s*>|[\"'](?:status|approved|risk|read_only|approval)[\"']\s*:"
    r"|^\s*(?:system|assistant|developer|admin)\s*:|\bpre-?approv\w*|\bdon'?t\s+ask\b"
    r"|\bapproved\s+(?:already\s+)?(?:in|on|via|over|by)\s+(?:slack|teams|chat|e-?mail|the\s+call|phone)\b"
    r"|\bnote\s+to\s+(?:the\s+)?(?:planner|assistant|ai|bot|system)\b|\bmark\s+(?:this|it)\s+(?:as\s+)?(?:read-?only|low\s+risk|safe)"
    r"|\bas\s+the\s+(?:approver|admin|administrator|reviewer)\b|\bwithout\s+(?:asking|approval|confirmation|a\s+review)\b",
    _I,
)

# Shell metacharacters and template markers that must never appear outside an explicitly quoted command.
SMUGGLED = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\$\(|\$\{|`|;|\||&&|\r|\n|\x00")

OFF_TOPIC = re.compile(
    r"\b(?:poem|poems|haiku|limerick|sonnet|joke|jokes|riddle|story|stories|song|lyrics|recipe|weather|forecast|"
    r"horoscope|capital\s+of|translate|essay|homework|movie|movies|football|soccer|bitcoin\s+price|stock\s+price|"
    r"meaning\s+of\s+life|who\s+won|how\s+are\s+you|girlfriend|boyfriend|date\s+ideas)\b"
    # arithmetic and unit conversions: "what's 17 times 23", "12*7", "convert 5 miles to km"
    r"|^\W*(?:(?:what|whats|what's|what\s+is|how\s+much\s+is|calculate|compute)\s+)?-?\d+(?:\.\d+)?\s*"
    r"(?:[-+*/x×÷^]|times|plus|minus|divided\s+by|multiplied\s+by|to\s+the\s+power\s+of|squared|percent\s+of)\s*-?\d*"
    r"(?:\.\d+)?\W*$|\bconvert\s+\d+(?:\.\d+)?\s*(?:miles?|km|kilometers?|pounds?|kg|celsius|fahrenheit|inches?|feet|"
    r"dollars?|euros?)\b",
    _I,
)


SECRETS = re.compile(
    r"\b(?:print|show|reveal|dump|display|give|tell|read|decrypt|export|cat|list|get|fetch|send|email|paste|need|want|"
    r"grab|extract|what\s+is|"
    r"whats|what's)\b[^.?!]{0,40}\b(?:\w+_)?(?:passwords?|passwd|passphrases?|secrets?|private\s+keys?|ssh\s+keys?|"
    r"api\s+keys?|api_?keys?|tokens?|credentials?|creds|secret\s+key)\b"
    # searching a config file or the environment for one ("grep -i password app.yml"); a log's failed logins are fine
    r"|\b(?:grep|search|findstr|select-string|sls|look\s+for|find)\b(?![^.?!\n]*\b(?:journal\w*|logs?|failed|invalid|"
    r"wrong|incorrect|expir\w*)\b|[^.?!\n]*\.log\b)[^.?!]{0,40}\b(?:\w+_)?(?:passwords?|passwd|secrets?|api_?keys?|"
    r"tokens?|credentials?|creds)\b", _I)


# Files that hold password hashes or keys: reading or copying them out is exfiltration (stat-ing them is not)
SECRET_FILES = re.compile(r"(?:^|[\\/])(?:g?shadow-?|sudoers|master\.passwd|id_(?:rsa|dsa|ecdsa|ed25519)|\.env|\.netrc|"
                          r"\.pgpass|\.my\.cnf|\.git-credentials|\.htpasswd)$|[\\/]\.aws[\\/]credentials$|"
                          r"[\\/]config[\\/](?:SAM|SECURITY)$|[\\/]\.ssh[\\/](?!known_hosts$|config$)[^\\/]+$", _I)
_READS = {"logs.tail": ("path",), "logs.search": ("path",), "file.copy": ("src",), "command.run": ("command",)}
_READ_COMMAND = re.compile(r"\b(?:cat|less|more|head|tail|type|get-content|gc|strings|xxd|base64|cp|scp|curl|nc)\b"
                           r"[^|;&]*?(?P<f>\S*(?:shadow|sudoers|id_(?:rsa|dsa|ecdsa|ed25519)|\.pgpass|\.netrc|\.env)\b\S*)",
                           _I)


def secret_file_reason(action: str, params: dict) -> str | None:
    """A step that reads or copies out a file of password hashes or keys (or None)."""
    for key in _READS.get(action, ()):
        value = str(params.get(key) or "")
        found = _READ_COMMAND.search(value) if action == "command.run" else None
        path = found.group("f") if found is not None else value
        if path and SECRET_FILES.search(path.strip("'\"")):
            return (f"Refused: {path} holds password hashes or keys; Opsplan never reads or copies it out "
                    "(checking that it exists, its owner or size is fine).")
    return None


_SECRET_READ = re.compile(r"\b(?:read|show|cat|dump|print|paste|display|send|give|contents?\s+of|what'?s\s+in)\b"
                          r"[^.?!]{0,40}(?:/etc/g?shadow|/etc/sudoers|\.ssh[\\/]id_\w+|\.pgpass|\.netrc|"
                          r"\.aws[\\/]credentials)", _I)


def secret_read_reason(text: str) -> str | None:
    """Reading out a file of password hashes or keys ("show me what's in /etc/shadow")."""
    if _SECRET_READ.search(text):
        return ("Refused: that file holds password hashes or keys; Opsplan never reads or copies it out (checking "
                "that it exists, its owner or size is fine).")
    return None


def secrets_reason(text: str) -> str | None:
    if SECRETS.search(text):
        return ("Refused: Opsplan never shows stored passwords, keys or tokens; they are encrypted and only the "
                "worker uses them to connect. Ask an admin to rotate a credential if it is needed elsewhere.")
    return None


# A password or key typed into the request ("his password is Summer2024!", "login is admin / Vx!2024pass"): the words
# of a secret, then a value that looks like one (a digit or a sign in six characters or more, not "expired")
_PASTED_SECRET = re.compile(
    r"\b(?:[A-Za-z0-9]+[_.-])*(?:passwords?|passwd|passwort|pw|pwd|passphrase|pass|login|logon|creds|credentials?|"
    r"api[\s_-]?key|token|secret)\s*(?:is|was|=|:)\s*[\"'`]?(?P<v>[^\s\"'`,;]+)[\"'`]?(?:\s*/\s*[\"'`]?(?P<v2>[^\s\"'`,;]+))?"
    # "log in as ops with password Summer2024!", "using the pw Xy!9876"
    r"|\b(?:with|using|use|via)\s+(?:the\s+|his\s+|her\s+|my\s+|their\s+)?(?:password|passwd|pw|pwd|passphrase)\s+"
    r"[\"'`]?(?P<v3>[^\s\"'`,;]+)"
    # on a command line: "mysql -u root -pS3cretPass!", "--password=X", "PGPASSWORD=X psql ..."
    r"|\bmysql\w*\b[^\n`\"']*?\s-p(?P<v4>[^\s\"'`]+)|--password[=\s]+[\"']?(?P<v5>[^\s\"'`]+)", _I)


def _secret_like(value: str | None) -> bool:
    value = (value or "").rstrip(".!?")
    return len(value) >= 6 and any(c.isdigit() for c in value) and any(c.isalpha() for c in value) \
        or len(value) >= 6 and any(not c.isalnum() for c in value.strip("-_.")) and any(c.isalpha() for c in value)


def pasted_secret_reason(text: str) -> str | None:
    """A password or key written into the request itself."""
    for m in _PASTED_SECRET.finditer(text):
        value = m["v"] or m["v3"] or m["v4"] or m["v5"]
        if _secret_like(m["v2"]) or (m["v2"] is None and _secret_like(value) and value.lower() not in _NOT_SECRETS):
            return ("Refused: a password or key was typed into the request; Opsplan never takes secrets in a request "
                    "(an admin stores credentials, encrypted). Consider that secret exposed: have it changed.")
    return None


_NOT_SECRETS = frozenset(("expired", "locked", "incorrect", "required"))


# Commands that cut a host off from Opsplan (it reaches hosts over SSH or WinRM, through their network and firewall)
LOCKOUT_COMMANDS = re.compile(
    r"\biptables\s+(?:-t\s+\w+\s+)?-P\s+INPUT\s+(?:DROP|REJECT)\b|\bufw\s+(?:default\s+deny(?:\s+incoming)?|deny\s+"
    r"(?:in\s+)?(?:22|ssh|5985|5986)\b)|\b(?:ifdown|ifconfig\s+\S+\s+down)\b|\bip\s+link\s+set\s+\S+\s+down\b"
    r"|\bnmcli\s+(?:networking\s+off|con(?:nection)?\s+down|dev(?:ice)?\s+disconnect)\b"
    r"|\bsystemctl\s+(?:stop|disable|mask|kill)\s+(?:--now\s+)?(?:sshd?|networking|network|NetworkManager|"
    r"systemd-networkd)(?:\.service)?\b|\b(?:kill(?:all)?|pkill)\s+(?:-\S+\s+)*sshd\b"
    r"|\b(?:stop-service|net\s+stop|sc(?:\.exe)?\s+(?:stop|config))\s+(?:-name\s+)?[\"']?(?:winrm|mpssvc|lanmanserver)\b"
    r"|\bset-service\s+(?:-name\s+)?[\"']?(?:winrm|mpssvc|sshd)[\"']?\s+(?:-\S+\s+)*-startuptype\s+disabled\b"
    r"|\biptables\s+(?:-t\s+\w+\s+)?(?:-F|--flush)\b|\bnft\s+flush\s+ruleset\b"
    r"|\bdisable-netadapter\b|\bnetsh\s+(?:advfirewall\s+set\s+\w+\s+firewallpolicy\s+blockinbound|interface\s+set\s+"
    r"interface\s+.*disabled?)|\bdisable-psremoting\b", _I)


@functools.cache
def _catastrophic() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p, _I), why) for p, why in _CATASTROPHIC]


def catastrophic_reason(text: str) -> str | None:
    for rx, why in _catastrophic():
        if rx.search(text):
            return f"Refused: the request involves {why}, which Opsplan never does."
    if LOCKOUT_COMMANDS.search(text):
        return ("Refused: that command cuts the hosts off from Opsplan (it reaches them over SSH or WinRM, through "
                "their network and firewall), so no later run could undo it. Do it from the host's console.")
    return None


def injection_reason(text: str) -> str | None:
    if INJECTION.search(text):
        return "Refused: the request contains instructions aimed at the planner itself (prompt injection)."
    return None


# "; " between two plain-language clauses is punctuation; before a shell word it chains a command
_SHELL_WORDS = ("rm", "curl", "wget", "bash", "sh", "zsh", "nc", "ncat", "chmod", "chown", "dd", "mkfs", "python",
                "python3", "perl", "ruby", "php", "echo", "cat", "kill", "pkill", "killall", "reboot", "shutdown",
                "halt",
                "poweroff", "sudo", "su", "eval", "exec", "mv", "cp", "tee", "powershell", "pwsh", "cmd", "iex",
                "invoke-expression", "invoke-webrequest", "iwr", "certutil", "bitsadmin", "scp", "ssh", "systemctl",
                "service", "crontab", "useradd", "usermod", "passwd", "id", "whoami", "uname", "env", "export", "set")
_SENTENCE_SEMICOLON = re.compile(r";\s+(?!(?:" + "|".join(_SHELL_WORDS) + r")\b)(?=[A-Za-z])", _I)


def smuggled_reason(text: str) -> str | None:
    m = SMUGGLED.search(_SENTENCE_SEMICOLON.sub(". ", text))
    if m:
        shown = {"\r": "a carriage return", "\n": "a newline", "\x00": "a NUL byte"}.get(m.group(0), repr(m.group(0)))
        return (f"Refused: {shown} is a shell metacharacter or template marker; names, paths and targets may not "
                "contain them (put a real command in quotes after 'run').")
    return None


def off_topic_reason(text: str) -> str | None:
    if OFF_TOPIC.search(text):
        return ("Refused: that is not an operations request. I can plan actions on the fleet, e.g. "
                "'restart nginx on the staging web servers'.")
    return None


def check_value(value: str, *, command: bool = False) -> str | None:
    """Reason to refuse one value coming from a plan (param or target name), or None."""
    if command:
        return catastrophic_reason(value)
    return smuggled_reason(value) or catastrophic_reason(value)


# What each refusal refuses: (words of its reason, kind, risk of what was asked, whether it was read-only).
_KINDS = (
    ("the request involves", "destructive", "critical", False),
    ("rebooting the entire fleet", "fleet_wide", "critical", False),
    ("cuts the hosts off", "lockout", "high", False),
    ("prompt injection", "injection", "high", False),
    ("shell metacharacter", "smuggled", "high", False),
    ("never shows stored", "secrets", "high", True),
    ("never takes secrets", "secrets", "high", False),
    ("deleting files is not", "not_in_catalog", "high", False),
    ("is not an action in the catalog", "not_in_catalog", "medium", False),
    ("not an operations request", "off_topic", "low", True),
    ("too long", "too_long", "low", True),
)


def refusal_kind(reason: str) -> tuple[str, str, bool]:
    """(kind, risk, read_only) of what a refusal refused, from its reason; unknown reasons are taken as changes."""
    for words, kind, risk, read_only in _KINDS:
        if words in reason:
            return kind, risk, read_only
    return "refused", "high", False
