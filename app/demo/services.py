"""The deterministic demo data set: a catalogue, then a demo fair built on it.

The catalogue: producers, OCOP products, buyers, their demand and four logins. The fair:
"Hội chợ OCOP Quảng Ninh", with registrations, booths, electronic booths and a published
B2B matchmaking session.

Everything comes from the data files in `app/demo/data/` (product kinds by place, buyers,
names, the fair's programme, ...) and `random.Random(seed)`: no network and no outside
data. The same seed on the same day gives the same rows; certificate dates are counted
back from today so there are always both valid and expired certificates, and the fair
starts three weeks after today with its registration open.

`build_demo` is pure (plain dictionaries); `load_demo` writes them through the catalogue
and account services, then builds the fair through the events, booths and matching
services, so every row passes the validation user input passes. It flushes and leaves
the commit to the caller (`flask demo load` commits once).
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts import services as accounts
from app.accounts.models import User
from app.booths.booking import services as booking
from app.booths.ebooths import services as ebooths
from app.booths.models import Booth, BoothAssignment
from app.booths.plan import services as plan
from app.catalog import gtin as gtin_codes
from app.catalog import services as catalog
from app.catalog.certificates import services as certificates
from app.catalog.models import Organisation, Product
from app.data.provinces import PROVINCES, fold
from app.data.vocab import BUYER_TYPES, CATEGORIES, CERTIFIED_MIN_STARS, PRODUCER_KINDS
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.events import services as events
from app.events.models import Event, Registration
from app.events.registrations import services as registrations
from app.extensions import db
from app.matching.models import Meeting
from app.matching.participation import services as participation
from app.matching.sessions import services as matching
from app.tasks import progress
from app.tasks import services as tasks


def _data(name: str) -> Any:
    """One of the data files of `app/demo/data/`, read from next to this module."""
    return json.loads(resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8"))


# ================================================================ the demo catalogue

DEMO_PASSWORD = "ocop-demo-2025"  # noqa: S105 - a published demo password, printed on purpose
DEMO_DOMAIN = "demo.ocopfair.vn"
FEATURED_PROVINCES = ("22", "24", "20")
FEATURED_PRODUCER = "HTX Chè Đường Hoa Hải Hà"
FEATURED_BUYER = "Co.opmart Hạ Long"
QN, BG, LS = "22", "24", "20"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    full_name: str
    organisation: str | None


DEMO_LOGINS = (
    DemoLogin("organiser", f"organiser@{DEMO_DOMAIN}", "Phạm Thu Hà", None),
    DemoLogin("exhibitor", f"exhibitor@{DEMO_DOMAIN}", "Nguyễn Thị Lan", FEATURED_PRODUCER),
    DemoLogin("buyer", f"buyer@{DEMO_DOMAIN}", "Trần Minh Đức", FEATURED_BUYER),
    DemoLogin("admin", f"admin@{DEMO_DOMAIN}", "Quản trị hệ thống", None),
)


# ---------------------------------------------------------------- product kinds


@dataclass(frozen=True)
class Kind:
    """One kind of OCOP product as a producer of a place makes it."""

    key: str  # the kind's part of a traceability code: QN-HH-TEA-0001
    category: str
    unit: str  # of the monthly capacity
    capacity: tuple[float, float]  # a typical cooperative's output per month, in `unit`
    price: tuple[int, int]  # VND per `price_unit`
    vi: str
    en: str
    fr: str
    desc_vi: str | None = None
    desc_en: str | None = None
    price_unit: str | None = None  # defaults to `unit`

    @property
    def group(self) -> str:
        return CATEGORIES[self.category][0]


@dataclass(frozen=True)
class Cluster:
    """Producers of one place making the same family of products."""

    province: str
    locality: str
    communes: tuple[str, ...]
    trade: str  # in organisation names: "HTX Chè Quảng Long Hải Hà"
    what: str  # in descriptions: "chè xanh và hồng trà"
    producers: int
    kinds: tuple[Kind, ...]
    mix: tuple[int, int, int] = (45, 35, 20)  # weights of cooperative, household, enterprise


def _cluster(row: dict) -> Cluster:
    kinds = tuple(
        Kind(**kind | {"capacity": tuple(kind["capacity"]), "price": tuple(kind["price"])})
        for kind in row["kinds"]
    )
    return Cluster(**row | {"communes": tuple(row["communes"]), "mix": tuple(row["mix"]), "kinds": kinds})


_PRODUCERS = _data("producers.json")
CLUSTERS: tuple[Cluster, ...] = tuple(_cluster(row) for row in _PRODUCERS["clusters"])
# Standards producers of a category plausibly hold, most common first.
CATEGORY_STANDARDS: dict[str, tuple[str, ...]] = {
    category: tuple(standards) for category, standards in _PRODUCERS["category_standards"].items()
}
RAW_MATERIAL_GROUPS = {"food", "beverages", "herbal"}

_PLACES = _data("places.json")
PROVINCE_ABBR: dict[str, str] = _PLACES["province_abbr"]
LOCALITY_ABBR: dict[str, str] = _PLACES["locality_abbr"]
# The first two digits of a tax code and the telephone area code of a province.
TAX_PREFIX: dict[str, str] = _PLACES["tax_prefix"]
AREA_CODE: dict[str, str] = _PLACES["area_code"]
MOBILE_PREFIXES: tuple[str, ...] = tuple(_PLACES["mobile_prefixes"])
HIGHLAND = frozenset(_PLACES["highland_provinces"])
HIGHLAND_LOCALITIES = frozenset(_PLACES["highland_localities"])

_PEOPLE = _data("people.json")
FAMILY_KINH: tuple[str, ...] = tuple(_PEOPLE["family_kinh"])
FAMILY_HIGHLAND: tuple[str, ...] = tuple(_PEOPLE["family_highland"])
MIDDLE_MALE: tuple[str, ...] = tuple(_PEOPLE["middle_male"])
MIDDLE_FEMALE: tuple[str, ...] = tuple(_PEOPLE["middle_female"])
GIVEN_MALE: tuple[str, ...] = tuple(_PEOPLE["given_male"])
GIVEN_FEMALE: tuple[str, ...] = tuple(_PEOPLE["given_female"])
BRAND_WORDS: tuple[str, ...] = tuple(_PEOPLE["brand_words"])
VILLAGES: tuple[str, ...] = tuple(_PEOPLE["villages"])
LEGAL_FORMS: tuple[str, ...] = tuple(_PEOPLE["legal_forms"])  # stripped from names, in this order

# ---------------------------------------------------------------- buyers


@dataclass(frozen=True)
class Buyer:
    name: str
    buyer_type: str
    province: str
    locality: str
    address: str
    focus: tuple[str, ...]  # categories of its demand lines, 1–4
    premium: bool = False  # wants 4 stars and up


_BUYERS = _data("buyers.json")
BUYERS: tuple[Buyer, ...] = tuple(Buyer(**row | {"focus": tuple(row["focus"])}) for row in _BUYERS["buyers"])
# Monthly volume and unit of one demand line for a buyer of scale 1 (a mid-sized restaurant).
DEMAND_BASE: dict[str, tuple[float, str]] = {
    category: (volume, unit) for category, (volume, unit) in _BUYERS["demand_base"].items()
}
TYPE_SCALE: dict[str, float] = _BUYERS["type_scale"]
BUYER_DESCRIPTIONS: dict[str, str] = _BUYERS["descriptions"]
DEMAND_NOTES: dict[str, tuple[str, ...]] = {
    kind: tuple(notes) for kind, notes in _BUYERS["demand_notes"].items()
}
if BUYERS[0].name != FEATURED_BUYER:
    raise RuntimeError("buyers.json must list the featured buyer first")

# ---------------------------------------------------------------- what build_demo returns


@dataclass
class ProducerSpec:
    organisation: dict[str, Any]  # keyword arguments of catalog.create_organisation
    products: list[dict[str, Any]]  # keyword arguments of catalog.create_product


@dataclass
class BuyerSpec:
    organisation: dict[str, Any]
    demand: list[dict[str, Any]]  # keyword arguments of catalog.save_demand_line


@dataclass
class DemoData:
    seed: int
    today: date
    producers: list[ProducerSpec]
    buyers: list[BuyerSpec]

    def signature(self) -> list[str]:
        """Every generated name and code, in order: equal lists mean equal data sets."""
        out: list[str] = []
        for producer in self.producers:
            org = producer.organisation
            out.append(f"{org['name']}|{org['province_code']}|{org.get('tax_code')}|{org.get('phone')}")
            out.extend(
                f"  {p['name_vi']}|{p['stars']}|{p['certificate_date']}|{p.get('traceability_code')}"
                for p in producer.products
            )
        for buyer in self.buyers:
            out.append(f"{buyer.organisation['name']}|{buyer.organisation['buyer_type']}")
            out.extend(
                f"  {line['category']}|{line['monthly_volume']}|{line['unit']}" for line in buyer.demand
            )
        return out


@dataclass
class Summary:
    seed: int
    producers: int = 0
    products: int = 0
    certified: int = 0
    expired: int = 0
    not_certified_stars: int = 0
    producers_by_province: Counter = field(default_factory=Counter)
    products_by_group: Counter = field(default_factory=Counter)
    buyers_by_type: Counter = field(default_factory=Counter)
    demand_lines: int = 0
    logins: tuple[DemoLogin, ...] = DEMO_LOGINS
    event: EventSummary | None = None

    @property
    def buyers(self) -> int:
        return sum(self.buyers_by_type.values())

    def describe(self) -> str:
        provinces = ", ".join(
            f"{PROVINCES[code]} {count}" for code, count in self.producers_by_province.most_common()
        )
        groups = ", ".join(f"{group} {count}" for group, count in sorted(self.products_by_group.items()))
        buyer_types = ", ".join(f"{kind} {self.buyers_by_type[kind]}" for kind in BUYER_TYPES)
        return "\n".join(
            [
                f"Demo data loaded (seed {self.seed}):",
                f"  {self.producers} producers ({provinces})",
                f"  {self.products} products ({groups})",
                f"    {self.certified} certified, {self.expired} with an expired certificate, "
                f"{self.not_certified_stars} rated below 3 stars",
                f"  {self.buyers} buyers ({buyer_types})",
                f"  {self.demand_lines} demand lines",
                *([self.event.describe()] if self.event is not None else []),
                describe_logins(),
            ]
        )


# ---------------------------------------------------------------- generation


def _nice(value: float) -> float:
    """Two significant figures: 1234.5 -> 1200, 87.3 -> 87, 3.46 -> 3.5."""
    if value <= 0:
        return 0
    step = 10 ** (math.floor(math.log10(value)) - 1)
    rounded = round(value / step) * step
    return int(rounded) if rounded >= 10 else round(rounded, 1)


def _vnd(value: float) -> int:
    step = 5_000 if value >= 100_000 else 1_000
    return max(step, round(value / step) * step)


def _abbr(locality: str) -> str:
    return LOCALITY_ABBR.get(locality) or "".join(word[0] for word in fold(locality).upper().split())


def _bare(commune: str) -> str:
    """'xã Quảng Long' -> 'Quảng Long'."""
    for prefix in ("thị trấn ", "phường ", "xã "):
        if commune.startswith(prefix):
            return commune[len(prefix) :]
    return commune


class _Generator:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.org_names: set[str] = set()
        self.product_names: set[str] = set()
        self.tax_codes: set[str] = set()
        self.trace_counters: Counter = Counter()
        self.certificates_issued = 0

    # -------------------------------------------------------- people and contacts

    def person(self, province: str, locality: str = "") -> str:
        rng = self.rng
        highland = (province in HIGHLAND or locality in HIGHLAND_LOCALITIES) and rng.random() < 0.6
        family = rng.choice(FAMILY_HIGHLAND if highland else FAMILY_KINH)
        if rng.random() < 0.5:
            return f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
        return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"

    def phone(self, province: str, landline: bool) -> str:
        rng = self.rng
        if landline and province in AREA_CODE:
            area = AREA_CODE[province]
            digits = 8 if len(area) == 3 else 7
            number = f"3{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
            return f"{area} {number[: digits - 4]} {number[digits - 4 :]}"
        head = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10)}"
        return f"{head} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"

    def tax_code(self, province: str) -> str:
        prefix = TAX_PREFIX.get(province, "01")
        while True:
            code = f"{prefix}{self.rng.randrange(10**8):08d}"
            if code not in self.tax_codes:
                self.tax_codes.add(code)
                return code

    def email(self, name: str) -> str:
        """A contact address under the demo domain (never a real mailbox)."""
        for prefix in LEGAL_FORMS:
            name = name.removeprefix(prefix)
        local = "".join(c for c in fold(name) if c.isascii() and c.isalnum())[:28] or "lienhe"
        return f"{local}@{DEMO_DOMAIN}"

    def address(self, commune: str, locality: str, province: str) -> str:
        rng = self.rng
        if commune.startswith("phường"):
            street = f"Số {rng.randint(2, 260)}, tổ {rng.randint(1, 12)}, khu {rng.randint(1, 8)}"
        elif commune.startswith("thị trấn"):
            street = f"Khu {rng.randint(1, 9)}"
        else:
            street = f"Thôn {rng.choice(VILLAGES)}" if rng.random() < 0.6 else f"Thôn {rng.randint(1, 12)}"
        return f"{street}, {commune}, {locality}, {PROVINCES[province]}"

    # -------------------------------------------------------- producers

    def unique_org_name(self, candidates: list[str]) -> str:
        for name in candidates:
            if name not in self.org_names:
                self.org_names.add(name)
                return name
        base, n = candidates[0], 2
        while f"{base} {n}" in self.org_names:
            n += 1
        self.org_names.add(f"{base} {n}")
        return f"{base} {n}"

    def producer_name(self, cluster: Cluster, kind: str, commune: str) -> tuple[str, str]:
        """(organisation name, brand used to tell its products apart)."""
        rng = self.rng
        names: list[tuple[str, str]] = []
        for _ in range(6):
            if kind == "household":
                brand = f"{rng.choice(GIVEN_FEMALE + GIVEN_MALE)} {rng.choice(GIVEN_FEMALE + GIVEN_MALE)}"
                if brand.split()[0] == brand.split()[1]:
                    continue
                pattern = rng.choice(
                    ("Cơ sở {trade} {brand}", "Hộ kinh doanh {brand}", "Cơ sở sản xuất {brand}")
                )
                name = pattern.format(trade=cluster.trade, brand=brand)
            else:
                brand = _bare(commune) if rng.random() < 0.45 else rng.choice(BRAND_WORDS)
                where = f" {cluster.locality}" if brand != cluster.locality and rng.random() < 0.6 else ""
                if kind == "cooperative":
                    name = f"HTX {cluster.trade} {brand}{where}"
                else:
                    pattern = rng.choice(
                        (
                            "Công ty TNHH {trade} {brand}{where}",
                            "Công ty CP {trade} {brand}{where}",
                            "Công ty TNHH MTV {brand}{where}",
                        )
                    )
                    name = pattern.format(trade=cluster.trade, brand=brand, where=where)
            names.append((name.replace("Thành phố ", "TP "), brand))
        if not names:
            names.append((f"Cơ sở {cluster.trade} {cluster.locality}", cluster.locality))
        chosen = self.unique_org_name([name for name, _ in names])
        brand = next((b for name, b in names if name == chosen), names[0][1])
        return chosen, brand

    def describe_producer(self, cluster: Cluster, kind: str, commune: str) -> str:
        rng = self.rng
        place = f"{commune}, {cluster.locality}"
        if kind == "cooperative":
            farming = any(k.group in RAW_MATERIAL_GROUPS for k in cluster.kinds)
            area = f"; vùng nguyên liệu {rng.randint(3, 80)} ha" if farming else ""
            verb = "làm" if cluster.kinds[0].group == "tourism" else "sản xuất"
            return f"Hợp tác xã {rng.randint(7, 60)} thành viên, {verb} {cluster.what} tại {place}{area}."
        if kind == "enterprise":
            return (
                f"Doanh nghiệp chế biến và phân phối {cluster.what}, nhà xưởng tại {place}, "
                f"{rng.randint(15, 180)} lao động."
            )
        return f"Hộ sản xuất {cluster.what} quy mô gia đình tại {place}."

    def stars(self, kind: str) -> int:
        r = self.rng.random()
        if r < 0.06:
            return self.rng.choice((1, 2, 2))
        if r < 0.62:
            return 3
        if r < 0.95 or kind == "household":
            return 4
        return 5

    def standards(self, category: str, kind: str) -> list[str]:
        rng = self.rng
        candidates = list(CATEGORY_STANDARDS[category])
        if not candidates:
            return []
        if kind == "household":
            count = 1 if rng.random() < 0.35 else 0
        elif kind == "cooperative":
            count = rng.choices((0, 1, 2), weights=(30, 45, 25))[0]
        else:
            count = rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
        if len(candidates) == 1 and kind != "enterprise":
            count = min(count, 1 if rng.random() < 0.2 else 0)
        chosen: list[str] = []
        weights = [len(candidates) - i + 1 for i in range(len(candidates))]
        while candidates and len(chosen) < count:
            pick = rng.choices(range(len(candidates)), weights=weights)[0]
            chosen.append(candidates.pop(pick))
            weights.pop(pick)
        return sorted(chosen)

    def product(self, cluster: Cluster, kind_of_producer: str, kind: Kind, brand: str) -> dict[str, Any]:
        rng = self.rng
        name_vi, name_en, name_fr = kind.vi, kind.en, kind.fr
        if name_vi in self.product_names:
            name_vi, name_en, name_fr = f"{kind.vi} {brand}", f"{kind.en} ({brand})", f"{kind.fr} ({brand})"
        n = 2
        while name_vi in self.product_names:
            name_vi, n = f"{kind.vi} {brand} {n}", n + 1
        self.product_names.add(name_vi)

        factor = {
            "household": rng.uniform(0.15, 0.4),
            "cooperative": rng.uniform(0.6, 1.4),
            "enterprise": rng.uniform(1.5, 4.0),
        }[kind_of_producer]
        capacity, unit = _nice(rng.uniform(*kind.capacity) * factor), kind.unit
        if unit == "kg" and capacity >= 20_000:
            capacity, unit = _nice(capacity / 1000), "tonne"
        low, high = kind.price
        price_min = _vnd(low + (high - low) * rng.uniform(0.0, 0.45))
        price_max = max(price_min, _vnd(price_min + (high - low) * rng.uniform(0.15, 0.55)))
        stars = self.stars(kind_of_producer)
        issued = self.today - timedelta(days=rng.randint(20, 4 * 365))
        values: dict[str, Any] = {
            "name_vi": name_vi,
            "name_en": name_en,
            "name_fr": name_fr if rng.random() < 0.85 else None,
            "description_vi": kind.desc_vi
            or f"{kind.vi}: {cluster.what}, đặc sản {cluster.locality} ({PROVINCES[cluster.province]}).",
            "description_en": kind.desc_en,
            "ocop_group": kind.group,
            "category": kind.category,
            "stars": stars,
            "certificate_date": issued,
            "certificate_expiry": catalog.default_expiry(issued),
            "standards": self.standards(kind.category, kind_of_producer),
            "capacity_per_month": capacity,
            "capacity_unit": unit,
            "price_min": price_min,
            "price_max": price_max,
            "price_unit": kind.price_unit or kind.unit,
            "traceability_code": None,
        }
        if rng.random() < 0.08:
            values["price_min"] = values["price_max"] = values["price_unit"] = None
        if rng.random() < 0.85:
            prefix = f"{PROVINCE_ABBR[cluster.province]}-{_abbr(cluster.locality)}-{kind.key}"
            self.trace_counters[prefix] += 1
            values["traceability_code"] = f"{prefix}-{self.trace_counters[prefix]:04d}"
        # The certificate's number and level, and a GS1 barcode under Vietnam's prefix 893,
        # numbered in order (no draw from rng: the rest of the data stays as it was).
        self.certificates_issued += 1
        serial = self.certificates_issued
        values["certificate_number"] = f"{serial}/QĐ-{'TTg' if stars == 5 else 'UBND'}"
        values["certificate_level"] = "national" if stars == 5 else "province"
        if values["traceability_code"]:
            first_twelve = f"8930{serial:08d}"
            values["gtin"] = first_twelve + str(gtin_codes.check_digit(first_twelve))
        return values

    def producer(self, cluster: Cluster, also: set[int]) -> tuple[ProducerSpec, set[int]]:
        """A producer of `cluster` and the indexes of the kinds it makes (`also` among them)."""
        rng = self.rng
        kind = rng.choices(list(PRODUCER_KINDS), weights=cluster.mix)[0]
        commune = rng.choice(cluster.communes)
        name, brand = self.producer_name(cluster, kind, commune)
        organisation = {
            "name": name,
            "producer_kind": kind,
            "province_code": cluster.province,
            "commune": cluster.locality,
            "address": self.address(commune, cluster.locality, cluster.province),
            "contact_name": self.person(cluster.province, cluster.locality),
            "phone": self.phone(cluster.province, landline=kind == "enterprise" and rng.random() < 0.6),
            "email": self.email(name) if kind != "household" or rng.random() < 0.3 else None,
            "tax_code": None,
            "description": self.describe_producer(cluster, kind, commune),
        }
        if kind == "enterprise" or (kind == "cooperative" and rng.random() < 0.85) or rng.random() < 0.4:
            organisation["tax_code"] = self.tax_code(cluster.province)
        low, high = {"household": (1, 2), "cooperative": (2, 3), "enterprise": (2, 4)}[kind]
        count = min(len(cluster.kinds), rng.randint(low, high))
        # The first kind of a cluster is its flagship: most producers make it.
        indexes = [0] if rng.random() < 0.7 else []
        others = [i for i in range(len(cluster.kinds)) if i not in indexes]
        indexes += rng.sample(others, count - len(indexes))
        made = set(indexes) | also
        products = [self.product(cluster, kind, cluster.kinds[i], brand) for i in sorted(made)]
        return ProducerSpec(organisation, products), made

    def featured_producer(self) -> ProducerSpec:
        """The exhibitor login's cooperative: several certified Hải Hà teas."""
        cluster = CLUSTERS[0]
        self.org_names.add(FEATURED_PRODUCER)
        self.tax_codes.add("5701234567")
        organisation = {
            "name": FEATURED_PRODUCER,
            "producer_kind": "cooperative",
            "province_code": QN,
            "commune": "Hải Hà",
            "address": "Thôn 4, xã Đường Hoa, Hải Hà, Quảng Ninh",
            "contact_name": "Nguyễn Thị Lan",
            "phone": "0912 468 135",
            "email": f"htxduonghoa@{DEMO_DOMAIN}",
            "website": None,
            "tax_code": "5701234567",
            "description": (
                "Hợp tác xã 42 thành viên trồng và chế biến chè trên 35 ha đồi chè Đường Hoa, "
                "sản phẩm OCOP 4 sao của huyện Hải Hà."
            ),
        }
        products = []
        for kind, stars, days, standards in zip(
            cluster.kinds,
            (4, 4, 3, 4),
            (120, 300, 450, 610),
            (["organic", "vietgap"], ["vietgap"], ["haccp", "vietgap"], ["haccp", "iso22000"]),
            strict=True,
        ):
            values = self.product(cluster, "cooperative", kind, "Đường Hoa")
            issued = self.today - timedelta(days=days)
            values |= {
                "stars": stars,
                "certificate_date": issued,
                "certificate_expiry": catalog.default_expiry(issued),
                "standards": standards,
                "name_fr": kind.fr,
                "price_min": values["price_min"] or _vnd(kind.price[0]),
                "price_max": values["price_max"] or _vnd(kind.price[1]),
                "price_unit": kind.price_unit or kind.unit,
            }
            products.append(values)
        return ProducerSpec(organisation, products)

    # -------------------------------------------------------- buyers

    def demand_standards(self, buyer: Buyer, category: str) -> list[str]:
        r = self.rng.random()
        fresh = category in ("fresh_fruit", "vegetables")
        processed = category in (
            "seafood",
            "meat_products",
            "rice_noodles",
            "confectionery",
            "dried_fruit",
            "juice",
            "desserts",
        )
        kind = buyer.buyer_type
        if kind == "exporter":
            if fresh:
                return ["globalgap"]
            return ["haccp"] if processed or category == "sauces_spices" else []
        if kind == "airline_catering":
            return ["haccp"] if r < 0.5 else ["iso22000"]
        if kind == "school_kitchen":
            return ["vietgap"] if fresh or category == "meat_products" else ["haccp"] if r < 0.6 else []
        if kind in ("supermarket", "canteen"):
            if fresh and r < 0.5:
                return ["vietgap"]
            return ["haccp"] if processed and r < 0.25 else []
        if kind == "hotel" and buyer.premium and processed and r < 0.4:
            return ["haccp"]
        return []

    def demand_provinces(self, buyer: Buyer) -> list[str]:
        rng = self.rng
        if buyer.buyer_type == "exporter":
            return [buyer.province] if buyer.province in FEATURED_PROVINCES and rng.random() < 0.3 else []
        if buyer.province in FEATURED_PROVINCES:
            if rng.random() < 0.55:
                wanted = {buyer.province}
                if rng.random() < 0.3:
                    wanted.add(rng.choice([p for p in FEATURED_PROVINCES if p != buyer.province]))
                return sorted(wanted)
            return []
        return sorted(rng.sample(FEATURED_PROVINCES, rng.randint(1, 2))) if rng.random() < 0.35 else []

    def demand_line(self, buyer: Buyer, category: str) -> dict[str, Any]:
        rng = self.rng
        base, unit = DEMAND_BASE[category]
        volume = _nice(base * TYPE_SCALE[buyer.buyer_type] * rng.uniform(0.6, 1.6))
        if unit == "kg" and volume >= 5000:
            volume, unit = _nice(volume / 1000), "tonne"
        strict = buyer.premium or buyer.buyer_type in ("exporter", "airline_catering")
        line: dict[str, Any] = {
            "category": category,
            "monthly_volume": volume,
            "unit": unit,
            "min_stars": 4 if strict or rng.random() < 0.2 else 3,
            "price_ceiling": None,
            "note": rng.choice(DEMAND_NOTES[buyer.buyer_type]) if rng.random() < 0.7 else None,
            "standards": self.demand_standards(buyer, category),
            "provinces": self.demand_provinces(buyer),
        }
        reference = REFERENCE_PRICE.get((category, unit))
        if reference and rng.random() < 0.35:
            line["price_ceiling"] = _vnd(reference * rng.uniform(0.7, 1.1))
        return line

    def buyer_address(self, buyer: Buyer) -> str:
        parts = [buyer.address]
        if fold(buyer.locality) not in fold(buyer.address):
            parts.append(buyer.locality)
        return ", ".join([*parts, PROVINCES[buyer.province]])

    def buyer(self, buyer: Buyer) -> BuyerSpec:
        rng = self.rng
        self.org_names.add(buyer.name)
        organisation = {
            "name": buyer.name,
            "buyer_type": buyer.buyer_type,
            "province_code": buyer.province,
            "commune": buyer.locality,
            "address": self.buyer_address(buyer),
            "contact_name": self.person(buyer.province),
            "phone": self.phone(buyer.province, landline=rng.random() < 0.6),
            "email": self.email(buyer.name),
            "tax_code": self.tax_code(buyer.province) if rng.random() < 0.9 else None,
            "description": BUYER_DESCRIPTIONS[buyer.buyer_type],
        }
        return BuyerSpec(organisation, [self.demand_line(buyer, category) for category in buyer.focus])


