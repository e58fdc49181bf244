"""Floor-plan pages: the organiser's plan, booth types, booths, the block generator, zones;
and the public plan. Routes parse, check permission, call app.booths.plan.services, render;
the request boundary (app.transaction) commits."""

from __future__ import annotations

import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.booths.blueprint import bp
from app.booths.models import BOOTH_STATUSES, ZoneRule
from app.booths.plan import services as service
from app.booths.plan.forms import (
    BoothForm,
    BoothTypeForm,
    GenerateForm,
    MoveForm,
    PlanSettingsForm,
    ResizeForm,
    ZoneRuleForm,
    who_choices,
)
from app.booths.plan.svg import ebooth_link_builder, render_hall_svg
from app.errors import ServiceError
from app.events import services as events
from app.events.models import Event
from app.events.services import managed_event as _managed_event
from app.extensions import db
from app.inputs import int_arg, page_arg
from app.names import name_in
from app.transaction import service_errors

MANAGE = "/manage/events/<int:event_id>"
PER_PAGE = 50

STATUS_LABELS = service.STATUS_LABELS
PUBLIC_STATUS_LABELS = service.PUBLIC_STATUS_LABELS


@bp.app_context_processor
def _plan_helpers():
    return {
        "booth_status_labels": STATUS_LABELS,
        "tag_label": service.tag_label,
        "metres": service.fmt_metres,
    }


# ---------------------------------------------------------------- helpers


def _booth_or_404(event: Event, booth_id: int):
    booth = service.get_booth(event, booth_id)
    if booth is None:
        abort(404)
    return booth


def _plan_url(event: Event, hall_id: int | None = None) -> str:
    return (
        url_for("booths.plan", event_id=event.id, hall=hall_id)
        if hall_id
        else url_for("booths.plan", event_id=event.id)
    )


def _hall_choices(event: Event) -> list[tuple[int, str]]:
    return [
        (h.id, f"{name_in(h)} ({service.fmt_metres(h.width_m)} × {service.fmt_metres(h.depth_m)} m)")
        for h in service.halls_of(event)
    ]


def _type_choices(event: Event) -> list[tuple[int, str]]:
    return [
        (t.id, f"{name_in(t)} · {service.fmt_metres(t.width_m)} × {service.fmt_metres(t.depth_m)} m")
        for t in service.booth_types(event, physical_only=True)
    ]


class ListPage:
    """A page of an already computed list, with what macros.pagination reads."""

    def __init__(self, items: list, page: int, per_page: int):
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, math.ceil(self.total / per_page))
        self.page = min(max(1, page), self.pages)
        self.items = items[(self.page - 1) * per_page : self.page * per_page]
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1

    def iter_pages(self, left_edge=1, right_edge=1, left_current=2, right_current=2):
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current <= number <= self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


# ---------------------------------------------------------------- organiser: the plan


@bp.route(MANAGE + "/booths")
@roles_required("organiser")
def plan(event_id: int):
    """The event's organisers: each hall's plan and its booths with status and holder."""
    event = _managed_event(current_user, event_id)
    halls = service.halls_of(event)
    hall = service.hall_of_event(event, int_arg("hall")) or (halls[0] if halls else None)
    status = request.args.get("status")
    if status not in BOOTH_STATUSES:
        status = None
    states = service.booth_states(event, hall) if hall else {}
    booths = service.booths_of(event, hall) if hall else []
    counts = service.status_counts(states)
    rows = [b for b in booths if status is None or states[b.id].status == status]
    page = ListPage(rows, page_arg(), PER_PAGE)
    return render_template(
        "booths/plan/overview.html",
        event=event,
        halls=halls,
        hall=hall,
        status=status,
        states=states,
        counts=counts,
        page=page,
        plan_svg=render_hall_svg(event, hall, public=False, states=states) if hall else None,
        types=service.booth_types(event),
        paper=request.args.get("paper", "a4"),
    )


# ---------------------------------------------------------------- booth types


