"""Output pasted above the ask: a shell prompt and what the command printed, a `systemctl status`, a `Get-Service`
table, log lines, a stack trace. It shows what the operator saw; read word by word it becomes a step ("web-02:~$ df -h
/var/log" planned a disk check before the cleanup that was asked) or a host. The lines that look like a terminal's or
a log's are dropped when other lines remain to ask something.
"""
from __future__ import annotations

import re

_I = re.IGNORECASE
_OUTPUT = re.compile(
    r"^\s*(?:"
    r"(?:[\w.-]+@)?[\w.-]+:[~/][\w./~-]*\s*[$#]\s"  # ops@web-01:~$ cmd
    r"|\[[\w.-]+@[\w.-]+\s+[^\]]*\][$#]\s"  # [root@db-01 ~]# cmd
    r"|[$#]\s+\S"  # $ curl -sI ...
    r"|PS\s+[A-Z]:\\[^>]*>"  # PS C:\> Get-Service
    r"|[●○•]\s+\S+\.(?:service|socket|timer)\b"  # ● nginx.service - ...
    r"|(?-i:Loaded|Active|Main\s+PID|Tasks|Memory|CGroup|Docs|Log\s+Name|Event\s+ID|Task\s+Category|Keywords|"
    r"Content-Type|Mem|Swap):\s"  # systemctl status, an event's fields (not a ticket's "Description:")
    r"|-{3,}(?:\s+-{3,})*\s*$"  # ------   ----
    r"|\d{4}[/-]\d\d[/-]\d\d[ T]\d\d:\d\d"  # 2024/05/14 10:02:11 [error] ...
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d\d:\d\d:\d\d\s"  # syslog
    r"|\d{1,3}(?:\.\d{1,3}){3}\s+-\s+-\s+\["  # access log
    r"|[\w.-]+\[\d+\]:\s"  # celery-worker[2210]: ...
    r"|Traceback\s+\(most\s+recent|File\s+\"[^\"]+\",\s+line\s+\d|at\s+[\w.$]+\(|Exception\s+in\s+thread|"
    r"[\w.]+(?:Error|Exception):\s"  # stack traces
    r"|HTTP/\d(?:\.\d)?\s+\d{3}\b|Pinging\s+\S+\s+with|Request\s+timed\s+out|Reply\s+from\s"
    r"|[\w-]+:\s+cannot\s+access\s|/dev/\S+\s+\d"
    r")", _I)
# a table row: three cells or more set apart by runs of spaces ("Stopped  Spooler            Print Spooler")
_TABLE = re.compile(r"\S(?: \S+)*\s{2,}\S(?: \S+)*\s{2,}\S")


def _output(line: str) -> bool:
    return bool(_OUTPUT.match(line) or _TABLE.search(line) or re.match(r"^\s+(?:at|File)\s", line))


def without_output(text: str) -> str:
    """``text`` without the lines pasted from a terminal or a log, when at least one other line is left."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    kept, previous = [], False
    for ln in lines:  # an indented line under output continues it (a traceback's source line)
        previous = _output(ln) or (previous and bool(re.match(r"^(?:\s{2,}|\t)\S", ln)))
        if not previous:
            kept.append(ln)
    if len(kept) == len(lines) or not any(len(ln.split()) >= 2 for ln in kept):
        return text
    return "\n".join(kept).strip()
