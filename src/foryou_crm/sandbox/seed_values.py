"""A seeded lead's custom field values, drawn when first read.

The seed keeps only what the lead's name was made of (kind, place, rooms, office area,
plot size) packed in one int (`pack`); the rest — area, budget, source, features,
mortgage, viewing date, listing URL — is drawn from the lead's own stream (seed, account,
id) whenever the values are read. Anything that changes a lead freezes its values first
(seed_activity.before_change), so they never depend on when they were first read.
"""

from __future__ import annotations

from typing import Any

from .dice import Stream
from .models import Account, Lead
from .profiles import LeadKind, Profile

DAY = 86_400
VIEWING_SLOT = 8  # profile.lead_fields: "Дата перегляду" / "Viewing date"


def pack(kind: int, place: int, rooms: int, office: int, sotky: int) -> int:
    return kind | place << 5 | rooms << 10 | office << 14 | sotky << 18


def _unpack(code: int) -> tuple[int, int, int, int, int]:
    return code & 31, code >> 5 & 31, code >> 10 & 15, code >> 14 & 15, code >> 18 & 63


def _area(profile: Profile, r: Any, kind: LeadKind, rooms: int, office: int, sotky: int) -> int:
    if kind.office:
        return office
    if kind.plot:
        return int(sotky * 100 * profile.area_per_m2)
    if kind.rooms:
        m2 = 25 + rooms * 20 + int(r() * 20)
    elif kind.rent:
        m2 = 20 + int(r() * 25)  # studios
    else:
        m2 = 90 + int(r() * 510)  # houses, villas, penthouses
    return int(m2 * profile.area_per_m2)


def lead_values(account: Account, lead: Lead) -> tuple[Any, ...] | None:
    """The compact values (slots = profile.lead_fields) of a lead seeded with `pack(...)`."""
    code = lead.seeded
    if not isinstance(code, int):
        return code
    profile: Profile = account.profile
    r = Stream(account.seed, account.id, lead.id, 4).random
    if r() < 0.12:
        return None  # some leads carry no custom fields at all, as in real accounts
    kind_i, place_i, rooms, office_i, sotky = _unpack(code)
    kind = profile.kinds[kind_i]
    place = profile.places[kind.place][place_i]
    whole_house = not (kind.rooms or kind.office or kind.plot or kind.rent)
    house_rooms = rooms if kind.rooms else (3 + int(r() * 5) if whole_house else 0)
    area = _area(profile, r, kind, rooms, profile.office_areas[office_i], sotky)
    buckets = profile.rent_budgets if kind.rent else profile.budgets
    budget = next(i for limit, i in buckets if lead.price < limit)
    features = None
    if r() < 0.45:
        n = len(profile.lead_fields[6].enums)
        features = tuple(sorted({int(r() * n) for _ in range(1 + int(r() * 3))}))
    viewing = None
    if lead.status_id not in account.first_stages and r() < 0.6:
        # Leads past the first stage have usually had a viewing.
        span = max(1, lead.updated_at - lead.created_at)
        viewing = (lead.created_at + int(r() * span)) // DAY * DAY
    return (
        profile.district_of.get(place),
        kind.ptype,
        house_rooms or None,
        area if r() < 0.8 else None,
        budget if r() < 0.75 else None,
        int(r() * len(profile.lead_fields[5].enums)) if r() < 0.85 else None,
        features,
        (r() < 0.3) if not kind.rent and r() < 0.5 else None,
        viewing,
        profile.object_url.format(n=10_000 + int(r() * 90_000)) if r() < 0.35 else None,
    )