@bp.route(MANAGE + "/booth-types", methods=["GET", "POST"])
@bp.route(MANAGE + "/booth-types/<int:type_id>", methods=["GET", "POST"], endpoint="type_form")
@roles_required("organiser")
def types(event_id: int, type_id: int | None = None):
    """The event's organisers: booth types (size, price, electronic or not); add or edit one."""
    event = _managed_event(current_user, event_id)
    item = None
    if type_id is not None:
        item = service.booth_type_of_event(event, type_id)
        if item is None:
            abort(404)
    form = BoothTypeForm(obj=item)
    if form.validate_on_submit():
        with service_errors(form):
            service.save_booth_type(
                current_user,
                event,
                name=form.name.data,
                name_en=form.name_en.data,
                name_fr=form.name_fr.data,
                width_m=form.width_m.data,
                depth_m=form.depth_m.data,
                price_vnd=form.price_vnd.data,
                is_electronic=form.is_electronic.data,
                description=form.description.data,
                booth_type=item,
            )
            flash(_("Saved."), "success")
            return redirect(url_for("booths.types", event_id=event.id))
    all_types = service.booth_types(event)
    return render_template(
        "booths/plan/types.html",
        event=event,
        form=form,
        item=item,
        types=all_types,
        usage={t.id: service.booth_type_usage(t) for t in all_types},
    )


@bp.route(MANAGE + "/booth-types/<int:type_id>/delete", methods=["GET", "POST"])
@roles_required("organiser")
def delete_type(event_id: int, type_id: int):
    """The event's organisers: delete a booth type nobody uses, after confirming."""
    event = _managed_event(current_user, event_id)
    item = service.booth_type_of_event(event, type_id)
    if item is None:
        abort(404)
    back = url_for("booths.types", event_id=event.id)
    if request.method == "POST":
        with service_errors():
            service.delete_booth_type(current_user, item)
            flash(_("The booth type was deleted."), "success")
        return redirect(back)
    booths, requests_ = service.booth_type_usage(item)
    return render_template(
        "booths/plan/confirm.html",
        event=event,
        title=_("Delete the booth type “%(name)s”?", name=item.name),
        warning=_(
            "“%(name)s” is used by %(booths)s booth(s) and %(requests)s booth request(s); "
            "it can't be deleted.",
            name=item.name,
            booths=booths,
            requests=requests_,
        )
        if booths or requests_
        else None,
        button=_("Delete"),
        danger=True,
        cancel_url=back,
    )


# ---------------------------------------------------------------- booths


@bp.route(MANAGE + "/booths/new", methods=["GET", "POST"])
@bp.route(MANAGE + "/booths/<int:booth_id>", methods=["GET", "POST"])
@roles_required("organiser")
def booth_form(event_id: int, booth_id: int | None = None):
    """The event's organisers: add a booth, or change one's code, type, place, size and zones."""
    event = _managed_event(current_user, event_id)
    booth = _booth_or_404(event, booth_id) if booth_id is not None else None
    form = BoothForm(obj=booth)
    form.hall_id.choices = _hall_choices(event)
    form.booth_type_id.choices = _type_choices(event)
    if request.method == "GET" and booth is None:
        form.hall_id.data = int_arg("hall")
    if form.validate_on_submit():
        hall = service.hall_of_event(event, form.hall_id.data)
        with service_errors(form):
            if hall is None:
                raise ServiceError(_l("Choose a hall of this event."), "hall_id")
            booth = service.save_booth(
                current_user,
                hall,
                code=form.code.data,
                booth_type=service.booth_type_of_event(event, form.booth_type_id.data),
                x_m=form.x_m.data,
                y_m=form.y_m.data,
                width_m=form.width_m.data,
                depth_m=form.depth_m.data,
                zone_tags=form.zone_tags.data,
                booth=booth,
            )
            flash(_("Booth %(code)s saved.", code=booth.code), "success")
            return redirect(_plan_url(event, booth.hall_id))
    return render_template(
        "booths/plan/booth_form.html",
        event=event,
        form=form,
        booth=booth,
        state=service.booth_states(event, booth.hall).get(booth.id) if booth else None,
    )


@bp.route(MANAGE + "/booths/<int:booth_id>/move", methods=["GET", "POST"])
@roles_required("organiser")
def move_booth(event_id: int, booth_id: int):
    """The event's organisers: move a booth (to another place or hall), keeping its size."""
    event = _managed_event(current_user, event_id)
    booth = _booth_or_404(event, booth_id)
    form = MoveForm(obj=booth)
    form.hall_id.choices = _hall_choices(event)
    if form.validate_on_submit():
        hall = service.hall_of_event(event, form.hall_id.data)
        with service_errors(form):
            if hall is None:
                raise ServiceError(_l("Choose a hall of this event."), "hall_id")
            service.move_booth(current_user, booth, x_m=form.x_m.data, y_m=form.y_m.data, hall=hall)
            flash(_("Booth %(code)s moved.", code=booth.code), "success")
            return redirect(_plan_url(event, booth.hall_id))
    return render_template(
        "booths/plan/small_form.html",
        event=event,
        booth=booth,
        form=form,
        heading=_("Move booth %(code)s", code=booth.code),
    )


