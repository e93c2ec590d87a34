"""What the catalog cannot do, said plainly instead of misread.

"free up disk space", "roll back the last deploy", "what changed since yesterday" ask for things no action
does. Read word by word they would become a neighbouring action (a disk check, a package update): a silent
substitution. Such requests get a question that says what cannot be done and names the closest actions.
The same goes for an "update X" on Windows hosts with no package word and no source, where X is not software
Windows hosts commonly get from a package manager: it is usually an in-house application updated from a file,
so the planner asks instead of picking the package manager.
"""
from __future__ import annotations

import functools
import re

from app.planner.objects import WINDOWS_PACKAGES
from app.planner.vocabulary import Selection, Vocabulary
from compiler.models import Plan, PlanStatus

_I = re.IGNORECASE
# (pattern, what it asks for) - change intents and questions outside the catalog
HISTORY_WHAT = "report change or login history"
DISCUSSED_WHAT = "act on a plan that is only being discussed (say 'do it' as an instruction when it should be done)"
# what no action's phrase may do after all: a question about the past, a plan talked about ("did anyone restart the
# Spooler" holds the words of service.restart's phrase, and asks nothing of it)
SHUTDOWN_WHAT = "shut down or power off a host"
FIRM = frozenset((HISTORY_WHAT, DISCUSSED_WHAT, SHUTDOWN_WHAT))  # "shut down {name}" is a phrase: never of a host
_OUT_OF_CATALOG = (  # (pattern, what it asks for), compiled on first use
        # not a change record's field ("Rollback plan: reinstall telnet", "/ Rollback: disable + stop chronyd")
        (r"\b(?:roll\s*back|rollback|revert|undo)\b(?!\s*(?:plan|procedure|steps?|strategy)?\s*[:=])",
         "roll back or undo a change"),
        (r"\bdid\s+(?:anyone|anybody|someone|somebody|you|we|they|he|she|(?:your|the|our|their)\s+(?:team|guys|folks|people|colleagues))\s+(?:\w+\s+)?(?:restart|reboot|stop|start|remove|"
         r"update|upgrade|install|kill|delete|disable|enable|uninstall|patch|change|touch)\w*\b|\bwhat\s+(?:has\s+)?changed\b|\bwho\s+(?:changed|logged\s+in|did)\b|\bchanges?\s+since\b|\bsince\s+yesterday\b"
         r"|\b(?:last|recent)\s+logins?\b", HISTORY_WHAT),
        (r"(?:\b(?:free\s+up|make\s+room|reclaim|recover)\b|\b(?:clear|clean|make|get|create|find)\s+(?:up\s+|out\s+)?"
         r"(?:some\s+|more\s+)?(?:disk\s+)?(?:space|room)\b)(?![^.]*\bolder\s+than\b)", "free up disk space"),
        (r"\b(?:change|update|set|point|modify|edit|add|delete|remove|fix)\s+(?:the\s+|a\s+|an\s+)?(?:dns|a|aaaa|cname|ptr|mx|txt)"
         r"\s+(?:records?|entry|entries)\b", "change DNS records"),
        (r"\b(?:spin\s+up|provision|stand\s+up|set\s+up|deploy|create|build)\s+(?:a\s+|an\s+|the\s+|new\s+|another\s+)*"
         r"(?:k8s|kubernetes|k3s|docker\s+swarm|swarm)?\s*(?:[\w-]+\s+){0,2}?(?:clusters?|vms?|virtual\s+machines?|instances?|"
         r"nodes?|environments?|servers?|boxes|machines?)\b",
         "create clusters, machines or environments"),
        # "shut down cis-04 for the hardware move", "power off the box": a host, not a service, is what stops
        (r"\b(?:shut\s*down|shutdown|power\s*(?:off|down)|poweroff|halt|turn\s+off)\s+(?:the\s+|this\s+|that\s+)?"
         r"(?:(?:host|server|machine|box|vm|node|computer|workstation|pc)s?\b|[a-z][a-z0-9]*-\d+[a-z]?\b(?!\s+(?:service|svc|"
         r"daemon|process)))", SHUTDOWN_WHAT),
        (r"\brotate\b", "rotate logs, keys or certificates"),
        (r"\b(?:renew|reissue|re-issue)\b", "renew a certificate"),
        (r"\b(?:edit|modify)\b(?![^.]*__q)", "edit a file"),
        (r"\b(?:create|add|provision|set\s+up|make)\s+(?:a\s+|an\s+|the\s+|new\s+)*(?:local\s+|domain\s+)?"
         r"(?:users?|accounts?|groups?|vms?|virtual\s+machines?|databases?|dbs?|swap|disks?|volumes?|partitions?|shares?|"
         r"dns\s+records?|firewall\s+rules?|cron\s*jobs?|scheduled\s+tasks?)\b", "create users, machines or storage"),
        (r"\badd\s+\S+\s+(?:of\s+)?swap\b|\b(?:increase|extend|grow|resize|expand|shrink|enlarge)\b"
         r"|\bmake\s+(?:the\s+|a\s+|its\s+|their\s+)?(?:\S+\s+)?(?:disk|drive|volume|partition|file\s*system|fs|lv|"
         r"__p\d+__)(?:\s+(?!and\b|then\b)\S+){0,3}?\s+(?:bigger|larger|smaller)\b|\bmake\s+(?:bigger|larger|smaller)\s+(?:the\s+)?(?:\S+\s+)?"
         r"(?:disk|drive|volume|partition|file\s*system|__p\d+__)", "resize storage"),
        # "format the E: drive", "wipe /dev/sdb", "repartition disk 1": erases a disk
        (r"(?<!\bthe\s)(?<!\ba\s)(?<!\bthis\s)\b(?:re-?format|format|wipe|re-?partition|partition|initiali[sz]e|zero\s+out)"
         r"\s+(?:of\s+)?(?:the\s+|a\s+|that\s+)?"
         r"(?:(?:new|data|second|old|spare|empty|external)\s+)?(?:disks?|drives?|volumes?|partitions?|luns?|__p\d+__)",
         "format, partition or wipe disks"),
        # "order more RAM for db-03", "we need more CPUs on app-01", "scale up the app tier": capacity, not a step
        (r"\b(?:order|buy|get|need|needs|add|give\s+(?:it|them|\S+))\s+(?:\w+\s+)?(?:more|extra|additional)\s+"
         r"(?:ram|memory|cpus?|vcpus?|cores?|disks?|storage|nodes?|instances?|servers?|capacity)\b"
         r"|\bscale\s+(?:up|down|out|in)\b", "add capacity or scale machines"),
        (r"\b(?:reset|change|set|update)\s+(?:the\s+)?(?:\S+\s+){0,3}?(?:passwords?|passwd)\b", "change a password"),
        (r"(?:^|[,.;]\s*|\b(?:please|pls|can\s+you|could\s+you|to|and|then)\s+)(?:back\s*up|backup|snapshot|restore|clone)\b"
         r"|\b(?:take|make|do|run|create|trigger)\s+(?:a\s+|an\s+|the\s+)?(?:new\s+|full\s+|fresh\s+)?(?:snapshot|backup)s?\b",
         "take backups or snapshots"),
        (r"\b(?:fail\s*over|switch\s*over|promote)\b", "fail a service over"),
        (r"\bscale\s+(?:the\s+)?\S+\s+(?:to|up|down|out|in)\b|\breplicas?\b", "scale a deployment"),
        (r"\b(?:defender|antivirus|anti-virus|av|malware|virus|full|quick)\s+(?:__q\d+__\s+)?scans?\b|__q\d+__\s+scans?\b"
         r"|\bscan\b[^.\n]{0,40}\b(?:virus(?:es)?|malware)\b",
         "run antivirus scans"),
        (r"\b(?:add|create|set\s+up|delete|remove)\s+(?:an?\s+|the\s+)?(?:new\s+)?(?:(?:inbound|outbound|incoming|outgoing)\s+)?"
         r"(?:\S+\s+){0,3}?(?:rules?|exceptions?)\s+(?:on|for|to|allowing|blocking|that)\b", "change firewall rules"),
        # "I'm thinking about removing telnet ... thoughts?", "we're planning to upgrade openssl on Saturday": a plan
        # talked about, not an instruction given
        (r"\b(?:i'?m|i\s+am|we'?re|we\s+are|they'?re|they\s+are)\s+(?:planning|thinking|considering|wondering|debating)\s+"
         r"(?:to|about|of|on|whether)\b|\bthoughts\s*\?|\bwhat\s+would\s+happen\s+if\b|\bwould\s+it\s+be\s+(?:ok|okay|safe|wise|"
         r"a\s+good\s+idea)\s+to\b|\bshould\s+(?:we|i)\s+(?:have\s+)?(?:restart|reboot|stop|start|remove|update|upgrade|install|"
         r"kill|delete|disable|enable|uninstall|patch)\w*\b|\bthe\s+plan\s+(?:for\s+\w+\s+)?is\s+to\b|\bjust\s+(?:fyi|so\s+you\s+know)\b"
         r"|\bheads[\s-]up\b|\b(?:we|i)\s+should\s+(?:prob(?:ably)?\s+|maybe\s+|eventually\s+|really\s+)?(?:turn\s+off|restart|"
         r"reboot|stop|remove|update|upgrade|install|disable|uninstall|patch)\b|\bnext\s+(?:sprint|week|month|quarter|release)\b"
         r"|\b(?:someday|at\s+some\s+point)\b", DISCUSSED_WHAT),
        # "set the start type of Spooler to Manual": Windows' Manual start is neither service.enable nor service.disable
        (r"(?<!\bsomeone\s)(?<!\bsomebody\s)(?<!\bwho\s)(?<!\bis\s)(?<!\bwas\s)(?<!\bbeen\s)(?<!\bthey\s)"
         r"\b(?:set|change|switch|put|make)\s+(?:the\s+)?(?:start(?:up)?[\s-]*(?:type|mode)\s+(?:of\s+)?)?(?:the\s+)?\S+"
         r"(?:\s+service)?(?:'?s?\s+start(?:up)?[\s-]*(?:type|mode))?\s+(?:to\s+|back\s+to\s+)?manual\b"
         r"|\bstart(?:up)?[\s-]*(?:type|mode)\b[^.;?!\n]{0,60}?\b(?:to|->|=>|=|:)\s*(?:manual|demand)\b"
         r"|\b(?:to|set)\s+manual\s+start(?:up)?[\s-]*(?:type|mode)?\b|\bstart=\s*demand\b",
         "set a service's start mode to Manual (service.enable starts it at boot, service.disable disables it)"),
        (r"\bkill\s+(?:every|all|each)\s+(?:the\s+)?(?:running\s+)?process(?:es)?\b(?!\s+(?:named|called|of|matching))",
         "kill every process of a host"),
        (r"\b(?:drain|cordon|uncordon)\b|\b(?:take|pull|remove|put|add)\s+(?:\S+\s+){1,3}?(?:out\s+of|from|into|in|back\s+(?:in|into))\s+"
         r"(?:the\s+)?(?:load\s*balancer|lb|pool|rotation|cluster)\b|\bmaintenance\s+mode\b",
         "change load balancing or maintenance mode"),
        (r"\b(?:open|close|allow|block|whitelist|unblock|deny|reject|drop|filter|forward)\s+(?:up\s+)?(?:the\s+)?"
         r"(?:(?:inbound|outbound|incoming|outgoing|ingress|egress)\s+)?(?:port|tcp|udp|traffic|access|\d{1,5}\b)\b|\b(?:with|using|via|in)\s+(?:ufw|iptables|firewall-cmd|nftables)\b"
         r"|\b(?:ufw|iptables|firewall-cmd)\s+(?:allow|deny|reject|limit|delete|insert|--add\S*|--remove\S*|-[AIDP])(?=\s)"
         r"|\bnetsh\s+advfirewall\b|\b(?:new|set)-netfirewallrule\b"
         r"|\bfirewall\s+rules?\b|\bports?\s+\d{1,5}\s+(?:should|must|needs?\s+to|has\s+to|ought\s+to)\s+(?:be\s+)?"
         r"(?:blocked|closed|opened|open|allowed|filtered|unblocked)\b", "change firewall rules"),
        (r"\b(?:pending|security|windows|os|all\s+the|all)\s+updates\b|\bapply\s+(?:the\s+)?(?:updates|patches)\b"
         r"|\bpatch\s+(?:the\s+|all\s+(?:the\s+)?)?(?:(?!on\b|to\b)[\w-]+\s+){0,2}(?:servers?|hosts?|boxes|machines|os|fleet)\b",
         "install operating-system updates"),
        (r"\b(?:docker|podman|kubectl)\s+logs\b|\bcontainer(?:'?s)?\s+logs\b|\blogs\s+of\s+(?:the\s+)?\S+\s+container\b",
         "read a container's logs"),
        (r"\bapp(?:lication)?\s*pools?\b|\b\w*apppool\w*\b|\biisreset\b|\b(?:start|stop|restart|recycle)-?(?:webapppool|website|webitem)\b"
         r"|\b(?:stop|start|restart|recycle)\s+(?:the\s+)?(?:iis\s+)?(?:web\s*)?site\b",
         "manage IIS sites or application pools"),
        (r"(?<![\w-])du(?:\s+-[a-zA-Z]+)*\s+(?=\S)|\b(?:size|how\s+big|how\s+large)\s+(?:of\s+|is\s+)?(?:the\s+)?"
         r"(?:folder|directory|dir)\b", "measure a directory's total size"),
        (r"\b(?:processes|procs|everything|sessions)\s+(?:of|owned\s+by|belonging\s+to|run\s+by|running\s+as|for)\s+"
         r"(?:the\s+)?user\b|\bkill\s+(?:all\s+)?(?:of\s+)?\S+['’]?s\s+(?:processes|sessions)\b",
         "act on every process of a user"),
        (r"\b(?:clean(?:\s*-?\s*up|\s+out)?|clear(?:\s+out)?|tidy(?:\s+up)?|empty|flush)\b(?!(?:(?!\.\s)[^\n])*\b(?:older\s+than|more\s+than|"
         r"over|at\s+least)\s+\d+\s*(?:days?|d|weeks?|w|months?)\b)(?!(?:(?!\.\s)[^\n])*\b\d+\s*(?:days?|weeks?|months?)\s+old\b)",
         "clean up or clear data without an age (say which directory and how old, e.g. 'delete files older than "
         "30 days "
         "in D:\\Logs')"),
        (r"\b(?:enable|disable|turn\s+on|turn\s+off|install|uninstall|add|remove|activate|deactivate)\s+(?:the\s+)?"
         r"(?:bitlocker|hyper-?v|telnet\s+client|smb\s*v?1|tls\s*1\.[0-3]|ipv6|uac|credential\s+guard|secure\s+boot|"
         r"iis|(?:[\w.-]+\s+)?(?:windows\s+features?|features?|roles?))\b", "change Windows features or OS settings"),
        (r"\badd\s+\d+\s*(?:gb|mb|tb|g|m|t)?\s*(?:of\s+)?(?:ram|memory|cpus?|vcpus?|cores?|disk|storage|space|swap)\b",
         "resize a machine"),
        (r"\bgit\s+(?:pull|clone|checkout|fetch|reset|merge|push|stash)\b|\b(?:npm|yarn|pnpm|composer|bundle)\s+(?:install|"
         r"update|ci|run)\b|\bpip3?\s+install\s+-r\b|\bmake\s+(?:install|build|deploy)\b",
         "run a build or source-control step"),
        (r"\bvacuum\b|\breindex\b|\banaly[sz]e\s+(?:the\s+)?\S+\s+table\b|\bupdate\s+statistics\b",
         "run database maintenance"),
        (r"\bscan\b[^.]*\b(?:ports?|network|subnet|range|\d+\.\d+\.\d+\.\d+/\d+)\b|\bnmap\s+-|\brun\s+(?:an?\s+)?nmap\b",
         "scan networks"),
        (r"\b(?:add|remove|delete|install|uninstall|reinstall)\s+(?:all\s+|the\s+|every\s+)?(?:network\s+)?printers?\b"
         r"|\bprinter\s+drivers?\b", "manage printers"),
        (r"\b(?:change|set|move)\s+(?:the\s+)?(?:ssh|sshd|rdp|winrm)\s+port\b", "change how hosts are reached"),
        (r"\b(?:mount|unmount|umount|remount)\s+(?:the\s+)?(?:\S+\s+)?(?:share|nfs|volume|disk|drive|partition|file\s*system|"
         r"__p\d+__)", "mount or unmount file systems"),
        # "ping mon-01 every 5 min", "schedule a job that ...": a plan runs once, when it is approved
        (r"^(?![^\n]*\b(?:cron\w*|crontabs?|scheduled\s+(?:tasks?|jobs?)|schtasks|timers?)\b)[^\n]*?(?:\bschedule\s+"
         r"(?:a|an|the|this|that|it|them|job|task)\b|\bevery\s+\d+\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|"
         r"days?)\b|\b(?:every|each)\s+(?:night|morning|evening|day|hour|minute|week|weekday|monday|tuesday|wednesday|"
         r"thursday|friday|saturday|sunday)\b)", "run something on a schedule (a plan runs once, when it is approved)"),
        # "email me when web-01's disk hits 90%": a watch, not a one-off action
        (r"\b(?:email|e-mail|mail|text|page|notify|alert|ping|message|slack)\s+(?:me|us|the\s+team)\s+(?:when|if|whenever|"
         r"once|as\s+soon\s+as)\s+(?!(?:it|that|this|the\s+(?:run|job|restart|reboot|update|change|plan))\b)[^.;]*?"
         r"(?:\b(?:hits?|reach(?:es)?|exceeds?|goes|gets|drops?|falls?|fills?|crosses|crash(?:es)?|dies|fails?|stops?|"
         r"is\s+(?:over|above|below|down|full))\b|\d\s*%)"
         r"|\b(?:set\s+up|create|configure|add)\s+(?:an?\s+|some\s+)?(?:alerts?|alerting|monitoring)\b",
         "set up alerts or monitoring"),
        # "give me a root shell on app-01": interactive access is not a plan
        (r"\bgive\s+(?:me|us|\S+)\s+(?:a\s+|an\s+)?(?:(?:root\s+|admin\s+|interactive\s+|remote\s+|ssh\s+|rdp\s+)*"
         r"(?:shell|session|console|login)|(?:root|admin|ssh|rdp|remote|shell|console)\s+access)\b|\bopen\s+(?:a\s+|an\s+)?(?:root\s+|interactive\s+|remote\s+)*"
         r"(?:shell|session|console)\b"
         # "give jdoe sudo", "grant the dev team RDP access", "add bob to the sudoers / local Administrators"
         r"|\b(?:give|grant)\s+(?:\S+\s+){1,3}?(?:sudo|root|admin(?:istrator)?|rdp|ssh|remote|local\s+admin|write|read)"
         r"(?:\s+(?:rights?|access|privileges?|permissions?|login))?\b(?!\s+(?:service|package|process)\b)"
         r"|\b(?:grant|give)\s+(?:\S+\s+){0,3}?(?:access|permissions?|privileges?|rights?)\s+(?:to|on)\b"
         r"|\badd\s+(?:\S+\s+){1,3}?to\s+(?:the\s+)?(?:local\s+)?(?:sudoers?|sudo\s+group|wheel|admins?|administrators|"
         r"remote\s+desktop\s+users|docker\s+group|\S+\s+group)\b", "open an interactive shell or grant access"),
        # "stop the api-gateway container": containers can be listed and restarted, nothing else
        (r"\b(?:stop|start|kill|remove|delete|rm|pause|unpause|destroy)\s+(?:the\s+|all\s+|every\s+)?(?:[\w.-]+\s+)?"
         r"containers?\b", "start, stop or remove containers (I can list containers and restart one)"),
)
_MANAGER_OR_PACKAGE = re.compile(r"\bpackages?\b|\bversion\b|\bchoco|\bwinget\b", _I)


