"""Events: create and edit, halls, programme, and the state machine.

Every state move is one function with its guard; the organiser's buttons and the
scheduled jobs call the same functions. Functions flush; the caller commits once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock, signals
from app.accounts.permissions import require
from app.data.provinces import equivalent_codes
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import (
    EVENT_KINDS,
    PROGRAMME_KINDS,
    Event,
    EventOrganiser,
    Hall,
    ProgrammeItem,
    Registration,
)
from app.extensions import db
from app.tasks import services as tasks

EVENT_FIELDS = (
    "slug",
    "kind",
    "name_vi",
    "name_en",
    "name_fr",
    "description_vi",
    "description_en",
    "description_fr",
    "timezone",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "province_code",
    "exhibitor_capacity",
    "buyer_capacity",
    "exhibitor_registration_opens_at",
    "exhibitor_registration_closes_at",
    "buyer_registration_opens_at",
    "buyer_registration_closes_at",
)
WINDOWS = (
    ("exhibitor_registration_opens_at", "exhibitor_registration_closes_at"),
    ("buyer_registration_opens_at", "buyer_registration_closes_at"),
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# state -> the states an organiser (or a job) may move it to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("registration_open", "cancelled"),
    "registration_open": ("registration_closed", "cancelled"),
    "registration_closed": ("registration_open", "scheduled", "cancelled"),
    "scheduled": ("running", "cancelled"),
    "running": ("finished",),
    "finished": (),
    "cancelled": (),
}


# ---------------------------------------------------------------- time helpers


def zone(event: Event) -> ZoneInfo:
    return ZoneInfo(event.timezone)


def to_local(event: Event, moment: datetime | None) -> datetime | None:
    return moment.astimezone(zone(event)) if moment else None


def from_local(timezone: str, naive: datetime | None) -> datetime | None:
    """A wall-clock time typed in the event's zone, as an aware UTC datetime."""
    if naive is None:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(ZoneInfo("UTC"))
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(ZoneInfo("UTC"))


def valid_timezone(name: str | None) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- permissions


def can_manage(actor, event: Event) -> bool:
    """Only the event's own organisers (and admins) manage it."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.role == "admin":
        return True
    return actor.role == "organiser" and any(o.user_id == actor.id for o in event.organisers)


def ensure_can_manage(actor, event: Event) -> None:
    if not can_manage(actor, event):
        raise PermissionDenied


def managed_event(actor, event_id: int) -> Event:
    """For organisers' pages (every module's): the event if `actor` manages it.

    404 when there is no such event, 403 when the actor is not one of its organisers (or an admin).
    """
    event = db.get_or_404(Event, event_id)
    require(can_manage(actor, event))
    return event


def events_managed_by(actor) -> list[Event]:
    """The events `actor` organises (an admin: every event), latest first, drafts too."""
    return list(db.session.scalars(public_events_query(managed_by=actor)))


def public_events() -> list[Event]:
    """Events anyone may see: everything but drafts."""
    return list(
        db.session.scalars(select(Event).where(Event.state != "draft").order_by(Event.starts_at.desc()))
    )


# How the list of public events may be sorted (?sort=<key>, "-<key>" for descending).
EVENT_SORTS = ("starts_at", "name", "created_at")


def public_events_query(
    *,
    state: str | None = None,
    kind: str | None = None,
    province: str | None = None,
    sort: str = "-starts_at",
    managed_by=None,
):
    """Events anyone may see (everything but drafts), filtered and sorted (ties by id), as a query;
    with `managed_by`, the events that user manages instead (an admin: every event), drafts too."""
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in EVENT_SORTS else "starts_at"
    column = {
        "starts_at": Event.starts_at,
        "name": func.lower(Event.name_vi),
        "created_at": Event.created_at,
    }[key]
    if managed_by is None:
        query = select(Event).where(Event.state != "draft")
    elif managed_by.role == "admin":
        query = select(Event)
    else:
        query = select(Event).join(EventOrganiser).where(EventOrganiser.user_id == managed_by.id)
    if state is not None:
        query = query.where(Event.state == state)
    if kind is not None:
        query = query.where(Event.kind == kind)
    if province is not None:  # an earlier or current code: every earlier code of the current province
        query = query.where(Event.province_code.in_(equivalent_codes(province)))
    order = [column.desc(), Event.id.desc()] if descending else [column.asc(), Event.id.asc()]
    return query.order_by(*order)


def can_follow_task(actor, task) -> bool:
    """Who may follow a job: an event's jobs, the event's organisers (and administrators), as
    on the event's pages; a job of no event, its starter and the administrators."""
    if task.event_id is None:
        return tasks.may_see(actor, task)
    event = db.session.get(Event, task.event_id)
    return event is not None and can_manage(actor, event)


