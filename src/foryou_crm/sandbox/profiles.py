"""What each seeded account talks about: names, phones, properties, fields, notes, tasks.

Two agencies: ReForYou (Kyiv, Ukrainian, +380, sells Kyiv and Dubai property) and Other
Agency (Dubai, English, +971). Everything a seeded value is drawn from lives here, so the
seed code stays about *how* the world is built, not *what* it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

_UA_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "",
}  # fmt: skip
# At the start of a word these letters are spelt differently (KMU resolution 55, 2010).
_UA_LATIN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


@cache
def latin(text: str) -> str:
    """Ukrainian → Latin for e-mail addresses and web sites (the official 2010 table)."""
    out: list[str] = []
    for i, ch in enumerate(text.lower()):
        initial = i == 0 or not text[i - 1].isalpha()
        table = _UA_LATIN_INITIAL if initial and ch in _UA_LATIN_INITIAL else _UA_LATIN
        out.append(table.get(ch, ch if ch.isascii() and ch.isalnum() else "-" if ch == " " else ""))
    return "".join(out)


@dataclass(frozen=True)
class LeadKind:
    """One kind of enquiry: the lead's name template, price range and what it is."""

    template: str
    low: int
    high: int
    step: int
    ptype: int  # index into the property-type enums
    place: str  # "kyiv" | "dubai" | "suburb"
    rooms: bool = False
    rent: bool = False
    plot: bool = False
    office: bool = False


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    code: str | None = None
    enums: tuple[str, ...] = ()
    predefined: bool = False


@dataclass(frozen=True)
class Profile:
    male_names: tuple[str, ...]
    female_names: tuple[str, ...]
    surnames: tuple[str, ...]  # the same for men and women
    gendered_surnames: tuple[tuple[str, str], ...]  # (his, hers)
    email_domains: tuple[str, ...]
    positions: tuple[str, ...]
    company_forms: tuple[str, ...]
    company_names: tuple[str, ...]
    streets: tuple[str, ...]
    city: str
    phone_prefixes: tuple[str, ...]  # + 7 random digits
    office_phone_prefix: str
    kinds: tuple[LeadKind, ...]
    office_areas: tuple[int, ...]  # for the "{area}" of office names, in the area unit
    area_per_m2: float  # 1 for m², 10.764 for sq ft
    places: dict[str, tuple[str, ...]]
    # Neighbourhood → index of its district enum (district field of the lead).
    district_of: dict[str, int]
    lead_fields: tuple[FieldDef, ...]  # positions match the lead's seeded value tuple
    contact_fields: tuple[FieldDef, ...]
    company_fields: tuple[FieldDef, ...]
    budgets: tuple[tuple[int, int], ...]  # (price below, budget enum index); rent apart
    rent_budgets: tuple[tuple[int, int], ...]
    loss_reasons: tuple[str, ...]
    sources: tuple[str, ...]
    task_types: tuple[tuple[int, str, str | None], ...]  # (id, name, code)
    custom_task_type: str
    task_texts: dict[int, tuple[str, ...]]  # by task type id
    task_results: tuple[str, ...]
    notes: tuple[str, ...]
    service_notes: tuple[tuple[str, str], ...]  # (service, text)
    call_source: str
    call_results: tuple[str, ...]
    object_url: str


_ANY = 10**15  # the last budget bucket: any price

# Multitext enums as amoCRM predefines them (custom-fields.md, multitext).
PHONE_ENUMS = ("WORK", "WORKDD", "MOB", "FAX", "HOME", "OTHER")
EMAIL_ENUMS = ("WORK", "PRIV", "OTHER")

