"""Booking pages: exhibitors request or pick a booth; organisers allocate, move, swap and confirm.

Routes parse, check permission, call app.booths.booking.services and render; the request
boundary (app.transaction) commits, or rolls back when a service refused."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.booths.blueprint import bp
from app.booths.booking import services as booking
from app.booths.booking.forms import int_or_none, request_values, submitted_request_values
from app.booths.booking.plan_view import request_plan_svgs
from app.booths.models import Booth, BoothAssignment, BoothType
from app.data.provinces import CURRENT_PROVINCES
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration
from app.events.services import can_manage
from app.events.services import managed_event as _managed_event
from app.extensions import db
from app.forms import PageMessage
from app.names import name_in
from app.tasks import services as tasks
from app.transaction import service_errors

MANAGE = "/manage/events/<int:event_id>"


@bp.app_context_processor
def _booking_helpers():
    return {
        "assignment_status_labels": booking.ASSIGNMENT_STATUS_LABELS,
        "payment_labels": booking.PAYMENT_LABELS,
        "request_status_labels": booking.REQUEST_STATUS_LABELS,
        "booth_type_name": booking.type_name,
        "booth_reason_text": booking.reason_text,
    }


# ---------------------------------------------------------------- helpers


def _own_registration(registration_id: int) -> Registration:
    registration = db.get_or_404(Registration, registration_id)
    if (
        registration.role != "exhibitor"
        or current_user.organisation_id is None
        or registration.organisation_id != current_user.organisation_id
    ):
        abort(403)
    return registration


def _assignment_of_event(event: Event, assignment_id: int) -> BoothAssignment:
    assignment = db.get_or_404(BoothAssignment, assignment_id)
    if assignment.event_id != event.id:
        abort(404)
    return assignment


def _booth_label(booth: Booth) -> str:
    return f"{booth.code} · {name_in(booth.hall)} · {booking.type_name(booth.booth_type)}"


# ---------------------------------------------------------------- exhibitor pages


@bp.route("/my/booths")
@roles_required("exhibitor")
def my_booth():
    """The exhibitor's booths: per approved registration, its request, its booth, status and payment."""
    return render_template("booths/booking/my_booth.html", items=booking.my_requests(current_user))


@bp.route("/my/booths/<int:registration_id>/request", methods=["GET", "POST"])
@roles_required("exhibitor")
def request_booth(registration_id: int):
    """Ask for a booth type with up to three ranked preferences and near/away wishes (an edit replaces)."""
    registration = _own_registration(registration_id)
    event = registration.event
    existing = booking.open_request_of(registration)
    page = PageMessage("booth_type", "preferences", "near", "away")
    values = request_values(existing)
    if request.method == "POST":
        values = submitted_request_values(request.form)
        type_id = values["booth_type"]
        booth_type = db.session.get(BoothType, type_id) if type_id else None
        try:
            with service_errors(page):
                booking.request_booth(
                    current_user,
                    registration,
                    booth_type,
                    preferences=values["preferences"],
                    near=values["near"],
                    away=values["away"],
                    note=values["note"],
                )
                flash(
                    _("Your booth request was saved. You will get an e-mail when booths are allocated."),
                    "success",
                )
                return redirect(url_for("booths.my_booth"))
        except PermissionDenied:
            abort(403)
    elif registration.status != "approved":
        flash(_("Only an approved exhibitor can book a booth."), "warning")
        return redirect(url_for("booths.my_booth"))
    booths = booking.bookable_booths(event)
    types = booking.requestable_types(event)
    return render_template(
        "booths/booking/request_form.html",
        registration=registration,
        event=event,
        types=types,
        any_types=bool(types) or bool(booking.physical_types(event)),
        plans=request_plan_svgs(event),
        booth_options=[(f"booth:{b.id}", _booth_label(b), b.booth_type_id) for b in booths],
        zone_options=[(f"zone:{t}", t) for t in booking.zone_tags(event)],
        exhibitors=booking.approved_exhibitors(event, registration.organisation_id),
        values=values,
        error=page.shown,
        error_field=page.invalid_field,
        existing=existing,
    )


@bp.route("/my/booths/<int:registration_id>/pick", methods=["GET", "POST"])
@roles_required("exhibitor")
def pick(registration_id: int):
    """First-come booking: pick a free booth yourself, when the organiser allows it."""
    registration = _own_registration(registration_id)
    event = registration.event
    if request.method == "POST":
        booth = db.session.get(Booth, int_or_none(request.form.get("booth")) or 0)
        try:
            with service_errors():
                if booth is None:
                    raise ServiceError(_("Choose a booth from the list."))
                booking.pick_booth(current_user, registration, booth)
                flash(_("Booth %(code)s is yours.", code=booth.code), "success")
                return redirect(url_for("booths.my_booth"))
        except PermissionDenied:
            abort(403)
    open_now = booking.first_come_open(event)
    try:
        choices = booking.pickable_booths(current_user, registration) if open_now else []
    except ServiceError as problem:
        flash(str(problem.message), "warning")
        choices = []
    except PermissionDenied:
        abort(403)
    return render_template(
        "booths/booking/pick.html",
        registration=registration,
        event=event,
        open_now=open_now,
        booths=choices,
        assignment=booking.active_assignment_of(registration),
    )


