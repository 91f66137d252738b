"""Outbound calls: entity webhooks (v2 form format) and the uninstall ("disconnect") hook.

Webhooks are delivered in background tasks with amoCRM's retry schedule
(`SandboxConfig.webhook_retry_delays`, 5 min / 15 min / 15 min / 1 h by default).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from .config import SandboxConfig
from .models import Account, Webhook

USER_AGENT = "amoCRM-Webhooks/3.0"
HOOK_USER_AGENT = "amoService-oAuth-Code-Sender/1.0"

# Every event name the webhooks API accepts (webhooks-api.md, "Возможные события").
KNOWN_SETTINGS = frozenset(
    {
        *(f"{action}_{entity}" for action in ("add", "update", "delete", "responsible")
          for entity in ("lead", "contact", "company", "customer", "task")),
        "restore_lead", "restore_contact", "restore_company", "status_lead",
        "note_lead", "note_contact", "note_company", "note_customer",
        "add_talk", "update_talk", "add_chat_template_review",
    }
)  # fmt: skip

# amoCRM disables a webhook after more than 100 bad answers within 2 hours.
DISABLE_AFTER = 100
DISABLE_WINDOW = 7200.0


@dataclass(frozen=True)
class HookEvent:
    """One entity in one webhook: `{section}[{action}][i][key]=value` (see hooks.py)."""

    setting: str  # the subscription that receives it, e.g. "status_lead", "note_contact"
    section: str  # leads | contacts | companies | task
    action: str  # add | update | delete | restore | status | responsible | note
    fields: list[tuple[str, str]]


@dataclass
class Delivery:
    kind: str  # "webhook" | "disconnect"
    url: str
    method: str
    body: str
    attempt: int
    at: float
    status: int | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "method": self.method,
            "body": self.body,
            "attempt": self.attempt,
            "at": self.at,
            "status": self.status,
            "error": self.error,
        }


def encode_events(events: Iterable[HookEvent], account: Account) -> str:
    """`leads[status][0][id]=…&…&account[subdomain]=…` (PHP bracket form, urlencoded)."""
    pairs: list[tuple[str, str]] = []
    index: dict[tuple[str, str], int] = {}
    for event in events:
        slot = (event.section, event.action)
        i = index.get(slot, 0)
        index[slot] = i + 1
        for key, value in event.fields:
            head, bracket, rest = key.partition("[")
            suffix = f"[{head}]" + (bracket + rest if bracket else "")
            pairs.append((f"{event.section}[{event.action}][{i}]{suffix}", value))
    pairs += [
        ("account[subdomain]", account.subdomain),
        ("account[id]", str(account.id)),
        ("account[_links][self]", f"https://{account.host}"),
    ]
    return urlencode(pairs)


def disconnect_signature(client_secret: str, client_id: str, account_id: int) -> str:
    """hex HMAC-SHA256(key=client_secret, msg="{client_id}|{account_id}") (amocrm-api.md §3)."""
    message = f"{client_id}|{account_id}".encode()
    return hmac.new(client_secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class Outbox:
    config: SandboxConfig
    deliveries: list[Delivery] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.config.outbound_transport,
            timeout=self.config.hook_timeout,
            follow_redirects=False,
        )

    # --- entity webhooks ---------------------------------------------------------------

    def publish(self, account: Account, events: list[HookEvent]) -> None:
        """Queue one POST per subscribed destination carrying the events it asked for."""
        if not events:
            return
        for hook in sorted(account.webhooks, key=lambda h: h.sort):
            if hook.disabled:
                continue
            wanted = [e for e in events if e.setting in hook.settings]
            if not wanted:
                continue
            body = encode_events(wanted, account)
            task = asyncio.get_running_loop().create_task(self._deliver(hook, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook: Webhook, body: str) -> None:
        delays = [0.0, *self.config.webhook_retry_delays]
        for attempt, delay in enumerate(delays, start=1):
            if delay:
                await asyncio.sleep(delay)
            if hook.disabled:
                return
            record = Delivery("webhook", hook.destination, "POST", body, attempt, time.time())
            self.deliveries.append(record)
            try:
                # asyncio.timeout as well as httpx's: in-process transports ignore the latter.
                async with asyncio.timeout(self.config.hook_timeout), self._client() as client:
                    response = await client.post(
                        hook.destination,
                        content=body,
                        headers={
                            "Content-Type": "application/x-www-form-urlencoded",
                            "User-Agent": USER_AGENT,
                        },
                    )
                record.status = response.status_code
                if 100 <= response.status_code < 300:
                    return
            except (httpx.HTTPError, TimeoutError) as exc:
                # No answer within the timeout counts as code 0 (a bad answer).
                record.error = type(exc).__name__
            now = time.time()
            hook.failures = [t for t in hook.failures if t > now - DISABLE_WINDOW] + [now]
            if len(hook.failures) > DISABLE_AFTER:
                hook.disabled = True
                return

    async def drain(self) -> None:
        """Wait until every queued delivery (with its retries) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    # --- the uninstall hook ------------------------------------------------------------

    async def send_disconnect(self, account: Account, client_id: str, secret: str) -> Delivery:
        url = self.config.disconnect_hook_url or ""
        params = {
            "client_uuid": client_id,
            "account_id": str(account.id),
            "signature": disconnect_signature(secret, client_id, account.id),
        }
        full = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        record = Delivery("disconnect", full, "GET", "", 1, time.time())
        self.deliveries.append(record)
        if not url:
            record.error = "no disconnect hook url configured"
            return record
        try:
            async with asyncio.timeout(self.config.hook_timeout), self._client() as client:
                response = await client.get(full, headers={"User-Agent": HOOK_USER_AGENT})
            record.status = response.status_code
        except (httpx.HTTPError, TimeoutError) as exc:
            record.error = type(exc).__name__
        return record
