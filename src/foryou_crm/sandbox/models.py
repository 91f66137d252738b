"""Plain in-memory records of the emulated amoCRM world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WON_STATUS_ID = 142
LOST_STATUS_ID = 143
CLOSED_STATUS_IDS = frozenset({WON_STATUS_ID, LOST_STATUS_ID})

# Custom field values as stored: field id → [(value, enum id or None)], in field order.
Values = dict[int, list[tuple[Any, int | None]]]


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
class FieldEnum:
    id: int
    value: str
    sort: int
    code: str | None = None


@dataclass(slots=True)
class CustomField:
    """A field definition of one entity type (`GET /api/v4/{entity}/custom_fields`)."""

    id: int
    name: str
    type: str  # text, numeric, select, multiselect, multitext, checkbox, date, url, textarea…
    entity_type: str  # leads | contacts | companies
    sort: int
    code: str | None = None
    enums: list[FieldEnum] | None = None
    is_predefined: bool = False
    is_deletable: bool = True

    def enum(self, enum_id: int) -> FieldEnum | None:
        return next((e for e in self.enums or [] if e.id == enum_id), None)

    def enum_named(self, code_or_value: str) -> FieldEnum | None:
        """By `enum_code` (multitext codes are the enum values, e.g. WORK) or by value."""
        wanted = code_or_value.strip().lower()
        for e in self.enums or []:
            if (e.code or "").lower() == wanted or e.value.lower() == wanted:
                return e
        return None


@dataclass(slots=True)
class LossReason:
    id: int
    name: str
    sort: int
    created_at: int


@dataclass(slots=True)
class Source:
    id: int
    name: str


@dataclass(slots=True)
class TaskType:
    id: int
    name: str
    code: str | None
    color: str | None = None
    icon_id: int | None = None


@dataclass(slots=True)
class Contact:
    id: int
    first_name: str
    last_name: str
    responsible_user_id: int
    created_by: int
    created_at: int
    updated_at: int
    updated_by: int = 0
    company_id: int | None = None
    # Seeded values live in `seeded` (compact, see fields.py) until the first edit
    # writes them out to `values`.
    seeded: tuple[Any, ...] | None = None
    values: Values | None = None
    tags: list[Tag] = field(default_factory=list)
    closest_task_at: int | None = None
    is_deleted: bool = False
    # A `name` written as such (not as first + last name) is kept as given.
    given_name: str | None = None

    @property
    def name(self) -> str:
        if self.given_name is not None:
            return self.given_name
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(slots=True)
class Company:
    id: int
    name: str
    responsible_user_id: int
    created_by: int
    updated_by: int
    created_at: int
    updated_at: int
    seeded: tuple[Any, ...] | None = None
    values: Values | None = None
    tags: list[Tag] = field(default_factory=list)
    closest_task_at: int | None = None
    is_deleted: bool = False


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
    company_id: int | None = None
    loss_reason_id: int | None = None
    source_id: int | None = None
    seeded: tuple[Any, ...] | int | None = None  # an int: see seed_values.py
    values: Values | None = None
    is_deleted: bool = False


@dataclass(slots=True)
class Note:
    id: int
    entity_type: str  # leads | contacts | companies
    entity_id: int
    note_type: str
    created_by: int
    updated_by: int
    created_at: int
    updated_at: int
    responsible_user_id: int
    # Seeded notes keep their few varying parts in `seeded` (see notes.py); notes written
    # through the API keep their params as sent.
    params: dict[str, Any] | None = None
    seeded: tuple[Any, ...] | None = None


@dataclass(slots=True)
class Task:
    id: int
    entity_type: str | None  # leads | contacts | companies, or None for a free task
    entity_id: int | None
    created_by: int
    updated_by: int
    created_at: int
    updated_at: int
    responsible_user_id: int
    task_type_id: int
    text: str
    complete_till: int
    duration: int = 0
    is_completed: bool = False
    result: str | None = None


@dataclass(slots=True)
class Event:
    id: str  # ULID, as amoCRM's ("01pz58t6p04ymgsgfbmfyfy1mf")
    type: str
    entity_type: str  # lead | contact | company | task
    entity_id: int
    created_by: int
    created_at: int
    value_after: list[dict[str, Any]]
    value_before: list[dict[str, Any]]


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
    timezone: str
    created_at: int
    users: dict[int, User]
    pipelines: list[Pipeline]
    tags: dict[int, Tag]  # lead tags (`GET /api/v4/leads/tags`)
    contacts: dict[int, Contact]
    # Live leads sorted by id (ids only grow), deleted ones kept apart ("корзина").
    leads: list[Lead]
    deleted_leads: list[Lead]
    leads_by_id: dict[int, Lead]
    companies: dict[int, Company] = field(default_factory=dict)
    party_tags: dict[int, Tag] = field(default_factory=dict)  # contact and company tags
    # Field definitions per entity type, in `sort` order.
    fields: dict[str, list[CustomField]] = field(default_factory=dict)
    loss_reasons: list[LossReason] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    task_types: list[TaskType] = field(default_factory=list)
    notes: dict[int, Note] = field(default_factory=dict)  # by id; ids only grow
    notes_by_entity: dict[int, list[Note]] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)  # by id; ids only grow
    tasks_by_entity: dict[int, list[Task]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)  # oldest first
    # Reverse links, kept in step with Lead.contact_ids / company_id and Contact.company_id.
    leads_by_contact: dict[int, list[int]] = field(default_factory=dict)
    leads_by_company: dict[int, list[int]] = field(default_factory=dict)
    contacts_by_company: dict[int, list[int]] = field(default_factory=dict)
    webhooks: list[Webhook] = field(default_factory=list)
    # Seeded notes and tasks are drawn when first needed (seed_activity.py): the entities
    # still waiting, and what drawing them needs.
    values_todo: set[int] = field(default_factory=set)  # contacts whose values wait
    notes_todo: set[int] = field(default_factory=set)  # leads/contacts not drawn yet
    tasks_todo: set[int] = field(default_factory=set)
    notes_in_order: bool = True  # `notes` iterates in id order
    tasks_in_order: bool = True
    seed: int = 0
    anchor: int = 0  # the end of the seeded history
    first_stages: set[int] = field(default_factory=set)  # "unsorted" and the first stage
    id_base: int = 0
    profile: Any = None  # profiles.Profile of the seeded account
    is_api_filter_enabled: bool = True
    paid: bool = True
    installed: bool = True  # the integration is switched on (an admin installed it)
    rate_limit_rps: float | None = None  # None = the sandbox default
    next_id: int = 0
    event_seq: int = 0  # the random part of event ULIDs (deterministic, monotonic)
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
        """The central host of the platform (JWT `api_domain`, subdomain lookup)."""
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

    def field(self, entity_type: str, field_id: int) -> CustomField | None:
        return next((f for f in self.fields.get(entity_type, []) if f.id == field_id), None)

    def field_by_code(self, entity_type: str, code: str) -> CustomField | None:
        return next((f for f in self.fields.get(entity_type, []) if f.code == code), None)

    def lead(self, lead_id: int) -> Lead | None:
        """A lead, live or deleted."""
        return self.leads_by_id.get(lead_id)

    def task_type(self, type_id: int) -> TaskType | None:
        return next((t for t in self.task_types if t.id == type_id), None)

    def loss_reason(self, reason_id: int | None) -> LossReason | None:
        return next((r for r in self.loss_reasons if r.id == reason_id), None)

    def source(self, source_id: int | None) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)