@bp.route("/booth-assignments/<int:assignment_id>/cancel", methods=["POST"])
@roles_required("exhibitor", "organiser")
def cancel_assignment(assignment_id: int):
    """The organiser cancels a booking; an exhibitor its own, while not confirmed."""
    assignment = db.get_or_404(BoothAssignment, assignment_id)
    event = db.session.get(Event, assignment.event_id)
    try:
        with service_errors():
            booking.cancel_assignment(current_user, assignment)
            flash(_("The booking was cancelled; the booth is free again."), "success")
    except PermissionDenied:
        abort(403)
    if can_manage(current_user, event):
        return redirect(url_for("booths.requests", event_id=event.id))
    return redirect(url_for("booths.my_booth"))


# ---------------------------------------------------------------- organiser pages


def _allocation_job(event: Event):
    """The event's running allocation, or its last one (to show how it ended)."""
    task = booking.latest_allocation(event)
    return (task, tasks.view(task)) if task is not None else (None, None)


@bp.route(MANAGE + "/booth-requests")
@roles_required("organiser")
def requests(event_id: int):
    """Every booth request of the event with its status, and every booking with its payment.

    `payment` (paid, due, waived) and `province` (a current province's code) narrow the
    bookings (the event dashboard's booth figures link here); an unknown value: its message,
    status 400, and the bookings unfiltered."""
    event = _managed_event(current_user, event_id)
    rows = booking.requests_for(current_user, event)
    payment = request.args.get("payment") or None
    province = request.args.get("province") or None
    refused = None
    if payment is not None and payment not in booking.PAYMENT_LABELS:
        refused, payment = _("Unknown payment “%(value)s”: choose paid, due or waived.", value=payment), None
    if province is not None and province not in CURRENT_PROVINCES:
        refused = _("Unknown province “%(value)s”: give one of the 34 current provinces.", value=province)
        province = None
    return render_template(
        "booths/booking/requests.html",
        event=event,
        rows=rows,
        assignments=booking.assignments_for(current_user, event, payment=payment, province=province),
        payment=payment,
        province=province,
        refused_filter=refused,
        pending=sum(1 for r in rows if r.request.status in booking.OPEN_REQUEST),
        free=len(booking.bookable_booths(event)),
        job=_allocation_job(event),
    ), (400 if refused else 200)


@bp.route(MANAGE + "/booth-allocation", methods=["GET", "POST"])
@roles_required("organiser")
def allocate(event_id: int):
    """Allocate every open request in one go (after a confirmation), in the background.

    The button comes back at once to the requests page, which shows the job's progress and
    then its outcome, with a link to the allocation result.
    """
    event = _managed_event(current_user, event_id)
    if request.method == "POST":
        with service_errors():
            booking.start_allocation(current_user, event)
        return redirect(url_for("booths.requests", event_id=event.id, _anchor="job"))
    rows = booking.requests_for(current_user, event, ("pending", "unplaced"))
    return render_template(
        "booths/booking/allocate_confirm.html",
        event=event,
        open_requests=len(rows),
        free=len(booking.bookable_booths(event)),
        job=_allocation_job(event),
    )


@bp.route(MANAGE + "/booth-allocation/result")
@roles_required("organiser")
def allocation_result(event_id: int):
    """Per exhibitor which preference it got, per unmet request why, and the summary figures."""
    event = _managed_event(current_user, event_id)
    overview = booking.allocation_overview(current_user, event)
    return render_template("booths/booking/result.html", event=event, overview=overview)


@bp.route(MANAGE + "/booth-assignments/<int:assignment_id>/move", methods=["GET", "POST"])
@roles_required("organiser")
def move(event_id: int, assignment_id: int):
    """Move a booking to a free booth, or swap it with another; hard rules are checked."""
    event = _managed_event(current_user, event_id)
    assignment = _assignment_of_event(event, assignment_id)
    page = PageMessage("booth", "other")
    if request.method == "POST":
        try:
            with service_errors(page):
                if request.form.get("action") == "swap":
                    other = db.session.get(BoothAssignment, int_or_none(request.form.get("other")) or 0)
                    if other is None or other.event_id != event.id:
                        raise ServiceError(_("Choose another exhibitor's booking to swap with."), "other")
                    booking.swap(current_user, assignment, other)
                    message = _("The two booths were swapped.")
                else:
                    booth = db.session.get(Booth, int_or_none(request.form.get("booth")) or 0)
                    if booth is None:
                        raise ServiceError(_("Choose a booth from the list."), "booth")
                    booking.move_assignment(current_user, assignment, booth)
                    message = _("Moved to booth %(code)s.", code=booth.code)
                flash(message, "success")
                return redirect(url_for("booths.requests", event_id=event.id))
        except PermissionDenied:
            abort(403)
    others = [a for a in booking.assignments_for(current_user, event) if a.id != assignment.id]
    return render_template(
        "booths/booking/move.html",
        event=event,
        assignment=assignment,
        booths=[(b.id, _booth_label(b)) for b in booking.bookable_booths(event)],
        others=others,
        error=page.shown,
        error_field=page.invalid_field,
    )


@bp.route(MANAGE + "/booth-assignments/<int:assignment_id>/payment", methods=["POST"])
@roles_required("organiser")
def payment(event_id: int, assignment_id: int):
    """Confirm a booking as paid, or waive its payment; either way it becomes confirmed."""
    event = _managed_event(current_user, event_id)
    assignment = _assignment_of_event(event, assignment_id)
    try:
        with service_errors():
            if request.form.get("action") == "waive":
                booking.waive_payment(current_user, assignment)
                flash(_("Payment waived; the booking is confirmed."), "success")
            else:
                booking.confirm_payment(current_user, assignment)
                flash(_("Payment received; the booking is confirmed."), "success")
    except PermissionDenied:
        abort(403)
    return redirect(url_for("booths.requests", event_id=event.id))
