"""Contacts, companies and custom field definitions on API v4.

`/api/v4/{contacts|companies}[/{id}]` (contacts-api.md, companies-api.md) and
`/api/v4/{leads|contacts|companies}/custom_fields[/{id}]` (custom-fields.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import problems
from .api_common import (
    Caller,
    authenticated,
    bound,
    expect_list,
    expect_object,
    hal_page,
    json_body,
    page_links,
    paging,
    params_of,
    with_of,
    write_result,
)
from .fields import field_json
from .models import Account, Contact
from .params import QueryError, csv_list, ints
from .parties import Party, create_parties, registry, update_parties
from .query import ListQuery, build_query, page_of, party_matches_text, sorted_view
from .serialize import company_json, contact_json, link

FIELD_PAGE = 50  # custom fields: "Метод возвращает до 50 полей за один запрос"


def party_json(entity: Party, account: Account, base: str, with_: set[str]) -> dict[str, Any]:
    if isinstance(entity, Contact):
        return contact_json(entity, account, base, with_)
    return company_json(entity, account, base, with_)


def _candidates(account: Account, entity_type: str, params: dict[str, Any]) -> list[Party]:
    """Live entities in id order; a `filter[id]` is looked up instead of scanned."""
    found = registry(account, entity_type)
    raw = params.get("filter")
    if account.is_api_filter_enabled and isinstance(raw, dict) and "id" in raw:
        ids = ints(raw["id"], "filter.id")
        return [found[i] for i in sorted(ids) if i in found and not found[i].is_deleted]
    return [x for x in found.values() if not x.is_deleted]


def _matches(
    account: Account, entity_type: str, source: Iterable[Party], q: ListQuery
) -> Iterator[Party]:
    for item in source:
        if q.text is not None and not party_matches_text(account, entity_type, item, q.text):
            continue
        if all(p(item) for p in q.predicates):
            yield item


async def list_parties(request: Request, c: Caller, entity_type: str) -> Response:
    params = params_of(request)
    page, limit = paging(params)
    q = build_query(
        params,
        filters_enabled=c.account.is_api_filter_enabled,
        account=c.account,
        entity_type=entity_type,
    )
    ordered = sorted_view(_candidates(c.account, entity_type, params), q.order_field, q.descending)
    chunk, has_more = page_of(_matches(c.account, entity_type, ordered, q), page, limit)
    items = [party_json(x, c.account, c.base, q.with_) for x in chunk]
    base_path = f"{c.base}/api/v4/{entity_type}"
    return hal_page(request, base_path, entity_type, items, page, limit, has_more)


async def get_party(request: Request, c: Caller, entity_type: str) -> Response:
    entity = registry(c.account, entity_type).get(int(request.path_params["entity_id"]))
    if entity is None or entity.is_deleted:
        return problems.no_content()
    return problems.hal(party_json(entity, c.account, c.base, with_of(request)))


def _written(entity: Party, base: str, entity_type: str) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "updated_at": entity.updated_at,
        "_links": link(f"{base}/api/v4/{entity_type}/{entity.id}"),
    }


async def parties(request: Request, c: Caller, entity_type: str) -> Response:
    if request.method == "GET":
        return await list_parties(request, c, entity_type)
    items = expect_list(await json_body(request), f"a non-empty array of {entity_type}")
    rec = c.sandbox.recorder
    if request.method == "POST":
        made = create_parties(rec, c.account, entity_type, c.user, items)
        answer = [
            {
                "id": x.id,
                "request_id": str(item.get("request_id", i)),
                "_links": link(f"{c.base}/api/v4/{entity_type}/{x.id}"),
            }
            for i, (item, x) in enumerate(zip(items, made, strict=True))
        ]
        return write_result(c.base, entity_type, entity_type, answer)
    changed = update_parties(rec, c.account, entity_type, c.user, items)
    return write_result(
        c.base, entity_type, entity_type, [_written(x, c.base, entity_type) for x in changed]
    )


async def party(request: Request, c: Caller, entity_type: str) -> Response:
    if request.method == "GET":
        return await get_party(request, c, entity_type)
    item = expect_object(await json_body(request), "an object")
    item["id"] = int(request.path_params["entity_id"])
    changed = update_parties(c.sandbox.recorder, c.account, entity_type, c.user, [item])
    return problems.hal(_written(changed[0], c.base, entity_type))


# --- custom field definitions --------------------------------------------------------------


async def list_fields(request: Request, c: Caller, entity_type: str) -> Response:
    params = params_of(request)
    if params.get("limit") in (None, ""):
        params["limit"] = str(FIELD_PAGE)
    page, limit = paging(params)
    fields = list(c.account.fields.get(entity_type, []))
    raw = params.get("filter")
    if isinstance(raw, dict) and "type" in raw:
        types = set(csv_list(raw["type"]))
        fields = [f for f in fields if f.type in types]
    order = params.get("order")
    if isinstance(order, dict) and order:
        key, direction = next(iter(order.items()))
        if key not in ("sort", "id"):
            raise QueryError(f"order.{key}", "This field is not supported for sorting.")
        fields.sort(key=lambda f: (getattr(f, key), f.id), reverse=str(direction) == "desc")
    chunk = fields[(page - 1) * limit : page * limit]
    if not chunk:
        return problems.no_content()
    pages = -(-len(fields) // limit)
    base_path = f"{c.base}/api/v4/{entity_type}/custom_fields"
    return problems.hal(
        {
            # The published example has `_total_items` 2 on page 1 of 10 with limit 2: the
            # count is the page's, not the list's.
            "_total_items": len(chunk),
            "_page": page,
            "_page_count": pages,
            "_links": page_links(request, base_path, page, limit, page < pages, last=pages),
            "_embedded": {"custom_fields": [field_json(f, c.account, c.base) for f in chunk]},
        }
    )


async def get_field(request: Request, c: Caller, entity_type: str) -> Response:
    f = c.account.field(entity_type, int(request.path_params["field_id"]))
    if f is None:
        return problems.no_content()
    return problems.hal(field_json(f, c.account, c.base))


def routes(p: str) -> list[Route]:
    out: list[Route] = []
    for entity_type in ("contacts", "companies"):
        out += [
            Route(
                f"{p}/{entity_type}",
                authenticated(bound(parties, entity_type)),
                methods=["GET", "POST", "PATCH"],
            ),
            Route(
                f"{p}/{entity_type}/{{entity_id:int}}",
                authenticated(bound(party, entity_type)),
                methods=["GET", "PATCH"],
            ),
        ]
    for entity_type in ("leads", "contacts", "companies"):
        out += [
            Route(
                f"{p}/{entity_type}/custom_fields",
                authenticated(bound(list_fields, entity_type)),
                methods=["GET"],
            ),
            Route(
                f"{p}/{entity_type}/custom_fields/{{field_id:int}}",
                authenticated(bound(get_field, entity_type)),
                methods=["GET"],
            ),
        ]
    return out
