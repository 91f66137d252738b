"""A lead as the list shows it, rendered once when the lead is written and stored beside it
(``amo_leads.listed``): a page of the list reads 50 stored items and adds only what is not
the lead's own — its status's, pipeline's and user's names (kept per mirror version, see
``names``), the account's currency and the lead's link.

Why: building each item from its columns on every request — two JSON columns parsed, three
timestamps made into datetimes, a dict per lead and per contact, then all of it serialized —
was ~0.25 ms of the list's ~0.6 ms of CPU (measured, ``docs/performance.md``); a lead is read
far more often than it changes. The stored item is the lead's own fields of ``LeadOut``, as
JSON; ``own_fields`` is the one definition of them, used for the detail view too.

A row without its item (written before migration 0009 filled them, or straight into the
database) is still served: the list renders it from its columns (``leads_page``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, bindparam, select, update

from foryou_crm.amocrm.hosts import lead_url_prefix
from foryou_crm.leads.amo import FIRST_SECOND, LAST_SECOND
from foryou_crm.leads.models import AmoLead

_EPOCH = datetime.fromtimestamp(0, UTC)

# The columns an item is rendered from, in ``own_fields``'s order.
COLUMNS = (
    "amo_id",
    "name",
    "price",
    "status_id",
    "pipeline_id",
    "responsible_user_id",
    "created_at",
    "updated_at",
    "closed_at",
    "tags",
    "contacts",
)


def _moment(seconds: int | None) -> datetime | None:
    """None for a time no ``datetime`` holds (a row stored before ``amo.lead_row`` left such
    times out)."""
    if seconds is None or not FIRST_SECOND <= seconds <= LAST_SECOND:
        return None
    return datetime.fromtimestamp(seconds, UTC)


def own_fields(
    amo_id: int,
    name: str,
    price: int,
    status_id: int,
    pipeline_id: int,
    responsible_user_id: int | None,
    created_at: int | None,
    updated_at: int | None,
    closed_at: int | None,
    tags: Sequence[str] | None,
    contacts: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    """The lead's own fields of ``schemas.LeadOut`` (camelCase, as on the wire)."""
    return {
        "id": amo_id,
        "name": name,
        "price": price,
        "statusId": status_id,
        "pipelineId": pipeline_id,
        "responsibleUserId": responsible_user_id,
        "createdAt": _moment(created_at) or _EPOCH,
        "updatedAt": _moment(updated_at) or _EPOCH,
        "closedAt": _moment(closed_at),
        "tags": list(tags or []),
        "contacts": [
            {
                "id": int(c["id"]),
                "name": c.get("name"),
                "phone": c.get("phone"),
                "isMain": bool(c.get("main")),
            }
            for c in contacts or []
        ],
    }


def render(row: Sequence[Any]) -> bytes:
    """The stored item: ``own_fields`` of a row of ``COLUMNS``, as a JSON object."""
    return orjson.dumps(own_fields(*row), option=orjson.OPT_UTC_Z)


def render_row(row: Mapping[str, Any]) -> bytes:
    """The stored item of a row about to be written (a mapping of column → value)."""
    return render([row[column] for column in COLUMNS])


def names_part(names: Sequence[str | None]) -> bytes:
    """The item's names (``names.Names.of``: the status's name and colour, the pipeline's and
    the responsible user's name) as JSON members, to follow the stored ones."""
    status_name, status_color, pipeline_name, user_name = names
    members = orjson.dumps(
        {
            "statusName": status_name,
            "statusColor": status_color,
            "pipelineName": pipeline_name,
            "responsibleUserName": user_name,
        }
    )
    return members[1:-1]


def account_part(currency: str | None, domain: str) -> bytes:
    """The members every item of an account ends with — its currency, then the lead's link
    up to the lead's id (``ITEM`` closes it)."""
    return b',"currency":%b,"url":%b' % (
        orjson.dumps(currency),
        orjson.dumps(lead_url_prefix(domain))[:-1],
    )


# One item of the list: the stored JSON object, its closing brace cut, with ``names_part`` and
# ``account_part`` added and the link closed with the lead's id —
# ``ITEM % (stored[:-1], names, account, amo_id)``.
ITEM = b'%b,%b%b%d"}'


_LEADS: Table = AmoLead.__table__  # type: ignore[assignment]
BATCH = 2000


def fill_missing(connection: Connection, connection_id: int | None = None) -> int:
    """Render the item of every lead that has none (of one connection, when given), in
    batches; returns how many. Synchronous, for migrations (``conn.run_sync`` elsewhere)."""
    columns = [_LEADS.c[name] for name in COLUMNS]
    query = select(_LEADS.c.id, *columns).where(_LEADS.c.listed.is_(None))
    if connection_id is not None:
        query = query.where(_LEADS.c.connection_id == connection_id)
    query = query.order_by(_LEADS.c.id).limit(BATCH)
    store = (
        update(_LEADS)
        .where(_LEADS.c.id == bindparam("pk"))
        .values(listed=bindparam("new_listed", type_=_LEADS.c.listed.type))
    )
    filled, after = 0, 0
    while True:
        rows = connection.execute(query.where(_LEADS.c.id > after)).all()
        if not rows:
            return filled
        connection.execute(store, [{"pk": r[0], "new_listed": render(r[1:])} for r in rows])
        filled += len(rows)
        after = rows[-1][0]
