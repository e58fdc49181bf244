"""Floor plans: booth types, booths on a hall's plan, the block generator, zone rules, statuses.

Positions and sizes are metres from the hall's top-left corner, kept as Decimals with
two places so that "touching" is exact. Every change is validated in full before an
object is touched: a refused change leaves nothing behind. Functions flush; the
caller (request, command, job) commits once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from app import signals
from app.booths.models import (
    Booth,
    BoothAssignment,
    BoothPlanSettings,
    BoothPreference,
    BoothRequest,
    BoothType,
    ZoneRule,
)
from app.data import vocab
from app.data.provinces import PROVINCES, current_code, current_province_name, province_code, province_label
from app.errors import ServiceError
from app.events.models import Event, Hall, Registration
from app.events.services import ensure_can_manage
from app.extensions import db
from app.names import name_in

CENT = Decimal("0.01")
MAX_BOOTH_SIDE = Decimal("9999.99")  # Numeric(6, 2)
MAX_GENERATED = 500
ZONE_MATCH_KINDS = ("group", "province", "category")
STATUS_LABELS = {
    "free": _l("Free"),
    "requested": _l("Requested"),
    "allocated": _l("Allocated"),
    "confirmed": _l("Confirmed"),
    "blocked": _l("Blocked"),
}
# The public plan keeps requests and payment private: requested shows as free, confirmed as allocated.
PUBLIC_STATUS_LABELS = {"free": _l("Free"), "allocated": _l("Exhibitor"), "blocked": _l("Not available")}
CANCELLED = "cancelled"  # an assignment is active unless its status is this


# ---------------------------------------------------------------- small helpers


def _metres(value, field: str, *, positive: bool = False) -> Decimal:
    """A length typed by a person, as a Decimal with two places; refused if not a sensible number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(_l("A number of metres is required."), field)
    try:
        number = Decimal(str(value).strip().replace(",", ".")).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ServiceError(_l("Give a number of metres, like 3 or 2.5."), field) from None
    if not number.is_finite():
        raise ServiceError(_l("Give a number of metres, like 3 or 2.5."), field)
    if positive and number <= 0:
        raise ServiceError(_l("The size must be above zero."), field)
    if number < 0:
        raise ServiceError(_l("A position can't be negative."), field)
    return number


