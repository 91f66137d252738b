"""amoCRM lead webhooks: the per-account URL secret, the v2 form payload, the subscription.

amoCRM does not sign CRM webhooks, so the only proof a POST comes from amoCRM is an unguessable
path segment: HMAC(settings.amocrm_webhook_secret, account id). It is derived, not stored, and
differs per account. The payload only tells us *which* leads changed; their data is read back
from the API."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.amocrm.errors import AmoCRMError
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections.models import AmoConnection, ConnectionRef, SyncState
from foryou_crm.core.bounds import plain_id
from foryou_crm.core.config import Settings
from foryou_crm.core.errors import AppError

log = structlog.get_logger("foryou_crm.leads.webhooks")

LEAD_EVENTS = [
    "add_lead",
    "update_lead",
    "delete_lead",
    "restore_lead",
    "status_lead",
    "responsible_lead",
    # A lead's details: each names the lead(s) it is about, read back with everything on them.
    "note_lead",
    "add_task",
    "update_task",
    "update_contact",
    "update_company",
]
# leads[<event>][<index>][id]=<lead id>
_LEAD_ID_KEY = re.compile(r"^leads\[([a-z_]+)\]\[(\d+)\]\[id\]$")
# leads[note][<index>][note][element_id]=<lead id>
_NOTE_KEY = re.compile(r"^leads\[note\]\[(\d+)\]\[note\]\[element_id\]$")
# task[<event>][<index>][element_id|element_type]: element type 2 is a lead
_TASK_KEY = re.compile(r"^task\[([a-z_]+)\]\[(\d+)\]\[(element_id|element_type)\]$")
# contacts[<event>][<index>][linked_leads_id][<lead id>][ID]=<lead id> (contacts, companies)
_LINKED_KEY = re.compile(r"^contacts\[([a-z_]+)\]\[(\d+)\]\[linked_leads_id\]\[\d+\]\[ID\]$")
_LEAD_ELEMENT = "2"
_SECRET = re.compile(r"^[0-9a-f]{64}$")
MAX_IDS = 500


def account_secret(settings: Settings, account_id: int) -> str:
    key = settings.amocrm_webhook_secret.get_secret_value().encode()
    return hmac.new(key, f"leads-webhook:{account_id}".encode(), hashlib.sha256).hexdigest()


def destination(settings: Settings, account_id: int) -> str:
    base = settings.public_base_url.rstrip("/")
    return f"{base}/api/amo-crm/webhooks/leads/{account_secret(settings, account_id)}"


def account_for_secret(settings: Settings, secret: str, account_ids: Iterable[int]) -> int | None:
    """The account whose secret this is, compared in constant time; None if none."""
    if not _SECRET.match(secret):
        return None
    found = None
    for account_id in account_ids:
        if hmac.compare_digest(account_secret(settings, account_id), secret):
            found = account_id
    return found


class BadLeadId(ValueError):
    """A lead id key whose value is no lead id (``field``: the form key, for the 422)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: not a lead id")
        self.field = field


def _lead_id(key: str, value: str) -> int:
    found = plain_id(value.strip())
    if found is None:
        raise BadLeadId(key[:100])
    return found


def lead_ids(body: bytes) -> list[int]:
    """Lead ids a form-encoded v2 payload names (PHP bracket notation, parsed here by hand):
    ``leads[add|update|status|responsible|delete|restore][i][id]``, the lead of a note
    (``leads[note][i][note][element_id]``), of a task (``task[…][i][element_id]`` with
    ``element_type`` 2) and the leads linked to a changed contact or company
    (``contacts[…][i][linked_leads_id][…][ID]``). A value that is no id amo_leads.amo_id
    (BIGINT) could hold — 10^30, -5, "٣" — raises ``BadLeadId``: refused at the edge, it never
    reaches the re-fetch. Other keys are ignored."""
    ids: set[int] = set()
    tasks: dict[tuple[str, str], dict[str, str]] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        if _LEAD_ID_KEY.match(key) or _NOTE_KEY.match(key) or _LINKED_KEY.match(key):
            found = _lead_id(key, value)
            if len(ids) < MAX_IDS:
                ids.add(found)
        elif (task := _TASK_KEY.match(key)) and len(tasks) < MAX_IDS:
            tasks.setdefault((task[1], task[2]), {})[task[3]] = value
    for (event, index), fields in tasks.items():
        if fields.get("element_type", "").strip() == _LEAD_ELEMENT and "element_id" in fields:
            found = _lead_id(f"task[{event}][{index}][element_id]", fields["element_id"])
            if len(ids) < MAX_IDS:
                ids.add(found)
    return sorted(ids)


async def subscribe(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    tokens: TokenManager,
    connection_id: int,
) -> bool:
    """Subscribe the account's lead webhook when the token is an admin's (only admins may);
    otherwise polling alone keeps the mirror fresh. Subscribing again is harmless (amoCRM
    updates a subscription with the same destination)."""
    async with sessionmaker() as session:
        row = await session.get(AmoConnection, connection_id)
        if row is None or not row.is_admin:
            return False
        ref = row.ref()
    url = destination(settings, ref.account_id)
    try:
        await tokens.call(ref, lambda c: c.subscribe_webhook(url, LEAD_EVENTS))
    except AmoCRMError as exc:
        log.warning("leads_webhook_subscribe_failed", connection_id=ref.id, error_code=exc.code)
        return False
    async with sessionmaker() as session, session.begin():
        state = await session.get(SyncState, connection_id)
        if state is not None:
            state.webhook_subscribed = True
    log.info("leads_webhook_subscribed", connection_id=ref.id, account_id=ref.account_id)
    return True


async def unsubscribe(settings: Settings, tokens: TokenManager, ref: ConnectionRef) -> bool:
    """Remove the account's lead webhook through this (admin) connection, before it goes away
    and no other connection to the account needs the webhook. amoCRM has no documented way to
    revoke an integration's tokens (amocrm-api.md §3), so this is what can be taken back at
    amoCRM; True when amoCRM confirmed it. Failures are logged, never raised: the caller is
    deleting the connection anyway."""
    url = destination(settings, ref.account_id)
    try:
        await tokens.call(ref, lambda c: c.unsubscribe_webhook(url))
    except AppError as exc:  # amoCRM's errors, and a connection that must reconnect first
        log.warning("leads_webhook_unsubscribe_failed", connection_id=ref.id, error_code=exc.code)
        return False
    log.info("leads_webhook_unsubscribed", connection_id=ref.id, account_id=ref.account_id)
    return True
