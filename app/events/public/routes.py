"""Public event pages and the programme feed: no login needed.

Drafts are hidden (404) from everyone but the event's organisers, who see a preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import i18n
from app.database import utcnow
from app.events import services
from app.events.forms import EVENT_KIND_LABELS, PROGRAMME_KIND_LABELS, STATE_LABELS
from app.events.ical import programme_calendar
from app.events.models import Event, ProgrammeItem
from app.events.public import services as public
from app.inputs import int_arg, page_arg

bp = Blueprint("events_public", __name__)

# state -> Bootstrap colour of its badge
STATE_COLOURS = {
    "draft": "secondary",
    "registration_open": "success",
    "registration_closed": "warning",
    "scheduled": "info",
    "running": "primary",
    "finished": "secondary",
    "cancelled": "danger",
}


@dataclass(frozen=True)
class RegistrationNote:
    role: str
    is_open: bool
    text: str


# ---------------------------------------------------------------- helpers


def _visible_event(slug: str) -> Event:
    """The event by its slug; a draft only for its organisers (everyone else gets 404)."""
    event = services.event_by_slug(slug)
    if event is None:
        abort(404)
    if event.state == "draft" and not services.can_manage(current_user, event):
        abort(404)
    return event


def _local(event: Event, moment: datetime) -> datetime:
    return services.to_local(event, moment)


def _when(event: Event, moment: datetime | None) -> str:
    """A moment as the event's wall clock in the visitor's language, to the minute.

    Babel's "medium" date-time shows seconds; the locale's own pattern joins a medium
    date and a short time instead ("08:00 23 thg 12, 2026", "Dec 23, 2026, 8:00 AM").
    """
    if moment is None:
        return ""
    local = _local(event, moment)
    pattern = str(get_locale().datetime_formats["medium"])
    # rebase=False: show the event's own zone, not the app's default one.
    time = format_time(local, "short", rebase=False)
    return pattern.replace("{1}", format_date(local.date(), "medium")).replace("{0}", time)


def _registration_notes(event: Event, now: datetime) -> list[RegistrationNote]:
    if event.state != "registration_open":
        return []
    notes = []
    labels = {"exhibitor": _("Exhibitors"), "buyer": _("Buyers")}
    for role in ("exhibitor", "buyer"):
        opens = getattr(event, f"{role}_registration_opens_at")
        closes = getattr(event, f"{role}_registration_closes_at")
        if opens is None or closes is None:
            continue
        if services.registration_is_open(event, role, now):
            text = _("%(who)s: registration open until %(when)s", who=labels[role], when=_when(event, closes))
            notes.append(RegistrationNote(role, True, text))
        elif now < opens:
            text = _("%(who)s: registration opens on %(when)s", who=labels[role], when=_when(event, opens))
            notes.append(RegistrationNote(role, False, text))
        else:
            text = _("%(who)s: registration closed on %(when)s", who=labels[role], when=_when(event, closes))
            notes.append(RegistrationNote(role, False, text))
    return notes


def _programme_by_day(event: Event) -> list[tuple[date, list[ProgrammeItem]]]:
    """The programme grouped by the day it happens on in the event's zone."""
    items = sorted(event.programme, key=lambda item: (item.starts_at, item.id))
    return [
        (day, list(group))
        for day, group in groupby(items, key=lambda item: _local(event, item.starts_at).date())
    ]


def _feed_url(event: Event, **kwargs) -> str:
    """The programme feed in the visitor's language (calendar apps carry no session)."""
    if g.locale != "vi":
        kwargs["lang"] = g.locale
    return url_for("events_public.programme_feed", slug=event.slug, **kwargs)


def _webcal_url(event: Event) -> str:
    """The same feed for calendar apps to subscribe to: http(s):// becomes webcal://."""
    return re.sub(r"^https?://", "webcal://", _feed_url(event, _external=True))


@bp.context_processor
def _event_helpers():
    return {
        "event_kind_label": lambda code: str(EVENT_KIND_LABELS.get(code, code)),
        "programme_kind_label": lambda code: str(PROGRAMME_KIND_LABELS.get(code, code)),
        "state_badge": lambda state: (
            str(STATE_LABELS.get(state, state)),
            STATE_COLOURS.get(state, "secondary"),
        ),
        "event_when": _when,
        "event_day": lambda day: format_date(day, "full"),
        "event_time": lambda event, moment: format_time(_local(event, moment), "short", rebase=False),
        "event_date": lambda event, moment: format_date(_local(event, moment).date(), "medium"),
    }


# ---------------------------------------------------------------- pages


@bp.route("/events/")
def index():
    """Anyone: the public events, upcoming (soonest first), then past (latest first)."""
    now = utcnow()
    events = services.public_events()
    upcoming = sorted((e for e in events if e.ends_at >= now), key=lambda e: e.starts_at)
    past = sorted((e for e in events if e.ends_at < now), key=lambda e: e.starts_at, reverse=True)
    return render_template("events_public/index.html", upcoming=upcoming, past=past)


@bp.route("/events/<slug>")
def event_page(slug: str):
    """Anyone: what, when and where, the programme, approved exhibitors, calendar links.

    The exhibitors come a page at a time (`page`, `per_page` up to 60), searchable (`q`)
    by name, place or product: a national fair's 8,000 never load at once.
    """
    event = _visible_event(slug)
    now = utcnow()
    notes = _registration_notes(event, now)
    asked = public.ExhibitorQuery.of(request.args.get("q"), page_arg(), int_arg("per_page"))
    exhibitors = public.exhibitors_page(event, asked, g.locale)
    # Without a search the page's total is every approved exhibitor: no second count.
    total = exhibitors.total if not asked.words else services.approved_count(event, "exhibitor")
    return render_template(
        "events_public/event.html",
        event=event,
        now=now,
        zone_label=i18n.zone_label(event.timezone, event.starts_at),
        registration_notes=notes,
        apply_roles=[note.role for note in notes if note.is_open],
        programme_days=_programme_by_day(event),
        exhibitors=exhibitors,
        exhibitors_total=total,
        asked=asked,
        max_per_page=public.MAX_EXHIBITORS_PER_PAGE,
        is_preview=event.state == "draft",
        manage_url=(
            url_for("events.show", event_id=event.id) if services.can_manage(current_user, event) else None
        ),
        feed_url=_feed_url(event),
        webcal_url=_webcal_url(event),
    )


@bp.route("/events/<slug>/programme.ics")
def programme_feed(slug: str):
    """Anyone (calendar apps too): the programme as iCalendar, to download or subscribe to."""
    event = _visible_event(slug)
    body = programme_calendar(
        event,
        event.programme,
        host=current_app.config["CALENDAR_UID_DOMAIN"],
        event_url=url_for("events_public.event_page", slug=event.slug, _external=True),
        locale=g.locale,
    )
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    # Subscribed clients must fetch again rather than reuse a stale copy.
    response.headers["Cache-Control"] = "no-cache"
    return response