def _dec(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def fmt_metres(value) -> str:
    """Metres for people: 3, 2.5, 12.25."""
    if value is None:
        return ""
    return format(_dec(value).normalize(), "f")


def normalise_tags(text: str | Iterable[str] | None) -> str:
    """Zone tags as stored: lower-case, trimmed, de-duplicated, comma-separated.

    "province:Lạng Sơn" and "province:20" both become "province:20" so rules can match on codes;
    a province is its current one ("province:Bắc Giang" is Bắc Ninh's pavilion, "province:24").
    """
    if text is None:
        parts: list[str] = []
    else:
        parts = text.split(",") if isinstance(text, str) else list(text)
    tags: list[str] = []
    for part in parts:
        tag = " ".join((part or "").split()).lower()
        if not tag:
            continue
        if tag.startswith("province:"):
            code = province_code(tag.split(":", 1)[1].strip())
            if code is None:
                raise ServiceError(
                    _l("Unknown province in zone tag “%(tag)s”.", tag=part.strip()), "zone_tags"
                )
            tag = f"province:{current_code(code)}"
        if len(tag) > 60:
            raise ServiceError(_l("A zone tag is at most 60 characters."), "zone_tags")
        if tag not in tags:
            tags.append(tag)
    joined = ",".join(tags)
    if len(joined) > 300:
        raise ServiceError(_l("Too many zone tags for one booth."), "zone_tags")
    return joined


def tag_label(tag: str) -> str:
    """How a zone tag reads to people: province codes become names, OCOP groups their label."""
    if tag.startswith("province:"):
        return str(_l("Pavilion: %(province)s", province=current_province_name(tag.split(":", 1)[1])))
    if tag in vocab.OCOP_GROUPS:
        return vocab.label(vocab.OCOP_GROUPS, tag)
    if tag in vocab.CATEGORIES:
        return vocab.label(vocab.CATEGORIES, tag)
    labels = {"premium": _l("Premium"), "accessible": _l("Accessible"), "corner": _l("Corner")}
    return str(labels.get(tag, tag))


# ---------------------------------------------------------------- lookups


def halls_of(event: Event) -> list[Hall]:
    return list(db.session.scalars(select(Hall).where(Hall.event_id == event.id).order_by(Hall.name)))


def hall_of_event(event: Event, hall_id: int | None) -> Hall | None:
    if hall_id is None:
        return None
    hall = db.session.get(Hall, hall_id)
    return hall if hall is not None and hall.event_id == event.id else None


def booth_types(event: Event, *, physical_only: bool = False) -> list[BoothType]:
    query = select(BoothType).where(BoothType.event_id == event.id).order_by(BoothType.name)
    if physical_only:
        query = query.where(BoothType.is_electronic.is_(False))
    return list(db.session.scalars(query))


def booth_type_of_event(event: Event, type_id: int | None) -> BoothType | None:
    if type_id is None:
        return None
    booth_type = db.session.get(BoothType, type_id)
    return booth_type if booth_type is not None and booth_type.event_id == event.id else None


def booths_of(event: Event, hall: Hall | None = None) -> list[Booth]:
    """The event's booths (or one hall's), by hall then code."""
    query = (
        select(Booth)
        .where(Booth.event_id == event.id)
        .options(selectinload(Booth.booth_type), selectinload(Booth.hall))
        .join(Hall, Booth.hall_id == Hall.id)
        .order_by(Hall.name, Booth.code)
    )
    if hall is not None:
        query = query.where(Booth.hall_id == hall.id)
    return list(db.session.scalars(query))


def get_booth(event: Event, booth_id: int | None) -> Booth | None:
    """A booth of this event by id, or None (a booth of another event is None too)."""
    if booth_id is None:
        return None
    booth = db.session.get(Booth, booth_id)
    return booth if booth is not None and booth.event_id == event.id else None


def booth_by_code(hall: Hall, code: str) -> Booth | None:
    """A booth of the hall by its code, ignoring case and surrounding spaces."""
    code = " ".join((code or "").split())
    return db.session.scalar(
        select(Booth).where(Booth.hall_id == hall.id, func.lower(Booth.code) == code.lower())
    )


def active_assignment(booth: Booth) -> BoothAssignment | None:
    return db.session.scalar(
        select(BoothAssignment).where(
            BoothAssignment.booth_id == booth.id, BoothAssignment.status != CANCELLED
        )
    )


def free_booths(event: Event, booth_type: BoothType | None = None) -> list[Booth]:
    """Booths nobody holds and that are not blocked (a booth only named in requests is still free)."""
    held = select(BoothAssignment.booth_id).where(
        BoothAssignment.event_id == event.id, BoothAssignment.status != CANCELLED
    )
    query = (
        select(Booth)
        .join(Hall, Booth.hall_id == Hall.id)
        .where(Booth.event_id == event.id, Booth.blocked.is_(False), Booth.id.not_in(held))
        .order_by(Hall.name, Booth.code)
    )
    if booth_type is not None:
        query = query.where(Booth.booth_type_id == booth_type.id)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- booth types


def save_booth_type(
    actor,
    event: Event,
    *,
    name: str,
    name_en: str | None = None,
    name_fr: str | None = None,
    width_m=None,
    depth_m=None,
    price_vnd: int | None = 0,
    is_electronic: bool = False,
    description: str | None = None,
    booth_type: BoothType | None = None,
) -> BoothType:
    """Add or change a booth type. An electronic type has no size; a physical one needs both sides."""
    ensure_can_manage(actor, event)
    name = _clean(name)
    if not name:
        raise ServiceError(_l("The Vietnamese name is required."), "name")
    if len(name) > 80:
        raise ServiceError(_l("A name is at most 80 characters."), "name")
    clash = db.session.scalar(
        select(BoothType.id).where(BoothType.event_id == event.id, func.lower(BoothType.name) == name.lower())
    )
    if clash is not None and (booth_type is None or clash != booth_type.id):
        raise ServiceError(_l("This event already has a booth type with this name."), "name")
    try:
        price = int(price_vnd or 0)
    except (TypeError, ValueError):
        raise ServiceError(_l("The price is a whole number of đồng."), "price_vnd") from None
    if price < 0:
        raise ServiceError(_l("The price can't be negative."), "price_vnd")
    if is_electronic:
        width = depth = None
        if booth_type is not None and booth_type.id is not None and _booths_using(booth_type):
            raise ServiceError(
                _l("Booths on the plan use this type; it can't become electronic."), "is_electronic"
            )
    else:
        width = _metres(width_m, "width_m", positive=True)
        depth = _metres(depth_m, "depth_m", positive=True)
        if width > MAX_BOOTH_SIDE or depth > MAX_BOOTH_SIDE:
            raise ServiceError(_l("That is too big for a booth."), "width_m")
    if booth_type is None:
        booth_type = BoothType(event_id=event.id)
        db.session.add(booth_type)
    booth_type.name = name
    booth_type.name_en = _clean(name_en)
    booth_type.name_fr = _clean(name_fr)
    booth_type.width_m, booth_type.depth_m = width, depth
    booth_type.price_vnd = price
    booth_type.is_electronic = bool(is_electronic)
    booth_type.description = (description or "").strip() or None
    db.session.flush()
    return booth_type


def _booths_using(booth_type: BoothType) -> int:
    return db.session.scalar(select(func.count()).where(Booth.booth_type_id == booth_type.id)) or 0


def _requests_using(booth_type: BoothType) -> int:
    return db.session.scalar(select(func.count()).where(BoothRequest.booth_type_id == booth_type.id)) or 0


def booth_type_usage(booth_type: BoothType) -> tuple[int, int]:
    """(booths, requests) that use the type."""
    return _booths_using(booth_type), _requests_using(booth_type)


def delete_booth_type(actor, booth_type: BoothType) -> None:
    """Delete a type nobody uses; a type used by a booth or a booth request is refused."""
    ensure_can_manage(actor, booth_type.event)
    booths, requests = booth_type_usage(booth_type)
    if booths or requests:
        raise ServiceError(
            _l(
                "“%(name)s” is used by %(booths)s booth(s) and %(requests)s booth request(s); "
                "it can't be deleted.",
                name=booth_type.name,
                booths=booths,
                requests=requests,
            )
        )
    db.session.delete(booth_type)
    db.session.flush()


# ---------------------------------------------------------------- geometry


Rect = tuple[Decimal, Decimal, Decimal, Decimal]  # x, y, width, depth


def overlaps(a: Rect, b: Rect) -> bool:
    """Axis-aligned rectangles share some area (touching edges do not count)."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(rect: Rect, hall: Hall) -> bool:
    return (
        rect[0] >= 0
        and rect[1] >= 0
        and rect[0] + rect[2] <= _dec(hall.width_m)
        and rect[1] + rect[3] <= _dec(hall.depth_m)
    )


def _rect(booth: Booth) -> Rect:
    return (_dec(booth.x_m), _dec(booth.y_m), _dec(booth.width_m), _dec(booth.depth_m))


def _others(hall: Hall, exclude: Booth | None) -> list[Booth]:
    query = select(Booth).where(Booth.hall_id == hall.id)
    if exclude is not None and exclude.id is not None:
        query = query.where(Booth.id != exclude.id)
    return list(db.session.scalars(query.order_by(Booth.code)))


def _check_place(code: str, rect: Rect, hall: Hall, others: Iterable[Booth]) -> None:
    if not inside(rect, hall):
        raise ServiceError(
            _l(
                "Booth %(code)s would leave the hall (%(hall)s is %(width)s × %(depth)s m).",
                code=code,
                hall=name_in(hall),
                width=fmt_metres(hall.width_m),
                depth=fmt_metres(hall.depth_m),
            ),
            "x_m",
        )
    for other in others:
        if overlaps(rect, _rect(other)):
            raise ServiceError(
                _l("Booth %(code)s would overlap booth %(other)s.", code=code, other=other.code), "x_m"
            )


def _check_code(code: str, hall: Hall, exclude: Booth | None) -> str:
    code = " ".join((code or "").split())
    if not code:
        raise ServiceError(_l("The booth needs a code, like A-12."), "code")
    if len(code) > 20:
        raise ServiceError(_l("A booth code is at most 20 characters."), "code")
    clash = booth_by_code(hall, code)
    if clash is not None and (exclude is None or clash.id != exclude.id):
        raise ServiceError(
            _l("Hall %(hall)s already has a booth %(code)s.", hall=name_in(hall), code=clash.code), "code"
        )
    return code


def _check_type(event: Event, booth_type: BoothType | None) -> BoothType:
    if booth_type is None or booth_type.event_id != event.id:
        raise ServiceError(_l("Choose a booth type of this event."), "booth_type_id")
    if booth_type.is_electronic:
        raise ServiceError(_l("An electronic booth type has no place on the plan."), "booth_type_id")
    return booth_type


# ---------------------------------------------------------------- booths


def _log(actor, event_id: int, action: str, subject: str, changes: dict) -> None:
    """Tell the event log (signals.organiser_action) what an organiser did to the floor plan."""
    signals.organiser_action.send(actor, event_id=event_id, action=action, subject=subject, changes=changes)


def _booth_facts(booth: Booth) -> dict:
    """What the log says of a booth: its hall, type, place, size, zones (as text, kept after it)."""
    return {
        "hall": booth.hall.name if booth.hall is not None else "",
        "type": booth.booth_type.name if booth.booth_type is not None else "",
        "position": f"{fmt_metres(booth.x_m)}, {fmt_metres(booth.y_m)} m",
        "size": f"{fmt_metres(booth.width_m)} × {fmt_metres(booth.depth_m)} m",
        "zones": booth.zone_tags or "",
    }


def _changed(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields that changed."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def save_booth(
    actor,
    hall: Hall,
    *,
    code: str,
    booth_type: BoothType,
    x_m,
    y_m,
    width_m=None,
    depth_m=None,
    zone_tags: str | Iterable[str] | None = "",
    booth: Booth | None = None,
) -> Booth:
    """Add a booth to a hall, or change one (code, type, hall, position, size, zones).

    Width and depth default to the type's. Refused: a code already in the hall, a size
    of zero or less, a place outside the hall or overlapping another booth.
    """
    event = hall.event
    ensure_can_manage(actor, event)
    if booth is not None and booth.event_id != event.id:
        raise ServiceError(_l("The booth and the hall belong to different events."), "hall_id")
    booth_type = _check_type(event, booth_type)
    code = _check_code(code, hall, booth)
    width = _metres(width_m if width_m not in (None, "") else booth_type.width_m, "width_m", positive=True)
    depth = _metres(depth_m if depth_m not in (None, "") else booth_type.depth_m, "depth_m", positive=True)
    if width > MAX_BOOTH_SIDE or depth > MAX_BOOTH_SIDE:
        raise ServiceError(_l("That is too big for a booth."), "width_m")
    x = _metres(x_m, "x_m")
    y = _metres(y_m, "y_m")
    tags = normalise_tags(zone_tags)
    _check_place(code, (x, y, width, depth), hall, _others(hall, booth))
    before = None if booth is None else {"code": booth.code, **_booth_facts(booth)}
    if booth is None:
        booth = Booth(event_id=event.id, blocked=False)
        db.session.add(booth)
    booth.hall_id, booth.hall = hall.id, hall
    booth.booth_type = booth_type
    booth.code = code
    booth.x_m, booth.y_m, booth.width_m, booth.depth_m = x, y, width, depth
    booth.zone_tags = tags
    db.session.flush()
    after = {"code": booth.code, **_booth_facts(booth)}
    if before is None:
        _log(actor, event.id, "booth_added", booth.code, after)
    elif changes := _changed(before, after):
        _log(actor, event.id, "booth_changed", booth.code, changes)
    return booth


def move_booth(actor, booth: Booth, *, x_m, y_m, hall: Hall | None = None) -> Booth:
    """Move a booth (possibly to another hall of the event), keeping its size."""
    return save_booth(
        actor,
        hall or booth.hall,
        code=booth.code,
        booth_type=booth.booth_type,
        x_m=x_m,
        y_m=y_m,
        width_m=booth.width_m,
        depth_m=booth.depth_m,
        zone_tags=booth.zone_tags,
        booth=booth,
    )


def resize_booth(actor, booth: Booth, *, width_m, depth_m) -> Booth:
    """Resize a booth from its top-left corner."""
    return save_booth(
        actor,
        booth.hall,
        code=booth.code,
        booth_type=booth.booth_type,
        x_m=booth.x_m,
        y_m=booth.y_m,
        width_m=width_m,
        depth_m=depth_m,
        zone_tags=booth.zone_tags,
        booth=booth,
    )


def holder_name(assignment: BoothAssignment | None) -> str | None:
    if assignment is None:
        return None
    registration = assignment.registration or db.session.get(Registration, assignment.registration_id)
    return registration.organisation.name if registration is not None else None


def block_booth(actor, booth: Booth) -> Booth:
    """Take a booth out of booking and allocation (a pillar, a stage, a reserved place)."""
    ensure_can_manage(actor, booth.hall.event)
    assignment = active_assignment(booth)
    if assignment is not None:
        raise ServiceError(
            _l(
                "Booth %(code)s is held by %(holder)s; move or cancel that booking before blocking it.",
                code=booth.code,
                holder=holder_name(assignment),
            )
        )
    if not booth.blocked:
        booth.blocked = True
        db.session.flush()
        _log(actor, booth.event_id, "booth_changed", booth.code, {"blocked": [False, True]})
    return booth


def unblock_booth(actor, booth: Booth) -> Booth:
    ensure_can_manage(actor, booth.hall.event)
    if booth.blocked:
        booth.blocked = False
        db.session.flush()
        _log(actor, booth.event_id, "booth_changed", booth.code, {"blocked": [True, False]})
    return booth


def pending_preference_count(booth: Booth) -> int:
    """How many pending requests name this booth as a preference."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(BoothPreference)
            .join(BoothRequest, BoothPreference.request_id == BoothRequest.id)
            .where(BoothPreference.booth_id == booth.id, BoothRequest.status == "pending")
        )
        or 0
    )


