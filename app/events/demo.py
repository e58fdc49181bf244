"""The demo event: "Hội chợ OCOP Quảng Ninh", loaded after the demo catalogue.

A physical fair at the Quảng Ninh exhibition centre in Hạ Long, starting three weeks after
`today` for four days, with registration open now (the windows are counted from today, so
the event is open whenever the demo is loaded). Everything goes through the services the
pages use, so every row passes the rules user input passes:

* the event, its programme and two halls (events.services), moved to "registration_open";
* exhibitors apply with their certified products and buyers with their demand lines
  (events.registrations); the organiser approves most of them, a few stay pending and,
  once the fair is full, one more goes to the waiting list;
* booth types, blocks of booths with zone tags and zone rules (booths.plan); most
  exhibitors ask for a booth with ranked wishes (booths.booking.request_booth), the
  organiser's one click places them (allocate_all) and confirms a few payments;
* most exhibitors publish their electronic booth with a headline (booths.ebooths);
* a B2B matchmaking session on day 2, run and published (matching.services), in which the
  demo buyer asked for a meeting with the demo exhibitor and the exhibitor accepted.

Only the four demo logins are user accounts. The other demo organisations have none, so a
stand-in with their role and organisation acts for them (as their own user would), and no
mail is queued for them; the demo logins' mails go to @demo.ocopfair.vn addresses.

Deterministic for a seed: choices come from `random.Random(seed)` over rows read in id
order. (Check-in codes of meetings are drawn by the service from `secrets`, as always.)
Flushes; the caller commits.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts import services as accounts
from app.booths.booking import services as booking
from app.booths.ebooths import services as ebooths
from app.booths.models import Booth, BoothAssignment
from app.booths.plan import services as plan
from app.catalog.models import Organisation, Product
from app.data.provinces import PROVINCES
from app.database import utcnow
from app.events import registrations, services
from app.events.models import Event, Registration
from app.extensions import db
from app.matching import participation
from app.matching import services as matching
from app.matching.models import Meeting

TIMEZONE = "Asia/Ho_Chi_Minh"
QN, LS, BG = "22", "20", "24"
DEMO_DOMAIN = "demo.ocopfair.vn"
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
NON_FOOD_GROUPS = {"herbal", "textiles", "souvenirs", "tourism"}


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

PROGRAMME = (
    # day, start, end, kind, location, vi, en, fr, description
    (
        0,
        (8, 30),
        (10, 0),
        "opening",
        "Nhà A",
        "Lễ khai mạc Hội chợ OCOP Quảng Ninh",
        "Opening ceremony of the Quảng Ninh OCOP fair",
        "Cérémonie d'ouverture de la foire OCOP de Quảng Ninh",
        "Phát biểu của lãnh đạo tỉnh, cắt băng khai mạc và tham quan các gian hàng.",
    ),
    (
        0,
        (14, 0),
        (16, 0),
        "seminar",
        "Nhà B",
        "Hội thảo: Xây dựng thương hiệu cho sản phẩm OCOP",
        "Seminar: building a brand for OCOP products",
        "Séminaire : construire la marque d'un produit OCOP",
        "Bao bì, nhãn mác, câu chuyện sản phẩm và bảo hộ chỉ dẫn địa lý; chia sẻ của các chủ thể 5 sao.",
    ),
    (
        0,
        (15, 0),
        (16, 30),
        "tasting",
        "Nhà A",
        "Thưởng trà Hải Hà và Bình Liêu",
        "Tea tasting: Hải Hà and Bình Liêu teas",
        "Dégustation de thés de Hải Hà et de Bình Liêu",
        "Nghệ nhân pha trà xanh, trà nõn tôm và hồng trà; so sánh hương vị các vùng chè.",
    ),
    (
        1,
        (8, 30),
        (16, 30),
        "matchmaking",
        "Nhà B",
        "Kết nối giao thương B2B",
        "B2B matchmaking",
        "Rencontres d'affaires B2B",
        "Các cuộc gặp 20 phút giữa người mua và chủ thể OCOP, theo lịch hẹn đã công bố.",
    ),
    (
        1,
        (9, 0),
        (11, 0),
        "seminar",
        "Nhà A",
        "Hội thảo: Đưa sản phẩm OCOP lên sàn thương mại điện tử",
        "Seminar: selling OCOP products on e-commerce platforms",
        "Séminaire : vendre les produits OCOP sur les plateformes de commerce en ligne",
        "Mở gian hàng trên sàn, livestream bán hàng, vận chuyển và thanh toán không dùng tiền mặt.",
    ),
    (
        2,
        (9, 30),
        (11, 0),
        "tasting",
        "Nhà A",
        "Trình diễn ẩm thực đặc sản vùng biển Quảng Ninh",
        "Cooking show: Quảng Ninh seafood specialities",
        "Démonstration culinaire : spécialités de la mer de Quảng Ninh",
        "Chả mực Hạ Long, sá sùng Vân Đồn và nước mắm Cái Rồng, mời khách nếm thử.",
    ),
    (
        2,
        (14, 0),
        (16, 0),
        "seminar",
        "Nhà B",
        "Hội thảo: Truy xuất nguồn gốc và tiêu chuẩn xuất khẩu",
        "Seminar: traceability and export standards",
        "Séminaire : traçabilité et normes d'exportation",
        "Mã QR truy xuất, VietGAP, HACCP và yêu cầu của các nhà nhập khẩu.",
    ),
    (
        3,
        (16, 0),
        (17, 30),
        "award",
        "Nhà A",
        "Lễ trao giải gian hàng đẹp và sản phẩm OCOP tiêu biểu",
        "Awards: best booths and outstanding OCOP products",
        "Remise des prix : plus beaux stands et produits OCOP remarquables",
        "Công bố kết quả bình chọn của khách tham quan và hội đồng giám khảo, bế mạc hội chợ.",
    ),
)

BOOTH_TYPES = {
    # key: (vi, en, fr, width, depth, price, description)
    "standard": (
        "Gian tiêu chuẩn 3×3",
        "Standard booth 3×3",
        "Stand standard 3×3",
        3,
        3,
        3_000_000,
        "Vách ngăn, 1 bàn, 2 ghế, 2 đèn, 1 ổ điện, biển tên.",
    ),
    "double": (
        "Gian đôi 3×6",
        "Double booth 3×6",
        "Stand double 3×6",
        6,
        3,
        5_500_000,
        "Hai gian liền nhau, 2 bàn, 4 ghế, 4 đèn, tủ trưng bày.",
    ),
    "corner": (
        "Gian góc 3×3",
        "Corner booth 3×3",
        "Stand d'angle 3×3",
        3,
        3,
        3_600_000,
        "Gian đầu dãy, mở hai mặt, trang bị như gian tiêu chuẩn.",
    ),
}

NOTES = {
    "food": (
        "Cần ổ điện riêng cho tủ mát.",
        "Xin gian gần bồn rửa để trình diễn chế biến.",
        None,
        None,
    ),
    "beverages": ("Cần bàn pha trà cho khách nếm thử.", None, None),
    "handicrafts": ("Cần giá treo để trưng bày sản phẩm.", None, None),
    "ls": (None,),
    "bg": (None,),
}

MESSAGES = (
    "Hợp tác xã mong được giới thiệu sản phẩm mới tại hội chợ.",
    "Chúng tôi đã tham gia hội chợ năm trước và muốn đăng ký lại.",
    "Xin đăng ký tham gia cùng đoàn của huyện.",
    None,
    None,
    None,
)


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
    return services.from_local(
        TIMEZONE, datetime.combine(first_day + timedelta(days=day), time(hour, minute))
    )


def _create_event(organiser, first_day: date, today: date, now: datetime) -> Event:
    year = first_day.year
    event = services.create_event(
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
        exhibitor_registration_opens_at=services.from_local(TIMEZONE, datetime.combine(today, time(0)))
        - timedelta(days=30),
        exhibitor_registration_closes_at=_local(first_day, -7, 17, 0),
        buyer_registration_opens_at=services.from_local(TIMEZONE, datetime.combine(today, time(0)))
        - timedelta(days=20),
        buyer_registration_closes_at=_local(first_day, -1, 17, 0),
    )
    services.open_registration(organiser, event, now)
    for day, start, end, kind, location, vi, en, fr, description in PROGRAMME:
        services.save_programme_item(
            organiser,
            event,
            kind=kind,
            title_vi=vi,
            title_en=en,
            title_fr=fr,
            description=description,
            starts_at=_local(first_day, day, *start),
            ends_at=_local(first_day, day, *end),
            location=location,
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
    services.update_event(organiser, event, exhibitor_capacity=len(approved))
    applicants = approved + pending
    order = list(range(len(applicants)))
    rng.shuffle(order)
    for index in order:
        exhibitor = applicants[index]
        exhibitor.registration = registrations.apply_as_exhibitor(
            exhibitor.actor,
            event,
            [p.id for p in exhibitor.products],
            message=rng.choice(MESSAGES),
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
        note = rng.choice(NOTES[zone])
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
        name: services.save_hall(organiser, event, name=name, width_m=width, depth_m=depth)
        for name, (width, depth) in halls.items()
    }
    types = {}
    for key, (vi, en, fr, width, depth, price, description) in BOOTH_TYPES.items():
        types[key] = plan.save_booth_type(
            organiser,
            event,
            name=vi,
            name_en=en,
            name_fr=fr,
            width_m=width,
            depth_m=depth,
            price_vnd=price,
            description=description,
        )
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
        first_day=first_day + timedelta(days=1),
        last_day=first_day + timedelta(days=1),
        day_start=time(8, 30),
        day_end=time(16, 30),
        meeting_minutes=20,
        gap_minutes=5,
        breaks="11:30-13:30",
        tables=TABLES,
        table_names="\n".join(f"Nhà B · bàn {n}" for n in range(1, TABLES + 1)),
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


def load_demo_event(seed: int, organiser, today: date | None = None) -> EventSummary:
    """Create the demo fair through the services, on top of the demo catalogue; flushes."""
    rng = random.Random(seed)
    real_today = date.today()
    today = today or real_today
    # Registration windows are counted from `today`; the services check them against `now`.
    now = (
        utcnow() if today == real_today else services.from_local(TIMEZONE, datetime.combine(today, time(10)))
    )
    first_day = today + timedelta(days=21)
    exhibitor_user = accounts.find_user_by_email(EXHIBITOR_EMAIL)
    buyer_user = accounts.find_user_by_email(BUYER_EMAIL)

    event = _create_event(organiser, first_day, today, now)
    approved, pending, waitlisted = _choose_exhibitors(event, exhibitor_user, rng)
    _register_exhibitors(organiser, event, approved, pending, waitlisted, rng, now)
    buyer_regs = _register_buyers(organiser, event, buyer_user, rng, now)

    featured_org_id = exhibitor_user.organisation_id
    wishes = _wishes(approved, featured_org_id, rng)
    halls, blocks = _layout(wishes)
    types, booths = _build_plan(organiser, event, halls, blocks)
    report, assignments = _book(organiser, event, wishes, types, booths, featured_org_id, rng)
    published = _publish_ebooths(event, approved, assignments, featured_org_id, rng)
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