@functools.cache
def _out_of_catalog() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p, _I), what) for p, what in _OUT_OF_CATALOG]


# "if nginx is down on web-01, start it", "restart it if it's hung": a step that runs only when a check says so
_CONDITIONAL = (
        r"(?:^|[.;:!?]\s*|,\s*|\s+(?=(?:and|but)\s+(?:if|when|unless)\b))(?:and\s+|then\s+|but\s+|so\s+)?"
         r"(?:if|when|whenever|unless|in\s+case|only\s+if)\s+"
         r"(?!(?:possible|you\s+can|needed|necessary|required|that'?s|it'?s\s+(?:ok|okay|fine|possible))\b)"
         r"[^.?!]{1,80}?\b(?:is|are|was|isn'?t|aren'?t|has|have|goes|went|gets|seems?|looks?|fails?|crashe[sd]|hangs?|"
         r"died?|falls?|stops|breaks|errors|finishes|completes|ends|comes)"
         r"\b[^.?!]{0,60}?(?:,\s*|\s+then\s+|\s+)(?:please\s+)?(?:restart|start|stop|reboot|kill|bounce|remove|delete|"
         r"clean|install|update|disable|enable|run)\b"
         r"|\b(?:restart|start|stop|reboot|kill|bounce|remove|delete|install|update|disable|enable)\b[^.?!]{1,60}?"
         # not what is asked after it ("... and tell me if it is up", "then check if it's running")
         r"\b(?<!\bme\s)(?<!\bus\s)(?<!\bknow\s)(?<!\bcheck\s)(?<!\bsee\s)(?<!\bverify\s)(?<!\bconfirm\s)"
         r"(?:if|when|unless|in\s+case)\s+(?:(?:it|they|that|this|the\s+\S+|\S+)\s+(?:is|are|was|isn'?t|aren'?t|goes|"
         r"seems|looks|has|fails?|crashe?s|hangs?|dies)\b|not\b|(?:it'?s\s+|they'?re\s+)?(?:down|stopped|dead|hung|stuck|"
         r"frozen|hanging|unresponsive|above|over|higher|using)\b|(?:it'?s|it\s+is|they'?re|they\s+are)\s+\w+ing\b"
         r"|(?:needed|necessary|required|need\s+be)\b)"
         # "... and if it's down restart it": a change that is no no-op when nothing is wrong (a start would be one)
         r"|(?:^|[.;:!?]\s*|,\s*|\s+(?=(?:and|but)\s+(?:if|when)\b))(?:and\s+|but\s+)?(?:if|when|in\s+case)\s+"
         r"(?:it|that|this|they)['’]?(?:s|re)\s+(?:down|dead|hung|stuck|broken|crashed|failing|unhealthy|not\s+\w+)\b"
         r"[^.?!]{0,40}?(?:,\s*|\s+then\s+|\s+)(?:please\s+)?(?:restart|reboot|kill|bounce|remove|delete|reinstall|update)\b"
         r"|\botherwise\s+(?:leave|do\s+nothing|don'?t)\b"
         # "once the backup on db-01 finishes, reboot it": a step that waits for an event
         r"|\b(?:once|after|as\s+soon\s+as|when)\s+(?:the\s+)?[^,.;?!]{1,50}?\s+(?:finishes|completes|is\s+done|ends|is\s+over|"
         r"reports?\s+(?:success|ok|done|green)|succeeds|passes|(?:is|goes|turns)\s+green|(?:are|is)\s+(?:over|done|finished)|"
         r"has\s+finished)(?:\s+(?:on|by|at|in|around)\s+[^,.;?!]{1,25}?)?\s*,?\s*(?:please\s+)?"
         r"(?:restart|reboot|stop|start|kill|remove|update|upgrade|install|uninstall|delete|patch|disable|enable|run)\b"
         # "stop nginx on web-02 after the last batch finishes tonight": the event after the step
         r"|\b(?:restart|reboot|stop|start|kill|remove|update|upgrade|install|disable|enable|run|bounce)\b[^.;?!]{0,80}?\b"
         r"(?:after|once|when|as\s+soon\s+as)\s+(?:the\s+|all\s+|our\s+)?[^,.;?!]{1,50}?\s+(?:finishes|finish|complete|completes|"
         r"reports?\s+(?:success|ok|done|green)|succeeds|passes|(?:is|goes|turns)\s+green|(?:are|is)\s+(?:over|done|finished)|"
         r"is\s+done|are\s+done|ends|is\s+over|has\s+finished|have\s+finished|(?:have\s+|has\s+)?log(?:s|ged)?\s+(?:off|out)|"
         r"drains?|is\s+drained|"
         r"goes\s+quiet)\b")
