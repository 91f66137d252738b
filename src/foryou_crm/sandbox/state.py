"""The sandbox's whole mutable world and the operations on it.

`Sandbox` is what tests and the demo get from `app.state.sandbox`: every control-API
action is a method here, so in-process callers and HTTP callers share one code path.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import itertools
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import leads
from .changes import Recorder
from .clock import Clock
from .config import SandboxConfig
from .faults import FaultPlan
from .limits import RateLimiter
from .models import Account, Lead, User, Webhook
from .query import ListQuery, select
from .reqlog import RequestLog
from .seed import build_world, default_anchor
from .seed_activity import draw_in_background
from .tokens import TokenStore
from .webhooks import KNOWN_SETTINGS, Delivery, Outbox


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
        self.recorder = Recorder(self.clock, self.outbox)
        self.sessions: dict[str, ConsentSession] = {}
        self.accounts: dict[str, Account] = {}
        self.anchor = 0
        self._sorted: dict[tuple[str, str], tuple[int, list[Lead]]] = {}
        self._drawing: asyncio.Task[None] | None = None  # see start_drawing
        self._seed(self.config.seed, self.config.leads)

    # --- seeding -----------------------------------------------------------------------

    def _seed(self, seed: int, leads: int) -> None:
        self.anchor = self.config.anchor or default_anchor(self.clock.now())
        config = self.config
        self._install(build_world(seed, leads, self.anchor, config.agencies, config.agency_leads))

    def _install(self, world: dict[str, Account]) -> None:
        drawing = self._drawing is not None
        self.stop_drawing()
        self.accounts = world
        self._sorted.clear()
        if drawing:
            self.start_drawing()

    def start_drawing(self) -> None:
        """Draw the lazily seeded notes and tasks in the background, a chunk at a time on
        the event loop (the app's lifespan starts this; without it they are drawn on
        demand, with the same result)."""
        self.stop_drawing()
        accounts = list(self.accounts.values())

        async def draw() -> None:
            for account in accounts:
                await draw_in_background(account)
            if self.config.freeze_world:
                # ~1,000,000 objects at 100,000 leads: each full collection walked them all,
                # pausing this loop ~0.4 s, and requests arriving meanwhile were stamped late,
                # bunched — a client keeping to 7 a second drew 429s that amoCRM's edge
                # servers, which stamp arrivals, would not send. Collected once, then frozen.
                gc.collect()
                gc.freeze()

        self._drawing = asyncio.get_running_loop().create_task(draw())

    def stop_drawing(self) -> None:
        if self._drawing is not None:
            self._drawing.cancel()
            self._drawing = None

    @property
    def drawing(self) -> bool:
        """Whether the background drawing — and the collection that ends it — still runs: it
        takes the loop a chunk at a time (seconds at 100,000 leads), so a benchmark waits for
        it to end before timing anything."""
        return self._drawing is not None and not self._drawing.done()

    async def drawn(self) -> None:
        """Wait for the background drawing (tests and tools)."""
        if self._drawing is not None:
            await self._drawing

    async def reset(self, leads: int | None = None, seed: int | None = None) -> dict[str, Any]:
        """Reseed and forget everything: tokens, sessions, log, faults, limits, clock."""
        if leads is not None:
            if leads < 0:
                raise ValueError("leads must be >= 0")
            self.config.leads = leads
        if seed is not None:
            self.config.seed = seed
        await self.outbox.cancel_all()
        if self.config.freeze_world:
            gc.unfreeze()  # the old world may go; the new one is frozen once drawn
        self.clock.reset()
        anchor = self.config.anchor or default_anchor(self.clock.now())
        # 100k leads take about two seconds to build: keep the event loop serving.
        config = self.config
        world = await asyncio.to_thread(
            build_world, config.seed, config.leads, anchor, config.agencies, config.agency_leads
        )
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

    def _ordered(self, account: Account, query: ListQuery) -> Sequence[Lead]:
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
        query: ListQuery,
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

    # --- writes (in-process callers share the API's code paths; call from async code:
    # they queue webhooks) ---------------------------------------------------------------

    def create_leads(self, account: Account, user: User, items: list[dict[str, Any]]) -> list[Lead]:
        return leads.create_leads(self.recorder, account, user, items)

    def update_leads(
        self,
        account: Account,
        user: User,
        items: list[dict[str, Any]],
        visible: Callable[[Lead], bool] | None = None,
    ) -> list[Lead]:
        return leads.update_leads(self.recorder, account, user, items, visible)

    def delete_lead(self, account: Account, user: User, lead_id: int) -> Lead:
        return leads.delete_lead(self.recorder, account, user, lead_id)

    def restore_lead(self, account: Account, user: User, lead_id: int) -> Lead:
        return leads.restore_lead(self.recorder, account, user, lead_id)

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
        endpoint: str | None,
        kind: str,
        *,
        count: int = 1,
        seconds: float | None = None,
        ms: float = 0.0,
        account: str | None = None,
        path: str | None = None,
    ) -> dict[str, Any]:
        fault = self.faults.add(
            endpoint,
            kind,
            count=count,
            seconds=self.config.default_fault_seconds if seconds is None else seconds,
            ms=ms,
            account=account,
            path=path,
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
        self.stop_drawing()
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
