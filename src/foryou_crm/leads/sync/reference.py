"""Phase REFERENCE: pipelines and users as amoCRM has them now, and (admins, on the first pass
and every full pass) the lead webhook, subscribed before any lead is read so changes made
while the pages are read are announced."""

from __future__ import annotations

from typing import Any

from foryou_crm.amocrm.errors import AmoCRMForbidden
from foryou_crm.leads import store, webhooks
from foryou_crm.leads.sync import details
from foryou_crm.leads.sync.job import Job


async def refresh(job: Job) -> None:
    """Pipelines for everyone; users for admins, else at least the token's own user; on a
    full pass also the account's currency and the lead custom field definitions."""
    # Every full pass subscribes again (amoCRM updates a subscription with the same
    # destination): a release that listens to more events gets them, and a webhook someone
    # deleted in amoCRM comes back.
    if job.ref.is_admin and (not job.state.webhook_subscribed or job.kind == "full"):
        deps = job.deps
        await webhooks.subscribe(deps.settings, deps.sessionmaker, deps.tokens, job.cid)
    pipelines = await job.pacer.call(lambda c: c.get_pipelines())
    users: list[dict[str, Any]] | None = None
    if job.ref.is_admin:
        try:
            users = await job.pacer.call(lambda c: c.get_users())
        except AmoCRMForbidden:
            users = None  # rights changed since connecting: fall back below
    if users is None:
        me = await job.pacer.call(lambda c: c.get_current_user())
        uid = (me or {}).get("id") or job.ref.amo_user_id
        users = [{"id": uid, "name": (me or {}).get("name") or ""}] if uid else []

    async def write(session: Any) -> None:
        await store.replace_reference(session, job.cid, pipelines, users)

    await job.commit(write)
    if job.kind == "full":
        await details.refresh_definitions(job)
