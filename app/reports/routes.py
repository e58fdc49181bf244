"""The summary mail's two switches: an organiser turns it on or off on the event's page, and the
signed link at the end of each mail turns it off without a login."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.events.models import Event
from app.extensions import db
from app.reports import services as summary

bp = Blueprint("reports", __name__)


@bp.route("/manage/events/<int:event_id>/summary-mail", methods=["POST"])
@roles_required("organiser")
def summary_mail(event_id: int):
    """The event's own organisers (not other organisers or admins): turn its summary mail on or off."""
    event = db.get_or_404(Event, event_id)
    on = request.form.get("on") == "1"
    if not summary.set_summary_mail(event.id, current_user.id, on):
        abort(403)
    if on:
        flash(_("You will receive this event's summary mail."), "success")
    else:
        flash(_("You will no longer receive this event's summary mail."), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/summary-mail/off/<token>", methods=["GET", "POST"])
def summary_unsubscribe(token: str):
    """Anyone holding the signed link of a summary mail (no login): turn that mail off."""
    ids = summary.read_unsubscribe_token(token)
    if ids is None:
        abort(404)
    event = db.get_or_404(Event, ids[0])
    if request.method == "POST":
        if not summary.set_summary_mail(event.id, ids[1], False):
            abort(404)
        return render_template("reports/summary_unsubscribed.html", event=event, done=True)
    return render_template("reports/summary_unsubscribed.html", event=event, done=False)