CONDITIONAL_WHAT = "make a step depend on a condition: ask for the check first, then for the change"


@functools.cache
def _conditional() -> re.Pattern[str]:
    return re.compile(_CONDITIONAL, _I)


# "first thing tomorrow restart Spooler", "in 2 hours, stop W3SVC", "approved for Saturday 03:00: reboot app-03": a plan
# runs when it is approved, not at a time (checked on the request as written, ticket numbers and all)
_LATER = (
       r"^\s*(?:first\s+thing\s+)?(?:tomorrow|tmrw)\b(?:\s+(?:morning|night|evening|afternoon))?(?:\s+at\s+\S+)?\s*[,:]?"
       r"\s*(?=[a-z])|^\s*in\s+(?:\d+|an?|one|two|three|half\s+an)\s+(?:min(?:ute)?s?|hours?|hrs?)\b"
       r"|^\s*(?:on\s+)?(?:next\s+|this\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b[^,:.;]{0,20}[,:]"
       r"|\b(?:approved|scheduled|planned|booked)\s+for\s+(?:tomorrow|next|this\s+\w+day|(?:mon|tues|wednes|thurs|fri|satur|"
       r"sun)day|\d)|(?<!until\s)(?<!till\s)(?<!wait\s)(?<!before\s)\b(?:first\s+thing\s+)?tomorrow(?:\s+(?:morning|night|"
       r"evening|afternoon))?(?:\s+at\s+\S+)?\s*(?:please|pls)?\s*[.!]?\s*$"
       r"|\bin\s+(?:\d+|an?|one|two|half\s+an)\s+(?:min(?:ute)?s?|hours?|hrs?)\s*(?:please|pls)?\s*[.!]?\s*$"
       # "During the next maintenance window (Saturday 22:00) please upgrade ... Not now, only in the window."
       r"|\b(?:during|in|at)\s+the\s+next\s+(?:maintenance\s+|change\s+|patch\s+)?window\b|\bnot\s+now\b"
       # "tonight after 10pm", "at 22:00 tonight", "after 23:00": a clock time still to come today
       r"|\b(?:tonight|tonite|this\s+evening|later\s+today)\s+(?:at|after|from|around|about|by|past|close\s+to)\s+"
       r"\d{1,2}(?::\d{2})?\b"
       # "once the change freeze lifts at 6pm, reboot iis-02": a freeze still on
       r"|\b(?:once|when|after|as\s+soon\s+as)\s+(?:the\s+)?(?:change\s+|code\s+|release\s+)?freeze\s+"
       r"(?:lifts|ends|is\s+(?:lifted|over|done)|finishes)\b"
       r"|\bat\s+\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s+(?:tonight|this\s+evening)\b"
       r"|(?<![\w-])after\s+\d{1,2}(?:(?::\d{2})\s*(?:[ap]\.?m\.?|h)?|\s*[ap]\.?m\.?)(?!\w)(?!\s+(?:yesterday|last\b))")
