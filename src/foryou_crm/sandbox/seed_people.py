"""Seeded contacts and companies: names, phones (+380 / +971), e-mails, positions, employers.

Values are kept compact (see fields.py): a contact's `seeded` tuple has one slot per contact
field of the profile — PHONE and EMAIL as ((value, enum index), …), POSITION, language —
drawn when first needed (`contact_values`).
"""

from __future__ import annotations

from collections.abc import Callable

from .dice import Dice, Stream
from .models import Account, Company, Contact
from .profiles import EMAIL_ENUMS, PHONE_ENUMS, Profile, latin

DAY = 86_400
TWO_YEARS = 730 * DAY

MOB = PHONE_ENUMS.index("MOB")
WORK = PHONE_ENUMS.index("WORK")
HOME = PHONE_ENUMS.index("HOME")
PRIV = EMAIL_ENUMS.index("PRIV")
EMAIL_WORK = EMAIL_ENUMS.index("WORK")


def _company_name(profile: Profile, i: int) -> tuple[str, str]:
    """A unique company name and the slug of its web site (no randomness: i decides)."""
    names, forms = profile.company_names, profile.company_forms
    base = names[i % len(names)]
    form = forms[(i // len(names)) % len(forms)]
    round_ = i // (len(names) * len(forms))
    suffix = f"-{round_ + 1}" if round_ else ""
    slug = latin(base).replace("'", "") + suffix
    if profile.city.startswith("м."):
        return f"{form} «{base}{suffix}»", slug
    return f"{base}{suffix} {form}", slug


def _company(
    account: Account, profile: Profile, d: Dice, i: int, cid: int, created: int, anchor: int
) -> Company:
    users = list(account.users.values())
    name, slug = _company_name(profile, i)
    tld = "ua" if profile.city.startswith("м.") else "ae"
    seeded = (
        ((f"{profile.office_phone_prefix}{d.below(10_000_000):07d}", WORK),),
        ((f"office@{slug}.{tld}", EMAIL_WORK),) if d.chance(0.7) else None,
        f"https://{slug}.{tld}" if d.chance(0.6) else None,
        f"{profile.city}, {d.pick(profile.streets)}, {1 + d.below(120)}",
        f"{d.below(100_000_000):08d}" if d.chance(0.5) else None,
    )
    owner = d.pick(users).id
    return Company(
        id=cid,
        name=name,
        responsible_user_id=owner,
        created_by=account.admin.id,
        updated_by=owner,
        created_at=created,
        updated_at=created + d.below(max(1, anchor - created)),
        seeded=seeded,
    )


def _contact_values(
    profile: Profile, r: Callable[[], float], first: str, last: str
) -> tuple[object, ...]:
    prefixes = profile.phone_prefixes
    mobile = f"{prefixes[int(r() * len(prefixes))]}{int(r() * 10_000_000):07d}"
    phones: tuple[tuple[str, int], ...] = ((mobile, MOB if r() < 0.8 else WORK),)
    if r() < 0.15:
        other = f"{prefixes[int(r() * len(prefixes))]}{int(r() * 10_000_000):07d}"
        phones += ((other, WORK if r() < 0.5 else HOME),)
    emails = None
    if r() < 0.7:
        number = str(70 + int(r() * 29)) if r() < 0.4 else ""
        domains = profile.email_domains
        domain = domains[int(r() * len(domains))]
        address = f"{latin(first)}.{latin(last)}{number}@{domain}".replace("'", "")
        emails = ((address, PRIV if r() < 0.7 else EMAIL_WORK),)
    positions = profile.positions
    position = positions[int(r() * len(positions))] if r() < 0.3 else None
    language = (0 if r() < 0.8 else int(r() * 3)) if r() < 0.4 else None
    return (phones, emails, position, language)


def populate_people(
    account: Account, profile: Profile, d: Dice, n_contacts: int, anchor: int, base: int
) -> None:
    """Companies (about one per eight contacts) and contacts, a quarter of them employed."""
    users = list(account.users.values())
    start = anchor - TWO_YEARS
    n_companies = max(3, n_contacts // 8)
    company_base = base + 30_000_000
    company_times = sorted(start + d.below(TWO_YEARS) for _ in range(n_companies))
    for i, created in enumerate(company_times):
        company = _company(account, profile, d, i, company_base + i * 3, created, anchor)
        account.companies[company.id] = company
    company_ids = list(account.companies)

    contact_base = base + 20_000_000
    r = d.random
    contact_times = sorted(start + int(r() * TWO_YEARS) for _ in range(n_contacts))
    admin = account.admin.id
    owners = [u.id for u in users]
    women, men = profile.female_names, profile.male_names
    surnames, gendered = profile.surnames, profile.gendered_surnames
    contacts = account.contacts
    for i, created in enumerate(contact_times):
        female = r() < 0.5
        names = women if female else men
        first = names[int(r() * len(names))]
        if gendered and r() < 0.2:
            last = gendered[int(r() * len(gendered))][1 if female else 0]
        else:
            last = surnames[int(r() * len(surnames))]
        owner = owners[int(r() * len(owners))]
        cid = contact_base + i * 3
        contacts[cid] = Contact(
            cid,
            first,
            last,
            owner,
            admin,
            created,
            created + int(r() * max(1, anchor - created)),
            owner,
            company_ids[int(r() * len(company_ids))] if r() < 0.25 else None,
        )
    # Phones, e-mails and the rest are drawn on first use (contact_values): that halves
    # the contacts' share of the start-up time.
    account.values_todo = set(contacts)


def contact_values(account: Account, contact: Contact) -> tuple[object, ...] | None:
    """A seeded contact's compact values, drawn from its own stream the first time they are
    needed (from the names it was seeded with: whatever renames a contact draws first)."""
    if contact.id in account.values_todo:
        account.values_todo.discard(contact.id)
        r = Stream(account.seed, account.id, contact.id, 3).random
        contact.seeded = _contact_values(account.profile, r, contact.first_name, contact.last_name)
    return contact.seeded