def can_see_event(actor, event: Event) -> bool:
    """A draft only for its organisers; every other event for anyone."""
    return event.state != "draft" or can_manage(actor, event)


def event_by_slug(slug: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slug))


# ---------------------------------------------------------------- create / edit


def approved_count(event: Event, role: str) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.role == role,
                Registration.status == "approved",
            )
        )
        or 0
    )


def validate_event(values: dict, event: Event | None = None) -> list[ServiceError]:
    """Every rule an event's settings must meet, as field errors."""
    errors: list[ServiceError] = []
    slug = values.get("slug") or ""
    if not slug and event is None:
        pass  # a new event without an address gets one made from its name (create_event)
    elif not SLUG_RE.match(slug) or len(slug) > 80:
        errors.append(
            ServiceError(
                _l("Use lower-case letters, digits and dashes, e.g. hoi-cho-ocop-quang-ninh-2025."), "slug"
            )
        )
    else:
        other = db.session.scalar(select(Event.id).where(Event.slug == slug))
        if other is not None and (event is None or other != event.id):
            errors.append(ServiceError(_l("Another event already uses this address."), "slug"))
    if values.get("kind") not in EVENT_KINDS:
        errors.append(ServiceError(_l("Choose the kind of event."), "kind"))
    if not values.get("name_vi"):
        errors.append(ServiceError(_l("The Vietnamese name is required."), "name_vi"))
    if not valid_timezone(values.get("timezone")):
        errors.append(ServiceError(_l("Unknown time zone; use a name like Asia/Ho_Chi_Minh."), "timezone"))
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is None:
        errors.append(ServiceError(_l("The start is required."), "starts_at"))
    if ends is None:
        errors.append(ServiceError(_l("The end is required."), "ends_at"))
    if starts and ends and ends <= starts:
        errors.append(ServiceError(_l("The event must end after it starts."), "ends_at"))
    if values.get("kind") != "online_week" and not values.get("venue_name"):
        errors.append(ServiceError(_l("A physical event needs a venue."), "venue_name"))
    for role in ("exhibitor", "buyer"):
        capacity = values.get(f"{role}_capacity")
        field = f"{role}_capacity"
        if capacity is None or capacity < 0:
            errors.append(ServiceError(_l("The capacity must be zero or more."), field))
        elif event is not None and event.id is not None and capacity < approved_count(event, role):
            errors.append(
                ServiceError(
                    _l(
                        "%(n)d are already approved; the capacity can't be lower.",
                        n=approved_count(event, role),
                    ),
                    field,
                )
            )
    for opens_field, closes_field in WINDOWS:
        opens, closes = values.get(opens_field), values.get(closes_field)
        if opens and closes and closes <= opens:
            errors.append(ServiceError(_l("Registration must close after it opens."), closes_field))
        if closes and ends and closes > ends:
            errors.append(ServiceError(_l("Registration can't close after the event ends."), closes_field))
        if opens and ends and opens >= ends:
            errors.append(ServiceError(_l("Registration must open before the event ends."), opens_field))
    return errors


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def slug_from_name(name: str) -> str:
    """A web address made of `name`: Vietnamese letters without their marks ("đ" becomes "d"),
    lower case, words joined by dashes, at most 72 characters (room for a "-2" suffix)."""
    text = (name or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words)[:72].strip("-")
    return slug or "event"


