"""The service's Prometheus instruments, and one typed call per thing worth counting.

Values are recorded in the process where things happen (each API worker; later the job
worker). With ``PROMETHEUS_MULTIPROC_DIR`` set before prometheus-client is first imported,
each process keeps its values in files there and ``GET /metrics`` sums every process's files
(``foryou_crm.metrics``; prometheus-client's "Multiprocess Mode" documentation). Two rules keep
that sound here:

- **Every instrument has labels.** prometheus-client writes a value file only when a labelled
  child is first used, so importing this module writes nothing, and ``foryou-crm serve`` can
  wipe the directory after its imports. (A process reopening a stale file with its own pid —
  containers start with the same pids every time — would otherwise count on from last run.)
- **No gauges.** Levels (leads mirrored, sync lag, queue depth) are read from the database at
  scrape time by the process answering the scrape, so no gauge needs a ``multiprocess_mode``
  and a dead worker leaves no stale level behind.

Every label value comes from a closed set (the ``Literal`` types below): never a raw path, an
id, an e-mail or a token, so the number of series stays bounded whatever the traffic."""

from __future__ import annotations

import re
from typing import Final, Literal

from prometheus_client import Counter, Histogram

AmoEndpoint = Literal[
    "token",
    "account",
    "leads",
    "pipelines",
    "contacts",
    "companies",
    "custom_fields",
    "notes",
    "tasks",
    "events",
    "users",
    "current_user",
    "webhooks",
    "other",
]
AmoOutcome = Literal["2xx", "3xx", "401", "403", "429", "4xx", "5xx", "timeout", "unreachable"]
RateBudgetKind = Literal["memory", "redis"]
TokenRefreshOutcome = Literal["refreshed", "refused", "misconfigured", "unavailable", "failed"]
SyncPhase = Literal["full", "incremental", "refetch"]
SyncOutcome = Literal[
    "ok",  # finished; the mirror is in step
    "stopped",  # the worker is stopping: the phase saved its place and continues in a new job
    "fenced",  # another job claimed the connection meanwhile; this one's writes were refused
    "gone",  # the connection was deleted while it ran
    "blocked",  # amoCRM answered 403 (API blocked for the account, or no rights)
    "rate_limited",  # amoCRM kept answering 429
    "reconnect",  # amoCRM refused the connection's tokens: the agent must connect again
    "unpaid",  # 402: the account is not paid
    "unavailable",  # amoCRM unreachable, timing out or answering 5xx
    "amocrm_error",  # any other answer amoCRM should not have given
    "error",  # our side failed (database, a bug)
]
# Why one item of a background job was left out (the job went on with the others).
RejectedReason = Literal["malformed", "refused"]
HTTP_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUEST_SECONDS: Final = Histogram(
    "foryou_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
AMOCRM_REQUESTS: Final = Counter(
    "foryou_amocrm_requests",
    "Requests sent to amoCRM, by endpoint and outcome (status class, or timeout/unreachable).",
    ["endpoint", "outcome"],
)
AMOCRM_REQUEST_SECONDS: Final = Histogram(
    "foryou_amocrm_request_duration_seconds",
    "Time amoCRM took to answer, by endpoint (the wait for the rate budget not included).",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
RATE_BUDGET_WAIT_SECONDS: Final = Histogram(
    "foryou_amocrm_rate_budget_wait_seconds",
    "Time a request to amoCRM waited for its account's rate budget, by where the budget is kept.",
    ["budget"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
TOKEN_REFRESHES: Final = Counter(
    "foryou_amocrm_token_refreshes",
    "amoCRM token refreshes, by outcome.",
    ["outcome"],
)
SYNC_PHASE_SECONDS: Final = Histogram(
    "foryou_sync_phase_duration_seconds",
    "Leads sync phases finished, by phase and outcome (the _count is the number finished).",
    ["phase", "outcome"],
    buckets=(1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0),
)
SYNC_ITEMS_REJECTED: Final = Counter(
    "foryou_sync_items_rejected",
    "Leads a sync phase left out, each logged: amoCRM answered it malformed, or refused "
    "that one lead (a 4xx naming it); the job went on with the others.",
    ["phase", "reason"],
)

# amoCRM's API paths, whatever the base URL (an account host, or the sandbox's /accounts/<host>).
# Longest alternatives first: /leads/pipelines is not /leads.
_AMOCRM_PATHS: Final = re.compile(
    r"/(oauth2/access_token|api/v4/account|api/v4/leads/pipelines|api/v4/leads/custom_fields|"
    r"api/v4/leads/notes|api/v4/leads/\d+/notes|api/v4/leads|api/v4/contacts|api/v4/companies|"
    r"api/v4/tasks|api/v4/events|api/v4/users|api/v4/webhooks|v3/user)(?:/|$)"
)
_ENDPOINT_OF: Final[dict[str, AmoEndpoint]] = {
    "oauth2/access_token": "token",
    "api/v4/account": "account",
    "api/v4/leads/pipelines": "pipelines",
    "api/v4/leads/custom_fields": "custom_fields",
    "api/v4/leads/notes": "notes",
    "api/v4/leads": "leads",
    "api/v4/contacts": "contacts",
    "api/v4/companies": "companies",
    "api/v4/tasks": "tasks",
    "api/v4/events": "events",
    "api/v4/users": "users",
    "api/v4/webhooks": "webhooks",
    "v3/user": "current_user",
}


def amocrm_endpoint(path: str) -> AmoEndpoint:
    """The endpoint a request path to amoCRM names (a lead by id counts as ``leads``)."""
    found = _AMOCRM_PATHS.search(path)
    if not found:
        return "other"
    name = found.group(1)
    return "notes" if name.endswith("/notes") else _ENDPOINT_OF[name]


_SINGLED_OUT: Final[dict[int, AmoOutcome]] = {401: "401", 403: "403", 429: "429"}


def amocrm_outcome(status: int) -> AmoOutcome:
    """The status classes, with the three statuses an operator acts on singled out: 401
    (tokens refused), 403 (blocked or no rights), 429 (too fast)."""
    if status in _SINGLED_OUT:
        return _SINGLED_OUT[status]
    if status >= 500:
        return "5xx"
    if status >= 400:
        return "4xx"
    return "3xx" if status >= 300 else "2xx"


def amocrm_call_finished(endpoint: AmoEndpoint, outcome: AmoOutcome, seconds: float) -> None:
    AMOCRM_REQUESTS.labels(endpoint, outcome).inc()
    if outcome not in ("timeout", "unreachable"):
        AMOCRM_REQUEST_SECONDS.labels(endpoint).observe(seconds)


def rate_budget_waited(budget: RateBudgetKind, seconds: float) -> None:
    RATE_BUDGET_WAIT_SECONDS.labels(budget).observe(seconds)


def token_refresh_finished(outcome: TokenRefreshOutcome) -> None:
    TOKEN_REFRESHES.labels(outcome).inc()


def sync_phase_finished(phase: SyncPhase, outcome: SyncOutcome, seconds: float) -> None:
    """A sync phase of one connection ended. Called once per phase run by whatever runs it
    (``leads/sync/run.py`` for full and incremental passes, ``refetch.py`` for re-fetches)."""
    SYNC_PHASE_SECONDS.labels(phase, outcome).observe(seconds)


def sync_item_rejected(phase: SyncPhase, reason: RejectedReason) -> None:
    SYNC_ITEMS_REJECTED.labels(phase, reason).inc()


def http_request_finished(method: str, route: str, status: int, seconds: float) -> None:
    """``route`` is the matched route's template (``/api/admin/users/{user_id}``), never the
    path a client sent; methods outside the usual few count as ``OTHER``."""
    label = method if method in HTTP_METHODS else "OTHER"
    HTTP_REQUEST_SECONDS.labels(label, route, str(status)).observe(seconds)
