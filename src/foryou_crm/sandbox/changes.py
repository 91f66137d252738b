"""One write = one `Change`: the moment it happens, the events it records in the feed and
the webhooks it sends. Operations stamp entities and collect; `Recorder.commit` publishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .clock import Clock
from .events import new_event
from .models import Account, Event
from .webhooks import HookEvent, Outbox


class Stamped(Protocol):
    updated_at: int


@dataclass
class Change:
    account: Account
    now: int
    ms: int
    events: list[Event] = field(default_factory=list)
    hooks: list[HookEvent] = field(default_factory=list)

    def stamp(self, entity: Stamped) -> None:
        """`updated_at` moves on every change, strictly (two changes in a second differ)."""
        entity.updated_at = max(self.now, entity.updated_at + 1)

    def event(
        self,
        type_: str,
        entity_type: str,
        entity_id: int,
        by: int,
        after: list[dict[str, Any]] | None = None,
        before: list[dict[str, Any]] | None = None,
    ) -> None:
        self.events.append(
            new_event(
                self.account, type_, entity_type, entity_id, by, self.now, self.ms, after, before
            )
        )


class Recorder:
    def __init__(self, clock: Clock, outbox: Outbox) -> None:
        self.clock = clock
        self.outbox = outbox

    def begin(self, account: Account) -> Change:
        account.version += 1  # invalidates cached sort orders
        now = self.clock.now()
        return Change(account, int(now), int(now * 1000))

    def commit(self, change: Change) -> None:
        change.account.events += change.events
        self.outbox.publish(change.account, change.hooks)