def delete_booth(actor, booth: Booth) -> None:
    """Delete a booth nobody holds; preferences naming it are dropped with it."""
    ensure_can_manage(actor, booth.hall.event)
    assignment = active_assignment(booth)
    if assignment is not None:
        raise ServiceError(
            _l(
                "Booth %(code)s is held by %(holder)s; move or cancel that booking first.",
                code=booth.code,
                holder=holder_name(assignment),
            )
        )
    facts, code, event_id = _booth_facts(booth), booth.code, booth.event_id
    # SQLite does not enforce ON DELETE CASCADE here, so the rows that point at the booth go first.
    db.session.execute(delete(BoothPreference).where(BoothPreference.booth_id == booth.id))
    db.session.execute(delete(BoothAssignment).where(BoothAssignment.booth_id == booth.id))
    db.session.delete(booth)
    db.session.flush()
    _log(actor, event_id, "booth_removed", code, facts)


# ---------------------------------------------------------------- block generator

CODE_RE = re.compile(r"^(.*?)(\d+)$")


def code_sequence(start_code: str, count: int) -> list[str]:
    """["A-01", "A-02", ...]: the start code's prefix and its number, zero-padded to its width."""
    start = " ".join((start_code or "").split())
    match = CODE_RE.match(start)
    if not match:
        raise ServiceError(_l("The first code must end with a number, like A-01."), "start_code")
    prefix, digits = match.group(1), match.group(2)
    first = int(digits)
    return [f"{prefix}{first + i:0{len(digits)}d}" for i in range(count)]


