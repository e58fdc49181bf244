"""Participants' matchmaking pages (availability, requests, agenda, calendar, outcomes)
and the organiser's check-in and outcome pages.

Thin: parse, authorise, call one service of participation / agenda / checkin / outcomes,
commit, redirect or render.
"""

from __future__ import annotations

import re
from itertools import groupby

import qrcode
import qrcode.image.svg
from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import roles_required
from app.catalog import vocab
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.events import services as events
from app.events.models import Event, Registration
from app.events.services import managed_event as _managed
from app.extensions import db
from app.matching import agenda, checkin, outcomes, participation
from app.matching.ical import agenda_calendar
from app.matching.models import MatchRequest, Meeting
from app.matching.routes import bp
from app.matching.slots import table_label

PARTICIPANTS = ("exhibitor", "buyer")


# ---------------------------------------------------------------- helpers


def qr_svg(data: str, label: str) -> Markup:
    """An inline SVG QR code (scales with CSS; prints sharp)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        border=1,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg)
    svg = svg.replace("<svg", f'<svg class="qr" role="img" aria-label="{Markup.escape(label)}"', 1)
    return Markup(svg)  # noqa: S704 - made by qrcode from our own URL, label escaped


def _participant(slug: str):
    """(event, session, registration) of the current user's approved registration, or 403/404."""
    event = participation.event_for_slug(slug)
    if event is None:
        abort(404)
    try:
        registration = participation.participant_registration(current_user, event)
    except PermissionDenied:
        abort(403)
    return event, participation.session_for_event(event), registration


def _with_session(slug: str):
    event, session, registration = _participant(slug)
    if session is None:
        abort(404)
    return event, session, registration


def _flash_error(problem: ServiceError) -> None:
    db.session.rollback()
    flash(str(problem.message), "danger")


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


@bp.app_context_processor
def _matching_helpers():
    return {"outcome_labels": outcomes.OUTCOME_LABELS}


# ---------------------------------------------------------------- availability and requests


@bp.route("/my/events/<slug>/matching", endpoint="participation")
@roles_required(*PARTICIPANTS)
def participation_page(slug: str):
    """A participant: its availability, must / don't-match marks and meeting requests."""
    event, session, registration = _participant(slug)
    if session is None:
        return render_template("matching/agenda/participation.html", event=event, session=None)
    slots = participation.slots_of(session)
    chosen = participation.available_slots(session, registration)
    days = [(day, list(group)) for day, group in groupby(slots, key=lambda slot: slot.start.date())]
    return render_template(
        "matching/agenda/participation.html",
        event=event,
        session=session,
        registration=registration,
        side=participation.side_of(registration),
        days=days,
        chosen=chosen if chosen is not None else {slot.index for slot in slots},
        preferences=participation.preferences(session, registration),
        counterparts=participation.counterparts(current_user, event, registration),
        day_label=lambda day: format_date(day, "full"),
    )


@bp.route("/my/events/<slug>/matching/availability", methods=["POST"], endpoint="save_availability")
@roles_required(*PARTICIPANTS)
def save_availability(slug: str):
    event, session, registration = _with_session(slug)
    try:
        participation.set_availability(current_user, session, registration, request.form.getlist("slots"))
    except ServiceError as problem:
        _flash_error(problem)
    else:
        db.session.commit()
        flash(_("Your availability was saved."), "success")
    return redirect(url_for("matching.participation", slug=event.slug))


@bp.route("/my/events/<slug>/matching/preference", methods=["POST"], endpoint="set_preference")
@roles_required(*PARTICIPANTS)
def set_preference(slug: str):
    """Mark a counterpart "must meet" or "don't match me with", or clear one's mark."""
    event, session, registration = _with_session(slug)
    kind = request.form.get("kind")
    counterpart = request.form.get("counterpart", type=int)
    back = request.form.get("back")
    if counterpart is None or kind not in ("must", "block", "clear"):
        flash(_("Choose a participant and what you want."), "danger")
    else:
        try:
            participation.set_preference(
                current_user, session, registration, counterpart, None if kind == "clear" else kind
            )
        except ServiceError as problem:
            _flash_error(problem)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
    if back == "producers":
        return redirect(url_for("matching.producers", slug=event.slug))
    return redirect(url_for("matching.participation", slug=event.slug))