def unique_slug(name: str) -> str:
    """`slug_from_name(name)`, followed by -2, -3... if another event already has that address."""
    base = slug_from_name(name)
    taken = set(db.session.scalars(select(Event.slug).where(Event.slug.like(f"{base}%"))))
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def create_event(actor, *, open_if_due: bool = False, now: datetime | None = None, **fields) -> Event:
    """A new event, as a draft. With `open_if_due`, its registration opens at once when its
    window has already started: what the scheduled "open" step would do a moment later, so the
    organiser reads one state on the page. Without an address, one is made from the name."""
    if actor.role not in ("organiser", "admin"):
        raise PermissionDenied
    values = {key: _clean(fields.get(key)) for key in EVENT_FIELDS}
    if not values.get("slug") and values.get("name_vi"):
        values["slug"] = unique_slug(values["name_vi"])
    values["timezone"] = values.get("timezone") or "Asia/Ho_Chi_Minh"
    values["exhibitor_capacity"] = values.get("exhibitor_capacity") or 0
    values["buyer_capacity"] = values.get("buyer_capacity") or 0
    errors = validate_event(values)
    if errors:
        raise errors[0]
    event = Event(state="draft", created_by_id=actor.id, **values)
    event.organisers.append(EventOrganiser(user_id=actor.id))
    db.session.add(event)
    db.session.flush()
    if open_if_due and check_move(event, "registration_open", now).allowed:
        move_event(actor, event, "registration_open", now)
    return event


def update_event(actor, event: Event, **fields) -> Event:
    ensure_can_manage(actor, event)
    # The same row lock approvals take, so a capacity cut and an approval can't cross.
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update(key_share=True))
    if event.state in ("finished", "cancelled"):
        raise ServiceError(_l("A finished or cancelled event can't be changed."))
    values = {key: _clean(fields[key]) for key in EVENT_FIELDS if key in fields}
    merged = {key: getattr(event, key) for key in EVENT_FIELDS} | values
    errors = validate_event(merged, event)
    if errors:
        raise errors[0]
    for key, value in values.items():
        setattr(event, key, value)
    db.session.flush()
    return event


def validate_all(values: dict, event: Event | None = None) -> list[ServiceError]:
    """All errors at once, so a form can show each next to its field."""
    return validate_event(values, event)


# ---------------------------------------------------------------- halls


def save_hall(
    actor,
    event: Event,
    *,
    name: str,
    width_m: float,
    depth_m: float,
    hall: Hall | None = None,
    name_en: str | None = None,
    name_fr: str | None = None,
) -> Hall:
    """Add or change a hall; `name` is Vietnamese, the English and French ones are optional."""
    ensure_can_manage(actor, event)
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("The hall needs a name."), "name")
    if width_m is None or width_m <= 0:
        raise ServiceError(_l("The size must be above zero."), "width_m")
    if depth_m is None or depth_m <= 0:
        raise ServiceError(_l("The size must be above zero."), "depth_m")
    clash = db.session.scalar(select(Hall.id).where(Hall.event_id == event.id, Hall.name == name))
    if clash is not None and (hall is None or clash != hall.id):
        raise ServiceError(_l("This event already has a hall with this name."), "name")
    before = None if hall is None else _hall_facts(hall)
    if hall is None:
        hall = Hall(event=event)
        db.session.add(hall)
    hall.name, hall.width_m, hall.depth_m = name, width_m, depth_m
    hall.name_en = (name_en or "").strip() or None
    hall.name_fr = (name_fr or "").strip() or None
    db.session.flush()
    after = _hall_facts(hall)
    if before is None:
        _log(actor, event, "hall_added", hall.name, after)
    elif changes := {key: [before[key], value] for key, value in after.items() if before[key] != value}:
        _log(actor, event, "hall_changed", hall.name, changes)
    return hall


def _hall_facts(hall: Hall) -> dict:
    """What the event log says of a hall (as text: kept after the hall)."""
    return {
        "name": hall.name,
        "size": f"{_metres_text(hall.width_m)} × {_metres_text(hall.depth_m)} m",
        "name (English)": hall.name_en or "",
        "name (French)": hall.name_fr or "",
    }


def _metres_text(value) -> str:
    return format(Decimal(str(value)).normalize(), "f") if value is not None else ""