@bp.route(MANAGE + "/booths/<int:booth_id>/resize", methods=["GET", "POST"])
@roles_required("organiser")
def resize_booth(event_id: int, booth_id: int):
    """The event's organisers: resize a booth from its top-left corner."""
    event = _managed_event(current_user, event_id)
    booth = _booth_or_404(event, booth_id)
    form = ResizeForm(obj=booth)
    if form.validate_on_submit():
        with service_errors(form):
            service.resize_booth(current_user, booth, width_m=form.width_m.data, depth_m=form.depth_m.data)
            flash(_("Booth %(code)s resized.", code=booth.code), "success")
            return redirect(_plan_url(event, booth.hall_id))
    return render_template(
        "booths/plan/small_form.html",
        event=event,
        booth=booth,
        form=form,
        heading=_("Resize booth %(code)s", code=booth.code),
    )


@bp.route(MANAGE + "/booths/<int:booth_id>/block", methods=["GET", "POST"])
@roles_required("organiser")
def block_booth(event_id: int, booth_id: int):
    """The event's organisers: take a booth out of booking, after confirming."""
    event = _managed_event(current_user, event_id)
    booth = _booth_or_404(event, booth_id)
    back = _plan_url(event, booth.hall_id)
    if request.method == "POST":
        with service_errors():
            service.block_booth(current_user, booth)
            flash(_("Booth %(code)s is blocked.", code=booth.code), "success")
        return redirect(back)
    holder = service.holder_name(service.active_assignment(booth))
    return render_template(
        "booths/plan/confirm.html",
        event=event,
        title=_("Block booth %(code)s?", code=booth.code),
        text=_("Nobody can book it or be allocated to it until you unblock it."),
        warning=_("It is held by %(holder)s; move or cancel that booking first.", holder=holder)
        if holder
        else None,
        button=_("Block"),
        danger=False,
        cancel_url=back,
    )


@bp.route(MANAGE + "/booths/<int:booth_id>/unblock", methods=["POST"])
@roles_required("organiser")
def unblock_booth(event_id: int, booth_id: int):
    """The event's organisers: make a blocked booth available again."""
    event = _managed_event(current_user, event_id)
    booth = _booth_or_404(event, booth_id)
    service.unblock_booth(current_user, booth)
    flash(_("Booth %(code)s is available again.", code=booth.code), "success")
    return redirect(_plan_url(event, booth.hall_id))


@bp.route(MANAGE + "/booths/<int:booth_id>/delete", methods=["GET", "POST"])
@roles_required("organiser")
def delete_booth(event_id: int, booth_id: int):
    """The event's organisers: delete a booth nobody holds, after confirming."""
    event = _managed_event(current_user, event_id)
    booth = _booth_or_404(event, booth_id)
    back = _plan_url(event, booth.hall_id)
    if request.method == "POST":
        code = booth.code
        with service_errors():
            service.delete_booth(current_user, booth)
            flash(_("Booth %(code)s was deleted.", code=code), "success")
        return redirect(back)
    holder = service.holder_name(service.active_assignment(booth))
    preferences = service.pending_preference_count(booth)
    return render_template(
        "booths/plan/confirm.html",
        event=event,
        title=_("Delete booth %(code)s?", code=booth.code),
        text=_("This cannot be undone.")
        + (
            " "
            + _(
                "%(count)s pending request(s) name it as a preference; that preference will be dropped.",
                count=preferences,
            )
            if preferences
            else ""
        ),
        warning=_("It is held by %(holder)s; move or cancel that booking first.", holder=holder)
        if holder
        else None,
        button=_("Delete"),
        danger=True,
        cancel_url=back,
    )


# ---------------------------------------------------------------- block generator