def _reference_prices() -> dict[tuple[str, str], int]:
    """The top of the usual price range of each category, per unit, from the kinds above."""
    prices: dict[tuple[str, str], list[int]] = {}
    for cluster in CLUSTERS:
        for kind in cluster.kinds:
            prices.setdefault((kind.category, kind.price_unit or kind.unit), []).append(kind.price[1])
    return {key: sorted(values)[len(values) // 2] for key, values in prices.items()}


REFERENCE_PRICE = _reference_prices()


def build_demo(seed: int, today: date | None = None) -> DemoData:
    """The demo data set as plain dictionaries, from `seed` alone (and today's date)."""
    generator = _Generator(seed, today or catalog.today())
    producers = [generator.featured_producer()]
    for index, cluster in enumerate(CLUSTERS):
        every_kind = set(range(len(cluster.kinds)))
        made = set(every_kind) if index == 0 else set()  # the featured cooperative makes all Hải Hà teas
        count = cluster.producers - 1 if index == 0 else cluster.producers
        for n in range(count):
            # The last producer of a place also makes any of its kinds nobody made yet.
            spec, kinds = generator.producer(cluster, every_kind - made if n == count - 1 else set())
            producers.append(spec)
            made |= kinds
    buyers = [generator.buyer(buyer) for buyer in BUYERS]
    return DemoData(seed, generator.today, producers, buyers)


# ---------------------------------------------------------------- loading (the catalogue, then the fair)


def database_is_empty() -> bool:
    """True when nobody has an account yet (a fresh installation)."""
    return db.session.scalar(select(User.id).limit(1)) is None


def describe_logins() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for login in DEMO_LOGINS:
        where = f" — {login.organisation}" if login.organisation else ""
        lines.append(f"  {login.role:<10} {login.email}{where}")
    return "\n".join(lines)


DEMO_LOCK_KEY = "demo-load"


def start_loading(actor, seed: int):
    """An administrator's click: enqueue `load_demo` (the job `demo.load`, app/demo/jobs.py).

    Refused when the demo is loaded already, and with `AlreadyRunning` while a load waits or
    runs. Returns the job's row, which the caller's transaction commits.
    """
    ensure_admin(actor)
    if demo_is_loaded():
        raise ServiceError(_l("The demo data is already loaded in this database; it is loaded only once."))
    return tasks.start(actor, "demo.load", lock_key=DEMO_LOCK_KEY, params={"seed": seed})


def latest_loading():
    """The last demo load started from the administrators' page, running or ended, or None."""
    return tasks.latest_task(DEMO_LOCK_KEY)


def ensure_admin(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role != "admin":
        raise PermissionDenied


def demo_is_loaded() -> bool:
    """True when a demo login exists already: the demo is loaded (once) into a database."""
    emails = [login.email for login in DEMO_LOGINS]
    return db.session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None


def load_demo(seed: int) -> Summary:
    """Create the demo catalogue, then the demo fair on it, through the services; flushes.

    Reports its parts as progress phases (app.tasks.progress): the logins, the producers
    with their products, the buyers with their demand, then the fair step by step.
    """
    data = build_demo(seed)
    summary = Summary(seed=seed)
    progress.phase("logins", len(DEMO_LOGINS))
    users = {}
    for login in DEMO_LOGINS:
        users[login.role] = accounts.create_user(
            email=login.email, password=DEMO_PASSWORD, full_name=login.full_name, role=login.role, locale="vi"
        )
        progress.advance()
    admin = users["admin"]  # admins may edit any organisation
    organisations = {}
    progress.phase("producers", len(data.producers))
    for spec in data.producers:
        organisation = catalog.create_organisation(role="producer", **spec.organisation)
        organisations[organisation.name] = organisation
        summary.producers += 1
        summary.producers_by_province[organisation.province_code] += 1
        for values in spec.products:
            product = catalog.create_product(admin, organisation, **values)
            # The demo's certificates come from the province's list of certified products (declared
            # with their number and level, waiting to be checked): the admin verified each one.
            product.certificate_status = "pending"
            certificates.verify_certificate(admin, product)
            summary.products += 1
            summary.products_by_group[values["ocop_group"]] += 1
            expired = values["certificate_expiry"] < data.today
            summary.expired += expired
            summary.not_certified_stars += values["stars"] < CERTIFIED_MIN_STARS
            summary.certified += values["stars"] >= CERTIFIED_MIN_STARS and not expired
        progress.advance()
    progress.phase("buyers", len(data.buyers))
    for spec in data.buyers:
        organisation = catalog.create_organisation(role="buyer", **spec.organisation)
        organisations[organisation.name] = organisation
        summary.buyers_by_type[organisation.buyer_type] += 1
        for values in spec.demand:
            catalog.save_demand_line(admin, organisation, **values)
            summary.demand_lines += 1
        progress.advance()
    for login in DEMO_LOGINS:
        if login.organisation:
            users[login.role].organisation = organisations[login.organisation]
    db.session.flush()
    summary.event = load_demo_event(seed, users["organiser"], data.today)
    return summary


# ================================================================ the demo fair
#
# A physical fair at the Quảng Ninh exhibition centre in Hạ Long, starting three weeks after
# `today` for four days, with registration open now (the windows are counted from today, so
# the event is open whenever the demo is loaded). Everything goes through the services the
# pages use, so every row passes the rules user input passes:
#
# * the event, its programme and two halls (events.services), moved to "registration_open";
# * exhibitors apply with their certified products and buyers with their demand lines
#   (events.registrations); the organiser approves most of them, a few stay pending and,
#   once the fair is full, one more goes to the waiting list;
# * booth types, blocks of booths with zone tags and zone rules (booths.plan); most
#   exhibitors ask for a booth with ranked wishes (booths.booking.request_booth), the
#   organiser's one click places them (allocate_all) and confirms a few payments;
# * most exhibitors publish their electronic booth with a headline (booths.ebooths);
# * a B2B matchmaking session on day 2, run and published (matching.services), in which the
#   demo buyer asked for a meeting with the demo exhibitor and the exhibitor accepted.
#
# Only the four demo logins are user accounts. The other demo organisations have none, so a
# stand-in with their role and organisation acts for them (as their own user would), and no
# mail is queued for them; the demo logins' mails go to @demo.ocopfair.vn addresses.
#
# Deterministic for a seed: choices come from `random.Random(seed)` over rows read in id
# order. (Check-in codes of meetings are drawn by the service from `secrets`, as always.)

TIMEZONE = "Asia/Ho_Chi_Minh"
EXHIBITOR_EMAIL = f"exhibitor@{DEMO_DOMAIN}"
BUYER_EMAIL = f"buyer@{DEMO_DOMAIN}"


# How many exhibitors of each origin are approved, pending, waitlisted (the demo exhibitor comes on top).
APPROVED = {"qn": 25, "ls": 8, "bg": 8, "other": 6}
PENDING = {"qn": 2, "ls": 1, "other": 1}
WAITLISTED = "bg"
NO_REQUEST_YET = 4  # approved exhibitors (of Quảng Ninh or elsewhere) who have not asked for a booth
BUYERS_APPROVED = 20  # the demo buyer included
BUYERS_PENDING = 2
TABLES = 15


# ---------------------------------------------------------------- summary


@dataclass
class EventSummary:
    slug: str
    name: str
    first_day: date
    last_day: date
    programme: int = 0
    halls: int = 0
    booths: int = 0
    exhibitors: Counter = field(default_factory=Counter)  # status -> count
    buyers: Counter = field(default_factory=Counter)
    requests: int = 0
    allocated: int = 0
    unplaced: int = 0
    paid: int = 0
    published_ebooths: int = 0
    meetings: int = 0
    demo_buyer_meetings: int = 0

    def describe(self) -> str:
        exhibitors, buyers = self.exhibitors, self.buyers
        return "\n".join(
            [
                f"  1 event: {self.name}, {self.first_day:%d/%m}–{self.last_day:%d/%m/%Y} "
                f"(/events/{self.slug}), registration open, {self.programme} programme items",
                f"    exhibitors {exhibitors['approved']} approved, {exhibitors['pending']} pending, "
                f"{exhibitors['waitlisted']} waitlisted; buyers {buyers['approved']} approved, "
                f"{buyers['pending']} pending",
                f"    {self.halls} halls, {self.booths} booths: {self.allocated} allocated "
                f"({self.paid} paid), {self.unplaced} requests unplaced; "
                f"{self.published_ebooths} e-booths published",
                f"    B2B matchmaking on day 2 published: {self.meetings} meetings "
                f"({self.demo_buyer_meetings} for the demo buyer)",
            ]
        )


# ---------------------------------------------------------------- stand-in users


@dataclass(frozen=True)
class _Representative:
    """Acts for a demo organisation that has no user account, with the role its user would have."""

    role: str
    organisation_id: int
    id: int | None = None
    is_authenticated: bool = True


@dataclass
class _Exhibitor:
    organisation: Organisation
    products: list[Product]
    origin: str  # "qn", "ls", "bg", "other"
    actor: object
    registration: Registration | None = None

    @property
    def groups(self) -> set[str]:
        return {p.ocop_group for p in self.products}

    @property
    def zone(self) -> str:
        """Where in the fair this exhibitor belongs: a pavilion, the food, drinks or crafts area."""
        if self.origin in ("ls", "bg"):
            return self.origin
        if "food" in self.groups:
            return "food"
        if "beverages" in self.groups:
            return "beverages"
        return "handicrafts"


@dataclass
class _Wish:
    exhibitor: _Exhibitor
    type_key: str  # "standard", "double", "corner"
    zones: list[str]  # zone tags wished for after the named booths (drawn when the booths exist)
    note: str | None = None


# ---------------------------------------------------------------- texts

_EVENT = _data("event.json")
PROGRAMME: list[dict] = _EVENT["programme"]  # day 0 is the first day; start and end are local (hour, minute)
BOOTH_TYPES: dict[str, dict] = _EVENT["booth_types"]  # keyword arguments of booths.plan.save_booth_type
BOOTH_REQUEST_NOTES: dict[str, tuple[str | None, ...]] = {
    zone: tuple(notes) for zone, notes in _EVENT["request_notes"].items()
}
APPLICATION_MESSAGES: tuple[str | None, ...] = tuple(_EVENT["application_messages"])


def _headlines(exhibitor: _Exhibitor, booth_code: str | None, rng: random.Random) -> dict[str, str]:
    best = exhibitor.products[0]
    stars = best.stars
    province = PROVINCES.get(exhibitor.organisation.province_code, "")
    names = {code: best.name_in(code) for code in ("vi", "en", "fr")}
    choices = ["stars"]
    if booth_code:
        choices.append("booth")
    if len(exhibitor.products) >= 2:
        choices.append("range")
    kind = rng.choice(choices)
    edible = bool(exhibitor.groups & {"food", "beverages"})
    if kind == "booth":
        if edible:
            return {
                "vi": f"Mời nếm thử {names['vi']} tại gian {booth_code}",
                "en": f"Taste {names['en']} at booth {booth_code}",
                "fr": f"Venez goûter {names['fr']} au stand {booth_code}",
            }
        return {
            "vi": f"Khám phá {names['vi']} tại gian {booth_code}",
            "en": f"Discover {names['en']} at booth {booth_code}",
            "fr": f"Découvrez {names['fr']} au stand {booth_code}",
        }
    if kind == "range":
        count = len(exhibitor.products)
        return {
            "vi": f"{count} sản phẩm OCOP của {province}, đứng đầu là {names['vi']}",
            "en": f"{count} OCOP products from {province}, led by {names['en']}",
            "fr": f"{count} produits OCOP de {province}, dont {names['fr']}",
        }
    return {
        "vi": f"{names['vi']} – sản phẩm OCOP {stars} sao của {province}",
        "en": f"{names['en']}: a {stars}-star OCOP product of {province}",
        "fr": f"{names['fr']} : produit OCOP {stars} étoiles de {province}",
    }


# ---------------------------------------------------------------- steps


def _local(first_day: date, day: int, hour: int, minute: int = 0) -> datetime:
    return events.from_local(TIMEZONE, datetime.combine(first_day + timedelta(days=day), time(hour, minute)))


def _create_event(organiser, first_day: date, today: date, now: datetime) -> Event:
    year = first_day.year
    event = events.create_event(
        organiser,
        slug=f"hoi-cho-ocop-quang-ninh-{year}",
        kind="physical_fair",
        name_vi=f"Hội chợ OCOP Quảng Ninh {year}",
        name_en=f"Quảng Ninh OCOP Fair {year}",
        name_fr=f"Foire OCOP de Quảng Ninh {year}",
        description_vi=(
            "Hội chợ giới thiệu sản phẩm OCOP của Quảng Ninh và các tỉnh bạn: thực phẩm, đồ uống, "
            "dược liệu và thủ công mỹ nghệ; khu gian hàng của Lạng Sơn và Bắc Giang; hội thảo, "
            "thưởng trà và một ngày kết nối giao thương giữa người mua và chủ thể OCOP."
        ),
        description_en=(
            "A fair of OCOP products from Quảng Ninh and neighbouring provinces: food, drinks, "
            "herbal products and handicrafts, with pavilions of Lạng Sơn and Bắc Giang, seminars, "
            "a tea tasting and a day of B2B meetings between buyers and OCOP producers."
        ),
        description_fr=(
            "Une foire des produits OCOP de Quảng Ninh et des provinces voisines : alimentation, "
            "boissons, plantes médicinales et artisanat, avec les pavillons de Lạng Sơn et de Bắc Giang, "
            "des séminaires, une dégustation de thé et une journée de rendez-vous d'affaires B2B."
        ),
        timezone=TIMEZONE,
        starts_at=_local(first_day, 0, 8, 0),
        ends_at=_local(first_day, 3, 21, 0),
        venue_name="Cung Quy hoạch, Hội chợ và Triển lãm tỉnh Quảng Ninh",
        venue_address="Phường Hồng Hải, thành phố Hạ Long, tỉnh Quảng Ninh",
        province_code=QN,
        exhibitor_capacity=60,  # lowered to the number approved once the exhibitors are chosen
        buyer_capacity=40,
        exhibitor_registration_opens_at=events.from_local(TIMEZONE, datetime.combine(today, time(0)))
        - timedelta(days=30),
        exhibitor_registration_closes_at=_local(first_day, -7, 17, 0),
        buyer_registration_opens_at=events.from_local(TIMEZONE, datetime.combine(today, time(0)))
        - timedelta(days=20),
        buyer_registration_closes_at=_local(first_day, -1, 17, 0),
    )
    events.open_registration(organiser, event, now)
    for item in PROGRAMME:
        events.save_programme_item(
            organiser,
            event,
            kind=item["kind"],
            title_vi=item["title_vi"],
            title_en=item["title_en"],
            title_fr=item["title_fr"],
            description=item["description"],
            starts_at=_local(first_day, item["day"], *item["start"]),
            ends_at=_local(first_day, item["day"], *item["end"]),
            location=item["location"],
        )
    return event


def _eligible(organisation: Organisation, event: Event) -> list[Product]:
    """The products it may show: certified through the event's last day, best first."""
    products = [p for p in organisation.products if registrations.product_problem(p, event, "vi") is None]
    return sorted(products, key=lambda p: (-p.stars, p.name_vi, p.id))


def _origin(organisation: Organisation) -> str:
    return {QN: "qn", LS: "ls", BG: "bg"}.get(organisation.province_code, "other")


def _choose_exhibitors(event: Event, featured_user, rng: random.Random):
    """The demo exhibitor's organisation first, then approved, pending and waitlisted ones by origin."""
    producers = db.session.scalars(
        select(Organisation)
        .where(Organisation.role == "producer")
        .options(selectinload(Organisation.products))
        .order_by(Organisation.id)
    ).all()
    pools: dict[str, list[_Exhibitor]] = {"qn": [], "ls": [], "bg": [], "other": []}
    featured = None
    for organisation in producers:
        products = _eligible(organisation, event)
        if not products:
            continue
        if organisation.id == featured_user.organisation_id:
            featured = _Exhibitor(organisation, products, _origin(organisation), featured_user)
            continue
        count = min(len(products), rng.choice((1, 2, 2, 3)))
        actor = _Representative("exhibitor", organisation.id)
        pools[_origin(organisation)].append(
            _Exhibitor(organisation, products[:count], _origin(organisation), actor)
        )
    for pool in pools.values():
        rng.shuffle(pool)
    approved = [featured] if featured is not None else []
    for origin, count in APPROVED.items():
        approved += [pools[origin].pop() for _ in range(min(count, len(pools[origin])))]
    pending = []
    for origin, count in PENDING.items():
        pending += [pools[origin].pop() for _ in range(min(count, len(pools[origin])))]
    waitlisted = pools[WAITLISTED].pop() if pools[WAITLISTED] else None
    return approved, pending, waitlisted


def _register_exhibitors(organiser, event, approved, pending, waitlisted, rng, now) -> None:
    # The fair takes as many exhibitors as the organiser approves; the applicant after them waits.
    events.update_event(organiser, event, exhibitor_capacity=len(approved))
    applicants = approved + pending
    order = list(range(len(applicants)))
    rng.shuffle(order)
    for index in order:
        exhibitor = applicants[index]
        exhibitor.registration = registrations.apply_as_exhibitor(
            exhibitor.actor,
            event,
            [p.id for p in exhibitor.products],
            message=rng.choice(APPLICATION_MESSAGES),
            now=now,
        )
    for index in order:
        if applicants[index] in approved:
            registrations.approve(organiser, applicants[index].registration, now)
    if waitlisted is not None:
        waitlisted.registration = registrations.apply_as_exhibitor(
            waitlisted.actor, event, [p.id for p in waitlisted.products], now=now
        )


def _register_buyers(organiser, event, buyer_user, rng, now) -> list[Registration]:
    buyers = db.session.scalars(
        select(Organisation)
        .where(Organisation.role == "buyer")
        .options(selectinload(Organisation.demand_lines))
        .order_by(Organisation.id)
    ).all()
    featured = [b for b in buyers if b.id == buyer_user.organisation_id]
    others = [b for b in buyers if b.id != buyer_user.organisation_id and b.demand_lines]
    chosen = rng.sample(others, min(len(others), BUYERS_APPROVED - len(featured) + BUYERS_PENDING))
    applicants = []
    for organisation in featured + chosen:
        if organisation.id == buyer_user.organisation_id:
            actor = buyer_user
        else:
            actor = _Representative("buyer", organisation.id)
        registration = registrations.register_as_buyer(
            actor, event, [line.id for line in organisation.demand_lines], now=now
        )
        applicants.append(registration)
    approved = (
        applicants[: len(applicants) - BUYERS_PENDING] if len(applicants) > BUYERS_PENDING else applicants
    )
    for registration in approved:
        registrations.approve(organiser, registration, now)
    return approved


def _wishes(exhibitors: list[_Exhibitor], featured_org_id: int | None, rng: random.Random) -> list[_Wish]:
    """Which booth each approved exhibitor will ask for; a few have not asked yet."""
    waiting = [e for e in exhibitors if e.origin in ("qn", "other") and e.organisation.id != featured_org_id]
    rng.shuffle(waiting)
    silent = {id(e) for e in waiting[:NO_REQUEST_YET]}
    wishes = []
    doubles = corners_food = corners_drinks = 0
    for exhibitor in exhibitors:
        if id(exhibitor) in silent:
            continue
        zone = exhibitor.zone
        note = rng.choice(BOOTH_REQUEST_NOTES[zone])
        kind = exhibitor.organisation.producer_kind
        if exhibitor.organisation.id == featured_org_id:  # the demo exhibitor: the tea row
            wishes.append(_Wish(exhibitor, "standard", [zone], note))
        elif zone in ("ls", "bg"):
            wishes.append(_Wish(exhibitor, "standard", [], note))
        elif zone == "food" and kind == "enterprise" and doubles < 4:
            doubles += 1
            wishes.append(_Wish(exhibitor, "double", ["premium"], note))
        elif zone == "food" and corners_food < 2 and rng.random() < 0.3:
            corners_food += 1
            wishes.append(_Wish(exhibitor, "corner", [], note))
        elif zone == "beverages" and corners_drinks < 2 and rng.random() < 0.4:
            corners_drinks += 1
            wishes.append(_Wish(exhibitor, "corner", ["beverages"], note))
        else:
            wishes.append(_Wish(exhibitor, "standard", [] if zone == "food" else [zone], note))
    return wishes


@dataclass
class _Block:
    hall: str
    type_key: str
    rows: int
    columns: int
    x: float
    y: float
    start_code: str
    tags: str

    @property
    def codes(self) -> list[str]:
        return plan.code_sequence(self.start_code, self.rows * self.columns)


def _layout(wishes: list[_Wish]) -> tuple[dict[str, tuple[float, float]], list[_Block]]:
    """Halls and blocks sized for the requests, with some booths left free."""
    count = Counter((w.type_key, w.exhibitor.zone) for w in wishes if w.type_key == "standard")

    def columns(n: int, spare: float, least: int) -> int:
        return max(least, math.ceil(n * spare / 2))

    food = columns(count["standard", "food"], 1.4, 6)
    drinks = columns(count["standard", "beverages"], 2, 3)  # room to keep tea away from tea
    crafts = columns(count["standard", "handicrafts"], 1.4, 3)
    pavilions = {}
    for zone in ("ls", "bg"):
        n = count["standard", zone]  # exactly their number: the province books its pavilion
        pavilions[zone] = (2, n // 2) if n and n % 2 == 0 else (1, n)
    blocks = [
        _Block("Nhà A", "standard", 2, food, 3, 4, "A-01", "food"),
        _Block("Nhà A", "corner", 2, 1, 3 + 3 * food, 4, "C-01", "food,corner"),
        _Block("Nhà A", "double", 2, 2, 3 + 3 * food + 3 + 4, 4, "D-01", "food,premium"),
        _Block("Nhà A", "standard", 2, drinks, 3, 16, f"A-{2 * food + 1:02d}", "beverages"),
        _Block("Nhà A", "corner", 2, 1, 3 + 3 * drinks, 16, "C-03", "beverages,corner"),
    ]
    x = 3
    start = 1
    for zone, province in (("ls", LS), ("bg", BG)):
        rows, cols = pavilions[zone]
        if rows * cols:
            blocks.append(
                _Block("Nhà B", "standard", rows, cols, x, 4, f"B-{start:02d}", f"province:{province},food")
            )
            x += 3 * cols + 6
            start += rows * cols
    blocks.append(_Block("Nhà B", "standard", 2, crafts, 3, 16, f"B-{start:02d}", "handicrafts"))
    width_a = max(60, 3 + 3 * food + 3 + 4 + 12 + 6, 3 + 3 * drinks + 3 + 6)
    width_b = max(48, x + 12, 3 + 3 * crafts + 15)  # room on the right for the B2B tables
    halls = {"Nhà A": (width_a, 36), "Nhà B": (width_b, 32)}
    return halls, blocks


def _build_plan(organiser, event, halls, blocks) -> tuple[dict, dict[str, Booth]]:
    hall_rows = {
        name: events.save_hall(
            organiser,
            event,
            name=name,
            name_en=name.replace("Nhà", "Hall"),
            name_fr=name.replace("Nhà", "Hall"),
            width_m=width,
            depth_m=depth,
        )
        for name, (width, depth) in halls.items()
    }
    types = {}
    for key, values in BOOTH_TYPES.items():
        types[key] = plan.save_booth_type(organiser, event, **values)
    booths: dict[str, Booth] = {}
    for block in blocks:
        created = plan.generate_block(
            organiser,
            hall_rows[block.hall],
            rows=block.rows,
            columns=block.columns,
            booth_type=types[block.type_key],
            origin_x=block.x,
            origin_y=block.y,
            aisle_m=3,
            start_code=block.start_code,
            zone_tags=block.tags,
            double_sided=True,
        )
        booths.update({booth.code: booth for booth in created})
    plan.save_zone_rule(organiser, event, match_kind="group", value="food", zone="food")
    plan.save_zone_rule(organiser, event, match_kind="province", value=LS)
    plan.save_zone_rule(organiser, event, match_kind="province", value=BG)
    return types, booths


def _book(organiser, event, wishes, types, booths, featured_org_id, rng):
    """Each exhibitor asks for its booth, the organiser allocates them all and confirms a few payments."""

    def candidates(booth_type, zone_tag: str) -> list[str]:
        """Booths of the type in the exhibitor's own area (pavilions take food only from their province)."""
        return [
            code
            for code, booth in sorted(booths.items())
            if booth.booth_type_id == booth_type.id
            and zone_tag in booth.tags
            and (zone_tag != "food" or booth.hall.name == "Nhà A")
        ]

    by_org = {w.exhibitor.organisation.id: w for w in wishes}
    neighbours: dict[int, list[int]] = {}
    for wish in wishes:  # producers of one commune like to stand together
        exhibitor = wish.exhibitor
        same = [
            w.exhibitor.organisation.id
            for w in wishes
            if w is not wish
            and w.exhibitor.organisation.commune
            and w.exhibitor.organisation.commune == exhibitor.organisation.commune
            and w.exhibitor.zone == exhibitor.zone
        ]
        neighbours[exhibitor.organisation.id] = same[:1]
    for wish in wishes:
        booth_type = types[wish.type_key]
        exhibitor = wish.exhibitor
        zone_tag = {"ls": f"province:{LS}", "bg": f"province:{BG}"}.get(exhibitor.zone, exhibitor.zone)
        area = candidates(booth_type, zone_tag)
        named = rng.sample(area, min(len(area), 2 if wish.type_key == "standard" else 1))
        if exhibitor.organisation.id == featured_org_id and area:
            named = area[:1]  # the demo exhibitor wants the first booth of the tea row
        preferences = [booths[code] for code in named] + [z for z in wish.zones if z]
        near = neighbours.get(exhibitor.organisation.id, []) if rng.random() < 0.5 else []
        near = [org_id for org_id in near if org_id in by_org]
        booking.request_booth(
            exhibitor.actor,
            exhibitor.registration,
            booth_type,
            preferences=preferences[:3],
            near=near,
            note=wish.note,
        )
    report = booking.allocate_all(organiser, event)
    placed = sorted(report.placed, key=lambda item: item[1].code)
    assignments = {
        a.registration_id: a
        for a in db.session.scalars(
            select(BoothAssignment).where(BoothAssignment.event_id == event.id).order_by(BoothAssignment.id)
        )
    }
    paying = [r for r, _booth, _rank in placed if r.registration.organisation_id != featured_org_id]
    rng.shuffle(paying)
    for request in paying[:8]:
        booking.confirm_payment(organiser, assignments[request.registration_id])
    for request in paying[8:9]:
        booking.waive_payment(organiser, assignments[request.registration_id])  # a supported cooperative
    return report, assignments


def _publish_ebooths(event, exhibitors, assignments, featured_org_id, rng) -> int:
    ebooths.ensure_electronic_booths(event)
    published = 0
    for exhibitor in exhibitors:
        own = exhibitor.organisation.id == featured_org_id
        if not own and rng.random() < 0.12:
            continue  # still preparing its page
        ebooth = ebooths.ebooth_of_registration(exhibitor.registration)
        assignment = assignments.get(exhibitor.registration.id)
        code = assignment.booth.code if assignment is not None else None
        ebooths.update_electronic_booth(
            exhibitor.actor,
            ebooth,
            headlines=_headlines(exhibitor, code, rng),
            product_ids=[p.id for p in exhibitor.products],
            show_phone=own or rng.random() < 0.7,
            show_email=own or rng.random() < 0.5,
        )
        ebooths.set_published(exhibitor.actor, ebooth, True)
        published += 1
    return published


def _matchmaking(organiser, event, first_day, buyer_user, exhibitor_user, buyer_regs, exhibitors, rng):
    session = matching.create_session(
        organiser,
        event,
        name="Kết nối giao thương B2B",
        name_en="B2B matchmaking",
        name_fr="Rencontres d'affaires B2B",
        first_day=first_day + timedelta(days=1),
        last_day=first_day + timedelta(days=1),
        day_start=time(8, 30),
        day_end=time(16, 30),
        meeting_minutes=20,
        gap_minutes=5,
        breaks="11:30-13:30",
        tables=TABLES,
        table_names="\n".join(f"Nhà B · bàn {n}" for n in range(1, TABLES + 1)),
        table_names_en="\n".join(f"Hall B · table {n}" for n in range(1, TABLES + 1)),
        table_names_fr="\n".join(f"Hall B · table {n}" for n in range(1, TABLES + 1)),
        max_meetings_per_buyer=10,
        max_meetings_per_producer=8,
    )
    # The demo buyer asks to meet the demo exhibitor, who accepts.
    buyer_reg = next((r for r in buyer_regs if r.organisation_id == buyer_user.organisation_id), None)
    producer_reg = next(
        (e.registration for e in exhibitors if e.organisation.id == exhibitor_user.organisation_id), None
    )
    if buyer_reg is not None and producer_reg is not None:
        ask = participation.ask_for_meeting(buyer_user, session, buyer_reg, producer_reg.id)
        participation.answer_ask(exhibitor_user, ask, True)
    # Two buyers come only in the morning.
    morning = [slot.index for slot in matching.slots_of(session) if slot.start.hour < 12]
    others = [r for r in buyer_regs if r.organisation_id != buyer_user.organisation_id]
    for registration in rng.sample(others, min(2, len(others))):
        actor = _Representative("buyer", registration.organisation_id)
        participation.set_availability(actor, session, registration, morning)
    matching.run_matching(organiser, session)
    matching.publish(organiser, session)
    return session, buyer_reg


# ---------------------------------------------------------------- entry point


# The fair's steps, as its progress counts them: the event, exhibitors, buyers, the floor
# plan, booth booking, electronic booths, matchmaking.
FAIR_STEPS = 7


@contextmanager
def _fair_step() -> Iterator[None]:
    """One step of the fair: the services it calls report nothing of their own (the booth
    allocation and the matching would show their phases in the demo's), then one step is done."""
    with progress.muted():
        yield
    progress.advance()


def load_demo_event(seed: int, organiser, today: date | None = None) -> EventSummary:
    """Create the demo fair through the services, on top of the demo catalogue; flushes."""
    rng = random.Random(seed)
    real_today = date.today()
    today = today or real_today
    # Registration windows are counted from `today`; the services check them against `now`.
    now = utcnow() if today == real_today else events.from_local(TIMEZONE, datetime.combine(today, time(10)))
    first_day = today + timedelta(days=21)
    exhibitor_user = accounts.find_user_by_email(EXHIBITOR_EMAIL)
    buyer_user = accounts.find_user_by_email(BUYER_EMAIL)

    progress.phase("fair", FAIR_STEPS)
    with _fair_step():
        event = _create_event(organiser, first_day, today, now)
    with _fair_step():
        approved, pending, waitlisted = _choose_exhibitors(event, exhibitor_user, rng)
        _register_exhibitors(organiser, event, approved, pending, waitlisted, rng, now)
    with _fair_step():
        buyer_regs = _register_buyers(organiser, event, buyer_user, rng, now)

    featured_org_id = exhibitor_user.organisation_id
    wishes = _wishes(approved, featured_org_id, rng)
    halls, blocks = _layout(wishes)
    with _fair_step():
        types, booths = _build_plan(organiser, event, halls, blocks)
    with _fair_step():
        report, assignments = _book(organiser, event, wishes, types, booths, featured_org_id, rng)
    with _fair_step():
        published = _publish_ebooths(event, approved, assignments, featured_org_id, rng)
    with _fair_step():
        session, buyer_reg = _matchmaking(
            organiser, event, first_day, buyer_user, exhibitor_user, buyer_regs, approved, rng
        )

    summary = EventSummary(event.slug, event.name_vi, first_day, first_day + timedelta(days=3))
    summary.programme = len(event.programme)
    summary.halls = len(halls)
    summary.booths = len(booths)
    summary.exhibitors = Counter(registrations.counts(event)["exhibitor"])
    summary.buyers = Counter(registrations.counts(event)["buyer"])
    summary.requests = len(wishes)
    summary.allocated = len(report.placed)
    summary.unplaced = len(report.unplaced)
    summary.paid = sum(a.payment == "paid" for a in assignments.values())
    summary.published_ebooths = published
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.session_id == session.id, Meeting.published.is_(True))
    ).all()
    summary.meetings = len(meetings)
    if buyer_reg is not None:
        summary.demo_buyer_meetings = sum(m.buyer_registration_id == buyer_reg.id for m in meetings)
    db.session.flush()
    return summary