def _log(actor, event: Event, action: str, subject: str, changes: dict) -> None:
    """Tell the event log (signals.organiser_action) what an organiser did to the event."""
    signals.organiser_action.send(actor, event_id=event.id, action=action, subject=subject, changes=changes)


def delete_hall(actor, hall: Hall) -> None:
    ensure_can_manage(actor, hall.event)
    event, facts = hall.event, _hall_facts(hall)
    db.session.delete(hall)
    db.session.flush()
    _log(actor, event, "hall_removed", facts["name"], facts)


# ---------------------------------------------------------------- programme


def _clash(
    event: Event, location: str, starts: datetime, ends: datetime, own_id: int | None
) -> ProgrammeItem | None:
    for item in event.programme:
        if item.cancelled or item.id == own_id or item.location.strip().lower() != location.lower():
            continue
        if item.starts_at < ends and starts < item.ends_at:
            return item
    return None


def save_programme_item(
    actor,
    event: Event,
    *,
    kind: str,
    title_vi: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    title_en: str | None = None,
    title_fr: str | None = None,
    description: str | None = None,
    item: ProgrammeItem | None = None,
    locale: str = "vi",
) -> ProgrammeItem:
    """Add or change a programme item; two items can't share a location at the same time."""
    ensure_can_manage(actor, event)
    if kind not in PROGRAMME_KINDS:
        raise ServiceError(_l("Choose the kind of item."), "kind")
    if not (title_vi or "").strip():
        raise ServiceError(_l("The Vietnamese title is required."), "title_vi")
    if not (location or "").strip():
        raise ServiceError(_l("Say where it takes place."), "location")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ServiceError(_l("It must end after it starts."), "ends_at")
    if starts_at < event.starts_at or ends_at > event.ends_at:
        raise ServiceError(_l("It must take place during the event."), "starts_at")
    location = location.strip()
    other = _clash(event, location, starts_at, ends_at, item.id if item else None)
    if other is not None:
        start = to_local(event, other.starts_at).strftime("%H:%M")
        end = to_local(event, other.ends_at).strftime("%H:%M")
        raise ServiceError(
            _l(
                "“%(title)s” is already in %(location)s from %(start)s to %(end)s.",
                title=other.title_in(locale),
                location=other.location,
                start=start,
                end=end,
            ),
            "starts_at",
        )
    if item is None:
        item = ProgrammeItem(event=event, sequence=0)
        db.session.add(item)
    elif (item.starts_at, item.ends_at, item.location) != (starts_at, ends_at, location):
        item.sequence += 1  # calendar clients update an item only when SEQUENCE rises
    item.kind, item.title_vi, item.title_en, item.title_fr = (
        kind,
        title_vi.strip(),
        _clean(title_en),
        _clean(title_fr),
    )
    item.description, item.starts_at, item.ends_at, item.location = (
        _clean(description),
        starts_at,
        ends_at,
        location,
    )
    item.updated_at = utcnow()
    db.session.flush()
    return item


def cancel_programme_item(actor, item: ProgrammeItem) -> None:
    """Removed items stay in feeds as cancelled so subscribed calendars drop them."""
    ensure_can_manage(actor, item.event)
    if not item.cancelled:
        item.cancelled = True
        item.sequence += 1
        item.updated_at = utcnow()
    db.session.flush()


# ---------------------------------------------------------------- state machine


@dataclass(frozen=True)
class Move:
    target: str
    allowed: bool
    reason: str | None = None


def _registration_window(event: Event) -> tuple[datetime | None, datetime | None]:
    opens = [t for t in (event.exhibitor_registration_opens_at, event.buyer_registration_opens_at) if t]
    closes = [t for t in (event.exhibitor_registration_closes_at, event.buyer_registration_closes_at) if t]
    return (min(opens) if opens else None, max(closes) if closes else None)