_CHANGE_NOW = re.compile(r"\b(?:restart|reboot|stop|start|kill|remove|update|upgrade|install|uninstall|disable|enable|"
                         r"run|bounce|patch|delete|clean|clear|recycle|copy|deploy|push)\b", _I)
_NOW = re.compile(r"(?<!\bnot\s)\b(?:now|right\s+away|asap|immediately)\b", _I)
LATER_WHAT = "run a change at a later time (a plan runs when it is approved: ask again when it is due)"


@functools.cache
def _later() -> re.Pattern[str]:
    return re.compile(_LATER, _I)


# "would restarting W3SVC fix the 503s, or is that a bad idea?": advice asked, not an instruction (on the request as
# written: the question after the comma would be read as a remark)
_ADVICE = re.compile(r"\b(?:should|shall)\s+(?:i|we)\s+(?:just\s+|maybe\s+|also\s+)?(?:restart|reboot|stop|start|kill|"
                     r"remove|update|upgrade|install|uninstall|disable|enable|bounce|recycle|give\s+\S+(?:\s+\S+)?\s+a\s+"
                     r"(?:bounce|kick|restart|reboot)|leave\s+it)\b"  # "should I give the spooler a bounce on cis-02?"
                     r"|\b(?:would|will|does|could)\s+it\s+(?:help|make\s+sense|be\s+(?:wise|safe|ok|okay|fine|alright))\s+"
                     r"(?:for\s+(?:me|us)\s+)?(?:if\s+(?:i|we)\s+|to\s+)"
                     # a newcomer asking leave: "would it be okay for me to do that?", "is it ok if I restart X", "am I
                     # allowed to ..."
                     r"|\bis\s+it\s+(?:ok|okay|fine|alright|allowed)\s+(?:for\s+(?:me|us)\s+to|if\s+(?:i|we))\b"
                     r"|\bam\s+i\s+allowed\s+to\b"
                     r"|\bis\s+it\s+(?:worth|wise|safe)\s+(?:to\s+)?(?:restart|reboot|stop|kill|remove|updat|upgrad|bounc)"
                     r"|\b(?:would|will)\s+(?:restarting|rebooting|stopping|starting|killing|removing|updating|upgrading|"
                     r"disabling|enabling|installing|bouncing|recycling|uninstalling)\b|\bis\s+(?:that|it|this)\s+a\s+(?:bad|good|"
                     r"smart|dumb|terrible|safe)\s+idea\b", _I)
