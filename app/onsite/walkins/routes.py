"""The walk-in desk: an organiser registers a buyer or producer who turned up, approved at once.

Thin: parse, authorise, call app.onsite.walkins.services, redirect to the page with the
badge link.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.events.models import Registration
from app.events.services import managed_event
from app.extensions import db
from app.inputs import int_arg
from app.onsite.walkins import services as walkins
from app.onsite.walkins.forms import WalkInForm
from app.transaction import service_errors

bp = Blueprint("walkins", __name__)


@bp.route("/manage/events/<int:event_id>/walk-ins", methods=["GET", "POST"], endpoint="new")
@roles_required("organiser")
def new_walk_in(event_id: int):
    """The event's organisers (and admins): register a walk-in buyer or producer, approved at once."""
    event = managed_event(current_user, event_id)
    form = WalkInForm()
    if form.validate_on_submit():
        with service_errors(form):
            registration = walkins.register_walk_in(
                current_user,
                event,
                role=form.role.data,
                name=form.name.data,
                province_code=form.province_code.data,
                contact_name=form.contact_name.data,
                email=form.email.data,
                phone=form.phone.data,
                producer_kind=form.producer_kind.data,
                buyer_type=form.buyer_type.data,
                looking_for=form.looking_for.data,
            )
            return redirect(url_for("walkins.new", event_id=event.id, registered=registration.id))
    registered = None
    registered_id = int_arg("registered")
    if registered_id is not None:
        registered = db.session.get(Registration, registered_id)
        if registered is not None and (registered.event_id != event.id or registered.status != "approved"):
            registered = None
    return render_template("onsite/badges_walkin.html", event=event, form=form, registered=registered), (
        422 if form.errors or form.form_errors else 200
    )
