"""amoCRM v4 JSON shapes (field sets and order follow the verbatim examples in the reference)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from .fields import values_json
from .models import (
    Account,
    Company,
    Contact,
    Lead,
    LossReason,
    Pipeline,
    Status,
    Tag,
    User,
    Webhook,
)


def link(href: str) -> dict[str, Any]:
    return {"self": {"href": href}}


def tag_json(tag: Tag) -> dict[str, Any]:
    return {"id": tag.id, "name": tag.name, "color": tag.color}


def _ref(base: str, plural: str, entity_id: int) -> dict[str, Any]:
    return {"id": entity_id, "_links": link(f"{base}/api/v4/{plural}/{entity_id}")}


def _loss_reason_json(reason: LossReason, base: str) -> dict[str, Any]:
    return {
        "id": reason.id,
        "name": reason.name,
        "sort": reason.sort,
        "created_at": reason.created_at,
        "updated_at": reason.created_at,
        "_links": link(f"{base}/api/v4/leads/loss_reasons/{reason.id}"),
    }


def lead_json(
    lead: Lead,
    account: Account,
    base: str,
    *,
    with_contacts: bool = False,
    with_: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A lead in the order of the verbatim leads-api.md examples; `with_` as documented:
    contacts, loss_reason, is_price_modified_by_robot, catalog_elements, source_id, source."""
    embedded: dict[str, Any] = {"tags": [tag_json(t) for t in lead.tags]}
    if "catalog_elements" in with_:
        embedded["catalog_elements"] = []  # no catalogs in the sandbox
    reason = account.loss_reason(lead.loss_reason_id)
    if "loss_reason" in with_ and reason is not None:
        embedded["loss_reason"] = [_loss_reason_json(reason, base)]
    embedded["companies"] = (
        [_ref(base, "companies", lead.company_id)] if lead.company_id is not None else []
    )
    if with_contacts or "contacts" in with_:
        embedded["contacts"] = [
            {"id": cid, "is_main": i == 0, "_links": link(f"{base}/api/v4/contacts/{cid}")}
            for i, cid in enumerate(lead.contact_ids)
        ]
    source = account.source(lead.source_id)
    if "source" in with_ and source is not None:
        embedded["source"] = {"id": source.id, "name": source.name}
    body: dict[str, Any] = {
        "id": lead.id,
        "name": lead.name,
        "price": lead.price,
        "responsible_user_id": lead.responsible_user_id,
        "group_id": 0,
        "status_id": lead.status_id,
        "pipeline_id": lead.pipeline_id,
        "loss_reason_id": lead.loss_reason_id,
        # "Требуется GET параметр with": without it the key is there, but null.
        "source_id": lead.source_id if "source_id" in with_ else None,
        "created_by": lead.created_by,
        "updated_by": lead.updated_by,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
        "closed_at": lead.closed_at,
        "closest_task_at": lead.closest_task_at,
        "is_deleted": lead.is_deleted,
        "custom_fields_values": values_json(account, "leads", lead),
        "score": None,
        "account_id": account.id,
    }
    if "is_price_modified_by_robot" in with_:
        body["is_price_modified_by_robot"] = False
    body["_links"] = link(f"{base}/api/v4/leads/{lead.id}")
    body["_embedded"] = embedded
    return body


