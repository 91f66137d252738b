"""Deterministic seed data: two real-estate agencies with everything an account holds.

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same
(seed, leads, anchor) always produces the same world. Ids look like amoCRM ids (large,
increasing, with gaps) and grow with `created_at`, as on a real account. People live in
seed_people.py, notes/tasks/events in seed_activity.py, the vocabulary in profiles.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .config import DEMO_ADMIN_LOGIN, DEMO_AGENT_LOGIN
from .dice import Dice
from .fields import build_fields
from .models import (
    LOST_STATUS_ID,
    WON_STATUS_ID,
    Account,
    Lead,
    LossReason,
    Pipeline,
    Source,
    Status,
    Tag,
    TaskType,
    User,
)
from .profiles import EN, UA, Profile
from .seed_activity import index_links, seed_activity
from .seed_people import populate_people
from .seed_values import pack

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
        REFORYOU_ID, REFORYOU_HOST, "ReForYou Real Estate", 1, ("UA", "USD", "$", "Europe/Kyiv"),
        anchor, users, pipelines, tag_names, 62_000_000,
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
        KOMMO_ID, KOMMO_HOST, "Other Agency", 2, ("AE", "AED", "AED", "Asia/Dubai"), anchor,
        users, pipelines, ["Dubai", "Investor", "Cash buyer", "Hot"], 72_000_000,
    )  # fmt: skip


def _shell(
    account_id: int,
    host: str,
    name: str,
    platform: int,
    locale: tuple[str, str, str, str],
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
        timezone=locale[3],
        created_at=anchor - TWO_YEARS - 30 * DAY,
        users={u.id: u for u in users},
        pipelines=pipelines,
        tags=tags,
        contacts={},
        leads=[],
        deleted_leads=[],
        leads_by_id={},
    )


def _furnish(account: Account, profile: Profile, base: int) -> None:
    """Field definitions, loss reasons, sources and task types of the account."""
    field_base = base // 20 + 1_000_000
    enum_base = base // 8 + 2_000_000
    leads, enum_id = build_fields(profile.lead_fields, "leads", field_base, enum_base)
    contacts, enum_id = build_fields(profile.contact_fields, "contacts", field_base + 100, enum_id)
    companies, _ = build_fields(profile.company_fields, "companies", field_base + 200, enum_id)
    account.fields = {"leads": leads, "contacts": contacts, "companies": companies}
    created = account.created_at
    account.loss_reasons = [
        LossReason(base // 6 + i * 2, reason, (i + 1) * 100_000, created)
        for i, reason in enumerate(profile.loss_reasons)
    ]
    account.sources = [Source(base // 12 + i * 3, s) for i, s in enumerate(profile.sources)]
    account.task_types = [TaskType(tid, name, code) for tid, name, code in profile.task_types]
    account.task_types.append(
        TaskType(base // 24 + 1, profile.custom_task_type, None, "#ffc8c8", 5)
    )


def _status_of(pipeline: Pipeline, roll: float, r: Callable[[], float]) -> Status:
    """6 % unsorted, 20 % won, 20 % lost, the rest spread over the working stages."""
    if roll < 0.06:
        return pipeline.statuses[0]
    if roll < 0.26:
        return pipeline.statuses[-2]  # 142
    if roll < 0.46:
        return pipeline.statuses[-1]  # 143
    stages = pipeline.statuses[1:-2]
    return stages[int(r() * len(stages))]


def _populate_leads(
    account: Account, profile: Profile, d: Dice, n_leads: int, anchor: int, base: int
) -> None:
    """Leads in creation order. The loop draws with `random()` directly: it runs 100 000+
    times at start-up, so every call counts."""
    r = d.random
    admin = account.admin
    agents = [u for u in account.users.values() if not u.is_admin]
    contacts = account.contacts
    contact_ids = list(contacts)
    n_contacts = len(contact_ids)
    tags = list(account.tags.values())
    loss_reasons, sources = account.loss_reasons, account.sources
    kinds, places, offices = profile.kinds, profile.places, profile.office_areas
    start = anchor - TWO_YEARS
    created_times = sorted(start + int(r() * (TWO_YEARS - 3600)) for _ in range(n_leads))
    main_pipeline = account.main_pipeline
    rent_pipeline = next((p for p in account.pipelines if not p.is_main), main_pipeline)
    lead_id = base
    for created in created_times:
        lead_id += 1 + int(r() * 3)
        kind_i = int(r() * len(kinds))
        kind = kinds[kind_i]
        rooms, sotky = 1 + int(r() * 4), 4 + int(r() * 22)
        office_i = int(r() * len(offices))
        office = offices[office_i]
        choices = places[kind.place]
        place_i = int(r() * len(choices))
        place = choices[place_i]
        name = kind.template.format(
            rooms=rooms, kyiv=place, dubai=place, suburb=place, area=office, sotky=sotky
        )
        price = kind.low + int(r() * ((kind.high - kind.low) // kind.step)) * kind.step
        pipeline = rent_pipeline if kind.rent else main_pipeline
        status = _status_of(pipeline, r(), r)
        responsible = admin if r() < 0.15 else agents[int(r() * len(agents))]
        updated = created + int(r() * max(1, anchor - created))
        closed_at: int | None = None
        closest_task_at: int | None = None
        if status.id in (WON_STATUS_ID, LOST_STATUS_ID):
            closed_at = created + int(r() * (updated - created + 1))
        elif r() < 0.6:
            closest_task_at = max(anchor + int(r() * 25 * DAY) - 5 * DAY, created + 3_600)
        n_links = (0, 1, 1, 1, 2)[int(r() * 5)]
        lead_contacts = [contact_ids[int(r() * n_contacts)] for _ in range(n_links)]
        if n_links == 2 and lead_contacts[0] == lead_contacts[1]:
            lead_contacts.pop()
        main = contacts[lead_contacts[0]] if lead_contacts else None
        n_tags = (0, 0, 1, 1, 2)[int(r() * 5)]
        lead_tags = d.distinct(tags, n_tags) if n_tags else []
        lead = Lead(
            lead_id,
            name,
            price,
            responsible.id,
            status.id,
            pipeline.id,
            responsible.id if r() < 0.5 else admin.id,
            responsible.id,
            created,
            updated,
            closed_at,
            closest_task_at,
            lead_tags,
            lead_contacts,
            main.company_id if main is not None and r() < 0.8 else None,
            loss_reasons[int(r() * len(loss_reasons))].id
            if status.id == LOST_STATUS_ID and r() < 0.7
            else None,
            sources[int(r() * len(sources))].id if r() < 0.2 else None,
            pack(kind_i, place_i, rooms, office_i, sotky),  # values: seed_values.py
        )
        account.leads.append(lead)
        account.leads_by_id[lead_id] = lead


def _populate(
    account: Account,
    profile: Profile,
    rng: random.Random,
    n_leads: int,
    anchor: int,
    base: int,
    seed: int,
) -> None:
    d = Dice(rng)
    # What drawing on demand needs later (seed_people.contact_values, seed_activity).
    account.seed, account.id_base, account.profile, account.anchor = seed, base, profile, anchor
    _furnish(account, profile, base)
    account.first_stages = {s.id for p in account.pipelines for s in p.statuses[:2]}
    populate_people(account, profile, d, max(20, n_leads // 2), anchor, base)
    _populate_leads(account, profile, d, n_leads, anchor, base)
    index_links(account)
    account.next_id = max(
        max(account.contacts, default=0),
        max(account.companies, default=0),
        max(account.tags, default=0),
        max(account.leads_by_id, default=0),
    )
    seed_activity(account, anchor, base)


def build_world(
    seed: int, leads: int, anchor: int, agencies: int = 0, agency_leads: int = 300
) -> dict[str, Account]:
    """Both seeded accounts keyed by host, then ``agencies`` more amoCRM accounts of
    ``agency_leads`` leads each (drawn after the two, which stay the same). Pure: no I/O, no
    clock."""
    rng = random.Random(seed)
    reforyou = _reforyou_shell(anchor)
    _populate(reforyou, UA, rng, leads, anchor, 24_000_000, seed)
    kommo = _kommo_shell(anchor)
    _populate(kommo, EN, rng, KOMMO_LEADS, anchor, 51_000_000, seed)
    world = {reforyou.host: reforyou, kommo.host: kommo}
    for number in range(1, agencies + 1):
        agency = _agency_shell(number, anchor)
        _populate(agency, UA, rng, agency_leads, anchor, 100_000_000 * number, seed)
        world[agency.host] = agency
    return world


def agency_host(number: int) -> str:
    return f"agency{number:02d}.amocrm.ru"


def agency_login(number: int, role: str = "admin") -> str:
    return f"amo-{role}@agency{number:02d}.example"


def _agency_shell(number: int, anchor: int) -> Account:
    """Another Ukrainian agency shaped like ReForYou, its own host, ids and people: for loads
    of many accounts at once (each with its own rate limit)."""
    account = _reforyou_shell(anchor)
    account.id = REFORYOU_ID + 1000 * number
    account.host = agency_host(number)
    account.name = f"Agency {number:02d}"
    uid = 9_300_000 + 10 * number
    users = [
        User(uid + 1, f"Адміністратор {number:02d}", agency_login(number), is_admin=True),
        User(uid + 2, f"Агент {number:02d}", agency_login(number, "agent"), is_admin=False),
    ]
    account.users = {u.id: u for u in users}
    return account