@bp.route("/my/events/<slug>/producers", endpoint="producers")
@roles_required("buyer")
def producers(slug: str):
    """A participating buyer: the event's producers and their products, by category; ask to meet."""
    event, session, registration = _participant(slug)
    category = request.args.get("category") if request.args.get("category") in vocab.CATEGORIES else None
    try:
        items = participation.producers_of_event(current_user, event, category)
    except PermissionDenied:
        abort(403)
    prefs = participation.preferences(session, registration) if session else None
    marks: dict[int, str] = {}
    if prefs is not None:
        for row, other in prefs.asks_sent:
            marks[other.id] = (
                "declined" if row.status == "declined" else ("accepted" if row.kind == "must" else "asked")
            )
        for _row, other in prefs.must:
            marks.setdefault(other.id, "must")
        for _row, other in prefs.block:
            marks[other.id] = "block"
    return render_template(
        "matching/agenda/producers.html",
        event=event,
        session=session,
        items=items,
        category=category,
        marks=marks,
    )


@bp.route("/my/events/<slug>/matching/ask", methods=["POST"], endpoint="ask")
@roles_required("buyer")
def ask(slug: str):
    """A buyer asks a producer for a meeting."""
    event, session, registration = _with_session(slug)
    producer = request.form.get("producer", type=int)
    try:
        if producer is None:
            raise ServiceError(_("Choose a producer."))
        participation.ask_for_meeting(current_user, session, registration, producer)
    except ServiceError as problem:
        _flash_error(problem)
    except PermissionDenied:
        abort(403)
    else:
        db.session.commit()
        flash(_("Your request was sent to the producer."), "success")
    return redirect(url_for("matching.producers", slug=event.slug))


@bp.route("/my/matching/asks/<int:request_id>", methods=["POST"], endpoint="answer_ask")
@roles_required("exhibitor")
def answer_ask(request_id: int):
    """The producer accepts or declines a buyer's request."""
    row = db.get_or_404(MatchRequest, request_id)
    try:
        participation.request_for(current_user, row.id)
        participation.answer_ask(current_user, row, request.form.get("answer") == "accept")
    except PermissionDenied:
        abort(403)
    except ServiceError as problem:
        _flash_error(problem)
    else:
        db.session.commit()
        if row.kind == "must":
            flash(_("Accepted: this meeting will be scheduled if at all possible."), "success")
        else:
            flash(_("Declined."), "success")
    event = db.session.get(Registration, row.producer_registration_id).event
    return redirect(url_for("matching.participation", slug=event.slug))


# ---------------------------------------------------------------- agenda and calendar