def check_move(event: Event, target: str, now: datetime | None = None) -> Move:
    """Whether the event may move to `target` now, and if not, why (in words)."""
    now = now or utcnow()
    if target not in TRANSITIONS.get(event.state, ()):
        return Move(target, False, str(_l("Not possible from the current state.")))
    opens, closes = _registration_window(event)
    if target == "registration_open":
        if opens is None or closes is None:
            return Move(target, False, str(_l("Set the registration windows first.")))
        if now < opens:
            return Move(target, False, str(_l("Registration opens only when its window starts.")))
        if now >= closes:
            return Move(target, False, str(_l("The registration window is over.")))
    if target == "scheduled" and event.state != "registration_closed":
        return Move(target, False, str(_l("Close registration first.")))
    if target == "running" and now < event.starts_at:
        return Move(target, False, str(_l("The event has not started yet.")))
    if target == "finished" and now < event.ends_at:
        return Move(target, False, str(_l("The event has not ended yet.")))
    return Move(target, True)


def next_moves(event: Event, now: datetime | None = None) -> list[Move]:
    return [check_move(event, target, now) for target in TRANSITIONS.get(event.state, ())]


def move_event(actor, event: Event, target: str, now: datetime | None = None) -> Event:
    """Move the event to `target` if its guard allows. `actor` None means a scheduled job."""
    if actor is not None:
        ensure_can_manage(actor, event)
    move = check_move(event, target, now)
    if not move.allowed:
        raise ServiceError(move.reason)
    before, event.state = event.state, target
    db.session.flush()
    # A scheduled job's move (actor None) is recorded too, as the system's.
    _log(actor, event, "event_state_changed", event.name_vi, {"event status": [before, target]})
    return event


def open_registration(actor, event: Event, now: datetime | None = None) -> Event:
    return move_event(actor, event, "registration_open", now)


def close_registration(actor, event: Event, now: datetime | None = None) -> Event:
    return move_event(actor, event, "registration_closed", now)


def schedule_event(actor, event: Event, now: datetime | None = None) -> Event:
    return move_event(actor, event, "scheduled", now)


def start_event(actor, event: Event, now: datetime | None = None) -> Event:
    return move_event(actor, event, "running", now)


def finish_event(actor, event: Event, now: datetime | None = None) -> Event:
    return move_event(actor, event, "finished", now)


def cancel_event(actor, event: Event, now: datetime | None = None) -> Event:
    return move_event(actor, event, "cancelled", now)


def registration_is_open(event: Event, role: str, now: datetime | None = None) -> bool:
    """Applications are taken only in the open state and inside the role's window."""
    now = now or utcnow()
    opens = getattr(event, f"{role}_registration_opens_at")
    closes = getattr(event, f"{role}_registration_closes_at")
    return (
        event.state == "registration_open"
        and opens is not None
        and closes is not None
        and opens <= now < closes
    )


# ---------------------------------------------------------------- cloning


# What a clone copies of each of the source's rows (ids, the event and the times are set apart).
HALL_COPIED = ("name", "name_en", "name_fr", "width_m", "depth_m")
PROGRAMME_COPIED = ("kind", "title_vi", "title_en", "title_fr", "description", "location")
# The event's own settings a clone keeps (name, address, dates and state are the clone's own).
EVENT_COPIED = (
    "kind",
    "description_vi",
    "description_en",
    "description_fr",
    "timezone",
    "venue_name",
    "venue_address",
    "province_code",
    "exhibitor_capacity",
    "buyer_capacity",
)


def first_local_day(event: Event) -> date:
    """The event's first day in its own time zone."""
    return to_local(event, event.starts_at).date()