@dataclass(frozen=True)
class PlannedBooth:
    code: str
    x_m: Decimal
    y_m: Decimal
    width_m: Decimal
    depth_m: Decimal


def block_layout(
    *,
    rows: int,
    columns: int,
    width_m: Decimal,
    depth_m: Decimal,
    origin_x: Decimal,
    origin_y: Decimal,
    aisle_m: Decimal,
    start_code: str,
    double_sided: bool = False,
) -> list[PlannedBooth]:
    """Where a block's booths go, row by row, left to right.

    Rows are `depth_m` deep with an aisle after each row; double-sided rows stand back
    to back in pairs with the aisle after each pair.
    """
    codes = code_sequence(start_code, rows * columns)
    planned = []
    for row in range(rows):
        aisles_before = row // 2 if double_sided else row
        y = origin_y + depth_m * row + aisle_m * aisles_before
        for column in range(columns):
            x = origin_x + width_m * column
            planned.append(PlannedBooth(codes[row * columns + column], x, y, width_m, depth_m))
    return planned


def generate_block(
    actor,
    hall: Hall,
    *,
    rows: int,
    columns: int,
    booth_type: BoothType,
    origin_x=0,
    origin_y=0,
    aisle_m=3,
    start_code: str = "A-01",
    zone_tags: str | Iterable[str] | None = "",
    double_sided: bool = False,
) -> list[Booth]:
    """Lay out rows × columns booths of the type's size; all or nothing.

    If any booth would leave the hall, overlap a booth already there, or repeat a code of
    the hall, nothing is created and the message names the first such booth.
    """
    event = hall.event
    ensure_can_manage(actor, event)
    booth_type = _check_type(event, booth_type)
    try:
        rows, columns = int(rows), int(columns)
    except (TypeError, ValueError):
        raise ServiceError(_l("Rows and columns are whole numbers."), "rows") from None
    if rows < 1:
        raise ServiceError(_l("At least one row."), "rows")
    if columns < 1:
        raise ServiceError(_l("At least one column."), "columns")
    if rows * columns > MAX_GENERATED:
        raise ServiceError(
            _l("At most %(count)s booths at a time.", count=MAX_GENERATED),
            "rows",
        )
    planned = block_layout(
        rows=rows,
        columns=columns,
        width_m=_metres(booth_type.width_m, "booth_type_id", positive=True),
        depth_m=_metres(booth_type.depth_m, "booth_type_id", positive=True),
        origin_x=_metres(origin_x, "origin_x"),
        origin_y=_metres(origin_y, "origin_y"),
        aisle_m=_metres(aisle_m, "aisle_m"),
        start_code=start_code,
        double_sided=double_sided,
    )
    tags = normalise_tags(zone_tags)
    existing = _others(hall, None)
    taken = {b.code.lower(): b.code for b in existing}
    for item in planned:
        if len(item.code) > 20:
            raise ServiceError(_l("A booth code is at most 20 characters."), "start_code")
        if item.code.lower() in taken:
            raise ServiceError(
                _l("Hall %(hall)s already has a booth %(code)s.", hall=name_in(hall), code=item.code),
                "start_code",
            )
        _check_place(item.code, (item.x_m, item.y_m, item.width_m, item.depth_m), hall, existing)
    booths = [
        Booth(
            event_id=event.id,
            hall_id=hall.id,
            hall=hall,
            booth_type=booth_type,
            code=item.code,
            x_m=item.x_m,
            y_m=item.y_m,
            width_m=item.width_m,
            depth_m=item.depth_m,
            zone_tags=tags,
            blocked=False,
        )
        for item in planned
    ]
    db.session.add_all(booths)
    db.session.flush()
    if booths:
        first, last = booths[0].code, booths[-1].code
        _log(
            actor,
            event.id,
            "booth_added",
            f"{first} … {last}" if len(booths) > 1 else first,
            {"booths": len(booths), "hall": hall.name, "type": booth_type.name, "zones": tags},
        )
    return booths


