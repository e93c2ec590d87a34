"""Windows administrators say where they saw a thing: "Services console on iis-02 shows World Wide Web Publishing
Service (W3SVC) as Stopped. Start it.", "In Task Scheduler on cis-01 I can't tell who owns what", "Event Viewer on
app-03: Windows Logs > Application is a wall of red errors", "Certificates snap-in is a pain remotely - can you read
...". The tool is where they looked, never an object or a host; what it shows is said plainly ("W3SVC is stopped",
"the Application log").

``plain`` runs inside ``app.planner.normalize`` before Windows display names are held as names ("Task Scheduler" is
also the Schedule service's display name: "restart Task Scheduler on cis-01" is left as written).
"""
from __future__ import annotations

import re

_TOOL = (r"(?:services?\s+(?:console|snap-?in|mmc|panel|manager|window|app)|services\.msc|event\s*viewer|"
         r"eventvwr(?:\.msc)?|"
         r"task\s+manager|taskmgr(?:\.exe)?|task\s+scheduler(?:\s+library)?|taskschd\.msc|programs\s+and\s+features|"
         r"appwiz\.cpl|add\s*/?\s*remove\s+programs|apps\s+(?:&|and)\s+features|certificates?\s+(?:snap-?in|console|mmc|"
         r"manager)|certlm\.msc|certmgr\.msc|device\s+manager|disk\s+management|diskmgmt\.msc|resource\s+monitor|resmon|"
         r"performance\s+monitor|perfmon|server\s+manager|iis\s+manager|inetmgr|computer\s+management|compmgmt\.msc)")
_TOOL_TAIL = r"(?:\s+(?:console|snap-?in|mmc|window|app|tool|gui|ui))?"
_I = re.IGNORECASE

# "in Task Scheduler on cis-01", "via services.msc", "from Event Viewer": where it was looked at
_WHERE = re.compile(r"\b(?:in|from|via|using|through|inside|within|with|per|according\s+to)\s+(?:the\s+)?" + _TOOL
                    + _TOOL_TAIL + r"\b\s*(?:,\s*)?", _I)
# "Services console on iis-02 shows ...", "Task Manager: ..." at the start of a sentence or line
_LEAD = re.compile(r"(?:^|(?<=[.!?\n]))(?P<sp>\s*)(?:the\s+)?" + _TOOL + _TOOL_TAIL + r"\b(?:\s*(?=on\s)|\s*[:–—-]\s*)",
                   _I)
# "Certificates snap-in is a pain remotely -", "Task Manager over RDP is too slow.": a remark about the tool
_REMARK = re.compile(r"(?:^|(?<=[.!?\n]))\s*(?:the\s+)?" + _TOOL + _TOOL_TAIL
                     + r"(?:\s+(?:over|via|in)\s+[\w-]+|\s+on\s+(?P<host>[\w-]+))?\s+(?:is|are|was|keeps)\s+[^.!?\n]*?"
                     r"(?:[.!?]+|\s+[-–—]+\s+|,\s*(?:so|but|and)\s+)", _I)
# "Windows Logs > Application": Event Viewer's tree for the Application log
_EVENT_TREE = re.compile(r"\b(?:windows\s+logs?\s*(?:>|»|->|/|\\|→)\s*)(?P<log>application|system|security|setup)\b"
                         r"(?:\s+log)?", _I)
# "shows W3SVC as Stopped": the state the console shows
_SHOWS_AS = re.compile(r"\b(?:shows?|lists?|has|displays?)\s+(?P<x>(?:the\s+)?[^.,;!?\n]{1,80}?)\s+as\s+"
                       r"(?P<st>stopped|running|disabled|paused|starting|stopping|not\s+running)\b", _I)


def plain(text: str) -> str:
    """``text`` with the GUI tools it names as places taken out and what they show said plainly."""
    if not re.search(r"console|snap|viewer|manager|scheduler|features|programs|monitor|msc|cpl|taskmgr|eventvwr|"
                     r"resmon|perfmon|inetmgr|windows\s+logs", text, _I):
        return text
    out = _EVENT_TREE.sub(lambda m: f"the {m['log'].capitalize()} log", text)
    out = _REMARK.sub(lambda m: f" on {m['host']}: " if m["host"] else " ", out)  # the host it was looked at on stays
    out = _WHERE.sub(" ", out)
    out = _LEAD.sub(lambda m: m["sp"], out)
    return _SHOWS_AS.sub(lambda m: f"{m['x']} is {m['st'].lower()}", out)