KYIV_DISTRICTS = (
    "Голосіївський", "Дарницький", "Деснянський", "Дніпровський", "Оболонський",
    "Печерський", "Подільський", "Святошинський", "Солом'янський", "Шевченківський",
)  # fmt: skip
KYIV_PLACES = {
    "Печерськ": 5, "Поділ": 6, "Оболонь": 4, "Липки": 5, "Осокорки": 1, "Позняки": 1,
    "Голосіїв": 0, "Лук'янівка": 9, "Русанівка": 3, "Звіринець": 5, "Троєщина": 2,
    "Борщагівка": 7, "Чоколівка": 8,
}  # fmt: skip
DUBAI = (
    "Dubai Marina", "Downtown Dubai", "Palm Jumeirah", "JVC", "Business Bay", "Dubai Hills",
    "JBR", "Arabian Ranches",
)  # fmt: skip

UA = Profile(
    male_names=(
        "Іван",
        "Тарас",
        "Богдан",
        "Максим",
        "Андрій",
        "Олександр",
        "Дмитро",
        "Сергій",
        "Олег",
        "Юрій",
        "Василь",
        "Микола",
        "Петро",
        "Роман",
        "Ярослав",
        "Віталій",
        "Артем",
        "Денис",
    ),
    female_names=(
        "Олена",
        "Наталія",
        "Ірина",
        "Юлія",
        "Оксана",
        "Тетяна",
        "Марія",
        "Світлана",
        "Катерина",
        "Анна",
        "Людмила",
        "Галина",
        "Вікторія",
        "Софія",
        "Дарина",
        "Ольга",
    ),
    surnames=(
        "Петренко",
        "Шевченко",
        "Коваленко",
        "Бондаренко",
        "Ткаченко",
        "Кравченко",
        "Мельник",
        "Бондар",
        "Кравчук",
        "Савчук",
        "Поліщук",
        "Лисенко",
        "Руденко",
        "Марченко",
        "Гнатюк",
        "Остапчук",
        "Ковальчук",
        "Мороз",
        "Ткачук",
        "Литвиненко",
        "Гончаренко",
        "Коваль",
    ),
    gendered_surnames=(
        ("Ковальський", "Ковальська"),
        ("Вишневський", "Вишневська"),
        ("Левицький", "Левицька"),
        ("Яворський", "Яворська"),
        ("Грушевський", "Грушевська"),
    ),
    email_domains=("gmail.com", "ukr.net", "i.ua", "meta.ua", "outlook.com"),
    positions=(
        "Директор",
        "Власник бізнесу",
        "IT-спеціаліст",
        "Лікар",
        "Юрист",
        "Інвестор",
        "Фінансовий директор",
        "Архітектор",
        "Підприємець",
        "Менеджер з продажу",
    ),
    company_forms=("ТОВ", "ПП", "ТОВ", "ФГ"),
    company_names=(
        "Київбуд",
        "Дніпро Девелопмент",
        "Софія Інвест",
        "Граніт Плюс",
        "Оріон Груп",
        "Вектор Логістик",
        "Зелений Гай",
        "Альфа Консалт",
        "Поділ Трейд",
        "Еко Хата",
        "Смарт Офіс",
        "Золоті Ворота Капітал",
        "Лівий Берег Інвест",
        "Укрбуд Сервіс",
        "Атлант Агро",
        "Медіа Хаб",
    ),
    streets=(
        "вул. Хрещатик",
        "вул. Велика Васильківська",
        "просп. Берестейський",
        "вул. Саксаганського",
        "вул. Антоновича",
        "бульв. Лесі Українки",
        "вул. Січових Стрільців",
        "просп. Миколи Бажана",
        "вул. Драгомирова",
        "Харківське шосе",
    ),
    city="м. Київ",
    phone_prefixes=(
        "+38050",
        "+38066",
        "+38095",
        "+38099",
        "+38067",
        "+38068",
        "+38096",
        "+38097",
        "+38098",
        "+38063",
        "+38073",
        "+38093",
    ),
    office_phone_prefix="+38044",
    kinds=(
        LeadKind("Квартира {rooms}к, {kyiv}", 45_000, 350_000, 1_000, 0, "kyiv", rooms=True),
        LeadKind("Apartment {rooms}BR, {dubai}", 180_000, 1_500_000, 5_000, 0, "dubai", rooms=True),
        LeadKind("Villa in {dubai}", 900_000, 9_000_000, 50_000, 5, "dubai"),
        LeadKind("Будинок, {suburb}", 120_000, 900_000, 5_000, 1, "suburb"),
        LeadKind("Таунхаус, {suburb}", 90_000, 400_000, 5_000, 2, "suburb"),
        LeadKind("Офіс {area} м², {kyiv}", 60_000, 1_200_000, 5_000, 3, "kyiv", office=True),
        LeadKind("Penthouse, {dubai}", 2_000_000, 15_000_000, 100_000, 6, "dubai"),
        LeadKind(
            "Оренда: квартира {rooms}к, {kyiv}", 600, 4_000, 50, 0, "kyiv", rooms=True, rent=True
        ),
        LeadKind("Rent: studio, {dubai}", 1_500, 9_000, 100, 7, "dubai", rent=True),
        LeadKind("Ділянка {sotky} сот., {suburb}", 15_000, 150_000, 1_000, 4, "suburb", plot=True),
    ),
    office_areas=(45, 60, 85, 120, 240, 410),
    area_per_m2=1.0,
    places={
        "kyiv": tuple(KYIV_PLACES),
        "dubai": DUBAI,
        "suburb": ("Буча", "Ірпінь", "Козин", "Вишгород", "Гатне", "Бровари"),
    },
    district_of=KYIV_PLACES,
    lead_fields=(
        FieldDef("Район", "select", enums=KYIV_DISTRICTS),
        FieldDef(
            "Тип нерухомості",
            "select",
            enums=(
                "Квартира",
                "Будинок",
                "Таунхаус",
                "Комерція",
                "Ділянка",
                "Вілла",
                "Пентхаус",
                "Студія",
            ),
        ),
        FieldDef("Кількість кімнат", "numeric"),
        FieldDef("Площа, м²", "numeric"),
        FieldDef(
            "Бюджет",
            "select",
            enums=(
                "до $50 000",
                "$50 000 – 100 000",
                "$100 000 – 200 000",
                "$200 000 – 500 000",
                "$500 000 – 1 000 000",
                "понад $1 000 000",
                "оренда до $1 000/міс",
                "оренда $1 000 – 2 500/міс",
                "оренда понад $2 500/міс",
            ),
        ),
        FieldDef(
            "Джерело",
            "select",
            enums=(
                "Сайт",
                "Instagram",
                "Facebook",
                "Рекомендація",
                "OLX",
                "DOM.RIA",
                "Telegram",
                "Вхідний дзвінок",
            ),
        ),
        FieldDef(
            "Переваги",
            "multiselect",
            enums=(
                "Паркінг",
                "Балкон",
                "Новобудова",
                "Ремонт",
                "Меблі",
                "Тераса",
                "Поруч метро",
            ),
        ),
        FieldDef("Іпотека", "checkbox"),
        FieldDef("Дата перегляду", "date"),
        FieldDef("Посилання на об'єкт", "url"),
    ),
    contact_fields=(
        FieldDef("Телефон", "multitext", "PHONE", PHONE_ENUMS, predefined=True),
        FieldDef("Email", "multitext", "EMAIL", EMAIL_ENUMS, predefined=True),
        FieldDef("Посада", "text", "POSITION", predefined=True),
        FieldDef("Мова спілкування", "select", enums=("Українська", "English", "Русский")),
    ),
    company_fields=(
        FieldDef("Телефон", "multitext", "PHONE", PHONE_ENUMS, predefined=True),
        FieldDef("Email", "multitext", "EMAIL", EMAIL_ENUMS, predefined=True),
        FieldDef("Web", "url", "WEB", predefined=True),
        FieldDef("Адреса", "textarea", "ADDRESS", predefined=True),
        FieldDef("Код ЄДРПОУ", "text"),
    ),
    budgets=((50_000, 0), (100_000, 1), (200_000, 2), (500_000, 3), (1_000_000, 4), (_ANY, 5)),
    rent_budgets=((1_000, 6), (2_500, 7), (_ANY, 8)),
    loss_reasons=(
        "Дорого",
        "Обрав інший об'єкт",
        "Не виходить на зв'язок",
        "Відклав купівлю",
        "Не пройшов іпотеку",
    ),
    sources=("Сайт reforyou.ua", "Binotel"),
    task_types=((1, "Связаться", "FOLLOW_UP"), (2, "Встреча", "MEETING")),
    custom_task_type="Показ об'єкта",
    task_texts={
        1: (
            "Передзвонити клієнту",
            "Надіслати підбірку об'єктів",
            "Уточнити бюджет і район",
            "Нагадати про документи для іпотеки",
            "Узгодити час показу",
        ),
        2: ("Зустріч в офісі щодо договору", "Підписання договору завдатку"),
        3: ("Показ квартири", "Повторний показ з родиною", "Показ будинку"),
    },
    task_results=(
        "Клієнт зацікавлений, призначено показ",
        "Не відповів, передзвонити завтра",
        "Надіслано 7 варіантів у Telegram",
        "Показ відбувся, клієнт думає",
        "Договір підписано",
        "Клієнт відклав рішення на місяць",
    ),
    notes=(
        "Клієнт шукає 2к квартиру біля метро, бюджет до $120 000.",
        "Надіслав підбірку з 5 варіантів у Telegram.",
        "Після перегляду хоче подумати до вихідних.",
        "Потрібна іпотека, направив до партнерського банку.",
        "Клієнт просить знижку 5%, власник готовий на 3%.",
        "Домовились про повторний перегляд з дружиною.",
        "Цікавиться інвестиційною нерухомістю в Дубаї.",
        "Документи на об'єкт перевірив юрист, все чисто.",
        "Передав контакти нотаріуса для оформлення завдатку.",
        "Важливий тихий двір і паркінг, поверх не вище 10-го.",
    ),
    service_notes=(
        ("Сайт reforyou.ua", "Заявка з сайту: форма «Підібрати квартиру»"),
        ("Binotel", "Пропущений дзвінок, клієнт передзвонив сам"),
        ("DOM.RIA", "Запит з оголошення на DOM.RIA"),
    ),
    call_source="Binotel",
    call_results=(
        "Розмова відбулась",
        "Не відповів",
        "Попросив передзвонити",
        "Домовились про показ",
    ),
    object_url="https://reforyou.example/obj/{n}",
)

