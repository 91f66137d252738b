"""Deterministic seed data: two accounts, their users, pipelines, tags, contacts and leads.

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same
(seed, leads, anchor) always produces the same world. Ids look like amoCRM ids
(large, increasing, with gaps) and grow with `created_at`, as on a real account.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .config import DEMO_ADMIN_LOGIN, DEMO_AGENT_LOGIN
from .models import (
    LOST_STATUS_ID,
    WON_STATUS_ID,
    Account,
    Contact,
    Lead,
    Pipeline,
    Status,
    Tag,
    User,
)

DAY = 86_400
TWO_YEARS = 730 * DAY

REFORYOU_HOST = "reforyou.amocrm.ru"
REFORYOU_ID = 31920194
KOMMO_HOST = "otheragency.kommo.com"
KOMMO_ID = 32845510
KOMMO_LEADS = 40

UNSORTED_COLOR = "#c1c1c1"
WON_COLOR = "#CCFF66"
LOST_COLOR = "#D5D8DB"

KYIV = [
    "Печерськ",
    "Поділ",
    "Оболонь",
    "Липки",
    "Осокорки",
    "Позняки",
    "Голосіїв",
    "Лук'янівка",
    "Русанівка",
    "Звіринець",
]
DUBAI = [
    "Dubai Marina",
    "Downtown Dubai",
    "Palm Jumeirah",
    "JVC",
    "Business Bay",
    "Dubai Hills",
    "JBR",
    "Arabian Ranches",
]
SUBURBS = ["Буча", "Ірпінь", "Козин", "Вишгород", "Гатне", "Бровари"]
FIRST_NAMES = [
    "Іван",
    "Олена",
    "Тарас",
    "Наталія",
    "Богдан",
    "Ірина",
    "John",
    "Emma",
    "Ahmed",
    "Fatima",
    "Oliver",
    "Sofia",
    "Максим",
    "Юлія",
]
LAST_NAMES = [
    "Петренко",
    "Шевченко",
    "Коваленко",
    "Бондар",
    "Ткаченко",
    "Smith",
    "Williams",
    "Al Mansoori",
    "Haddad",
    "Novak",
    "Lindqvist",
    "Кравчук",
]


@dataclass(frozen=True)
class _LeadKind:
    template: str
    low: int
    high: int
    step: int
    rent: bool = False


LEAD_KINDS = [
    _LeadKind("Квартира {rooms}к, {kyiv}", 45_000, 350_000, 1_000),
    _LeadKind("Apartment {rooms}BR, {dubai}", 180_000, 1_500_000, 5_000),
    _LeadKind("Villa in {dubai}", 900_000, 9_000_000, 50_000),
    _LeadKind("Будинок, {suburb}", 120_000, 900_000, 5_000),
    _LeadKind("Таунхаус, {suburb}", 90_000, 400_000, 5_000),
    _LeadKind("Офіс {area} м², {kyiv}", 60_000, 1_200_000, 5_000),
    _LeadKind("Penthouse, {dubai}", 2_000_000, 15_000_000, 100_000),
    _LeadKind("Оренда: квартира {rooms}к, {kyiv}", 600, 4_000, 50, rent=True),
    _LeadKind("Rent: studio, {dubai}", 1_500, 9_000, 100, rent=True),
]


def default_anchor(now: float) -> int:
    """Start of the current UTC day: the end of the seeded history."""
    return int(now) // DAY * DAY


def _status(sid: int, name: str, sort: int, color: str, pipeline_id: int, type_: int = 0) -> Status:
    editable = type_ != 1 and sid not in (WON_STATUS_ID, LOST_STATUS_ID)
    return Status(sid, name, sort, color, type_, pipeline_id, is_editable=editable)


def _pipeline(
    pid: int,
    name: str,
    sort: int,
    is_main: bool,
    first_status_id: int,
    stages: list[tuple[str, str]],
    unsorted_name: str,
    won_name: str,
    lost_name: str,
) -> Pipeline:
    statuses = [_status(first_status_id, unsorted_name, 10, UNSORTED_COLOR, pid, type_=1)]
    for i, (stage, color) in enumerate(stages, start=1):
        statuses.append(_status(first_status_id + i, stage, 10 + 10 * i, color, pid))
    statuses.append(_status(WON_STATUS_ID, won_name, 10_000, WON_COLOR, pid))
    statuses.append(_status(LOST_STATUS_ID, lost_name, 11_000, LOST_COLOR, pid))
    return Pipeline(pid, name, sort, is_main, statuses)


def _reforyou_shell(anchor: int) -> Account:
    users = [
        User(9001101, "Олена Коваль", DEMO_ADMIN_LOGIN, is_admin=True),
        User(9001102, "Андрій Мельник", DEMO_AGENT_LOGIN, is_admin=False),
        User(9001103, "Maria Santos", "amo-agent2@reforyou.example", is_admin=False, lang="en"),
        User(9001104, "Дмитро Бондаренко", "amo-agent3@reforyou.example", is_admin=False),
    ]
    ru = ("Неразобранное", "Успешно реализовано", "Закрыто и не реализовано")
    pipelines = [
        _pipeline(
            7710001,
            "Продаж",
            1,
            True,
            61000011,
            [
                ("Первинний контакт", "#99ccff"),
                ("Показ об'єкта", "#ffff99"),
                ("Переговори", "#ffcc66"),
                ("Договір / завдаток", "#87f2c0"),
            ],
            *ru,
        ),
        _pipeline(
            7710002,
            "Оренда",
            2,
            False,
            61000021,
            [
                ("Нова заявка", "#98cbff"),
                ("Підбір варіантів", "#fffd7f"),
                ("Перегляд", "#ffc8c8"),
            ],
            *ru,
        ),
    ]
    tag_names = ["Dubai", "Київ", "VIP", "Інвестиція", "Off-plan", "Вторинка", "Гарячий", "Іпотека"]
    return _shell(
        REFORYOU_ID, REFORYOU_HOST, "ReForYou Real Estate", 1, ("UA", "USD", "$"), anchor, users,
        pipelines, tag_names, 62_000_000,
    )  # fmt: skip


def _kommo_shell(anchor: int) -> Account:
    users = [
        User(9102201, "Sarah Collins", "kommo-admin@otheragency.example", is_admin=True, lang="en"),
        User(9102202, "Lucas Pereira", "kommo-agent@otheragency.example", False, lang="en"),
        User(9102203, "Aisha Rahman", "kommo-agent2@otheragency.example", False, lang="en"),
    ]
    en = ("Incoming leads", "Closed - won", "Closed - lost")
    pipelines = [
        _pipeline(
            8820001,
            "Sales",
            1,
            True,
            71000011,
            [("Qualified", "#99ccff"), ("Viewing", "#ffff99"), ("Offer made", "#ffcc66")],
            *en,
        ),
        _pipeline(
            8820002,
            "Off-plan",
            2,
            False,
            71000021,
            [("Contacted", "#98cbff"), ("Reserved", "#87f2c0")],
            *en,
        ),
    ]
    return _shell(
        KOMMO_ID, KOMMO_HOST, "Other Agency", 2, ("AE", "AED", "AED"), anchor, users, pipelines,
        ["Dubai", "Investor", "Cash buyer", "Hot"], 72_000_000,
    )  # fmt: skip


def _shell(
    account_id: int,
    host: str,
    name: str,
    platform: int,
    locale: tuple[str, str, str],
    anchor: int,
    users: list[User],
    pipelines: list[Pipeline],
    tag_names: list[str],
    tag_base: int,
) -> Account:
    palette = ["#ffc8c8", "#98cbff", None, "#fffd7f", "#87f2c0", None]
    tags = {
        tag_base + i: Tag(tag_base + i, t, palette[i % len(palette)])
        for i, t in enumerate(tag_names)
    }
    return Account(
        id=account_id,
        host=host,
        name=name,
        platform=platform,
        country=locale[0],
        currency=locale[1],
        currency_symbol=locale[2],
        created_at=anchor - TWO_YEARS - 30 * DAY,
        users={u.id: u for u in users},
        pipelines=pipelines,
        tags=tags,
        contacts={},
        leads=[],
        deleted_leads=[],
        leads_by_id={},
    )


def _populate(account: Account, rng: random.Random, n_leads: int, anchor: int, base: int) -> None:
    users = list(account.users.values())
    admin = account.admin
    agents = [u for u in users if not u.is_admin]
    start = anchor - TWO_YEARS

    # Contacts: roughly one per two leads, owned by the same people who own leads.
    n_contacts = max(20, n_leads // 2)
    contact_base = base + 20_000_000
    contacts: dict[int, Contact] = {}
    for i in range(n_contacts):
        cid = contact_base + i * 3
        created = start + rng.randrange(TWO_YEARS)
        contacts[cid] = Contact(
            id=cid,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            responsible_user_id=rng.choice(users).id,
            created_by=admin.id,
            created_at=created,
            updated_at=created + rng.randrange(max(1, anchor - created)),
        )
    account.contacts = contacts
    contact_ids = list(contacts)

    created_times = sorted(start + rng.randrange(TWO_YEARS - 3600) for _ in range(n_leads))
    tags = list(account.tags.values())
    lead_id = base
    rent_pipeline = next((p for p in account.pipelines if not p.is_main), account.main_pipeline)
    for created in created_times:
        lead_id += rng.randint(1, 3)
        kind = rng.choice(LEAD_KINDS)
        name = kind.template.format(
            rooms=rng.randint(1, 4),
            kyiv=rng.choice(KYIV),
            dubai=rng.choice(DUBAI),
            suburb=rng.choice(SUBURBS),
            area=rng.choice([45, 60, 85, 120, 240, 410]),
        )
        price = rng.randrange(kind.low, kind.high, kind.step)
        pipeline = rent_pipeline if kind.rent else account.main_pipeline
        roll = rng.random()
        if roll < 0.06:
            status = pipeline.statuses[0]
        elif roll < 0.26:
            status = pipeline.status(WON_STATUS_ID) or pipeline.statuses[0]
        elif roll < 0.46:
            status = pipeline.status(LOST_STATUS_ID) or pipeline.statuses[0]
        else:
            status = rng.choice(pipeline.statuses[1:-2])
        responsible = admin if rng.random() < 0.15 else rng.choice(agents)
        updated = created + rng.randrange(max(1, anchor - created))
        closed_at: int | None = None
        closest_task_at: int | None = None
        if status.id in (WON_STATUS_ID, LOST_STATUS_ID):
            closed_at = created + rng.randrange(max(1, updated - created + 1))
        elif rng.random() < 0.6:
            closest_task_at = anchor + rng.randrange(-5 * DAY, 20 * DAY)
        lead_tags = rng.sample(tags, k=rng.choice([0, 0, 1, 1, 2])) if tags else []
        n_lead_contacts = rng.choice([0, 1, 1, 1, 2])
        lead_contacts = rng.sample(contact_ids, k=n_lead_contacts)
        lead = Lead(
            id=lead_id,
            name=name,
            price=price,
            responsible_user_id=responsible.id,
            status_id=status.id,
            pipeline_id=pipeline.id,
            created_by=rng.choice([responsible.id, admin.id]),
            updated_by=responsible.id,
            created_at=created,
            updated_at=updated,
            closed_at=closed_at,
            closest_task_at=closest_task_at,
            tags=lead_tags,
            contact_ids=lead_contacts,
        )
        account.leads.append(lead)
        account.leads_by_id[lead.id] = lead
    account.next_id = max([lead_id, contact_base + 3 * n_contacts, *account.tags])


def build_world(seed: int, leads: int, anchor: int) -> dict[str, Account]:
    """Both seeded accounts keyed by host. Pure: no I/O, no clock."""
    rng = random.Random(seed)
    reforyou = _reforyou_shell(anchor)
    _populate(reforyou, rng, leads, anchor, base=24_000_000)
    kommo = _kommo_shell(anchor)
    _populate(kommo, rng, KOMMO_LEADS, anchor, base=51_000_000)
    return {reforyou.host: reforyou, kommo.host: kommo}
