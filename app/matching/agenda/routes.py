"""A participant's agenda pages: the printable agenda with QR codes, its .ics download, the
secret calendar feed (no login) and resetting that feed.

Thin: parse, authorise, call app.matching.agenda.services, render; the request boundary
commits (app.transaction), e.g. the feed token made on a participant's first visit.
"""

from __future__ import annotations

import re
from itertools import groupby

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from app import qrcodes
from app.accounts.permissions import roles_required
from app.database import utcnow
from app.events.models import Event
from app.matching.agenda import mail  # noqa: F401 - connects the agenda mails to the sessions' signals
from app.matching.agenda import services as agenda
from app.matching.agenda.ical import agenda_calendar
from app.matching.blueprint import bp
from app.matching.guards import participant, participant_with_session
from app.matching.outcomes import services as outcomes
from app.urls import checkin_signature

PARTICIPANTS = ("exhibitor", "buyer")


# ---------------------------------------------------------------- helpers


def _lang_args() -> dict:
    # Calendar apps carry no session: the feed URL says which language to speak.
    return {"lang": g.locale} if g.locale and g.locale != "vi" else {}


def _agenda_url(event: Event) -> str:
    return url_for("matching.agenda", slug=event.slug, _external=True)


def _profile_url(registration) -> str:
    return url_for("catalog.organisation", organisation_id=registration.organisation_id, _external=True)


def _calendar_response(body: bytes, filename: str) -> Response:
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-cache, private"
    return response


# ---------------------------------------------------------------- agenda and calendar


@bp.route("/my/events/<slug>/agenda", endpoint="agenda")
@roles_required(*PARTICIPANTS)
def agenda_page(slug: str):
    """A participant's own agenda: printable on one A4 page, with QR codes and the calendar feed."""
    event, session, registration = participant(slug)
    items = agenda.agenda_for(current_user, registration)
    feed = webcal = None
    if session is not None:
        token = agenda.feed_token(session, registration)  # made on the first visit, committed with the page
        feed = url_for("matching.agenda_feed", token=token.token, _external=True, **_lang_args())
        webcal = re.sub(r"^https?://", "webcal://", feed)
    agenda_url = _agenda_url(event)
    now = utcnow()
    checkin_qr = {
        item.meeting.id: qrcodes.qr_svg_inline(
            url_for(
                "onsite.checkin",
                event_id=event.id,
                code=item.meeting.checkin_code,
                sig=checkin_signature(event.id, item.meeting.checkin_code),  # the check-in app checks it
                _external=True,
            ),
            label=_("Check-in code %(code)s", code=item.meeting.checkin_code),
            css_class="qr",
        )
        for item in items
    }
    days = [
        (day, list(group)) for day, group in groupby(items, key=lambda i: i.start.date() if i.start else None)
    ]
    return render_template(
        "matching/agenda/agenda.html",
        event=event,
        session=session,
        registration=registration,
        days=days,
        count=len(items),
        agenda_url=agenda_url,
        agenda_qr=qrcodes.qr_svg_inline(agenda_url, label=_("This agenda online"), css_class="qr"),
        checkin_qr=checkin_qr,
        feed_url=feed,
        webcal_url=webcal,
        can_record={item.meeting.id: outcomes.can_record(item.meeting, now, item.slot) for item in items},
        products_text=lambda item: agenda.products_text(item, g.locale),
        day_label=lambda day: format_date(day, "full") if day else _("Time to be confirmed"),
    )


def _agenda_body(event: Event, registration) -> bytes:
    meetings = agenda.meetings_of(registration, include_cancelled=True)
    return agenda_calendar(
        event,
        registration,
        agenda.agenda_items(registration, meetings),
        host=current_app.config["CALENDAR_UID_DOMAIN"],
        agenda_url=_agenda_url(event),
        profile_url=_profile_url,
        locale=g.locale,
    )


@bp.route("/my/events/<slug>/agenda.ics", endpoint="agenda_ics")
@roles_required(*PARTICIPANTS)
def agenda_ics(slug: str):
    """The participant's agenda as an .ics download."""
    event, _session, registration = participant(slug)
    return _calendar_response(_agenda_body(event, registration), f"agenda-{event.slug}.ics")


@bp.route("/feeds/agenda/<token>.ics", endpoint="agenda_feed")
def agenda_feed(token: str):
    """Calendar apps (no login): the agenda of the token's owner only; a reset token is 404."""
    found = agenda.registration_for_token(token)
    if found is None:
        abort(404)
    _token, registration, event, _session = found  # the session held: the agenda reads it, loaded
    return _calendar_response(_agenda_body(event, registration), f"agenda-{event.slug}.ics")


@bp.route("/my/events/<slug>/agenda/reset-feed", methods=["GET", "POST"], endpoint="reset_feed")
@roles_required(*PARTICIPANTS)
def reset_feed(slug: str):
    """The owner: a new secret feed URL after confirming; the old one stops working."""
    event, session, registration = participant_with_session(slug)
    if request.method == "POST":
        agenda.reset_feed_token(current_user, session, registration)
        flash(_("Your calendar feed has a new address. Subscribe again with the new link."), "success")
        return redirect(url_for("matching.agenda", slug=event.slug))
    return render_template("matching/agenda/confirm_reset.html", event=event)