# ---------------------------------------------------------------- zone rules and settings


def zone_rules(event: Event) -> list[ZoneRule]:
    return list(
        db.session.scalars(
            select(ZoneRule)
            .where(ZoneRule.event_id == event.id)
            .order_by(ZoneRule.match_kind, ZoneRule.match_value, ZoneRule.zone)
        )
    )


def zone_rule_label(rule: ZoneRule) -> str:
    """Who the rule is about, for people: "Food", "Lạng Sơn", "Tea"."""
    if rule.match_kind == "province":
        return province_label(rule.match_value)
    if rule.match_kind == "group":
        return vocab.label(vocab.OCOP_GROUPS, rule.match_value)
    return vocab.label(vocab.CATEGORIES, rule.match_value)


def save_zone_rule(
    actor, event: Event, *, match_kind: str, value: str, zone: str | None = None, rule: ZoneRule | None = None
) -> ZoneRule:
    """Exhibitors of an OCOP group, a province or a category must get a booth tagged `zone`.

    Without a zone, a province rule means its pavilion ("province:20") and a group or
    category rule the tag of the same name. A province may be named by its earlier or its
    current name: the rule keeps the one given and matches by the current province, so a
    rule for Bắc Ninh also places the exhibitors recorded in Bắc Giang.
    """
    ensure_can_manage(actor, event)
    value = (value or "").strip()
    if match_kind not in ZONE_MATCH_KINDS:
        raise ServiceError(_l("Choose whom the rule is about."), "match_kind")
    if match_kind == "group":
        if value not in vocab.OCOP_GROUPS:
            raise ServiceError(_l("Unknown OCOP group."), "value")
    elif match_kind == "category":
        if value not in vocab.CATEGORIES:
            raise ServiceError(_l("Unknown product category."), "value")
    else:
        value = province_code(value) or ""
        if value not in PROVINCES:
            raise ServiceError(_l("Unknown province."), "value")
    default_zone = f"province:{current_code(value)}" if match_kind == "province" else value
    tags = normalise_tags(zone if zone and zone.strip() else default_zone)
    if not tags or "," in tags:
        raise ServiceError(_l("Give exactly one zone tag."), "zone")
    duplicate = db.session.scalar(
        select(ZoneRule.id).where(
            ZoneRule.event_id == event.id,
            ZoneRule.match_kind == match_kind,
            ZoneRule.match_value == value,
            ZoneRule.zone == tags,
        )
    )
    if duplicate is not None and (rule is None or duplicate != rule.id):
        raise ServiceError(_l("This rule exists already."), "zone")
    before = None if rule is None else {"rule": zone_rule_label(rule), "zone": rule.zone}
    if rule is None:
        rule = ZoneRule(event_id=event.id)
        db.session.add(rule)
    rule.match_kind, rule.match_value, rule.zone = match_kind, value, tags
    db.session.flush()
    after = {"rule": zone_rule_label(rule), "zone": rule.zone}
    if before is None:
        _log(actor, event.id, "zone_added", after["rule"], after)
    elif changes := _changed(before, after):
        _log(actor, event.id, "zone_changed", after["rule"], changes)
    return rule