@bp.route(MANAGE + "/booths/generate", methods=["GET", "POST"])
@roles_required("organiser")
def generate(event_id: int):
    """The event's organisers: lay out rows × columns booths at once; nothing is made if one doesn't fit."""
    event = _managed_event(current_user, event_id)
    form = GenerateForm()
    form.hall_id.choices = _hall_choices(event)
    form.booth_type_id.choices = _type_choices(event)
    if request.method == "GET" and int_arg("hall"):
        form.hall_id.data = int_arg("hall")
    if form.validate_on_submit():
        hall = service.hall_of_event(event, form.hall_id.data)
        with service_errors(form):
            if hall is None:
                raise ServiceError(_l("Choose a hall of this event."), "hall_id")
            booths = service.generate_block(
                current_user,
                hall,
                rows=form.rows.data,
                columns=form.columns.data,
                booth_type=service.booth_type_of_event(event, form.booth_type_id.data),
                origin_x=form.origin_x.data,
                origin_y=form.origin_y.data,
                aisle_m=form.aisle_m.data,
                start_code=form.start_code.data,
                zone_tags=form.zone_tags.data,
                double_sided=form.double_sided.data,
            )
            flash(
                _(
                    "%(count)s booths laid out: %(first)s to %(last)s.",
                    count=len(booths),
                    first=booths[0].code,
                    last=booths[-1].code,
                ),
                "success",
            )
            return redirect(_plan_url(event, hall.id))
    return render_template(
        "booths/plan/generate.html",
        event=event,
        form=form,
        halls=service.halls_of(event),
        types=service.booth_types(event, physical_only=True),
    )


# ---------------------------------------------------------------- zone rules and settings


@bp.route(MANAGE + "/booth-zones", methods=["GET", "POST"])
@roles_required("organiser")
def zones(event_id: int):
    """The event's organisers: zone rules for allocation, and whether first-come booking is on."""
    event = _managed_event(current_user, event_id)
    settings = service.plan_settings(event)
    rule_form = ZoneRuleForm(prefix="rule")
    rule_form.who.choices = who_choices()
    settings_form = PlanSettingsForm(prefix="settings", obj=settings)
    if request.method == "POST":
        if request.form.get("form") == "settings" and settings_form.validate():
            service.save_plan_settings(
                current_user, event, first_come_booking=settings_form.first_come_booking.data
            )
            flash(_("Saved."), "success")
            return redirect(url_for("booths.zones", event_id=event.id))
        if request.form.get("form") == "rule" and rule_form.validate():
            kind, _sep, value = rule_form.who.data.partition(":")
            with service_errors(rule_form):
                try:
                    service.save_zone_rule(
                        current_user, event, match_kind=kind, value=value, zone=rule_form.zone.data
                    )
                except ServiceError as error:
                    if error.field == "value":
                        error.field = "who"  # the form's field for whom the rule is about
                    raise
                flash(_("The rule was added."), "success")
                return redirect(url_for("booths.zones", event_id=event.id))
    tags = service.zone_tags_in_use(event)
    return render_template(
        "booths/plan/zones.html",
        event=event,
        rules=service.zone_rules(event),
        rule_label=service.zone_rule_label,
        rule_form=rule_form,
        settings_form=settings_form,
        tags=tags,
    )


@bp.route(MANAGE + "/booth-zones/<int:rule_id>/delete", methods=["POST"])
@roles_required("organiser")
def delete_zone_rule(event_id: int, rule_id: int):
    """The event's organisers: remove a zone rule."""
    event = _managed_event(current_user, event_id)
    rule = db.get_or_404(ZoneRule, rule_id)
    if rule.event_id != event.id:
        abort(404)
    service.delete_zone_rule(current_user, rule)
    flash(_("The rule was removed."), "success")
    return redirect(url_for("booths.zones", event_id=event.id))


# ---------------------------------------------------------------- public plan


@bp.route("/events/<slug>/plan")
def public_plan(slug: str):
    """Anyone: the event's floor plan with exhibitor names and links to their electronic booths."""
    event = events.event_by_slug(slug)
    if event is None or (event.state == "draft" and not events.can_manage(current_user, event)):
        abort(404)
    halls = service.halls_of(event)
    # ?booth=<id> rings one booth (an exhibitor's "see it on the plan").
    highlight = int_arg("booth")
    plans = []
    for hall in halls:
        states = service.booth_states(event, hall)
        booths = service.booths_of(event, hall)
        occupied = [(b, states[b.id]) for b in booths if states[b.id].organisation is not None]
        ring = highlight if any(b.id == highlight for b in booths) else None
        svg_markup = render_hall_svg(event, hall, public=True, states=states, highlight_booth_id=ring)
        plans.append((hall, svg_markup, occupied))
    return render_template(
        "booths/plan/public.html",
        event=event,
        plans=plans,
        link_for=ebooth_link_builder(event),
        paper=request.args.get("paper", "a4"),
    )
