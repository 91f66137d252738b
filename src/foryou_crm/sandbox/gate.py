"""ASGI middleware in front of every amoCRM-facing route.

In order: map account Host headers to path prefixes, classify and log the request, refuse
unknown account hosts, apply the block/rate limit, then play any injected fault.
The control API (`/_sandbox/…`) passes straight through and is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import problems
from .limits import Verdict
from .reqlog import LogEntry
from .state import Sandbox

ACCOUNT_PREFIX = "/accounts/"
# Hosts amoCRM/Kommo serve accounts on; other Host headers mean "the sandbox itself".
_ACCOUNT_HOST = re.compile(r"^(?!www\.)[a-z0-9-]+\.(amocrm\.ru|amocrm\.com|kommo\.com)$")
# The platforms' central API hosts (a token's `api_domain`): api-a/api-b.amocrm.ru,
# api-c.kommo.com. They serve no account, only the subdomain lookup.
CENTRAL_HOST = re.compile(r"^api-[a-z]\.(amocrm\.ru|amocrm\.com|kommo\.com)$")
SUBDOMAIN_PATH = "/oauth2/account/current/subdomain"
_ENTITY = r"(leads|contacts|companies)"
_ENDPOINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/oauth2/access_token/?$"), "token"),
    (re.compile(r"^/oauth2/account/current/subdomain/?$"), "subdomain"),
    (re.compile(r"^/api/v4/account/?$"), "account"),
    (re.compile(r"^/api/v4/leads/?$"), "leads"),
    (re.compile(r"^/api/v4/leads/complex/?$"), "complex"),
    (re.compile(r"^/api/v4/leads/pipelines(/.*)?$"), "pipelines"),
    (re.compile(r"^/api/v4/leads/tags/?$"), "tags"),
    (re.compile(r"^/api/v4/leads/\d+/?$"), "lead"),
    (re.compile(r"^/api/v4/users(/\d+)?/?$"), "users"),
    (re.compile(r"^/api/v4/contacts(/\d+)?/?$"), "contacts"),
    (re.compile(r"^/api/v4/companies(/\d+)?/?$"), "companies"),
    (re.compile(rf"^/api/v4/{_ENTITY}/custom_fields(/\d+)?/?$"), "custom_fields"),
    (re.compile(rf"^/api/v4/{_ENTITY}(/\d+)?/notes(/\d+)?/?$"), "notes"),
    (re.compile(rf"^/api/v4/{_ENTITY}(/\d+)?/(links|link|unlink)/?$"), "links"),
    (re.compile(r"^/api/v4/tasks(/\d+)?/?$"), "tasks"),
    (re.compile(r"^/api/v4/events(/[0-9a-z]+)?/?$"), "events"),
    (re.compile(r"^/api/v4/webhooks/?$"), "webhooks"),
    (re.compile(r"^/v3/user/?$"), "user"),
]

PUBLIC_BASE_KEY = "sandbox.account_base"


def classify(account_path: str) -> str:
    for pattern, name in _ENDPOINTS:
        if pattern.match(account_path):
            return name
    return "other"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


@dataclass
class _Target:
    host: str  # account host, or "www" for the consent pages
    endpoint: str
    path: str  # the path on that host, e.g. /api/v4/leads


class SandboxGate:
    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        path: str = scope["path"]
        route_path = path[len(root) :] if root and path.startswith(root) else path
        header_host = _header(scope, b"host")
        bare_host = header_host.split(":", 1)[0].lower()

        # A request whose Host is itself an account host ("reforyou.amocrm.ru") is served
        # without the /accounts/{host} prefix, as on the real thing.
        if _ACCOUNT_HOST.match(bare_host) and not route_path.startswith(
            (ACCOUNT_PREFIX, "/_sandbox")
        ):
            scheme = scope.get("scheme", "http")
            scope = dict(scope)
            scope[PUBLIC_BASE_KEY] = f"{scheme}://{header_host}"
            route_path = f"{ACCOUNT_PREFIX}{bare_host}{route_path}"
            scope["path"] = root + route_path
            scope["raw_path"] = scope["path"].encode()

        target = self._target(route_path)
        if target is None:
            await self.app(scope, receive, send)
            return

        sb = self.sandbox
        entry = sb.log.record(
            LogEntry(
                method=scope["method"],
                host=target.host,
                path=target.path,
                endpoint=target.endpoint,
                at=sb.clock.now(),
                query=scope.get("query_string", b"").decode("latin-1"),
            )
        )

        async def logged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        try:
            await self._serve(scope, receive, logged_send, target)
        finally:
            if entry.status is None:
                entry.status = 499  # the client went away before any answer

    def _target(self, route_path: str) -> _Target | None:
        if route_path == "/oauth" or route_path.startswith("/oauth/"):
            return _Target("www", "consent", route_path)
        if not route_path.startswith(ACCOUNT_PREFIX):
            return None
        host, _, rest = route_path[len(ACCOUNT_PREFIX) :].partition("/")
        return _Target(host.lower(), classify("/" + rest), "/" + rest)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, target: _Target) -> None:
        sb = self.sandbox
        if CENTRAL_HOST.match(target.host):
            # Not an account: no rate limit of its own; only the subdomain lookup exists.
            if target.endpoint != "subdomain":
                url = f"https://{target.host}{target.path}"
                await problems.not_found(url, scope["method"])(scope, receive, send)
                return
        elif target.host != "www":
            account = sb.account(target.host)
            if account is None:
                # No such account: logged above (tests prove nothing was sent here), then 404.
                url = f"https://{target.host}{target.path}"
                await problems.not_found(url, scope["method"])(scope, receive, send)
                return
            verdict = sb.limiter.check(
                account.host,
                sb.clock.now(),
                rps=sb.rps(account),
                block_after=sb.config.block_after_violations,
                block_seconds=sb.config.block_seconds,
                violation_window=sb.config.violation_window,
            )
            if verdict == Verdict.BLOCKED:
                await problems.blocked()(scope, receive, send)
                return
            if verdict == Verdict.LIMITED:
                await problems.too_many_requests(sb.config.retry_after)(scope, receive, send)
                return

        fault = sb.faults.take(target.endpoint, target.host, target.path)
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "latency":
            await asyncio.sleep(fault.ms / 1000)
            await self.app(scope, receive, send)
        elif fault.kind == "500":
            await problems.problem(500, "Internal Server Error", "Internal Server Error")(
                scope, receive, send
            )
        elif fault.kind == "timeout":
            await _hang(fault.seconds, receive)
            await problems.problem(504, "Gateway Timeout", "Gateway Timeout")(scope, receive, send)
        else:  # rotate_then_drop: do the work (the rotation happens), then lose the answer
            buffered: list[Message] = []

            async def keep(message: Message) -> None:
                buffered.append(message)

            await self.app(scope, receive, keep)
            await _hang(fault.seconds, receive)
            await problems.problem(504, "Gateway Timeout", "Gateway Timeout")(scope, receive, send)


async def _hang(seconds: float, receive: Receive) -> None:
    """Sleep, but stop early if the client disconnects (so servers can shut down)."""

    async def until_disconnect() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    watcher = asyncio.ensure_future(until_disconnect())
    try:
        await asyncio.wait({watcher}, timeout=seconds)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