@bp.route("/my/events/<slug>/agenda", endpoint="agenda")
@roles_required(*PARTICIPANTS)
def agenda_page(slug: str):
    """A participant's own agenda: printable on one A4 page, with QR codes and the calendar feed."""
    event, session, registration = _participant(slug)
    items = agenda.agenda_for(current_user, registration)
    feed = webcal = None
    if session is not None:
        token = agenda.feed_token(session, registration)
        db.session.commit()
        feed = url_for("matching.agenda_feed", token=token.token, _external=True, **_lang_args())
        webcal = re.sub(r"^https?://", "webcal://", feed)
    agenda_url = _agenda_url(event)
    now = utcnow()
    checkin_qr = {
        item.meeting.id: qr_svg(
            url_for("matching.checkin", event_id=event.id, code=item.meeting.checkin_code, _external=True),
            _("Check-in code %(code)s", code=item.meeting.checkin_code),
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
        agenda_qr=qr_svg(agenda_url, _("This agenda online")),
        checkin_qr=checkin_qr,
        feed_url=feed,
        webcal_url=webcal,
        can_record={item.meeting.id: outcomes.can_record(item.meeting, now) for item in items},
        products_text=lambda item: agenda.products_text(item, g.locale),
        day_label=lambda day: format_date(day, "full") if day else _("Time to be confirmed"),
    )


def _agenda_body(event: Event, registration) -> bytes:
    meetings = agenda.meetings_of(registration, include_cancelled=True)
    return agenda_calendar(
        event,
        registration,
        agenda.agenda_items(registration, meetings),
        host=current_app.config["SERVER_HOST"],
        agenda_url=_agenda_url(event),
        profile_url=_profile_url,
        locale=g.locale,
    )


@bp.route("/my/events/<slug>/agenda.ics", endpoint="agenda_ics")
@roles_required(*PARTICIPANTS)
def agenda_ics(slug: str):
    """The participant's agenda as an .ics download."""
    event, _session, registration = _participant(slug)
    return _calendar_response(_agenda_body(event, registration), f"agenda-{event.slug}.ics")


@bp.route("/feeds/agenda/<token>.ics", endpoint="agenda_feed")
def agenda_feed(token: str):
    """Calendar apps (no login): the agenda of the token's owner only; a reset token is 404."""
    found = agenda.registration_for_token(token)
    if found is None:
        abort(404)
    _token, registration, event = found
    return _calendar_response(_agenda_body(event, registration), f"agenda-{event.slug}.ics")


@bp.route("/my/events/<slug>/agenda/reset-feed", methods=["GET", "POST"], endpoint="reset_feed")
@roles_required(*PARTICIPANTS)
def reset_feed(slug: str):
    """The owner: a new secret feed URL after confirming; the old one stops working."""
    event, session, registration = _with_session(slug)
    if request.method == "POST":
        agenda.reset_feed_token(current_user, session, registration)
        db.session.commit()
        flash(_("Your calendar feed has a new address. Subscribe again with the new link."), "success")
        return redirect(url_for("matching.agenda", slug=event.slug))
    return render_template("matching/agenda/confirm_reset.html", event=event)


# ---------------------------------------------------------------- outcomes


@bp.route("/my/meetings/<int:meeting_id>/outcome", methods=["GET", "POST"], endpoint="outcome")
@roles_required(*PARTICIPANTS)
def outcome(meeting_id: int):
    """Either side of a meeting: record what came of it."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not meeting.published:
        abort(404)
    try:
        side = outcomes.meeting_side(current_user, meeting)
    except PermissionDenied:
        abort(403)
    event = meeting.session.event
    existing = outcomes.outcome_of(meeting, side)
    values = {
        "kind": existing.kind if existing else "",
        "value_vnd": str(existing.value_vnd or "") if existing else "",
        "note": (existing.note or "") if existing else "",
    }
    error = None
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in values}
        try:
            try:
                value = outcomes.parse_value(values["value_vnd"])
            except ValueError:
                raise ServiceError(_("Give the value in VND as a whole number."), "value_vnd") from None
            outcomes.record_outcome(current_user, meeting, values["kind"], value, values["note"])
        except ServiceError as problem:
            db.session.rollback()
            error = problem.message
        else:
            db.session.commit()
            flash(_("Thank you: the outcome was recorded."), "success")
            return redirect(url_for("matching.agenda", slug=event.slug))
    counterpart = meeting.producer if side == "buyer" else meeting.buyer
    return render_template(
        "matching/agenda/outcome_form.html",
        event=event,
        meeting=meeting,
        counterpart=counterpart,
        table=table_label(meeting.session.table_names, meeting.table),
        values=values,
        error=error,
        open_for_record=outcomes.can_record(meeting) and meeting.status != "no_show",
    ), (422 if error else 200)


# ---------------------------------------------------------------- organiser pages


@bp.route("/manage/events/<int:event_id>/checkin", methods=["GET", "POST"], endpoint="checkin")
@roles_required("organiser")
def checkin_page(event_id: int):
    """Organisers (phone-friendly): type or scan a meeting's code to mark it held."""
    event = _managed(event_id)
    result = error = None
    code = request.args.get("code", "")
    if request.method == "POST":
        code = request.form.get("code", "")
        try:
            result = checkin.check_in(current_user, event, code)
        except ServiceError as problem:
            db.session.rollback()
            error = problem.message
        else:
            db.session.commit()
            code = ""
    return render_template(
        "matching/agenda/checkin.html",
        event=event,
        code=checkin.normalise_code(code) if code else "",
        result=result,
        error=error,
        recent=checkin.recent_checkins(current_user, event),
        to_local=lambda moment: events.to_local(event, moment),
    ), (422 if error else 200)


@bp.route("/manage/events/<int:event_id>/outcomes", endpoint="outcomes")
@roles_required("organiser")
def outcomes_page(event_id: int):
    """Organisers: every meeting's outcome as both sides recorded it, with the event's totals."""
    event = _managed(event_id)
    report = outcomes.event_outcomes(current_user, event)
    return render_template("matching/agenda/outcomes.html", event=event, report=report)
