"""`POST /api/v4/leads/complex`: a lead with its contact and company in one call
(leads-api.md, "Комплексное добавление сделок с контактом и компанией").

At most 50 leads per request, one contact and one company per lead, each given by id or
as a full model; a new contact and a new company are linked together. With
`_embedded.metadata` the lead lands in the pipeline's "unsorted" stage. Duplicate control
is not emulated: `merged` is always false.
"""

from __future__ import annotations

from typing import Any

from .changes import Recorder
from .fields import Changes
from .leads import check_lead, new_lead
from .links import set_contact_company
from .models import Account, Contact, User
from .parties import check_party, new_party
from .validation import Errors, bad_type, check_batch, error, not_found, raise_if, request_id

MAX_COMPLEX = 50


def _check_embedded_one(
    account: Account, entity_type: str, raw: Any, path: str
) -> tuple[Errors, dict[str, Any] | None, Changes]:
    """One embedded contact/company: (errors, the model to create or None, its changes)."""
    if raw is None:
        return [], None, {}
    if not isinstance(raw, list):
        return [bad_type(path, "array")], None, {}
    if len(raw) > 1:
        return [error("InvalidValue", path, "Only one entity can be linked.")], None, {}
    if not raw:
        return [], None, {}
    one = raw[0]
    if not isinstance(one, dict):
        return [bad_type(f"{path}.0", "object")], None, {}
    if "id" in one:
        registry = account.contacts if entity_type == "contacts" else account.companies
        found = registry.get(one["id"])
        return ([] if found and not found.is_deleted else [not_found(f"{path}.0.id")]), None, {}
    errors, changes = check_party(account, entity_type, one)
    return [{**e, "path": f"{path}.0.{e['path']}"} for e in errors], one, changes


def add_complex(
    rec: Recorder, account: Account, user: User, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    check_batch(items, MAX_COMPLEX)
    problems: list[tuple[str, Errors]] = []
    plans = []
    for i, item in enumerate(items):
        errors, changes = check_lead(account, item, None, models_inside=True)
        embedded = item.get("_embedded") or {}
        c_errors, contact_model, contact_changes = _check_embedded_one(
            account, "contacts", embedded.get("contacts"), "_embedded.contacts"
        )
        k_errors, company_model, company_changes = _check_embedded_one(
            account, "companies", embedded.get("companies"), "_embedded.companies"
        )
        if errors + c_errors + k_errors:
            problems.append((request_id(item, i), errors + c_errors + k_errors))
        plans.append(
            (i, item, changes, contact_model, contact_changes, company_model, company_changes)
        )
    raise_if(problems)
    change = rec.begin(account)
    out: list[dict[str, Any]] = []
    for i, item, changes, c_model, c_changes, k_model, k_changes in plans:
        embedded = dict(item.get("_embedded") or {})
        contact_id = company_id = None
        new_contact = new_company = None
        if c_model is not None:
            new_contact = new_party(change, "contacts", user, c_model, c_changes)
            embedded["contacts"] = [{"id": new_contact.id}]
        if k_model is not None:
            new_company = new_party(change, "companies", user, k_model, k_changes)
            embedded["companies"] = [{"id": new_company.id}]
        if isinstance(new_contact, Contact) and new_company is not None:
            set_contact_company(account, new_contact, new_company.id)
        lead_item = {**item, "_embedded": embedded}
        if embedded.get("metadata"):
            pipeline = account.pipeline(item.get("pipeline_id", account.main_pipeline.id))
            assert pipeline is not None
            lead_item["status_id"] = pipeline.statuses[0].id  # "unsorted"
        lead = new_lead(change, user, lead_item, changes)
        contact_id = lead.contact_ids[0] if lead.contact_ids else None
        company_id = lead.company_id
        out.append(
            {
                "id": lead.id,
                "contact_id": contact_id,
                "company_id": company_id,
                "request_id": [request_id(item, i)],
                "merged": False,
            }
        )
    rec.commit(change)
    return out