def contact_json(
    contact: Contact, account: Account, base: str, with_: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A contact as in contacts-api.md; `with_`: leads, customers, catalog_elements."""
    embedded: dict[str, Any] = {"tags": [tag_json(t) for t in contact.tags]}
    if "leads" in with_:
        embedded["leads"] = [
            _ref(base, "leads", lid)
            for lid in account.leads_by_contact.get(contact.id, [])
            if not account.leads_by_id[lid].is_deleted
        ]
    if "customers" in with_:
        embedded["customers"] = []
    if "catalog_elements" in with_:
        embedded["catalog_elements"] = []
    embedded["companies"] = (
        [_ref(base, "companies", contact.company_id)] if contact.company_id is not None else []
    )
    return {
        "id": contact.id,
        "name": contact.name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "responsible_user_id": contact.responsible_user_id,
        "group_id": 0,
        "created_by": contact.created_by,
        "updated_by": contact.updated_by,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
        "closest_task_at": contact.closest_task_at,
        "is_deleted": contact.is_deleted,
        "is_unsorted": False,
        "custom_fields_values": values_json(account, "contacts", contact),
        "account_id": account.id,
        "_links": link(f"{base}/api/v4/contacts/{contact.id}"),
        "_embedded": embedded,
    }


def company_json(
    company: Company, account: Account, base: str, with_: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A company as in companies-api.md; `with_`: contacts, leads, customers, catalog_elements."""
    embedded: dict[str, Any] = {"tags": [tag_json(t) for t in company.tags]}
    if "contacts" in with_:
        embedded["contacts"] = [
            _ref(base, "contacts", cid) for cid in account.contacts_by_company.get(company.id, [])
        ]
    if "leads" in with_:
        embedded["leads"] = [
            _ref(base, "leads", lid)
            for lid in account.leads_by_company.get(company.id, [])
            if not account.leads_by_id[lid].is_deleted
        ]
    if "customers" in with_:
        embedded["customers"] = []
    if "catalog_elements" in with_:
        embedded["catalog_elements"] = []
    return {
        "id": company.id,
        "name": company.name,
        "responsible_user_id": company.responsible_user_id,
        "group_id": 0,
        "created_by": company.created_by,
        "updated_by": company.updated_by,
        "created_at": company.created_at,
        "updated_at": company.updated_at,
        "closest_task_at": company.closest_task_at,
        "custom_fields_values": values_json(account, "companies", company),
        "is_deleted": company.is_deleted,
        "account_id": account.id,
        "_links": link(f"{base}/api/v4/companies/{company.id}"),
        "_embedded": embedded,
    }


def status_json(status: Status, account: Account, base: str) -> dict[str, Any]:
    return {
        "id": status.id,
        "name": status.name,
        "sort": status.sort,
        "is_editable": status.is_editable,
        "pipeline_id": status.pipeline_id,
        "color": status.color,
        "type": status.type,
        "account_id": account.id,
        "_links": link(f"{base}/api/v4/leads/pipelines/{status.pipeline_id}/statuses/{status.id}"),
    }


def pipeline_json(pipeline: Pipeline, account: Account, base: str) -> dict[str, Any]:
    return {
        "id": pipeline.id,
        "name": pipeline.name,
        "sort": pipeline.sort,
        "is_main": pipeline.is_main,
        "is_unsorted_on": pipeline.is_unsorted_on,
        "is_archive": pipeline.is_archive,
        "account_id": account.id,
        "_links": link(f"{base}/api/v4/leads/pipelines/{pipeline.id}"),
        "_embedded": {"statuses": [status_json(s, account, base) for s in pipeline.statuses]},
    }


def user_json(user: User, base: str) -> dict[str, Any]:
    full = "A" if user.is_admin else "M"  # agents see and edit only their own ("M" = mine)
    entity_rights = {"view": full, "edit": full, "add": "A", "delete": full, "export": full}
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "lang": user.lang,
        "rights": {
            "leads": entity_rights,
            "contacts": {"view": "A", "edit": "A", "add": "A", "delete": full, "export": full},
            "companies": {"view": "A", "edit": "A", "add": "A", "delete": full, "export": full},
            "tasks": {"edit": full, "delete": full},
            "mail_access": True,
            "catalog_access": True,
            "files_access": True,
            "status_rights": [],
            "is_admin": user.is_admin,
            "is_free": False,
            "is_active": user.is_active,
            "group_id": None,
            "role_id": None,
        },
        "_links": link(f"{base}/api/v4/users/{user.id}"),
    }


