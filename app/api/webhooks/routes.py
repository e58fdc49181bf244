"""The webhooks' pages, for the event's organisers and admins (managed_event, as the event log).

- /manage/events/<id>/webhooks: the subscriptions (counts of deliveries by status), the form
  adding one (its secret shown once, on the page that follows), pause, resume, delete; how to
  verify the signature.
- /manage/events/<id>/webhooks/<sid>/deliveries: the deliveries, newest first, 25 a page,
  filtered by status, each with its attempts; one is sent again by POST (after a confirmation).

Thin: parse, authorise, call app.api.webhooks.services; the request boundary commits.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.api.webhooks import services
from app.api.webhooks.forms import SubscriptionForm
from app.api.webhooks.models import DELIVERY_STATUSES, WebhookDelivery
from app.events.services import managed_event
from app.extensions import db
from app.inputs import page_arg
from app.transaction import service_errors

bp = Blueprint("webhooks", __name__)


def _subscription_or_404(event, subscription_id: int):
    subscription = services.subscription_of(event, subscription_id)
    if subscription is None:
        abort(404)
    return subscription


@bp.route("/manage/events/<int:event_id>/webhooks", methods=["GET", "POST"])
@roles_required("organiser")
def subscriptions(event_id: int):
    """The event's organisers and admins: its webhooks, and the form adding one."""
    event = managed_event(current_user, event_id)
    form = SubscriptionForm()
    if request.method == "POST" and form.validate_on_submit():
        with service_errors(form):
            subscription, secret = services.create_subscription(
                current_user, event, form.url.data, form.event_types.data or []
            )
            return render_template(
                "api/webhooks/created.html", event=event, subscription=subscription, secret=secret
            )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "api/webhooks/subscriptions.html",
        event=event,
        form=form,
        rows=services.subscriptions_of(event),
        labels=services.TYPE_LABELS,
        header=services.SIGNATURE_HEADER,
        backoff=services.BACKOFF,
        pause_after=services.PAUSE_AFTER_FAILED,
    ), status


def _back(event_id: int):
    return redirect(url_for("webhooks.subscriptions", event_id=event_id))


@bp.route("/manage/events/<int:event_id>/webhooks/<int:subscription_id>/pause", methods=["POST"])
@roles_required("organiser")
def pause(event_id: int, subscription_id: int):
    event = managed_event(current_user, event_id)
    subscription = _subscription_or_404(event, subscription_id)
    with service_errors():
        services.set_active(current_user, subscription, False)
        flash(_("The webhook was paused."), "success")
    return _back(event.id)


@bp.route("/manage/events/<int:event_id>/webhooks/<int:subscription_id>/resume", methods=["POST"])
@roles_required("organiser")
def resume(event_id: int, subscription_id: int):
    event = managed_event(current_user, event_id)
    subscription = _subscription_or_404(event, subscription_id)
    with service_errors():
        services.set_active(current_user, subscription, True)
        flash(_("The webhook was resumed."), "success")
    return _back(event.id)


@bp.route("/manage/events/<int:event_id>/webhooks/<int:subscription_id>/delete", methods=["POST"])
@roles_required("organiser")
def delete(event_id: int, subscription_id: int):
    event = managed_event(current_user, event_id)
    subscription = _subscription_or_404(event, subscription_id)
    with service_errors():
        services.delete_subscription(current_user, subscription)
        flash(_("The webhook and its deliveries were deleted."), "success")
    return _back(event.id)


@bp.route("/manage/events/<int:event_id>/webhooks/<int:subscription_id>/deliveries")
@roles_required("organiser")
def deliveries(event_id: int, subscription_id: int):
    """The event's organisers and admins: a webhook's deliveries and their attempts."""
    event = managed_event(current_user, event_id)
    subscription = _subscription_or_404(event, subscription_id)
    status = request.args.get("status") or None
    if status not in DELIVERY_STATUSES:
        status = None
    page = services.deliveries_page(subscription, status, page_arg())
    return render_template(
        "api/webhooks/deliveries.html",
        event=event,
        subscription=subscription,
        page=page,
        status=status,
        statuses=services.STATUS_LABELS,
    )


@bp.route(
    "/manage/events/<int:event_id>/webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/redeliver",
    methods=["POST"],
)
@roles_required("organiser")
def redeliver(event_id: int, subscription_id: int, delivery_id: int):
    event = managed_event(current_user, event_id)
    subscription = _subscription_or_404(event, subscription_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        abort(404)
    with service_errors():
        services.redeliver(current_user, delivery)
        flash(_("The delivery will be sent again in a moment."), "success")
    return redirect(url_for("webhooks.deliveries", event_id=event.id, subscription_id=subscription.id))
