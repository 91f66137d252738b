"""One error base class, one envelope, honest status codes.

Every error the API returns is ``{"success": false, "error": {"code", "message", "details"?}}``."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger("foryou_crm.errors")


class AppError(Exception):
    status_code = 400
    code = "BAD_REQUEST"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.details = details
        self.headers = headers
        super().__init__(self.message)


class Unauthorized(AppError):
    status_code = 401
    code = "UNAUTHORIZED"
    message = "Sign in again: the access token is missing, invalid or expired."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class Forbidden(AppError):
    """The caller is known but may not do this (another user's flow, a bad signature …)."""

    status_code = 403
    code = "FORBIDDEN"
    message = "You are not allowed to do this."


class NotFound(AppError):
    """Nothing here for this caller (an unknown webhook secret answers this too)."""

    status_code = 404
    code = "NOT_FOUND"
    message = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "CONFLICT"
    message = "The request conflicts with the current state."


class ValidationFailed(AppError):
    """A 422 for input checked by hand (not by a pydantic model): the same envelope as
    FastAPI's validation errors, naming the field."""

    status_code = 422
    code = "VALIDATION_ERROR"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(
            f"Invalid request: {field}",
            details={"fields": [{"field": field, "message": problem, "type": "value_error"}]},
        )


class TooManyRequests(AppError):
    status_code = 429
    code = "TOO_MANY_REQUESTS"
    message = "Too many requests; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(max(1, retry_after))})
        super().__init__(message, **kwargs)


def envelope(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"success": False, "error": error}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(envelope(code, message, details), status_code=status, headers=headers)


_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
}


# FastAPI's detail when reading a request body failed other than as invalid JSON.
_UNPARSABLE_BODY = "There was an error parsing the body"


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        fields.append(
            {
                "field": ".".join(loc) or str(err.get("loc", ("body",))[0]),
                "message": str(err.get("msg", "invalid")),
                "type": str(err.get("type", "")),
            }
        )
    return fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return error_response(
            exc.status_code, exc.code, exc.message, exc.details, dict(exc.headers or {})
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _field_errors(exc)
        names = ", ".join(sorted({f["field"] for f in fields}))
        return error_response(
            422, "VALIDATION_ERROR", f"Invalid request: {names}", {"fields": fields}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
            # FastAPI's answer to a JSON body it could not even decode (not UTF-8): invalid
            # input like any other, so the 422 every body-taking operation declares.
            return error_response(
                422,
                "VALIDATION_ERROR",
                "Invalid request: body",
                {"fields": [{"field": "body", "message": "not UTF-8", "type": "json_invalid"}]},
            )
        code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ").lower()
        if exc.status_code == 404:
            message = "No such endpoint."
        return error_response(exc.status_code, code, message, headers=dict(exc.headers or {}))


# The codes each status answers unless an operation names its own (``error_responses(codes=)``).
DEFAULT_CODES: dict[int, tuple[str, ...]] = {
    400: ("BAD_REQUEST",),
    401: ("UNAUTHORIZED", "TOKEN_EXPIRED", "TOKEN_REVOKED", "USER_DISABLED"),
    403: ("FORBIDDEN",),
    404: ("NOT_FOUND",),
    409: ("CONFLICT",),
    413: ("PAYLOAD_TOO_LARGE",),
    422: ("VALIDATION_ERROR",),
    429: ("TOO_MANY_REQUESTS",),
    502: ("AMOCRM_ERROR",),
    503: ("AMOCRM_UNAVAILABLE",),
}
_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, malformed or expired JWT",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    422: "Validation error: `details.fields` names each field",
    429: "Too many requests: wait `Retry-After` seconds",
    502: "amoCRM answered with an error",
    503: "amoCRM or the database unavailable",
}
ENVELOPE_SCHEMA: dict[str, Any] = {
    "title": "ErrorEnvelope",
    "type": "object",
    "properties": {
        "success": {"type": "boolean", "const": False},
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
            "required": ["code", "message"],
            "additionalProperties": False,
        },
    },
    "required": ["success", "error"],
    "additionalProperties": False,
}


def _example(status: int, code: str) -> dict[str, Any]:
    details = None
    if status == 422:
        details = {"fields": [{"field": "limit", "message": "…", "type": "less_than_equal"}]}
    message = code.replace("_", " ").capitalize() + "."
    return {"summary": code, "value": envelope(code, message, details)}


def error_responses(
    *statuses: int, codes: dict[int, tuple[str, ...]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the error statuses an endpoint may answer: the envelope's
    schema and one example per error code (``codes`` names an operation's own codes for a
    status, else ``DEFAULT_CODES``). A 429 also declares its ``Retry-After`` header."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        named = (codes or {}).get(status) or DEFAULT_CODES.get(status, ("ERROR",))
        response: dict[str, Any] = {
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {
                "application/json": {
                    "schema": ENVELOPE_SCHEMA,
                    "examples": {code: _example(status, code) for code in named},
                }
            },
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        out[status] = response
    return out