def _entity_names(platform: int) -> dict[str, Any]:
    """`with=entity_names`: the default names of leads in the shape of account-info.md."""
    ru = {
        "gender": "f",
        "plural_form": {
            "dative": "сделкам", "default": "сделки", "genitive": "сделок",
            "accusative": "сделки", "instrumental": "сделками", "prepositional": "сделках",
        },
        "singular_form": {
            "dative": "сделке", "default": "сделка", "genitive": "сделки",
            "accusative": "сделку", "instrumental": "сделкой", "prepositional": "сделке",
        },
    }  # fmt: skip
    en = {"singular_form": {"default": "lead"}, "plural_form": {"default": "leads"}, "gender": "f"}
    es = {
        "singular_form": {"default": "acuerdo"},
        "plural_form": {"default": "acuerdos"},
        "gender": "m",
    }
    return {"leads": {"ru": ru, "en": en, "es": es} if platform == 1 else {"en": en, "es": es}}


def _datetime_settings(account: Account, now: float) -> dict[str, Any]:
    zone = ZoneInfo(account.timezone)
    offset = dt.datetime.fromtimestamp(now, zone).strftime("%z")
    return {
        "date_pattern": "d.m.Y H:i",
        "short_date_pattern": "d.m.Y",
        "short_time_pattern": "H:i",
        "date_formant": "d.m.Y",  # sic: the documented key (account-info.md)
        "time_format": "H:i:s",
        "timezone": account.timezone,
        "timezone_offset": f"{offset[:3]}:{offset[3:]}",
    }


def account_json(
    account: Account, user: User, base: str, with_: set[str], now: float = 0.0
) -> dict[str, Any]:
    """`GET /api/v4/account` with the documented `with=` values (account-info.md)."""
    body: dict[str, Any] = {
        "id": account.id,
        "name": account.name,
        "subdomain": account.subdomain,
        "created_at": account.created_at,
        "created_by": account.admin.id,
        "updated_at": account.created_at,
        "updated_by": account.admin.id,
        "current_user_id": user.id,
        "country": account.country,
        "currency": account.currency,
        "currency_symbol": account.currency_symbol,
        "customers_mode": "disabled",
        "is_unsorted_on": True,
        "is_loss_reason_enabled": bool(account.loss_reasons),
        "is_helpbot_enabled": False,
        "is_technical_account": False,
        "contact_name_display_order": 1,
    }
    if "is_api_filter_enabled" in with_:
        body["is_api_filter_enabled"] = account.is_api_filter_enabled
    if "amojo_id" in with_:
        body["amojo_id"] = str(uuid.UUID(int=account.id * 0x9E3779B97F4A7C15 % 2**128, version=4))
    if "drive_url" in with_:
        body["drive_url"] = (
            "https://drive-b.amocrm.ru" if account.platform == 1 else ("https://drive-c.kommo.com")
        )
    if "version" in with_:
        body["version"] = 12
    if "entity_names" in with_:
        body["entity_names"] = _entity_names(account.platform)
    if "invoices_settings" in with_:
        body["invoices_settings"] = {
            "lang": "ru" if account.platform == 1 else "en",
            "invoices_catalog_id": None,
        }
    body["_links"] = link(f"{base}/api/v4/account")
    embedded: dict[str, Any] = {}
    if "amojo_rights" in with_:
        embedded["amojo_rights"] = {"can_direct": True, "can_create_groups": True}
    if "users_groups" in with_:
        group = "Відділ продажу" if account.platform == 1 else "Sales team"
        embedded["users_groups"] = [{"id": 0, "name": group, "uuid": None}]
    if "task_types" in with_:
        embedded["task_types"] = [
            {"id": t.id, "name": t.name, "color": t.color, "icon_id": t.icon_id, "code": t.code}
            for t in account.task_types
        ]
    if "datetime_settings" in with_:
        embedded["datetime_settings"] = _datetime_settings(account, now)
    if embedded:
        body["_embedded"] = embedded
    return body


def webhook_json(hook: Webhook, account: Account) -> dict[str, Any]:
    return {
        "id": hook.id,
        "destination": hook.destination,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
        "account_id": account.id,
        "created_by": hook.created_by,
        "sort": hook.sort,
        "disabled": hook.disabled,
        "settings": hook.settings,
    }