ADVICE_WHAT = "decide whether a change is a good idea (say what to do when you have decided)"


# "don't restart it even if it isn't", "dont reboot it, just ping web-03": what is NOT to be done
NEGATED = (r"(?:^|(?<=[,;.:!?])\s*|\bbut\s+|\band\s+)(?:please\s+)?(?:do\s+not|don'?t|dont|never)\s+(?:\w+\s+)??"
           r"(?:restart|reboot|stop|kill|start|remove|delete|bounce|change|install|update|disable|enable|uninstall)"
           r"\b[^,.;:!?—–]*?(?=\s+(?:just|only)\b|\s*[,.;:!?—–]|\s+-\s|\s*$)")


@functools.cache
def _negated() -> re.Pattern[str]:
    return re.compile(NEGATED, _I)


def without_negated(text: str) -> str:
    return _negated().sub(" ", text)


# "see if the Spooler is running on file-01 and start it if it isn't": a check, then a start (a start of a running
# service changes nothing, so both steps are planned, in that order; a restart "if needed" is still asked about)
START_IF_NOT = (r"(?<=\S)\s*,?\s+(?:and\s+|then\s+)?(?:please\s+)?start\s+(?:it|them|that\s+one)\s+"
                r"(?:back\s+)?(?:up\s+)?if\s+(?:not|it\s+isn'?t|it'?s\s+not|it\s+is\s+not|they\s+aren'?t|they'?re\s+not|they\s+are\s+not|"
                r"(?:it'?s\s+|it\s+is\s+|they'?re\s+)?(?:down|stopped|dead))(?:\s+(?:running|up))?(?=\s*[.?!,]|\s*$)")