def delete_zone_rule(actor, rule: ZoneRule) -> None:
    ensure_can_manage(actor, db.session.get(Event, rule.event_id))
    facts, event_id = {"rule": zone_rule_label(rule), "zone": rule.zone}, rule.event_id
    db.session.delete(rule)
    db.session.flush()
    _log(actor, event_id, "zone_removed", facts["rule"], facts)


def zone_tags_in_use(event: Event) -> list[str]:
    """Every zone tag some booth of the event carries, sorted."""
    tags: set[str] = set()
    for text in db.session.scalars(select(Booth.zone_tags).where(Booth.event_id == event.id)):
        tags.update(t for t in (text or "").split(",") if t)
    return sorted(tags)


def plan_settings(event: Event) -> BoothPlanSettings:
    """The event's booth settings; defaults (not saved) when the organiser never changed them."""
    settings = db.session.get(BoothPlanSettings, event.id)
    return settings or BoothPlanSettings(event_id=event.id, first_come_booking=False)


def save_plan_settings(actor, event: Event, *, first_come_booking: bool) -> BoothPlanSettings:
    ensure_can_manage(actor, event)
    settings = db.session.get(BoothPlanSettings, event.id)
    if settings is None:
        settings = BoothPlanSettings(event_id=event.id)
        db.session.add(settings)
    settings.first_come_booking = bool(first_come_booking)
    db.session.flush()
    return settings


