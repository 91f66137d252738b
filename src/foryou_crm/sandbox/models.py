"""Plain in-memory records of the emulated amoCRM world."""

from __future__ import annotations

from dataclasses import dataclass, field

WON_STATUS_ID = 142
LOST_STATUS_ID = 143
CLOSED_STATUS_IDS = frozenset({WON_STATUS_ID, LOST_STATUS_ID})


@dataclass(slots=True)
class User:
    id: int
    name: str
    email: str
    is_admin: bool
    lang: str = "ru"
    is_active: bool = True


@dataclass(slots=True)
class Status:
    id: int
    name: str
    sort: int
    color: str
    type: int  # 1 = unsorted, 0 = normal (142/143 are type 0 too)
    pipeline_id: int
    is_editable: bool = True


@dataclass(slots=True)
class Pipeline:
    id: int
    name: str
    sort: int
    is_main: bool
    statuses: list[Status]
    is_unsorted_on: bool = True
    is_archive: bool = False

    def status(self, status_id: int) -> Status | None:
        return next((s for s in self.statuses if s.id == status_id), None)


@dataclass(slots=True)
class Tag:
    id: int
    name: str
    color: str | None = None


@dataclass(slots=True)
class Contact:
    id: int
    first_name: str
    last_name: str
    responsible_user_id: int
    created_by: int
    created_at: int
    updated_at: int
    is_deleted: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(slots=True)
class Lead:
    id: int
    name: str
    price: int
    responsible_user_id: int
    status_id: int
    pipeline_id: int
    created_by: int
    updated_by: int
    created_at: int
    updated_at: int
    closed_at: int | None
    closest_task_at: int | None
    tags: list[Tag] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)  # first one is the main contact
    is_deleted: bool = False


@dataclass(slots=True)
class Webhook:
    id: int
    destination: str
    settings: list[str]
    sort: int
    created_at: int
    updated_at: int
    created_by: int
    disabled: bool = False
    failures: list[float] = field(default_factory=list)  # times of bad answers (disable rule)


@dataclass
class Account:
    id: int
    host: str  # the real-looking host, e.g. reforyou.amocrm.ru
    name: str
    platform: int  # 1 = amoCRM (amocrm.ru), 2 = Kommo (kommo.com)
    country: str
    currency: str
    currency_symbol: str
    created_at: int
    users: dict[int, User]
    pipelines: list[Pipeline]
    tags: dict[int, Tag]
    contacts: dict[int, Contact]
    # Live leads sorted by id (ids only grow), deleted ones kept apart ("корзина").
    leads: list[Lead]
    deleted_leads: list[Lead]
    leads_by_id: dict[int, Lead]
    webhooks: list[Webhook] = field(default_factory=list)
    is_api_filter_enabled: bool = True
    paid: bool = True
    installed: bool = True  # the integration is switched on (an admin installed it)
    rate_limit_rps: float | None = None  # None = the sandbox default
    next_id: int = 0
    # Bumped on every lead change; invalidates cached sort orders.
    version: int = 0

    @property
    def subdomain(self) -> str:
        return self.host.split(".", 1)[0]

    @property
    def base_domain(self) -> str:
        return self.host.split(".", 1)[1]

    @property
    def api_domain(self) -> str:
        return "api-b.amocrm.ru" if self.platform == 1 else "api-c.kommo.com"

    @property
    def admin(self) -> User:
        return next(u for u in self.users.values() if u.is_admin)

    def pipeline(self, pipeline_id: int) -> Pipeline | None:
        return next((p for p in self.pipelines if p.id == pipeline_id), None)

    @property
    def main_pipeline(self) -> Pipeline:
        return next(p for p in self.pipelines if p.is_main)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id
