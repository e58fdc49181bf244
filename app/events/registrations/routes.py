"""Registration pages: producers apply, buyers register, organisers decide."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import i18n
from app.accounts.permissions import roles_required
from app.data.provinces import CURRENT_PROVINCES
from app.data.vocab import BUYER_TYPES, OCOP_GROUPS
from app.errors import PermissionDenied
from app.events import services
from app.events.blueprint import MANAGE, bp
from app.events.models import Event, Registration
from app.events.registrations import services as registrations
from app.events.registrations.forms import REGISTRATION_STATUS_LABELS, ApplyForm
from app.events.services import managed_event
from app.extensions import db
from app.inputs import page_arg, parse_id
from app.transaction import service_errors

STATUS_FILTERS = ("pending", "waitlisted", "approved", "rejected", "withdrawn")
REGISTRATIONS_PER_PAGE = 25


@bp.app_context_processor
def _labels():
    return {"registration_status_labels": REGISTRATION_STATUS_LABELS}


def _event_for_slug(slug: str) -> Event:
    event = services.event_by_slug(slug)
    if event is None or event.state == "draft":
        abort(404)
    return event


@bp.route("/events/<slug>/apply", methods=["GET", "POST"])
@roles_required("exhibitor", "buyer")
def apply(slug: str):
    """Exhibitors apply with products whose certificate is valid; buyers register with demand lines."""
    event = _event_for_slug(slug)
    role = "exhibitor" if current_user.role == "exhibitor" else "buyer"
    organisation = current_user.organisation
    if organisation is None:
        abort(403)
    is_open = services.registration_is_open(event, role)
    form = ApplyForm()
    chosen: list[int] = []
    message = ""
    if request.method == "POST":
        chosen = [n for n in map(parse_id, request.form.getlist("items")) if n is not None]
        message = request.form.get("message", "")
        with service_errors(form):
            try:
                if role == "exhibitor":
                    registrations.apply_as_exhibitor(current_user, event, chosen, message)
                else:
                    registrations.register_as_buyer(current_user, event, chosen, message)
            except PermissionDenied:
                abort(403)
            flash(
                _("Your registration was received. You will get an e-mail when the organiser decides."),
                "success",
            )
            return redirect(url_for("events.my_registrations"))
    if role == "exhibitor":
        options = [
            (product.id, product, problem)
            for product, problem in registrations.product_choices(organisation, event)
        ]
    else:
        options = [(line.id, line, None) for line in organisation.demand_lines]
    return render_template(
        "events/apply.html",
        event=event,
        role=role,
        is_open=is_open,
        options=options,
        chosen=chosen,
        message=message,
        error=form.form_errors[-1] if form.form_errors else next(iter(form.items_errors), None),
        items_invalid=bool(form.items_errors) and not form.form_errors,
    )


@bp.route("/my/registrations")
@roles_required("exhibitor", "buyer")
def my_registrations():
    """Exhibitors and buyers: their own organisation's registrations, with status and reasons."""
    return render_template("events/my_registrations.html", items=registrations.my_registrations(current_user))


