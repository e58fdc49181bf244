"""Participants' matchmaking pages: availability, must / don't-match marks, the producers, meeting requests.

Thin: parse, authorise, call one service of app.matching.participation.services; the request
boundary commits (app.transaction), a ServiceError rolls it back and is flashed.
"""

from __future__ import annotations

from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.data import vocab
from app.errors import PermissionDenied, ServiceError
from app.events.models import Registration
from app.extensions import db
from app.inputs import parse_id
from app.matching.blueprint import bp
from app.matching.forum import services as forum
from app.matching.guards import participant, participant_with_session
from app.matching.memory import services as memory
from app.matching.models import MatchRequest
from app.matching.participation import services as participation
from app.transaction import service_errors

PARTICIPANTS = ("exhibitor", "buyer")

# What a buyer reads after asking, by the state the pair is now in.
ASK_MESSAGES = {
    "asked": (_l("Your request was sent to the producer."), "success"),
    "mutual": (
        _l(
            "The producer had already marked you as must meet: you both want this meeting, "
            "and it will be scheduled if at all possible."
        ),
        "success",
    ),
    "accepted": (_l("The producer has already accepted your request."), "info"),
    "must": (
        _l("You marked this producer as must meet: the meeting will be scheduled if at all possible."),
        "info",
    ),
}


@bp.route("/my/events/<slug>/matching", endpoint="participation")
@roles_required(*PARTICIPANTS)
def participation_page(slug: str):
    """A participant: its availability, must / don't-match marks and meeting requests."""
    event, session, registration = participant(slug)
    if session is None:
        return render_template("matching/agenda/participation.html", event=event, session=None, history={})
    # A networking forum among the event's sessions: the way to its pages.
    forum_session = session if session.kind == "forum" else forum.forum_session_of(event)
    slots = participation.slots_of(session)
    chosen = participation.available_slots(session, registration)
    days = [(day, list(group)) for day, group in groupby(slots, key=lambda slot: slot.start.date())]
    states = participation.pair_states(session, registration)
    return render_template(
        "matching/agenda/participation.html",
        event=event,
        session=session,
        registration=registration,
        side=participation.side_of(registration),
        days=days,
        chosen=chosen if chosen is not None else {slot.index for slot in slots},
        preferences=participation.preferences(session, registration, states),
        states=states,
        counterparts=participation.counterparts(current_user, event, registration),
        # "You met at <earlier event>: <what came of it>" on each card: the viewer's own pairs only.
        history=memory.history_for(current_user, registration),
        day_label=lambda day: format_date(day, "full"),
        forum_session=forum_session,
    )


@bp.route("/my/events/<slug>/matching/availability", methods=["POST"], endpoint="save_availability")
@roles_required(*PARTICIPANTS)
def save_availability(slug: str):
    event, session, registration = participant_with_session(slug)
    with service_errors():
        participation.set_availability(current_user, session, registration, request.form.getlist("slots"))
        flash(_("Your availability was saved."), "success")
    return redirect(url_for("matching.participation", slug=event.slug))


@bp.route("/my/events/<slug>/matching/preference", methods=["POST"], endpoint="set_preference")
@roles_required(*PARTICIPANTS)
def set_preference(slug: str):
    """Mark a counterpart "must meet" or "don't match me with", or clear one's mark."""
    event, session, registration = participant_with_session(slug)
    kind = request.form.get("kind")
    counterpart = parse_id(request.form.get("counterpart"))
    back = request.form.get("back")
    if counterpart is None or kind not in ("must", "block", "clear"):
        flash(_("Choose a participant and what you want."), "danger")
    else:
        with service_errors():
            row = participation.set_preference(
                current_user, session, registration, counterpart, None if kind == "clear" else kind
            )
            if kind == "must" and row.status == "accepted":
                flash(_("You both want this meeting: it will be scheduled if at all possible."), "success")
            else:
                flash(_("Saved."), "success")
    if back == "producers":
        return redirect(url_for("matching.producers", slug=event.slug))
    return redirect(url_for("matching.participation", slug=event.slug))


@bp.route("/my/events/<slug>/producers", endpoint="producers")
@roles_required("buyer")
def producers(slug: str):
    """A participating buyer: the event's producers and their products, by category; ask to meet."""
    event, session, registration = participant(slug)
    category = request.args.get("category") if request.args.get("category") in vocab.CATEGORIES else None
    try:
        items = participation.producers_of_event(current_user, event, category)
    except PermissionDenied:
        abort(403)
    states = participation.pair_states(session, registration) if session else {}
    return render_template(
        "matching/agenda/producers.html",
        event=event,
        session=session,
        items=items,
        category=category,
        states=states,
        history=memory.history_for(current_user, registration),
    )


@bp.route("/my/events/<slug>/matching/ask", methods=["POST"], endpoint="ask")
@roles_required("buyer")
def ask(slug: str):
    """A buyer asks a producer for a meeting."""
    event, session, registration = participant_with_session(slug)
    producer = parse_id(request.form.get("producer"))
    try:
        with service_errors():
            if producer is None:
                raise ServiceError(_("Choose a producer."))
            row = participation.ask_for_meeting(current_user, session, registration, producer)
            message, category = ASK_MESSAGES[participation.pair_state(row, "buyer", None).code]
            flash(str(message), category)
    except PermissionDenied:
        abort(403)
    return redirect(url_for("matching.producers", slug=event.slug))


@bp.route("/my/matching/asks/<int:request_id>", methods=["POST"], endpoint="answer_ask")
@roles_required("exhibitor")
def answer_ask(request_id: int):
    """The producer accepts or declines a buyer's request."""
    row = db.get_or_404(MatchRequest, request_id)
    try:
        with service_errors():
            participation.request_for(current_user, row.id)
            participation.answer_ask(current_user, row, request.form.get("answer") == "accept")
            if row.kind == "must":
                flash(_("Accepted: this meeting will be scheduled if at all possible."), "success")
            else:
                flash(_("Declined."), "success")
    except PermissionDenied:
        abort(403)
    event = db.session.get(Registration, row.producer_registration_id).event
    return redirect(url_for("matching.participation", slug=event.slug))
