"""Deterministic data of the national (and province) event for benchmarks/national_event_bench.py.

`generate(size, seed)` is pure (plain dicts, `random.Random(seed)`): organisations, one user
each, OCOP products with categories, stars, standards, capacities and prices, buyers' demand
lines, the event, its approved registrations and the matchmaking session. It also computes
the candidate pairs the way app.matching.engine.scoring's hard filters do (same category,
minimum stars, required standards, certificate valid on the session's day), so the figures
can be printed and meetings can be seeded without the app when matching is skipped.

`write(connection, data, password_hash)` bulk-inserts it with SQLAlchemy Core executemany
(explicit ids, then the id sequences are moved past them) into a database whose schema
`flask db upgrade` made.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text

GENERATOR_VERSION = 3

# size -> parameters. strictness: share of demand lines that require standards (the knob that
# brings the candidate pairs near the target).
SIZES = {
    "national": {
        "buyers": 3_000,
        "producers": 8_000,
        "slots": 20,  # 08:00-18:00, 25 + 5 minutes
        "day_end": time(18, 0),
        "tables": 1_200,
        "max_buyer": 12,
        "max_producer": 10,
        "require_share": 0.93,
        "two_standards": 0.8,
        "min_stars": [0.22, 0.45, 0.33],
        "slug": "hoi-cho-ocop-quoc-gia-2027",
        "name": "Hội chợ OCOP quốc gia — kết nối cung cầu",
        "name_en": "National OCOP fair — buyer-supplier matchmaking",
        "seed": 2027,
    },
    "province": {
        "buyers": 300,
        "producers": 600,
        "slots": 16,  # 08:00-16:00
        "day_end": time(16, 0),
        "tables": 40,
        "max_buyer": 8,
        "max_producer": 8,
        "require_share": 0.35,
        "two_standards": 0.1,
        "min_stars": [0.5, 0.35, 0.15],
        "slug": "hoi-nghi-ket-noi-cung-cau-quang-ninh",
        "name": "Hội nghị kết nối cung cầu tỉnh Quảng Ninh",
        "name_en": "Quảng Ninh buyer-supplier conference",
        "seed": 22,
    },
}

# category -> (group, weight, unit, base names)
CATEGORY_DATA = {
    "tea": ("beverages", 8, "kg", ["Trà shan tuyết", "Trà xanh", "Trà móc câu", "Trà hoa vàng"]),
    "coffee": ("beverages", 5, "kg", ["Cà phê rang xay", "Cà phê hạt", "Cà phê chồn"]),
    "wine_spirits": ("beverages", 4, "litre", ["Rượu ngô men lá", "Rượu mơ", "Rượu sim"]),
    "juice": ("beverages", 2, "bottle", ["Nước cốt chanh leo", "Nước ép dứa", "Nước mía"]),
    "seafood": ("food", 7, "kg", ["Chả mực", "Tôm khô", "Nước mắm cá cơm", "Sá sùng khô"]),
    "fresh_fruit": ("food", 6, "tonne", ["Vải thiều", "Bưởi da xanh", "Cam sành", "Thanh long"]),
    "dried_fruit": ("food", 4, "kg", ["Mít sấy", "Hạt điều rang", "Mơ sấy dẻo"]),
    "rice_noodles": ("food", 6, "kg", ["Gạo ST25", "Miến dong", "Bún khô", "Phở khô"]),
    "meat_products": ("food", 4, "kg", ["Lạp xưởng", "Thịt trâu gác bếp", "Giò bê"]),
    "honey": ("food", 4, "litre", ["Mật ong rừng", "Mật ong hoa nhãn", "Mật ong bạc hà"]),
    "confectionery": ("food", 4, "box", ["Bánh cốm", "Kẹo dừa", "Bánh gai", "Bánh đậu xanh"]),
    "sauces_spices": ("food", 5, "bottle", ["Tương ớt", "Hạt tiêu", "Quế", "Hồi"]),
    "vegetables": ("food", 4, "kg", ["Nấm hương", "Măng khô", "Rau rừng sấy"]),
    "desserts": ("food", 1, "box", ["Thạch dừa", "Chè lam"]),
    "herbal_medicine": ("herbal", 4, "box", ["Cao actiso", "Sâm Ngọc Linh", "Đinh lăng"]),
    "essential_oils": ("herbal", 3, "bottle", ["Tinh dầu quế", "Tinh dầu sả", "Xà phòng thảo dược"]),
    "medicinal_wine": ("herbal", 2, "bottle", ["Trà túi lọc dược liệu", "Rượu ba kích"]),
    "textiles": ("textiles", 2, "piece", ["Thổ cẩm", "Lụa tơ tằm", "Vải lanh"]),
    "garments": ("textiles", 2, "piece", ["Áo dài", "Túi thổ cẩm", "Khăn lụa"]),
    "handicrafts": ("souvenirs", 5, "piece", ["Nón lá", "Gốm sứ", "Mây tre đan", "Tranh Đông Hồ"]),
    "furniture": ("souvenirs", 2, "set", ["Bàn ghế gỗ", "Đèn lồng", "Chiếu cói"]),
    "tourism": ("tourism", 2, "guest", ["Homestay", "Tour làng nghề", "Điểm bán OCOP"]),
}
CATEGORIES = list(CATEGORY_DATA)
CATEGORY_WEIGHTS = [CATEGORY_DATA[c][1] for c in CATEGORIES]
STANDARD_SHARE = {
    "vietgap": 0.30,
    "haccp": 0.15,
    "iso22000": 0.12,
    "organic": 0.06,
    "globalgap": 0.05,
    "iso9001": 0.10,
}
STANDARDS = list(STANDARD_SHARE)
BUYER_TYPES = [
    "supermarket",
    "hotel",
    "restaurant",
    "canteen",
    "school_kitchen",
    "distributor",
    "exporter",
    "souvenir_shop",
    "airline_catering",
]
PRODUCER_KINDS = ["cooperative", "household", "enterprise"]
PLACES = ["Quảng Long", "Hạ Long", "Tiên Yên", "Mộc Châu", "Đông Triều", "Hội An", "Bến Tre", "Sơn La"]
BUYER_NAMES = ["Siêu thị", "Khách sạn", "Nhà hàng", "Bếp ăn", "Công ty phân phối", "Công ty xuất khẩu"]
PASSWORD = "benchmark password 42"  # noqa: S105


@dataclass
class Data:
    size: str
    params: dict
    event: dict = field(default_factory=dict)
    session: dict = field(default_factory=dict)
    organiser: dict = field(default_factory=dict)
    organisations: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    product_standards: list[dict] = field(default_factory=list)
    demand_lines: list[dict] = field(default_factory=list)
    demand_standards: list[dict] = field(default_factory=list)
    demand_provinces: list[dict] = field(default_factory=list)
    registrations: list[dict] = field(default_factory=list)
    registration_products: list[dict] = field(default_factory=list)
    registration_demand: list[dict] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # candidate (buyer reg, producer reg)
    sharing_pairs: int = 0

    def counts(self) -> dict:
        return {
            "buyers": sum(r["role"] == "buyer" for r in self.registrations),
            "producers": sum(r["role"] == "exhibitor" for r in self.registrations),
            "products": len(self.products),
            "demand_lines": len(self.demand_lines),
            "users": len(self.users) + 1,
            "category_sharing_pairs": self.sharing_pairs,
            "candidate_pairs": len(self.pairs),
        }


def _fold(value: str) -> str:
    from app.data.provinces import fold

    return fold(value)


def generate(size: str, today: date, seed: int | None = None) -> Data:
    """The event of `size` ("national" or "province"); the same seed and day give the same rows."""
    from app.data.provinces import PROVINCES

    params = SIZES[size]
    rng = random.Random(params["seed"] if seed is None else seed)
    data = Data(size, params)
    provinces = sorted(PROVINCES)
    now = datetime.combine(today, time(0, 0), UTC)
    first_day = today + timedelta(days=45)
    # 08:00 in Vietnam is 01:00 UTC.
    starts = datetime.combine(first_day, time(1, 0), UTC)
    data.organiser = {
        "id": 1,
        "email": "organiser@bench.vn",
        "full_name": "Ban tổ chức",
        "role": "organiser",
        "locale": "vi",
        "organisation_id": None,
    }
    data.event = {
        "id": 1,
        "slug": params["slug"],
        "kind": "conference",
        "state": "registration_closed",
        "name_vi": params["name"],
        "name_en": params["name_en"],
        "description_vi": "Hội chợ và phiên kết nối giao thương B2B các sản phẩm OCOP.",
        "timezone": "Asia/Ho_Chi_Minh",
        "starts_at": starts,
        "ends_at": starts + timedelta(days=2, hours=9),
        "venue_name": "Trung tâm Hội chợ Triển lãm",
        "province_code": "01",
        "exhibitor_capacity": params["producers"] + 100,
        "buyer_capacity": params["buyers"] + 100,
        "exhibitor_registration_opens_at": now - timedelta(days=60),
        "exhibitor_registration_closes_at": now - timedelta(days=1),
        "buyer_registration_opens_at": now - timedelta(days=60),
        "buyer_registration_closes_at": now - timedelta(days=1),
        "created_by_id": 1,
    }
    data.session = {
        "id": 1,
        "event_id": 1,
        "name": "Phiên kết nối B2B",
        "first_day": first_day,
        "last_day": first_day,
        "day_start": time(8, 0),
        "day_end": params["day_end"],
        "meeting_minutes": 25,
        "gap_minutes": 5,
        "breaks": "",
        "tables": params["tables"],
        "table_names": "",
        "max_meetings_per_buyer": params["max_buyer"],
        "max_meetings_per_producer": params["max_producer"],
        "weights_json": None,
        "state": "draft",
    }
    org_id = user_id = product_id = line_id = reg_id = 0
    user_id = 1  # the organiser
    # offers[producer reg] = [(category, stars, expiry, standards)]
    offers: dict[int, list[tuple[str, int, date, frozenset]]] = {}
    wants: dict[int, list[tuple[str, int, frozenset]]] = {}
    decided = now - timedelta(days=1)

    def add_user(role: str, organisation_id: int, name: str, n: int) -> None:
        nonlocal user_id
        user_id += 1
        locale = rng.choices(["vi", "en", "fr"], [0.8, 0.15, 0.05])[0]
        data.users.append(
            {
                "id": user_id,
                "email": f"{role}{n}@bench.vn",
                "full_name": f"Liên hệ {name}"[:120],
                "role": role,
                "locale": locale,
                "organisation_id": organisation_id,
            }
        )

    for n in range(params["producers"]):
        org_id += 1
        kind = rng.choice(PRODUCER_KINDS)
        province = rng.choice(provinces)
        main = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        prefix = {"cooperative": "HTX", "household": "Hộ kinh doanh", "enterprise": "Công ty TNHH"}[kind]
        name = f"{prefix} {CATEGORY_DATA[main][3][0]} {rng.choice(PLACES)} {n + 1}"
        commune = rng.choice(PLACES)
        data.organisations.append(
            {
                "id": org_id,
                "role": "producer",
                "name": name,
                "producer_kind": kind,
                "buyer_type": None,
                "province_code": province,
                "commune": commune,
                "search_text": _fold(f"{name} {commune} {PROVINCES[province]}"),
            }
        )
        add_user("exhibitor", org_id, name, n + 1)
        reg_id += 1
        data.registrations.append(
            {
                "id": reg_id,
                "event_id": 1,
                "organisation_id": org_id,
                "role": "exhibitor",
                "status": "approved",
                "decided_at": decided,
                "decided_by_id": 1,
            }
        )
        offers[reg_id] = []
        count = rng.choices([1, 2, 3], [0.35, 0.35, 0.30])[0]
        for k in range(count):
            category = main if k == 0 or rng.random() < 0.55 else rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
            group, _weight, unit, bases = CATEGORY_DATA[category]
            product_id += 1
            stars = rng.choices([3, 4, 5], [0.5, 0.35, 0.15])[0]
            certified = today - timedelta(days=rng.randint(20, 1250))
            expiry = _add_months(certified, 36)
            standards = frozenset(s for s in STANDARDS if rng.random() < STANDARD_SHARE[s])
            base = rng.choice(bases)
            name_vi = f"{base} {commune} loại {k + 1}"
            name_en = f"{category.replace('_', ' ').title()} from {commune} #{k + 1}"
            capacity = round(rng.lognormvariate(6.0, 1.2), 0) + 1
            price_min = rng.choice([40, 60, 90, 120, 180, 250, 400]) * 1000
            data.products.append(
                {
                    "id": product_id,
                    "organisation_id": org_id,
                    "name_vi": name_vi,
                    "name_en": name_en,
                    "description_vi": f"{base} đạt chuẩn OCOP {stars} sao, sản xuất tại {commune}.",
                    "ocop_group": group,
                    "category": category,
                    "stars": stars,
                    "certificate_date": certified,
                    "certificate_expiry": expiry,
                    "certificate_status": "verified",  # checked by an organiser: it can be offered
                    "capacity_per_month": capacity,
                    "capacity_unit": unit,
                    "price_min": price_min,
                    "price_max": price_min * rng.choice([1, 2, 3]),
                    "price_unit": unit,
                    "search_text": _fold(f"{name_vi} {name_en} {name}"),
                }
            )
            data.product_standards += [{"product_id": product_id, "standard": s} for s in sorted(standards)]
            data.registration_products.append({"registration_id": reg_id, "product_id": product_id})
            offers[reg_id].append((category, stars, expiry, standards))

    for n in range(params["buyers"]):
        org_id += 1
        buyer_type = rng.choice(BUYER_TYPES)
        province = rng.choice(provinces)
        name = f"{rng.choice(BUYER_NAMES)} {rng.choice(PLACES)} {n + 1}"
        data.organisations.append(
            {
                "id": org_id,
                "role": "buyer",
                "name": name,
                "producer_kind": None,
                "buyer_type": buyer_type,
                "province_code": province,
                "commune": None,
                "search_text": _fold(f"{name} {PROVINCES[province]}"),
            }
        )
        add_user("buyer", org_id, name, n + 1)
        reg_id += 1
        data.registrations.append(
            {
                "id": reg_id,
                "event_id": 1,
                "organisation_id": org_id,
                "role": "buyer",
                "status": "approved",
                "decided_at": decided,
                "decided_by_id": 1,
            }
        )
        wants[reg_id] = []
        count = rng.choices([1, 2, 3], [0.7, 0.25, 0.05])[0]
        chosen: set[str] = set()
        for _ in range(count):
            category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
            if category in chosen:
                continue
            chosen.add(category)
            unit = CATEGORY_DATA[category][2]
            line_id += 1
            min_stars = rng.choices([3, 4, 5], params["min_stars"])[0]
            required: set[str] = set()
            if rng.random() < params["require_share"]:
                required.add(rng.choices(STANDARDS, [0.5, 0.2, 0.15, 0.05, 0.03, 0.07])[0])
                if rng.random() < params["two_standards"]:
                    others = [s for s in STANDARDS if s not in required]
                    required.add(rng.choices(others, [STANDARD_SHARE[s] for s in others])[0])
            data.demand_lines.append(
                {
                    "id": line_id,
                    "organisation_id": org_id,
                    "category": category,
                    "monthly_volume": round(rng.lognormvariate(6.0, 1.0), 0) + 1,
                    "unit": unit,
                    "min_stars": min_stars,
                    "price_ceiling": rng.choice([None, None, 150_000, 300_000]),
                }
            )
            data.demand_standards += [{"demand_line_id": line_id, "standard": s} for s in sorted(required)]
            if rng.random() < 0.3:
                for code in sorted(set(rng.sample(provinces, rng.randint(1, 3)))):
                    data.demand_provinces.append({"demand_line_id": line_id, "province_code": code})
            data.registration_demand.append({"registration_id": reg_id, "demand_line_id": line_id})
            wants[reg_id].append((category, min_stars, frozenset(required)))

    # Candidate pairs as the scoring's hard filters see them (category, stars, standards,
    # certificate valid on the session's last day).
    by_category: dict[str, list[int]] = defaultdict(list)
    for producer, items in offers.items():
        for category in sorted({item[0] for item in items}):
            by_category[category].append(producer)
    on = data.session["last_day"]
    sharing = 0
    for buyer, lines in wants.items():
        seen: set[int] = set()
        for category in sorted({line[0] for line in lines}):
            seen.update(by_category.get(category, ()))
        sharing += len(seen)
        for producer in sorted(seen):
            if any(
                category == line_category and stars >= min_stars and required <= standards and expiry >= on
                for line_category, min_stars, required in lines
                for category, stars, expiry, standards in offers[producer]
            ):
                data.pairs.append((buyer, producer))
    data.sharing_pairs = sharing
    return data


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, 28)
    return date(year, month, day)


# ---------------------------------------------------------------- writing


def write(connection, data: Data, password_hash: str) -> None:
    """Bulk-insert `data` (Core executemany), then move each id sequence past the ids used."""
    from app.accounts.models import User
    from app.catalog.models import (
        DemandLine,
        DemandProvince,
        DemandStandard,
        Organisation,
        Product,
        ProductStandard,
    )
    from app.events.models import Event, EventOrganiser, Registration, RegistrationDemand, RegistrationProduct
    from app.matching.models import MatchingSession

    def insert(model, rows: list[dict], chunk: int = 5_000) -> None:
        table = model.__table__
        for start in range(0, len(rows), chunk):
            connection.execute(table.insert(), rows[start : start + chunk])

    insert(User, [data.organiser | {"password_hash": password_hash}])
    insert(Organisation, data.organisations)
    insert(User, [u | {"password_hash": password_hash} for u in data.users])
    insert(Product, data.products)
    insert(ProductStandard, data.product_standards)
    insert(DemandLine, data.demand_lines)
    insert(DemandStandard, data.demand_standards)
    insert(DemandProvince, data.demand_provinces)
    insert(Event, [data.event])
    insert(EventOrganiser, [{"event_id": 1, "user_id": 1}])
    insert(Registration, data.registrations)
    insert(RegistrationProduct, data.registration_products)
    insert(RegistrationDemand, data.registration_demand)
    insert(MatchingSession, [data.session])
    for model in (User, Organisation, Product, DemandLine, Event, Registration, MatchingSession):
        name = model.__tablename__
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")  # noqa: S608
        )
    connection.execute(text("ANALYZE"))


def greedy_meetings(data: Data, *, published: bool = False) -> list[dict]:
    """Meetings without the app (when matching is skipped or did not finish): candidate pairs in a
    shuffled order, each in the first slot both sides and a table are free, under the caps."""
    params = data.params
    rng = random.Random(5)
    pairs = list(data.pairs)
    rng.shuffle(pairs)
    busy: set[tuple[int, int]] = set()
    tables_used: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    buyers = {r["id"] for r in data.registrations if r["role"] == "buyer"}
    meetings = []
    for buyer, producer in pairs:
        if count[buyer] >= params["max_buyer"] or count[producer] >= params["max_producer"]:
            continue
        for slot in range(params["slots"]):
            if (buyer, slot) in busy or (producer, slot) in busy or tables_used[slot] >= params["tables"]:
                continue
            busy |= {(buyer, slot), (producer, slot)}
            meetings.append(
                {
                    "session_id": 1,
                    "buyer_registration_id": buyer,
                    "producer_registration_id": producer,
                    "slot": slot,
                    "table": tables_used[slot],
                    "score": 0.5,
                    "why_json": None,
                    "status": "scheduled",
                    "published": published,
                    "fixed": False,
                    "sequence": 0,
                    "checkin_code": f"BN{len(meetings) + 1:07d}",
                }
            )
            tables_used[slot] += 1
            count[buyer] += 1
            count[producer] += 1
            break
    assert all(m["buyer_registration_id"] in buyers for m in meetings)
    return meetings


def schedule_meetings(schedule: dict) -> list[dict]:
    """Meeting rows from a solver schedule (specs/matching-format.md), "b<id>"/"p<id>" people."""
    return [
        {
            "session_id": 1,
            "buyer_registration_id": int(m["buyer"][1:]),
            "producer_registration_id": int(m["producer"][1:]),
            "slot": m["slot"],
            "table": m["table"],
            "score": m["score"],
            "why_json": None,
            "status": "scheduled",
            "published": False,
            "fixed": False,
            "sequence": 0,
            "checkin_code": f"BS{k + 1:07d}",
        }
        for k, m in enumerate(schedule["meetings"])
    ]