# ---------------------------------------------------------------- statuses


@dataclass
class BoothState:
    """A booth's status on the plan and, when someone holds it, who."""

    status: str  # one of models.BOOTH_STATUSES
    assignment: BoothAssignment | None = None
    requests: int = 0  # pending requests naming the booth

    @property
    def registration(self) -> Registration | None:
        return self.assignment.registration if self.assignment is not None else None

    @property
    def organisation(self):
        registration = self.registration
        return registration.organisation if registration is not None else None


def _status(booth: Booth, assignment: BoothAssignment | None, requests: int) -> str:
    if booth.blocked:
        return "blocked"
    if assignment is not None:
        return "confirmed" if assignment.status == "confirmed" else "allocated"
    if requests:
        return "requested"
    return "free"


def booth_states(event: Event, hall: Hall | None = None) -> dict[int, BoothState]:
    """booth id -> BoothState for every booth of the event (or of one hall), in three queries."""
    booth_query = select(Booth).where(Booth.event_id == event.id)
    if hall is not None:
        booth_query = booth_query.where(Booth.hall_id == hall.id)
    booths = list(db.session.scalars(booth_query))
    assignments = {
        a.booth_id: a
        for a in db.session.scalars(
            select(BoothAssignment)
            .where(BoothAssignment.event_id == event.id, BoothAssignment.status != CANCELLED)
            .options(selectinload(BoothAssignment.registration).selectinload(Registration.organisation))
        )
    }
    requested = dict(
        db.session.execute(
            select(BoothPreference.booth_id, func.count())
            .join(BoothRequest, BoothPreference.request_id == BoothRequest.id)
            .where(
                BoothRequest.event_id == event.id,
                BoothRequest.status == "pending",
                BoothPreference.booth_id.is_not(None),
            )
            .group_by(BoothPreference.booth_id)
        ).all()
    )
    states = {}
    for booth in booths:
        assignment = assignments.get(booth.id)
        count = requested.get(booth.id, 0)
        states[booth.id] = BoothState(_status(booth, assignment, count), assignment, count)
    return states


