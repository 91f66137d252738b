"""The sandbox's whole mutable world and the operations on it.

`Sandbox` is what tests and the demo get from `app.state.sandbox`: every control-API
action is a method here, so in-process callers and HTTP callers share one code path.
"""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import itertools
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .config import SandboxConfig
from .faults import FaultPlan
from .limits import RateLimiter
from .models import CLOSED_STATUS_IDS, Account, Lead, Tag, User, Webhook
from .query import LeadQuery, select
from .reqlog import RequestLog
from .seed import build_world, default_anchor
from .tokens import TokenStore
from .webhooks import KNOWN_SETTINGS, Delivery, LeadEvent, Outbox

MAX_BATCH = 250


class LeadValidationError(Exception):
    """Per-entity validation errors, rendered as amoCRM's `validation-errors` body."""

    def __init__(self, errors: list[tuple[str, list[dict[str, str]]]]) -> None:
        super().__init__("Request validation failed")
        self.errors = errors


def _error(code: str, path: str, detail: str) -> dict[str, str]:
    return {"code": code, "path": path, "detail": detail}


def _not_a_choice(path: str) -> dict[str, str]:
    return _error("NotSupportedChoice", path, "The value you selected is not a valid choice.")


@dataclass
class ConsentSession:
    host: str
    user_id: int
    csrf: str


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        # A private copy: the control API may change the integration settings at runtime.
        self.config = dataclasses.replace(
            config, webhook_retry_delays=list(config.webhook_retry_delays)
        )
        self.clock = Clock()
        self.tokens = TokenStore(self.config, self.clock)
        self.log = RequestLog(self.config.request_log_limit)
        self.faults = FaultPlan()
        self.limiter = RateLimiter()
        self.outbox = Outbox(self.config)
        self.sessions: dict[str, ConsentSession] = {}
        self.accounts: dict[str, Account] = {}
        self.anchor = 0
        self._sorted: dict[tuple[str, str], tuple[int, list[Lead]]] = {}
        self._seed(self.config.seed, self.config.leads)

    # --- seeding -----------------------------------------------------------------------

    def _seed(self, seed: int, leads: int) -> None:
        self.anchor = self.config.anchor or default_anchor(self.clock.now())
        self._install(build_world(seed, leads, self.anchor))

    def _install(self, world: dict[str, Account]) -> None:
        self.accounts = world
        self._sorted.clear()

    async def reset(self, leads: int | None = None, seed: int | None = None) -> dict[str, Any]:
        """Reseed and forget everything: tokens, sessions, log, faults, limits, clock."""
        if leads is not None:
            if leads < 0:
                raise ValueError("leads must be >= 0")
            self.config.leads = leads
        if seed is not None:
            self.config.seed = seed
        await self.outbox.cancel_all()
        self.clock.reset()
        anchor = self.config.anchor or default_anchor(self.clock.now())
        # 100k leads take about two seconds to build: keep the event loop serving.
        world = await asyncio.to_thread(build_world, self.config.seed, self.config.leads, anchor)
        self.anchor = anchor
        self._install(world)
        self.tokens.clear()
        self.sessions.clear()
        self.log.clear()
        self.faults.clear()
        self.limiter.clear()
        self.outbox.deliveries.clear()
        return self.summary()

    def summary(self) -> dict[str, Any]:
        return {
            "seed": self.config.seed,
            "leads": self.config.leads,
            "accounts": [
                {
                    "host": a.host,
                    "id": a.id,
                    "platform": a.platform,
                    "leads": len(a.leads),
                    "deletedLeads": len(a.deleted_leads),
                }
                for a in self.accounts.values()
            ],
        }

    # --- lookups -----------------------------------------------------------------------

    def account(self, host: str) -> Account | None:
        return self.accounts.get(host.lower())

    def require_account(self, host: str) -> Account:
        account = self.account(host)
        if account is None:
            raise KeyError(f"no such account host {host!r}")
        return account

    def find_login(self, login: str) -> tuple[Account, User] | None:
        login = login.strip().lower()
        for account in self.accounts.values():
            for user in account.users.values():
                if user.email.lower() == login:
                    return account, user
        return None

    def resolve_user(self, account: Account, who: int | str | None) -> User:
        """A user by id or login; None = the account's admin."""
        if who is None:
            return account.admin
        for user in account.users.values():
            if str(user.id) == str(who) or user.email.lower() == str(who).lower():
                return user
        raise KeyError(f"no user {who!r} in {account.host}")

    def rps(self, account: Account) -> float:
        return (
            account.rate_limit_rps
            if account.rate_limit_rps is not None
            else self.config.rate_limit_rps
        )

    # --- consent sessions --------------------------------------------------------------

    def open_session(self, account: Account, user: User) -> str:
        sid = secrets.token_urlsafe(24)
        self.sessions[sid] = ConsentSession(account.host, user.id, secrets.token_urlsafe(16))
        return sid

    # --- listing -----------------------------------------------------------------------

    def _ordered(self, account: Account, query: LeadQuery) -> Sequence[Lead]:
        source: list[Lead]
        if query.only_deleted:
            source = sorted(account.deleted_leads, key=lambda lead: lead.id)
        else:
            source = account.leads
        field = query.order_field
        if field in ("created_at", "updated_at") and not query.only_deleted:
            assert field is not None
            key = (account.host, field)
            cached = self._sorted.get(key)
            if cached is None or cached[0] != account.version:
                ordered = sorted(source, key=lambda lead: (getattr(lead, field), lead.id))
                cached = (account.version, ordered)
                self._sorted[key] = cached
            source = cached[1]
        elif field in ("created_at", "updated_at"):
            assert field is not None
            source = sorted(source, key=lambda lead: (getattr(lead, field), lead.id))
        if query.descending:
            return _Reversed(source)
        return source

    def page_leads(
        self,
        account: Account,
        query: LeadQuery,
        visible: Callable[[Lead], bool] | None,
        page: int,
        limit: int,
    ) -> tuple[list[Lead], bool]:
        """One page and whether another follows. O(limit) for unfiltered admin pages."""
        ordered = self._ordered(account, query)
        start = (page - 1) * limit
        if query.is_plain and visible is None:
            chunk = list(ordered[start : start + limit + 1])
        else:
            matches: Iterable[Lead] = select(account, ordered, query, visible)
            chunk = list(itertools.islice(matches, start, start + limit + 1))
        return chunk[:limit], len(chunk) > limit

    # --- lead mutations ----------------------------------------------------------------

    def _touch(self, account: Account) -> int:
        account.version += 1
        return self.clock.now_int()

    def _resolve_tags(self, account: Account, raw: list[dict[str, Any]]) -> list[Tag]:
        """Tags by id or by name (a new name creates the tag). Input is pre-validated."""
        tags: list[Tag] = []
        for item in raw:
            if "id" in item:
                tag = account.tags[item["id"]]
            else:
                name = item["name"].strip()
                found = next((t for t in account.tags.values() if t.name == name), None)
                if found is None:
                    found = Tag(account.new_id(), name, None)
                    account.tags[found.id] = found
                tag = found
            if tag not in tags:
                tags.append(tag)
        return tags

    def _check_fields(
        self, account: Account, item: dict[str, Any], lead: Lead | None
    ) -> list[dict[str, str]]:
        errors: list[dict[str, str]] = []
        if "name" in item and not isinstance(item["name"], str):
            errors.append(_error("InvalidType", "name", "This value should be of type string."))
        if "price" in item and (
            not isinstance(item["price"], int)
            or isinstance(item["price"], bool)
            or item["price"] < 0
        ):
            errors.append(_error("InvalidType", "price", "This value should be of type int."))
        for key in ("status_id", "pipeline_id", "responsible_user_id"):
            if key in item and (not isinstance(item[key], int) or isinstance(item[key], bool)):
                errors.append(_error("InvalidType", key, "This value should be of type int."))
        if errors:
            return errors
        pipeline_id = item.get(
            "pipeline_id", lead.pipeline_id if lead else account.main_pipeline.id
        )
        pipeline = account.pipeline(pipeline_id)
        if pipeline is None:
            errors.append(_not_a_choice("pipeline_id"))
        elif "status_id" in item and pipeline.status(item["status_id"]) is None:
            errors.append(_not_a_choice("status_id"))
        if "responsible_user_id" in item and item["responsible_user_id"] not in account.users:
            errors.append(_not_a_choice("responsible_user_id"))
        errors += self._check_embedded(account, item.get("_embedded", {}))
        return errors

    def _check_embedded(self, account: Account, embedded: Any) -> list[dict[str, str]]:
        # Everything is checked before anything changes: a batch is all-or-nothing.
        if not isinstance(embedded, dict):
            return [_error("InvalidType", "_embedded", "This value should be of type object.")]
        errors: list[dict[str, str]] = []
        for key in ("tags", "contacts"):
            if not isinstance(embedded.get(key, []), list):
                errors.append(_error("InvalidType", f"_embedded.{key}", "Expected a list."))
        if errors:
            return errors
        for i, tag in enumerate(embedded.get("tags", [])):
            path = f"_embedded.tags.{i}"
            if not isinstance(tag, dict):
                errors.append(_error("InvalidType", path, "A tag needs an id or a name."))
            elif "id" in tag:
                if not isinstance(tag["id"], int) or tag["id"] not in account.tags:
                    errors.append(_error("NotFound", f"{path}.id", "Tag not found."))
            elif not isinstance(tag.get("name"), str) or not tag["name"].strip():
                errors.append(_error("InvalidType", path, "A tag needs an id or a name."))
        for i, contact in enumerate(embedded.get("contacts", [])):
            if not isinstance(contact, dict) or contact.get("id") not in account.contacts:
                errors.append(
                    _error("NotFound", f"_embedded.contacts.{i}.id", "Contact not found.")
                )
        return errors

    def create_leads(self, account: Account, user: User, items: list[dict[str, Any]]) -> list[Lead]:
        if len(items) > MAX_BATCH:
            raise OverflowError("Limit 250 per page")
        problems = [
            (str(i), errs)
            for i, item in enumerate(items)
            if (errs := self._check_fields(account, item, None))
        ]
        if problems:
            raise LeadValidationError(problems)
        now = self._touch(account)
        created: list[Lead] = []
        for item in items:
            pipeline = account.pipeline(item.get("pipeline_id", account.main_pipeline.id))
            assert pipeline is not None
            # amoCRM puts a new lead into the first stage after "unsorted".
            status_id = item.get("status_id", pipeline.statuses[1].id)
            embedded = item.get("_embedded") or {}
            lead = Lead(
                id=account.new_id(),
                name=item.get("name") or f"Сделка #{account.next_id}",
                price=item.get("price", 0),
                responsible_user_id=item.get("responsible_user_id", user.id),
                status_id=status_id,
                pipeline_id=pipeline.id,
                created_by=user.id,
                updated_by=user.id,
                created_at=now,
                updated_at=now,
                closed_at=now if status_id in CLOSED_STATUS_IDS else None,
                closest_task_at=None,
                tags=self._resolve_tags(account, embedded.get("tags", [])),
                contact_ids=[int(c["id"]) for c in embedded.get("contacts", []) or []],
            )
            account.leads.append(lead)  # ids only grow, so the list stays sorted
            account.leads_by_id[lead.id] = lead
            created.append(lead)
        self.outbox.publish(account, [LeadEvent("add", lead, user.id) for lead in created])
        return created

    def update_leads(
        self,
        account: Account,
        user: User,
        items: list[dict[str, Any]],
        visible: Callable[[Lead], bool] | None = None,
    ) -> list[Lead]:
        if len(items) > MAX_BATCH:
            raise OverflowError("Limit 250 per page")
        problems: list[tuple[str, list[dict[str, str]]]] = []
        targets: list[Lead] = []
        for i, item in enumerate(items):
            lead_id = item.get("id")
            lead = account.leads_by_id.get(lead_id) if isinstance(lead_id, int) else None
            if lead is None or lead.is_deleted or (visible is not None and not visible(lead)):
                problems.append((str(i), [_error("NotFound", "id", "Entity not found.")]))
                continue
            errs = self._check_fields(account, item, lead)
            if errs:
                problems.append((str(i), errs))
            targets.append(lead)
        if problems:
            raise LeadValidationError(problems)
        now = self._touch(account)
        events: list[LeadEvent] = []
        for item, lead in zip(items, targets, strict=True):
            old_status, old_pipeline, old_resp = (
                lead.status_id,
                lead.pipeline_id,
                lead.responsible_user_id,
            )
            if "name" in item:
                lead.name = item["name"]
            if "price" in item:
                lead.price = item["price"]
            if "pipeline_id" in item and item["pipeline_id"] != lead.pipeline_id:
                pipeline = account.pipeline(item["pipeline_id"])
                assert pipeline is not None
                lead.pipeline_id = pipeline.id
                if "status_id" not in item:
                    lead.status_id = pipeline.statuses[1].id
            if "status_id" in item:
                lead.status_id = item["status_id"]
            if "responsible_user_id" in item:
                lead.responsible_user_id = item["responsible_user_id"]
            embedded = item.get("_embedded")
            if isinstance(embedded, dict):
                if "tags" in embedded:
                    lead.tags = self._resolve_tags(account, embedded["tags"])
                if "contacts" in embedded:
                    lead.contact_ids = [int(c["id"]) for c in embedded["contacts"] or []]
            if lead.status_id in CLOSED_STATUS_IDS and old_status not in CLOSED_STATUS_IDS:
                lead.closed_at = now
            elif lead.status_id not in CLOSED_STATUS_IDS:
                lead.closed_at = None
            # updated_at must move on every update, even two updates within one second.
            lead.updated_at = max(now, lead.updated_at + 1)
            lead.updated_by = user.id
            events.append(LeadEvent("update", lead, user.id))
            if (lead.status_id, lead.pipeline_id) != (old_status, old_pipeline):
                events.append(
                    LeadEvent(
                        "status",
                        lead,
                        user.id,
                        old_status_id=old_status,
                        old_pipeline_id=old_pipeline if old_pipeline != lead.pipeline_id else None,
                    )
                )
            if lead.responsible_user_id != old_resp:
                events.append(
                    LeadEvent("responsible", lead, user.id, old_responsible_user_id=old_resp)
                )
        self.outbox.publish(account, events)
        return targets

    def delete_lead(self, account: Account, user: User, lead_id: int) -> Lead:
        lead = account.leads_by_id.get(lead_id)
        if lead is None or lead.is_deleted:
            raise KeyError(f"no lead {lead_id}")
        now = self._touch(account)
        index = bisect.bisect_left(account.leads, lead.id, key=lambda item: item.id)
        del account.leads[index]
        lead.is_deleted = True
        lead.updated_at = max(now, lead.updated_at + 1)
        lead.updated_by = user.id
        account.deleted_leads.append(lead)
        self.outbox.publish(account, [LeadEvent("delete", lead, user.id)])
        return lead

    # --- webhooks subscriptions --------------------------------------------------------

    def subscribe(
        self, account: Account, user: User, destination: str, settings: list[str], sort: int
    ) -> Webhook:
        unknown = [s for s in settings if s not in KNOWN_SETTINGS]
        if unknown or not settings:
            raise ValueError("settings")
        now = self.clock.now_int()
        for hook in account.webhooks:
            if hook.destination == destination:
                # The same destination again updates the subscription (amocrm-api.md §7).
                hook.settings, hook.sort, hook.updated_at, hook.disabled = (
                    settings,
                    sort,
                    now,
                    False,
                )
                return hook
        if len(account.webhooks) >= 100:
            raise OverflowError("Webhooks limit reached")
        hook = Webhook(account.new_id(), destination, settings, sort, now, now, user.id)
        account.webhooks.append(hook)
        return hook

    # --- control actions ---------------------------------------------------------------

    def advance_clock(self, seconds: float) -> float:
        return self.clock.advance(seconds)

    def inject_fault(
        self,
        endpoint: str,
        kind: str,
        *,
        count: int = 1,
        seconds: float | None = None,
        ms: float = 0.0,
        account: str | None = None,
    ) -> dict[str, Any]:
        fault = self.faults.add(
            endpoint,
            kind,
            count=count,
            seconds=self.config.default_fault_seconds if seconds is None else seconds,
            ms=ms,
            account=account,
        )
        return fault.as_json()

    def configure_account(
        self,
        host: str,
        *,
        is_api_filter_enabled: bool | None = None,
        paid: bool | None = None,
        rate_limit_rps: float | None = None,
        installed: bool | None = None,
    ) -> Account:
        account = self.require_account(host)
        if is_api_filter_enabled is not None:
            account.is_api_filter_enabled = is_api_filter_enabled
        if paid is not None:
            account.paid = paid
        if rate_limit_rps is not None:
            account.rate_limit_rps = rate_limit_rps
        if installed is not None:
            account.installed = installed
        return account

    def revoke_tokens(self, host: str) -> int:
        """Revoke every code and token of an account without telling the integration."""
        self.require_account(host)
        return self.tokens.revoke_account(host)

    async def disconnect(self, host: str) -> Delivery:
        """The admin switches the integration off: tokens die, the uninstall hook is sent."""
        account = self.require_account(host)
        self.tokens.revoke_account(host)
        account.installed = False
        return await self.outbox.send_disconnect(
            account, self.config.client_id, self.config.client_secret
        )

    def configure_integration(
        self,
        *,
        redirect_uri: str | None = None,
        disconnect_hook_url: str | None = None,
        client_secret: str | None = None,
    ) -> dict[str, Any]:
        if redirect_uri is not None:
            self.config.redirect_uri = redirect_uri
        if disconnect_hook_url is not None:
            self.config.disconnect_hook_url = disconnect_hook_url or None
        if client_secret is not None and client_secret != self.config.client_secret:
            # Regenerating the secret revokes the accesses issued before (amocrm-api.md §3).
            self.config.client_secret = client_secret
            self.tokens.revoke_all()
        return self.integration()

    def integration(self) -> dict[str, Any]:
        return {
            "clientId": self.config.client_id,
            "clientSecret": self.config.client_secret,
            "name": self.config.integration_name,
            "redirectUri": self.config.redirect_uri,
            "disconnectHookUrl": self.config.disconnect_hook_url,
        }

    def unblock(self, host: str) -> None:
        self.limiter.unblock(host)

    async def drain_webhooks(self) -> None:
        """Wait for queued webhook deliveries (wrap in asyncio.timeout if they may retry)."""
        await self.outbox.drain()

    async def aclose(self) -> None:
        await self.outbox.cancel_all()


class _Reversed(Sequence[Lead]):
    """A reversed view of a list without copying 100k items for every request."""

    def __init__(self, items: Sequence[Lead]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        n = len(self._items)
        if isinstance(index, slice):
            start, stop, _ = index.indices(n)
            if start >= stop:
                return []
            # items[n-1-start] … items[n-stop], i.e. a forward slice, reversed.
            return list(reversed(self._items[n - stop : n - start]))
        return self._items[n - 1 - index]

    def __iter__(self) -> Any:
        return reversed(self._items)
