"""Named defaults: limits, time-outs and TTLs used across the service (settings override some of them)."""
from __future__ import annotations

# --- requests -------------------------------------------------------------------------------------
MAX_REQUEST_CHARS = 2000  # one planning request (API, pages, chat, CLI)
MAX_JSON_DEPTH = 64  # nesting of a JSON request body
MAX_BODY_BYTES = 8 * 1024 * 1024  # one HTTP request body (asset imports are the biggest)

# --- runs ----------------------------------------------------------------------------------------
RUN_TIMEOUT_SECONDS = 3600  # a run is stopped and marked timed_out after this
JOB_TIMEOUT_MARGIN_SECONDS = 300  # the RQ job outlives the run by this much (settling, verification)
JOB_RESULT_TTL_SECONDS = 86400
JOB_FAILURE_TTL_SECONDS = 7 * 86400
CANCEL_POLL_SECONDS = 1.0  # how often a running job asks the database whether it was canceled
REMOTE_COMMAND_POLL_SECONDS = 2  # async poll interval of command.run on the host
EVENT_BATCH_SIZE = 50
EVENT_BATCH_SECONDS = 0.5
EVENT_PAGE_SIZE = 1000  # stored events read per query when a client replays a run's events (it pages on)
ERROR_TEXT_CHARS = 1500  # the error text of a failed run (cut at a line end)
STEP_MESSAGE_CHARS = 2000

# --- worker housekeeping ----------------------------------------------------------------------------
JANITOR_SECONDS = 10.0  # reaper + lost-job pass
LOST_JOB_GRACE_SECONDS = 30.0  # a queued run without its job for this long is enqueued again

# --- redis / queues -------------------------------------------------------------------------------
REDIS_CONNECT_TIMEOUT_SECONDS = 3
REDIS_SOCKET_TIMEOUT_SECONDS = 10
REDIS_HEALTH_CHECK_SECONDS = 15

# --- web ------------------------------------------------------------------------------------------
LOGIN_FAILURES_PER_USER = 5  # failed logins for one user name within the window ...
LOGIN_FAILURES_PER_ADDRESS = 20  # ... or from one address, before further attempts wait
LOGIN_WINDOW_SECONDS = 300
WEB_THREADS = 32  # gunicorn gthread threads per worker process (SSE streams hold one each)
WEB_WORKERS_MAX = 9  # the default worker count (2 x cores + 1) stops here
SSE_KEEPALIVE_SECONDS = 15.0
PAGE_SIZE = 20

# --- planner -------------------------------------------------------------------------------------
LLM_MODEL = "gpt-4o-mini"
LLM_TIMEOUT_SECONDS = 20.0

# --- tokens --------------------------------------------------------------------------------------
TOKEN_DAYS = 90

# --- results (CONTRACT 8) --------------------------------------------------------------------------
RESULT_MAX_BYTES = 64 * 1024  # one step's result on one host, as JSON