CHECK_FIRST = re.compile(r"\b(?:see|check|verify|confirm|find\s+out|look)\s+(?:if|whether)\b|\bcheck\b"
                          r"|\bis\s+(?:the\s+)?\S+\s+(?:service\s+)?(?:running|up|started)\b", _I)


@functools.cache
def _start_if_not() -> re.Pattern[str]:
    return re.compile(START_IF_NOT, _I)


def check_then_start(text: str) -> str:
    """``text`` with "... and start it if it isn't" after a check written as "... then start it"."""
    m = _start_if_not().search(text)
    if m is None or not CHECK_FIRST.search(text[:m.start()]):
        return text
    return text[:m.start()] + " then start it" + text[m.end():]


def conditional(text: str) -> str | None:
    """What a request that makes a change depend on a condition asks for (checked on the request as written:
    the rewrites turn "if X is down, start it" into "start X"; what it says not to do is left out), or None."""
    text = check_then_start(without_negated(text))
    if _conditional().search(text):
        return CONDITIONAL_WHAT
    if _ADVICE.search(text):
        return ADVICE_WHAT
    if _later().search(text) and _CHANGE_NOW.search(text) and not _NOW.search(text):
        return LATER_WHAT
    return None


def out_of_catalog(text: str) -> str | None:
    """What the request asks that no action does (for the question), or None."""
    for rx, what in _out_of_catalog():
        if rx.search(text):
            return what
    return None