EN = Profile(
    male_names=("John", "Ahmed", "Oliver", "Omar", "James", "Lucas", "Rashid", "Daniel"),
    female_names=("Emma", "Fatima", "Sofia", "Aisha", "Olivia", "Layla", "Mia", "Sara"),
    surnames=(
        "Smith",
        "Williams",
        "Al Mansoori",
        "Haddad",
        "Novak",
        "Lindqvist",
        "Khan",
        "Brown",
        "Al Falasi",
        "Petrov",
        "Rossi",
        "Taylor",
    ),
    gendered_surnames=(),
    email_domains=("gmail.com", "outlook.com", "yahoo.com", "icloud.com"),
    positions=("CEO", "Investor", "Engineer", "Doctor", "Lawyer", "Founder", "CFO"),
    company_forms=("LLC", "FZE", "DMCC"),
    company_names=(
        "Desert Rose Holdings",
        "Gulf Horizon",
        "Marina Capital",
        "Falcon Ventures",
        "Palm Tree Trading",
        "Emirates Stone",
        "Blue Dhow Logistics",
    ),
    streets=("Sheikh Zayed Rd", "Al Wasl Rd", "Jumeirah Beach Rd", "Al Khail Rd"),
    city="Dubai",
    phone_prefixes=("+97150", "+97152", "+97154", "+97155", "+97156", "+97158"),
    office_phone_prefix="+9714",
    kinds=(
        LeadKind("Apartment {rooms}BR, {dubai}", 180_000, 1_500_000, 5_000, 0, "dubai", rooms=True),
        LeadKind("Villa in {dubai}", 900_000, 9_000_000, 50_000, 1, "dubai"),
        LeadKind("Townhouse, {dubai}", 600_000, 3_000_000, 10_000, 2, "dubai"),
        LeadKind("Penthouse, {dubai}", 2_000_000, 15_000_000, 100_000, 3, "dubai"),
        LeadKind("Rent: studio, {dubai}", 1_500, 9_000, 100, 4, "dubai", rent=True),
        LeadKind(
            "Office {area} sq ft, {dubai}", 300_000, 4_000_000, 10_000, 5, "dubai", office=True
        ),
    ),
    office_areas=(500, 800, 1_200, 2_500, 4_000),
    area_per_m2=10.764,
    places={"kyiv": (), "dubai": DUBAI, "suburb": ()},
    district_of={name: i for i, name in enumerate(DUBAI)},
    lead_fields=(
        FieldDef("Community", "select", enums=DUBAI),
        FieldDef(
            "Property type",
            "select",
            enums=(
                "Apartment",
                "Villa",
                "Townhouse",
                "Penthouse",
                "Studio",
                "Office",
            ),
        ),
        FieldDef("Bedrooms", "numeric"),
        FieldDef("Area, sq ft", "numeric"),
        FieldDef(
            "Budget",
            "select",
            enums=(
                "Up to AED 1M",
                "AED 1–2M",
                "AED 2–5M",
                "AED 5–10M",
                "Over AED 10M",
                "Rent up to AED 5k/mo",
                "Rent over AED 5k/mo",
            ),
        ),
        FieldDef(
            "Lead source",
            "select",
            enums=(
                "Website",
                "Property Finder",
                "Bayut",
                "Instagram",
                "Referral",
                "Walk-in",
            ),
        ),
        FieldDef(
            "Amenities",
            "multiselect",
            enums=(
                "Pool",
                "Gym",
                "Sea view",
                "Parking",
                "Balcony",
                "Furnished",
            ),
        ),
        FieldDef("Mortgage", "checkbox"),
        FieldDef("Viewing date", "date"),
        FieldDef("Listing URL", "url"),
    ),
    contact_fields=(
        FieldDef("Phone", "multitext", "PHONE", PHONE_ENUMS, predefined=True),
        FieldDef("Email", "multitext", "EMAIL", EMAIL_ENUMS, predefined=True),
        FieldDef("Position", "text", "POSITION", predefined=True),
        FieldDef("Language", "select", enums=("English", "العربية", "Русский")),
    ),
    company_fields=(
        FieldDef("Phone", "multitext", "PHONE", PHONE_ENUMS, predefined=True),
        FieldDef("Email", "multitext", "EMAIL", EMAIL_ENUMS, predefined=True),
        FieldDef("Web", "url", "WEB", predefined=True),
        FieldDef("Address", "textarea", "ADDRESS", predefined=True),
        FieldDef("Trade licence", "text"),
    ),
    budgets=((1_000_000, 0), (2_000_000, 1), (5_000_000, 2), (10_000_000, 3), (_ANY, 4)),
    rent_budgets=((5_000, 5), (_ANY, 6)),
    loss_reasons=("Too expensive", "Bought elsewhere", "No response", "Postponed"),
    sources=("Website form",),
    task_types=((1, "Follow-up", "FOLLOW_UP"), (2, "Meeting", "MEETING")),
    custom_task_type="Viewing",
    task_texts={
        1: ("Call the client back", "Send a shortlist", "Confirm budget and community"),
        2: ("Meeting at the office", "Sign the MOU"),
        3: ("Viewing", "Second viewing with family"),
    },
    task_results=("Interested, viewing booked", "No answer", "Shortlist sent", "Thinking"),
    notes=(
        "Looking for a 2BR with sea view, budget AED 2.5M.",
        "Sent a shortlist of 6 units on WhatsApp.",
        "Wants to view on Saturday morning.",
        "Cash buyer, no mortgage needed.",
        "Asked about service charges and handover date.",
    ),
    service_notes=(("Website form", "Enquiry from the website: «Book a viewing»"),),
    call_source="Aircall",
    call_results=("Talked", "No answer", "Call back later"),
    object_url="https://otheragency.example/listing/{n}",
)
