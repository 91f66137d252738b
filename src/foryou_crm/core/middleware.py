"""ASGI middleware: request ids, the last-resort handler, an access log line and the request's
timing for the metrics; a cap on request bodies."""

from __future__ import annotations

import functools
import ipaddress
import itertools
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foryou_crm.core.errors import envelope
from foryou_crm.core.logging import bind_context, clear_context

log = structlog.get_logger("foryou_crm.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class TrustedPeers:
    """The peers ``FORYOU_FORWARDED_ALLOW_IPS`` names: addresses, networks, or ``*``."""

    def __init__(self, spec: str) -> None:
        items = [item.strip() for item in spec.split(",") if item.strip()]
        self.everyone = "*" in items
        self.networks = []
        for item in items:
            if item != "*":
                try:
                    self.networks.append(ipaddress.ip_network(item, strict=False))
                except ValueError:
                    continue  # a host name: never a peer address here
        # Parsing the address was a tenth of a /healthz request; the same peers come back.
        self._trusted = functools.lru_cache(maxsize=4096)(self._lookup)

    def __contains__(self, host: str | None) -> bool:
        if self.everyone:
            return True
        if not host:
            return False
        return self._trusted(host)

    def _lookup(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class _RequestIds:
    """New request ids: 32 hex digits, a random prefix per process and a counter. Unique
    across processes and restarts (64 random bits each) without a system call per request:
    ``uuid4`` read the kernel's random source on every one (a tenth of this layer's cost).
    An id names a request in logs and error messages; it grants nothing, so being guessable
    is harmless."""

    def __init__(self) -> None:
        self._fresh()
        # A forked child (multiprocessing's fork, a pre-forking server) must not repeat its
        # parent's ids; uvicorn's workers are spawned, and start afresh anyway.
        os.register_at_fork(after_in_child=self._fresh)

    def _fresh(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


_ids = _RequestIds()
# Called once per request, when its last byte is about to go out (or when it ended without
# one): the scope, the ``root_path`` it arrived with, the status answered and the seconds it
# took. The metrics' timer (``metrics.http.record_request``).
Finished = Callable[[Scope, str, int, float], None]


class RequestContextMiddleware:
    """The outermost layer of every HTTP request:

    - the request id: ``X-Request-ID`` as sent when the peer is a trusted proxy and the value
      is sane, else a new one; bound to every log line of the request and returned on every
      response;
    - the last-resort handler: an exception nothing else answered becomes a 500 envelope
      ``INTERNAL_ERROR`` naming the request id (logged with its traceback), and is not raised
      on to the server, which would drop a keep-alive connection for it;
    - one access line per request (the path only: query strings carry OAuth codes);
    - ``finished``, told the request's status and duration just before the last chunk of the
      response leaves: a client that got the answer (a test, a scrape right after it) always
      finds the request counted. One layer for all of it: each layer of its own cost a
      function call per request and one per message sent (measured: the request-context
      and metrics layers were a tenth of a ``/status`` request).

    Runs on the peer as the socket gave it: the proxy headers are applied inside it
    (``create_app``), so "a trusted proxy sent this id" is known here."""

    def __init__(
        self, app: ASGIApp, trusted_proxies: str = "127.0.0.1", finished: Finished | None = None
    ) -> None:
        self.app = app
        self.trusted = TrustedPeers(trusted_proxies)
        self.finished = finished

    def _request_id(self, scope: Scope) -> str:
        client = scope.get("client")
        if client and client[0] in self.trusted:
            for name, value in scope.get("headers") or []:
                if name == b"x-request-id":
                    incoming: str = value.decode("latin-1")
                    if _REQUEST_ID.match(incoming):
                        return incoming
        return _ids.next()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        clear_context()
        bind_context(request_id=request_id)
        started = time.perf_counter()
        root_path = scope.get("root_path", "")
        finished = self.finished
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started, finished
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            elif (
                finished is not None
                and kind == "http.response.body"
                and not message.get("more_body")
            ):
                finished(scope, root_path, status, time.perf_counter() - started)
                finished = None
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", method=scope["method"], path=scope["path"])
            if not response_started:
                status = 500
                if finished is not None:  # counted before the answer leaves, as any other
                    finished(scope, root_path, status, time.perf_counter() - started)
                    finished = None
                await _internal_error(send, request_id)
            # Else part of a response went out: nothing honest can follow it, and the server
            # ends the connection when the app returns without finishing it.
        finally:
            if finished is not None:
                finished(scope, root_path, status, time.perf_counter() - started)
            if not scope["path"].startswith(("/app/static", "/sandbox/_sandbox/requests")):
                log.info(
                    "http_request",
                    method=scope["method"],
                    path=scope["path"],
                    status_code=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            clear_context()


class BodySizeLimitMiddleware:
    """413 in the error envelope for bodies over the limit, whether announced by Content-Length
    or streamed without one."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        chunked = False
        for name, value in scope.get("headers") or ():
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._reject(send)
            return
        if not chunked and (length is None or length.isdigit()):
            # Over HTTP/1.1 (uvicorn) the server reads exactly the announced length (none: no
            # body), so the body cannot outgrow a length already checked: most requests
            # (every GET) pass straight through, without the watch below on every message.
            await self.app(scope, receive, send)
            return
        received = 0
        too_large = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the app answers to a body it could not finish reading (FastAPI turns the
            # interruption into a 400), the client gets our 413.
            nonlocal replaced
            if too_large:
                if not replaced and message["type"] == "http.response.start":
                    replaced = True
                    await self._reject(send)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not replaced:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            envelope("PAYLOAD_TOO_LARGE", f"Request body is larger than {self.max_bytes} bytes.")
        ).encode()
        start: dict[str, Any] = {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        await send(start)
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


async def _internal_error(send: Send, request_id: str) -> None:
    body = json.dumps(
        envelope(
            "INTERNAL_ERROR",
            f"Something went wrong on our side (request {request_id}).",
            {"requestId": request_id},
        )
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
