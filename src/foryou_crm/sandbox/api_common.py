"""What every API v4 route shares: the authenticated caller and their rights, paging,
HAL links, JSON bodies and amoCRM's error answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import Response

from . import problems
from .models import Account, Event, Lead, Task, User
from .params import QueryError, parse_nested
from .serialize import link
from .state import Sandbox
from .validation import BatchTooLarge, ValidationFailed
from .web import account_base, sandbox_of

DEFAULT_LIMIT = 50
MAX_LIMIT = 250


@dataclass
class Caller:
    sandbox: Sandbox
    account: Account
    user: User
    base: str  # absolute base URL of this account's routes

    @property
    def visible(self) -> Callable[[Lead], bool] | None:
        """None = sees everything (admin); else the agent's "own leads only" rule."""
        if self.user.is_admin:
            return None
        uid = self.user.id
        return lambda lead: lead.responsible_user_id == uid

    def sees(self, entity_type: str, entity_id: int) -> bool:
        """Leads by the lead rule; contacts and companies are visible to everyone."""
        if entity_type != "leads" or self.user.is_admin:
            return True
        lead = self.account.lead(entity_id)
        return lead is not None and lead.responsible_user_id == self.user.id

    def sees_task(self, task: Task) -> bool:
        if self.user.is_admin or task.responsible_user_id == self.user.id:
            return True
        return (
            task.entity_type == "leads"
            and task.entity_id is not None
            and self.sees("leads", task.entity_id)
        )

    def sees_event(self, e: Event) -> bool:
        if self.user.is_admin:
            return True
        if e.entity_type == "lead":
            return self.sees("leads", e.entity_id)
        if e.entity_type == "task":
            task = self.account.tasks.get(e.entity_id)
            return task is None or self.sees_task(task)
        return True


Handler = Callable[[Request, Caller], Awaitable[Response]]
TypedHandler = Callable[[Request, Caller, str], Awaitable[Response]]


def bound(handler: TypedHandler, entity_type: str) -> Handler:
    """One handler serving several entity types (`/api/v4/{leads|contacts|companies}/…`)."""

    async def serve(request: Request, caller: Caller) -> Response:
        return await handler(request, caller, entity_type)

    return serve


def validation_failed(exc: ValidationFailed) -> Response:
    body = {
        "validation-errors": [
            {"request_id": request_id, "errors": errors} for request_id, errors in exc.errors
        ],
        "title": "Bad Request",
        "type": "https://httpstatus.es/400",
        "status": 400,
        "detail": "Request validation failed",
    }
    return Response(
        json.dumps(body, ensure_ascii=False).encode(), 400, media_type=problems.PROBLEM_JSON
    )


def authenticated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """401 for a missing/expired/revoked/malformed token, 402 for an unpaid account; the
    handler's validation problems become amoCRM's 400/422 answers."""

    async def endpoint(request: Request) -> Response:
        sb = sandbox_of(request)
        account = sb.account(request.path_params["host"])
        assert account is not None  # the gate answers 404 for unknown hosts
        pair = sb.tokens.authenticate(account, request.headers.get("authorization"))
        if pair is None or pair.user_id not in account.users:
            return problems.unauthorized(account.platform)
        if not account.paid:
            return problems.payment_required()
        caller = Caller(
            sb, account, account.users[pair.user_id], account_base(request, account.host)
        )
        try:
            return await handler(request, caller)
        except QueryError as exc:
            return problems.validation_error(
                [{"code": "InvalidValue", "path": exc.path, "detail": exc.detail}]
            )
        except ValidationFailed as exc:
            return validation_failed(exc)
        except BatchTooLarge as exc:
            return problems.problem(422, "Unprocessable Entity", str(exc))

    return endpoint


def admin_only(handler: Handler) -> Handler:
    async def wrapped(request: Request, caller: Caller) -> Response:
        if not caller.user.is_admin:
            return problems.forbidden()
        return await handler(request, caller)

    return wrapped


def params_of(request: Request) -> dict[str, Any]:
    return parse_nested(request.scope.get("query_string", b"").decode("latin-1"))


def paging(params: dict[str, Any], max_limit: int = MAX_LIMIT) -> tuple[int, int]:
    page = _positive(params.get("page"), "page", 1)
    limit = _positive(params.get("limit"), "limit", DEFAULT_LIMIT)
    if limit > max_limit:
        # Observed (UNCONFIRMED): above 250 amoCRM falls back to its default page size, so
        # a client that trusts its own limit silently loses rows unless it follows `next`.
        limit = DEFAULT_LIMIT
    return page, limit


def _positive(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not value.isdigit() or int(value) < 1:
        raise QueryError(name, "This value should be a positive integer.")
    return int(value)


def page_links(
    request: Request,
    base_path: str,
    page: int,
    limit: int,
    has_more: bool,
    last: int | None = None,
) -> dict[str, Any]:
    """Absolute, followable HAL links that keep every other query parameter. `first` and
    `prev` appear from page 2 on, as in every published example (page 1 of the contacts,
    companies, notes, tasks and events lists shows only self/next; page 2 of leads adds
    first/prev); `last` where the list knows its size (custom fields)."""
    kept = [
        (k, v)
        for k, v in parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), True)
        if k not in ("page", "limit")
    ]

    def href(n: int) -> dict[str, str]:
        query = urlencode([*kept, ("limit", str(limit)), ("page", str(n))], safe="[]")
        return {"href": f"{base_path}?{query}"}

    links = {"self": href(page)}
    if has_more:
        links["next"] = href(page + 1)
    if page > 1:
        links["first"] = href(1)
        links["prev"] = href(page - 1)
    if last is not None:
        links["last"] = href(last)
    return links


def hal_page(
    request: Request,
    base_path: str,
    key: str,
    items: list[dict[str, Any]],
    page: int,
    limit: int,
    has_more: bool,
) -> Response:
    """A page of an entity list (no `_total_items`: amoCRM counts no entity lists);
    204 with an empty body when the page is empty."""
    if not items:
        return problems.no_content()
    return problems.hal(
        {
            "_page": page,
            "_links": page_links(request, base_path, page, limit, has_more),
            "_embedded": {key: items},
        }
    )


def write_result(
    base: str, plural: str, key: str, items: list[dict[str, Any]], status: int = 200
) -> Response:
    """The answer of a batch write: `{_links, _embedded: {key: [...]}}`."""
    return problems.hal(
        {"_links": link(f"{base}/api/v4/{plural}"), "_embedded": {key: items}}, status=status
    )


async def json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        return None


def expect_list(body: Any, what: str) -> list[dict[str, Any]]:
    """A batch body: a non-empty array of objects (else 400 validation-errors)."""
    if not isinstance(body, list) or not body or not all(isinstance(i, dict) for i in body):
        raise ValidationFailed(
            [("0", [{"code": "InvalidType", "path": "", "detail": f"Expected {what}."}])]
        )
    return body


def expect_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed(
            [("0", [{"code": "InvalidType", "path": "", "detail": f"Expected {what}."}])]
        )
    return body


def with_of(request: Request) -> set[str]:
    return {w.strip() for w in request.query_params.get("with", "").split(",") if w.strip()}