@bp.route("/my/registrations/<int:registration_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(registration_id: int):
    """The registrant: withdraw after confirming (a freed place goes to the waiting list)."""
    registration = db.get_or_404(Registration, registration_id)
    if not registrations.can_act_for(current_user, registration):
        abort(403)
    if request.method == "POST":
        with service_errors():
            registrations.withdraw(current_user, registration)
            flash(_("Your registration was withdrawn."), "success")
        return redirect(url_for("events.my_registrations"))
    return render_template("events/confirm_withdraw.html", registration=registration)


@bp.route(MANAGE + "/<int:event_id>/registrations", endpoint="registrations")
@roles_required("organiser")
def registrations_page(event_id: int):
    """The event's organisers: every registration, by role and status, to approve or reject.

    Query parameters: `role` (exhibitor, the default, or buyer), `status` (pending, waitlisted,
    approved, rejected, withdrawn; all when absent), `sort` (date, the default, name, status or
    role; "-" before it for descending, e.g. ?sort=-date), `province` (a current province's code:
    organisations of that province; the dashboard links here), `buyer_type`, `group` and
    `stars` (registrations that brought a product of that OCOP group with those stars: the
    dashboard's exhibitors by group and stars) and `page` (REGISTRATIONS_PER_PAGE a page).
    An unknown buyer type, group or stars: its message, status 400.
    """
    event = managed_event(current_user, event_id)
    role = request.args.get("role") if request.args.get("role") in ("exhibitor", "buyer") else "exhibitor"
    status = request.args.get("status") if request.args.get("status") in STATUS_FILTERS else None
    sort = _sort_arg()
    province = request.args.get("province") or None
    unknown_province = province is not None and province not in CURRENT_PROVINCES
    if unknown_province:
        province = None
    extra, shown, refused = _product_filters()
    page = registrations.registrations_page(
        current_user,
        event,
        role=role,
        status=status,
        sort=sort,
        page=page_arg(),
        per_page=REGISTRATIONS_PER_PAGE,
        province=province,
        buyer_type=extra.get("buyer_type"),
        group=extra.get("group"),
        stars=int(extra["stars"]) if "stars" in extra else None,
    )
    by_status = registrations.counts(event)[role]
    counts = {s: by_status.get(s, 0) for s in STATUS_FILTERS}
    return render_template(
        "events/registrations.html",
        event=event,
        role=role,
        status=status,
        sort=sort,
        province=province,
        unknown_province=unknown_province,
        page=page,
        items=page.items,
        counts=counts,
        approved=services.approved_count(event, role),
        capacity=getattr(event, f"{role}_capacity"),
        extra_filters=extra,
        shown_filters=shown,
        refused_filter=refused,
    ), (400 if refused else 200)


def _product_filters() -> tuple[dict[str, str], list[tuple[str, str]], str | None]:
    """The list's `buyer_type`, `group` and `stars` arguments: the valid ones (as given), how the
    page names them, and the message for a refused one (the list then ignores it)."""
    extra, shown, refused = {}, [], None
    buyer_type = request.args.get("buyer_type") or None
    if buyer_type is not None:
        if buyer_type in BUYER_TYPES:
            extra["buyer_type"] = buyer_type
            shown.append((_("Buyer type"), str(BUYER_TYPES[buyer_type])))
        else:
            refused = _("Unknown buyer type “%(value)s”.", value=buyer_type)
    group = request.args.get("group") or None
    if group is not None:
        if group in OCOP_GROUPS:
            extra["group"] = group
            shown.append((_("OCOP group"), str(OCOP_GROUPS[group])))
        else:
            refused = _("Unknown OCOP group “%(value)s”.", value=group)
    stars = request.args.get("stars") or None
    if stars is not None:
        if stars in ("1", "2", "3", "4", "5"):
            extra["stars"] = stars
            shown.append((_("Stars"), _("%(n)d stars", n=int(stars))))
        else:
            refused = _("Stars are a whole number from 1 to 5.")
    return extra, shown, refused


def _sort_arg() -> str:
    wanted = request.values.get("sort") or "date"
    return (
        wanted
        if wanted.lstrip("-") in registrations.REGISTRATION_SORTS and wanted.count("-") <= 1
        else "date"
    )


@bp.route(MANAGE + "/<int:event_id>/registrations/decide", methods=["POST"])
@roles_required("organiser")
def decide(event_id: int):
    """The event's organisers: approve or reject the ticked registrations (a reason is needed to reject)."""
    event = managed_event(current_user, event_id)
    ids = [n for n in map(parse_id, request.form.getlist("ids")) if n is not None]
    action = request.form.get("action")
    reason = (request.form.get("reason") or "").strip()
    status = request.form.get("status")
    back = url_for(
        "events.registrations",
        event_id=event.id,
        role=request.form.get("role") or "exhibitor",
        status=status if status in STATUS_FILTERS else None,
        sort=_sort_arg(),
        page=parse_id(request.form.get("page")),
        province=request.form.get("province") if request.form.get("province") in CURRENT_PROVINCES else None,
        buyer_type=request.form.get("buyer_type") if request.form.get("buyer_type") in BUYER_TYPES else None,
        group=request.form.get("group") if request.form.get("group") in OCOP_GROUPS else None,
        stars=request.form.get("stars") if request.form.get("stars") in ("1", "2", "3", "4", "5") else None,
    )
    chosen = [
        r for r in (db.session.get(Registration, i) for i in ids) if r is not None and r.event_id == event.id
    ]
    if not chosen:
        flash(_("Tick at least one registration."), "warning")
        return redirect(back)
    if action == "reject" and not reason:
        flash(_("Give a reason to reject; the registrant will read it."), "danger")
        return redirect(back)
    if action == "approve":
        result = registrations.approve_many(current_user, chosen)
    elif action == "reject":
        result = registrations.reject_many(current_user, chosen, reason)
    else:
        abort(400)
    if result.succeeded:
        flash(_("%(n)d registration(s) updated.", n=len(result.succeeded)), "success")
    for registration, why in result.failed:
        flash(f"{registration.organisation.name}{i18n.colon()}{why}", "warning")
    return redirect(back)