def same_day_next_year(day: date) -> date:
    """The same date a year later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def next_year_name(name: str | None, year: int, new_year: int) -> str | None:
    """A name for the clone: "Hội chợ OCOP 2027" becomes "Hội chợ OCOP 2028" (the year as a word)."""
    if not name:
        return name
    return re.sub(rf"(?<!\d){year}(?!\d)", str(new_year), name)


def shifted(event: Event, moment: datetime | None, days: timedelta) -> datetime | None:
    """`moment` moved by whole days at the same wall-clock time in the event's zone (so 09:00
    stays 09:00 even across a change of summer time), as UTC."""
    if moment is None:
        return None
    local = to_local(event, moment).replace(tzinfo=None)
    return from_local(event.timezone, local + days)


def validate_clone(
    source: Event, *, name_vi: str | None, starts_on: date | None, slug: str | None, today: date | None = None
) -> list[ServiceError]:
    """Every rule a clone's new name, first day and address must meet, as field errors."""
    errors: list[ServiceError] = []
    if not (name_vi or "").strip():
        errors.append(ServiceError(_l("The Vietnamese name is required."), "name_vi"))
    today = today or clock.now().astimezone(zone(source)).date()
    if starts_on is None:
        errors.append(ServiceError(_l("The first day is required."), "starts_on"))
    elif starts_on < today:
        errors.append(ServiceError(_l("The first day can't be in the past."), "starts_on"))
    slug = (slug or "").strip()
    if slug:
        if not SLUG_RE.match(slug) or len(slug) > 80:
            errors.append(
                ServiceError(
                    _l("Use lower-case letters, digits and dashes, e.g. hoi-cho-ocop-quang-ninh-2025."),
                    "slug",
                )
            )
        elif db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
            errors.append(ServiceError(_l("Another event already uses this address."), "slug"))
    return errors


def clone_event(
    actor,
    source: Event,
    *,
    name_vi: str,
    starts_on: date,
    name_en: str | None = None,
    name_fr: str | None = None,
    slug: str | None = None,
    today: date | None = None,
) -> Event:
    """Next year's fair as a draft copy of `source`, its first day `starts_on`.

    Copied here: the event's settings, its halls, and its programme and registration windows
    moved by the same whole days at the same local times (cancelled items stay behind). The
    other modules copy their own settings on `signals.event_cloned` (the booths their floor
    plan, matchmaking its sessions' settings). Never copied: registrations, and so nothing that
    hangs off them (booths held, payments, e-booths, meetings, check-ins, outcomes), nor jobs.
    The acting user organises the clone, with the source's other organisers.
    """
    ensure_can_manage(actor, source)
    errors = validate_clone(source, name_vi=name_vi, starts_on=starts_on, slug=slug, today=today)
    if errors:
        raise errors[0]
    days = timedelta(days=(starts_on - first_local_day(source)).days)
    # Read before the new rows exist (an autoflush would meet them half-built).
    source_halls = list(source.halls)
    source_programme = [item for item in source.programme if not item.cancelled]
    source_organisers = [o.user_id for o in source.organisers]
    name_vi = name_vi.strip()
    event = Event(
        state="draft",
        created_by_id=actor.id,
        slug=(slug or "").strip() or unique_slug(name_vi),
        name_vi=name_vi,
        name_en=_clean(name_en),
        name_fr=_clean(name_fr),
        starts_at=shifted(source, source.starts_at, days),
        ends_at=shifted(source, source.ends_at, days),
        **{key: getattr(source, key) for key in EVENT_COPIED},
        **{key: shifted(source, getattr(source, key), days) for window in WINDOWS for key in window},
    )
    organiser_ids = [actor.id, *(user_id for user_id in source_organisers if user_id != actor.id)]
    event.organisers.extend(EventOrganiser(user_id=user_id) for user_id in organiser_ids)
    db.session.add(event)
    halls = {
        hall.id: Hall(event=event, **{k: getattr(hall, k) for k in HALL_COPIED}) for hall in source_halls
    }
    db.session.add_all(halls.values())
    db.session.add_all(
        ProgrammeItem(
            event=event,
            sequence=0,
            starts_at=shifted(source, item.starts_at, days),
            ends_at=shifted(source, item.ends_at, days),
            **{k: getattr(item, k) for k in PROGRAMME_COPIED},
        )
        for item in source_programme
    )
    db.session.flush()  # the ids of the event and its halls, for the other modules' copies
    signals.event_cloned.send(
        event, source=source, days=days, halls={old_id: hall.id for old_id, hall in halls.items()}
    )
    db.session.flush()
    for event_id, name in ((source.id, event.name_vi), (event.id, source.name_vi)):
        signals.organiser_action.send(
            actor,
            event_id=event_id,
            action="event_cloned",
            subject=name,
            changes={"copy": [source.name_vi, event.name_vi], "days moved": days.days},
        )
    return event
