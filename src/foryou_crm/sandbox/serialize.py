"""amoCRM v4 JSON shapes (field sets and order follow the verbatim examples in the reference)."""

from __future__ import annotations

from typing import Any

from .models import Account, Contact, Lead, Pipeline, Status, Tag, User, Webhook


def link(href: str) -> dict[str, Any]:
    return {"self": {"href": href}}


def tag_json(tag: Tag) -> dict[str, Any]:
    return {"id": tag.id, "name": tag.name, "color": tag.color}


def lead_json(lead: Lead, account: Account, base: str, *, with_contacts: bool) -> dict[str, Any]:
    embedded: dict[str, Any] = {"tags": [tag_json(t) for t in lead.tags], "companies": []}
    if with_contacts:
        embedded["contacts"] = [
            {"id": cid, "is_main": i == 0, "_links": link(f"{base}/api/v4/contacts/{cid}")}
            for i, cid in enumerate(lead.contact_ids)
        ]
    return {
        "id": lead.id,
        "name": lead.name,
        "price": lead.price,
        "responsible_user_id": lead.responsible_user_id,
        "group_id": 0,
        "status_id": lead.status_id,
        "pipeline_id": lead.pipeline_id,
        "loss_reason_id": None,
        "source_id": None,
        "created_by": lead.created_by,
        "updated_by": lead.updated_by,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
        "closed_at": lead.closed_at,
        "closest_task_at": lead.closest_task_at,
        "is_deleted": lead.is_deleted,
        "custom_fields_values": None,
        "score": None,
        "account_id": account.id,
        "_links": link(f"{base}/api/v4/leads/{lead.id}"),
        "_embedded": embedded,
    }


def contact_json(contact: Contact, account: Account, base: str) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "responsible_user_id": contact.responsible_user_id,
        "group_id": 0,
        "created_by": contact.created_by,
        "updated_by": contact.created_by,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
        "closest_task_at": None,
        "is_deleted": contact.is_deleted,
        "is_unsorted": False,
        "custom_fields_values": None,
        "account_id": account.id,
        "_links": link(f"{base}/api/v4/contacts/{contact.id}"),
        "_embedded": {"tags": [], "companies": []},
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


def account_json(account: Account, user: User, base: str, with_: set[str]) -> dict[str, Any]:
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
        "is_loss_reason_enabled": False,
        "is_helpbot_enabled": False,
        "is_technical_account": False,
        "contact_name_display_order": 1,
    }
    if "is_api_filter_enabled" in with_:
        body["is_api_filter_enabled"] = account.is_api_filter_enabled
    if "version" in with_:
        body["version"] = 12
    body["_links"] = link(f"{base}/api/v4/account")
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