def plan_statuses(event: Event, hall: Hall | None = None) -> dict[int, str]:
    """booth id -> "blocked" | "confirmed" | "allocated" | "requested" | "free"."""
    return {booth_id: state.status for booth_id, state in booth_states(event, hall).items()}


def booth_status(booth: Booth) -> str:
    """One booth's status (see plan_statuses; for many booths use that, it costs three queries)."""
    return _status(booth, active_assignment(booth), pending_preference_count(booth))


def status_counts(states: dict[int, BoothState]) -> dict[str, int]:
    counts = dict.fromkeys(("free", "requested", "allocated", "confirmed", "blocked"), 0)
    for state in states.values():
        counts[state.status] += 1
    return counts


# ---------------------------------------------------------------- next year's fair

BOOTH_TYPE_COPIED = (
    "name",
    "name_en",
    "name_fr",
    "width_m",
    "depth_m",
    "price_vnd",
    "is_electronic",
    "description",
)
BOOTH_COPIED = ("code", "x_m", "y_m", "width_m", "depth_m", "zone_tags", "blocked")
ZONE_RULE_COPIED = ("match_kind", "match_value", "zone")


@signals.event_cloned.connect
def _copy_floor_plan(event: Event, *, source: Event, halls: dict[int, int], **_extra) -> None:
    """A cloned event gets the source's booth types and prices, booths (places, sizes, codes,
    zone tags, blocked or not), zone rules and plan settings; nobody holds a booth yet.

    The booths go in one bulk insert, so a national fair's 1,000 cost as many statements as 10.
    """
    source_types = db.session.scalars(select(BoothType).where(BoothType.event_id == source.id)).all()
    types = {
        t.id: BoothType(event_id=event.id, **{k: getattr(t, k) for k in BOOTH_TYPE_COPIED})
        for t in source_types
    }
    db.session.add_all(types.values())
    settings = db.session.get(BoothPlanSettings, source.id)
    if settings is not None:
        db.session.add(
            BoothPlanSettings(
                event_id=event.id,
                first_come_booking=settings.first_come_booking,
                weights_json=settings.weights_json,
            )
        )
    rules = db.session.scalars(
        select(ZoneRule).where(ZoneRule.event_id == source.id).order_by(ZoneRule.id)
    ).all()
    db.session.add_all(
        ZoneRule(event_id=event.id, **{k: getattr(r, k) for k in ZONE_RULE_COPIED}) for r in rules
    )
    db.session.flush()  # the new booth types' ids
    columns = [getattr(Booth, k) for k in ("hall_id", "booth_type_id", *BOOTH_COPIED)]
    booths = [
        {
            "event_id": event.id,
            "hall_id": halls[row.hall_id],
            "booth_type_id": types[row.booth_type_id].id,
            **{k: getattr(row, k) for k in BOOTH_COPIED},
        }
        for row in db.session.execute(select(*columns).where(Booth.event_id == source.id).order_by(Booth.id))
    ]
    if booths:
        db.session.execute(insert(Booth), booths)