def out_of_catalog_span(what: str, text: str) -> tuple[int, int] | None:
    """Where in ``text`` the words that ask for ``what`` stand (None when they are not found there)."""
    for rx, said in _out_of_catalog():
        if said == what and (found := rx.search(text)):
            return found.span()
    return None


def ambiguous_update(plan: Plan, text: str, vocab: Vocabulary) -> Plan:
    """A ready package.update on Windows hosts only, asked without a package word: ask which was meant."""
    if plan.status is not PlanStatus.READY or _MANAGER_OR_PACKAGE.search(text):
        return plan
    for step in plan.steps:
        if step.action != "package.update" or not step.hosts \
                or str(step.params.get("name", "")).lower().replace("-", "") in WINDOWS_PACKAGES:
            continue
        oses = vocab.select_hosts(Selection(hosts=frozenset(step.hosts)))  # one indexed query, not one per host
        if oses and all(o == "windows" for o in oses.values()):
            name = step.params.get("name", "it")
            question = (f"Is {name} a Chocolatey package, or an application to update from a file? For an application, "
                        f"say where the new version is, e.g. 'update {name} from \\\\file-01\\releases\\{name}.exe'; "
                        f"for a package, say 'update the {name} package'.")
            return plan.model_copy(update={"status": PlanStatus.NEEDS_CLARIFICATION, "questions": [question],
                                           "hosts": [], "steps": [s.model_copy(update={"hosts": []})
                                                                  for s in plan.steps]})
    return plan
