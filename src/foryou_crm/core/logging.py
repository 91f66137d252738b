"""Structured logs: JSON in production, readable in development, one request id per request,
and a redaction layer so no token, secret, password, code or Authorization header reaches a line."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import sys
import time
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import IO, Any

import orjson
import structlog

SENSITIVE_KEYS = re.compile(
    r"(token|secret|password|passwd|authorization|cookie|code|verifier|signature|api_key|jwt)",
    re.IGNORECASE,
)
# Values that look like a bearer token or JWT are masked wherever they appear in a string.
SENSITIVE_VALUES = [
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    re.compile(
        r"(?i)((?:code|state|token|access_token|refresh_token|client_secret|password)=)[^&\s]+"
    ),
]
# Keys allowed through although they match SENSITIVE_KEYS: they carry no secret.
SAFE_KEYS = {"status_code", "error_code", "code_expired", "state_fingerprint", "token_type"}
REDACTED = "[REDACTED]"


def _maybe_sensitive(value: str) -> bool:
    """Whether ``value`` has what one of SENSITIVE_VALUES needs somewhere in it: most values
    (paths, names, ids, query strings without a secret's name) have none, and are passed over
    by a few substring tests instead of three substitutions (a query string — every list
    request's access line — has an ``=``, and ran all three)."""
    if "=" in value:
        low = value.casefold()  # as the patterns' IGNORECASE folds: "ſtate=" is "state="
        return (
            "token=" in low  # access_token=, refresh_token= too
            or "code=" in low
            or "state=" in low
            or "secret=" in low  # client_secret=
            or "password=" in low
            or "eyj" in low
            or "bearer" in low
        )
    return "eyJ" in value or "bearer" in value.lower()


@functools.lru_cache(maxsize=1024)
def _sensitive_key(key: str) -> bool:
    """Keys are few and repeat on every line (an unbounded set would be evicted, not grow)."""
    return key not in SAFE_KEYS and SENSITIVE_KEYS.search(key) is not None


def _scrub_string(value: str) -> str:
    if not _maybe_sensitive(value):
        return value
    for pattern in SENSITIVE_VALUES:
        value = pattern.sub(lambda m: (m.group(1) + REDACTED) if m.lastindex else REDACTED, value)
    return value


def _scrub(key: str, value: Any) -> Any:
    if _sensitive_key(key):
        return REDACTED
    if isinstance(value, str):
        return _scrub_string(value)
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(key, v) for v in value]
    return value


_OWN_KEYS = frozenset(("event", "timestamp", "level", "logger"))


def redact(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in event_dict.items():  # values replaced in place: the keys stay
        if key in _OWN_KEYS:
            if key == "event" and isinstance(value, str):
                event_dict[key] = _scrub_string(value)
        elif _sensitive_key(key):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = _scrub_string(value)
        elif isinstance(value, dict | list | tuple):
            event_dict[key] = _scrub(key, value)
    return event_dict


# The request's context (its id), bound by the request middleware for every line written
# while it runs: one variable of ours, where structlog's ``merge_contextvars`` walks every
# variable of the context on every line.
_NOTHING: Mapping[str, Any] = MappingProxyType({})
_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar("foryou_log_context", default=_NOTHING)


def bind_context(**values: Any) -> None:
    """Add ``values`` to every line logged from here on in this context (a request, a task)."""
    _CONTEXT.set({**_CONTEXT.get(), **values})


def clear_context() -> None:
    _CONTEXT.set(_NOTHING)


def _merge_context(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in _CONTEXT.get().items():
        event_dict.setdefault(key, value)
    return event_dict


class _Clock:
    """ISO 8601 UTC timestamps with microseconds; the part up to the second is formatted once
    a second (formatting all of it was a sixth of a line's cost)."""

    # (second, its text), replaced as one value: threads (``asyncio.to_thread``) log too.
    kept: tuple[int, str] = (-1, "")

    @classmethod
    def stamp(cls) -> str:
        now = time.time()
        second = int(now)
        kept_second, prefix = cls.kept
        if second != kept_second:
            prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            cls.kept = (second, prefix)
        return f"{prefix}.{int((now - second) * 1_000_000):06d}Z"


_LEVELS = {"exception": "error", "warn": "warning"}


def _prepare(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """What every line of ours gets, in one step: the request's context, the level, the
    logger's name, the time, and the redaction (last: it also covers the context)."""
    _merge_context(logger, method, event_dict)
    event_dict["level"] = _LEVELS.get(method, method)
    event_dict["logger"] = logger.name
    event_dict["timestamp"] = _Clock.stamp()
    return redact(logger, method, event_dict)


def _redact_exception(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The traceback text ``format_exc_info`` just rendered: exception messages may quote a
    URL or a header. (Every other key went through ``redact`` before it reached the handler.)"""
    if isinstance(text := event_dict.get("exception"), str):
        event_dict["exception"] = _scrub_string(text)
    return event_dict


def _orjson_dumps(event_dict: Any, **_kwargs: Any) -> str:
    return orjson.dumps(event_dict, default=repr).decode()


class _Output:
    """Where lines go and how they look: set by ``configure_logging`` (tests configure again,
    and loggers built before keep pointing here)."""

    handler: logging.StreamHandler[IO[str]] = logging.StreamHandler(sys.stderr)
    render: Any = structlog.dev.ConsoleRenderer(colors=False)
    level: int = logging.INFO


def _render(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> Any:
    return _Output.render(logger, method, event_dict)


class _LineWriter:
    """The logger under our own events: the rendered line straight to the handler's stream,
    under its lock. Through stdlib logging (a record, the handler, a formatter that copies
    the record and runs the processors again) a line cost three times as much — measured: a
    fifth of a ``/healthz`` request."""

    def __init__(self, name: str = "") -> None:
        self.name = name

    def write(self, line: str) -> None:
        handler = _Output.handler
        try:
            with handler.lock or contextlib.nullcontext():
                stream = handler.stream
                stream.write(line + "\n")
                stream.flush()
        except Exception:
            # As stdlib logging does: a line that cannot be written (a closed stream, a full
            # disk) is reported on stderr and dropped, never raised into the request or job.
            handler.handleError(logging.makeLogRecord({"msg": line}))

    debug = info = warning = error = critical = exception = write


class _FilteringLogger(structlog.BoundLoggerBase):
    """The methods our code calls, each dropped below the configured level (read on every
    call: ``configure_logging`` may change it after the logger was built)."""

    def _at(self, level: int, method: str, event: str | None, kw: dict[str, Any]) -> Any:
        if level < _Output.level:
            return None
        return self._proxy_to_logger(method, event, **kw)

    def debug(self, event: str | None = None, **kw: Any) -> Any:
        return self._at(logging.DEBUG, "debug", event, kw)

    def info(self, event: str | None = None, **kw: Any) -> Any:
        return self._at(logging.INFO, "info", event, kw)

    def warning(self, event: str | None = None, **kw: Any) -> Any:
        return self._at(logging.WARNING, "warning", event, kw)

    def error(self, event: str | None = None, **kw: Any) -> Any:
        return self._at(logging.ERROR, "error", event, kw)

    def critical(self, event: str | None = None, **kw: Any) -> Any:
        return self._at(logging.CRITICAL, "critical", event, kw)

    def exception(self, event: str | None = None, **kw: Any) -> Any:
        kw.setdefault("exc_info", True)
        return self._at(logging.ERROR, "exception", event, kw)


def configure_logging(*, json: bool, level: str = "INFO", stream: IO[str] | None = None) -> None:
    """Our events (structlog) and library records (uvicorn, SQLAlchemy, through stdlib
    logging) share one stream, one format and the same redaction."""
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_orjson_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    _Output.handler, _Output.render = handler, renderer
    structlog.configure(
        processors=[
            _prepare,
            structlog.processors.format_exc_info,
            _redact_exception,
            _render,
        ],
        wrapper_class=_FilteringLogger,
        logger_factory=_LineWriter,
        # The chain is the same for every configuration (what differs is read from
        # ``_Output`` on each line), so a logger may keep what it built first.
        cache_logger_on_first_use=True,
    )
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                _redact_exception,
                renderer,
            ],
            foreign_pre_chain=[
                _merge_context,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                redact,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())  # an unknown name is a ValueError here, at start-up
    _Output.level = root.level
    # uvicorn's access log prints the query string, which carries `code` and `state` on the
    # OAuth callback; our own request log line replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
