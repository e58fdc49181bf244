"""Floor-plan pages: the organiser's plan, booth types, booths, the block generator, zones;
and the public plan. Routes parse, check permission, call app.booths.plan, commit, render."""

from __future__ import annotations

import math
from decimal import Decimal

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.routing import BuildError
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.accounts.permissions import roles_required
from app.booths import plan as service
from app.booths import svg
from app.booths.models import BOOTH_STATUSES, ElectronicBooth, ZoneRule
from app.booths.routes import bp
from app.catalog import vocab
from app.data.provinces import province_choices
from app.errors import PermissionDenied, ServiceError, attach_to_form
from app.events import services as events
from app.events.guards import managed_event as _managed_event
from app.events.models import Event
from app.extensions import db

MANAGE = "/manage/events/<int:event_id>"
PER_PAGE = 50

STATUS_LABELS = service.STATUS_LABELS
PUBLIC_STATUS_LABELS = service.PUBLIC_STATUS_LABELS


@bp.errorhandler(PermissionDenied)
def _forbidden(_error):
    abort(403)


@bp.app_context_processor
def _plan_helpers():
    return {
        "booth_status_labels": STATUS_LABELS,
        "tag_label": service.tag_label,
        "metres": service.fmt_metres,
    }


# ---------------------------------------------------------------- forms


def _metres_field(label, required=True, default=None, description=None):
    validators = [InputRequired(), NumberRange(min=0)] if required else [Optional(), NumberRange(min=0)]
    return DecimalField(label, places=2, default=default, validators=validators, description=description)


class BoothTypeForm(FlaskForm):
    name = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=80)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=80)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=80)])
    is_electronic = BooleanField(_l("Electronic booth (no place on the plan)"))
    width_m = _metres_field(_l("Width (m)"), required=False)
    depth_m = _metres_field(_l("Depth (m)"), required=False)
    price_vnd = IntegerField(_l("Price (VND)"), default=0, validators=[InputRequired(), NumberRange(min=0)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class BoothForm(FlaskForm):
    hall_id = SelectField(_l("Hall"), coerce=int, validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], description=_l("Like A-12"))
    booth_type_id = SelectField(_l("Booth type"), coerce=int, validators=[InputRequired()])
    x_m = _metres_field(_l("From the left wall (m)"), default=0)
    y_m = _metres_field(_l("From the top wall (m)"), default=0)
    width_m = _metres_field(_l("Width (m)"), required=False, description=_l("Empty: the type's width"))
    depth_m = _metres_field(_l("Depth (m)"), required=False, description=_l("Empty: the type's depth"))
    zone_tags = StringField(
        _l("Zone tags"),
        validators=[Optional(), Length(max=300)],
        description=_l("Comma-separated, e.g. food, premium, accessible, province:Lạng Sơn"),
    )


class MoveForm(FlaskForm):
    hall_id = SelectField(_l("Hall"), coerce=int, validators=[InputRequired()])
    x_m = _metres_field(_l("From the left wall (m)"))
    y_m = _metres_field(_l("From the top wall (m)"))


class ResizeForm(FlaskForm):
    width_m = _metres_field(_l("Width (m)"))
    depth_m = _metres_field(_l("Depth (m)"))


class GenerateForm(FlaskForm):
    hall_id = SelectField(_l("Hall"), coerce=int, validators=[InputRequired()])
    booth_type_id = SelectField(_l("Booth type"), coerce=int, validators=[InputRequired()])
    rows = IntegerField(_l("Rows"), default=2, validators=[InputRequired(), NumberRange(min=1, max=100)])
    columns = IntegerField(
        _l("Booths per row"), default=10, validators=[InputRequired(), NumberRange(min=1, max=200)]
    )
    origin_x = _metres_field(_l("First booth from the left wall (m)"), default=Decimal(2))
    origin_y = _metres_field(_l("First booth from the top wall (m)"), default=Decimal(2))
    aisle_m = _metres_field(_l("Aisle between rows (m)"), default=Decimal(3))
    double_sided = BooleanField(_l("Double-sided rows (two rows back to back, then an aisle)"))
    start_code = StringField(
        _l("First code"),
        default="A-01",
        validators=[DataRequired(), Length(max=20)],
        description=_l("Like A-01"),
    )
    zone_tags = StringField(
        _l("Zone tags"),
        validators=[Optional(), Length(max=300)],
        description=_l("Comma-separated, e.g. food, premium, accessible, province:Lạng Sơn"),
    )


class ZoneRuleForm(FlaskForm):
    who = SelectField(_l("Exhibitors"), validators=[DataRequired()])
    zone = StringField(
        _l("Must get a booth tagged"),
        validators=[Optional(), Length(max=60)],
        description=_l("Empty: the group's or category's own tag, or the province's pavilion"),
    )


class PlanSettingsForm(FlaskForm):
    first_come_booking = BooleanField(
        _l("Exhibitors may pick a free booth themselves (first come, first served)")
    )


def _who_choices() -> dict:
    return {
        str(_("OCOP group")): [(f"group:{code}", label) for code, label in vocab.choices(vocab.OCOP_GROUPS)],
        str(_("Province")): [(f"province:{code}", name) for code, name in province_choices()],
        str(_("Category")): [(f"category:{code}", label) for code, label in vocab.choices(vocab.CATEGORIES)],
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
        (h.id, f"{h.name} ({service.fmt_metres(h.width_m)} × {service.fmt_metres(h.depth_m)} m)")
        for h in service.halls_of(event)
    ]


def _type_choices(event: Event) -> list[tuple[int, str]]:
    return [
        (t.id, f"{t.name} · {service.fmt_metres(t.width_m)} × {service.fmt_metres(t.depth_m)} m")
        for t in service.booth_types(event, physical_only=True)
    ]


def _fail(form, error: ServiceError) -> None:
    db.session.rollback()
    attach_to_form(form, error)


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


def _ebooth_link_builder(event: Event):
    """A function (booth, state) -> URL of the holder's electronic booth, or None.

    The electronic booth pages are another module's; link only if its endpoint exists,
    filling whichever of its URL arguments we know, and only to published booths.
    """
    endpoint = "booths.ebooth_page"
    if endpoint not in current_app.view_functions:
        return None
    rules = list(current_app.url_map.iter_rules(endpoint))
    if not rules:
        return None
    wanted = rules[0].arguments
    published = {
        e.registration_id: e
        for e in db.session.scalars(
            select(ElectronicBooth).where(ElectronicBooth.event_id == event.id, ElectronicBooth.published)
        )
    }

    def link(booth, state) -> str | None:
        registration = getattr(state, "registration", None)
        if registration is None or registration.id not in published:
            return None
        ebooth = published[registration.id]
        known = {
            "slug": event.slug,
            "event_slug": event.slug,
            "event_id": event.id,
            "registration_id": registration.id,
            "organisation_id": registration.organisation_id,
            "ebooth_id": ebooth.id,
            "electronic_booth_id": ebooth.id,
            "booth_id": ebooth.id,
        }
        if not set(wanted) <= set(known):
            return None
        try:
            return url_for(endpoint, **{name: known[name] for name in wanted})
        except BuildError:
            return None

    return link


def render_hall_svg(
    event, hall, *, public: bool, highlight_booth_id: int | None = None, states=None
) -> Markup:
    """A hall's plan as inline SVG markup for a template (also for the e-booth page)."""
    states = states if states is not None else service.booth_states(event, hall)
    booths = service.booths_of(event, hall)
    drawn = svg.plan_booths(
        booths,
        states,
        show_names=True,
        public=public,
        link_for=_ebooth_link_builder(event) if public else None,
    )
    labels = PUBLIC_STATUS_LABELS if public else STATUS_LABELS
    return Markup(  # noqa: S704 - every text and attribute is escaped while drawing
        svg.hall_plan_svg(
            hall_name=hall.name,
            width=float(hall.width_m),
            depth=float(hall.depth_m),
            booths=drawn,
            status_labels={key: str(label) for key, label in labels.items()},
            highlight_id=highlight_booth_id,
            uid=f"plan-{hall.id}",
            description=_("Floor plan of %(hall)s, %(event)s", hall=hall.name, event=event.name_in(g.locale)),
        )
    )


# ---------------------------------------------------------------- organiser: the plan


@bp.route(MANAGE + "/booths")
@roles_required("organiser")
def plan(event_id: int):
    """The event's organisers: each hall's plan and its booths with status and holder."""
    event = _managed_event(event_id)
    halls = service.halls_of(event)
    hall = service.hall_of_event(event, request.args.get("hall", type=int)) or (halls[0] if halls else None)
    status = request.args.get("status")
    if status not in BOOTH_STATUSES:
        status = None
    states = service.booth_states(event, hall) if hall else {}
    booths = service.booths_of(event, hall) if hall else []
    counts = service.status_counts(states)
    rows = [b for b in booths if status is None or states[b.id].status == status]
    page = ListPage(rows, request.args.get("page", 1, type=int), PER_PAGE)
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
    event = _managed_event(event_id)
    item = None
    if type_id is not None:
        item = service.booth_type_of_event(event, type_id)
        if item is None:
            abort(404)
    form = BoothTypeForm(obj=item)
    if form.validate_on_submit():
        try:
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
        except ServiceError as error:
            _fail(form, error)
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    item = service.booth_type_of_event(event, type_id)
    if item is None:
        abort(404)
    back = url_for("booths.types", event_id=event.id)
    if request.method == "POST":
        try:
            service.delete_booth_type(current_user, item)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    booth = _booth_or_404(event, booth_id) if booth_id is not None else None
    form = BoothForm(obj=booth)
    form.hall_id.choices = _hall_choices(event)
    form.booth_type_id.choices = _type_choices(event)
    if request.method == "GET" and booth is None:
        form.hall_id.data = request.args.get("hall", type=int)
    if form.validate_on_submit():
        hall = service.hall_of_event(event, form.hall_id.data)
        try:
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
        except ServiceError as error:
            _fail(form, error)
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    booth = _booth_or_404(event, booth_id)
    form = MoveForm(obj=booth)
    form.hall_id.choices = _hall_choices(event)
    if form.validate_on_submit():
        hall = service.hall_of_event(event, form.hall_id.data)
        try:
            if hall is None:
                raise ServiceError(_l("Choose a hall of this event."), "hall_id")
            service.move_booth(current_user, booth, x_m=form.x_m.data, y_m=form.y_m.data, hall=hall)
        except ServiceError as error:
            _fail(form, error)
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    booth = _booth_or_404(event, booth_id)
    form = ResizeForm(obj=booth)
    if form.validate_on_submit():
        try:
            service.resize_booth(current_user, booth, width_m=form.width_m.data, depth_m=form.depth_m.data)
        except ServiceError as error:
            _fail(form, error)
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    booth = _booth_or_404(event, booth_id)
    back = _plan_url(event, booth.hall_id)
    if request.method == "POST":
        try:
            service.block_booth(current_user, booth)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    booth = _booth_or_404(event, booth_id)
    service.unblock_booth(current_user, booth)
    db.session.commit()
    flash(_("Booth %(code)s is available again.", code=booth.code), "success")
    return redirect(_plan_url(event, booth.hall_id))


@bp.route(MANAGE + "/booths/<int:booth_id>/delete", methods=["GET", "POST"])
@roles_required("organiser")
def delete_booth(event_id: int, booth_id: int):
    """The event's organisers: delete a booth nobody holds, after confirming."""
    event = _managed_event(event_id)
    booth = _booth_or_404(event, booth_id)
    back = _plan_url(event, booth.hall_id)
    if request.method == "POST":
        code = booth.code
        try:
            service.delete_booth(current_user, booth)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    form = GenerateForm()
    form.hall_id.choices = _hall_choices(event)
    form.booth_type_id.choices = _type_choices(event)
    if request.method == "GET" and request.args.get("hall", type=int):
        form.hall_id.data = request.args.get("hall", type=int)
    if form.validate_on_submit():
        hall = service.hall_of_event(event, form.hall_id.data)
        try:
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
        except ServiceError as error:
            _fail(form, error)
        else:
            db.session.commit()
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
    event = _managed_event(event_id)
    settings = service.plan_settings(event)
    rule_form = ZoneRuleForm(prefix="rule")
    rule_form.who.choices = _who_choices()
    settings_form = PlanSettingsForm(prefix="settings", obj=settings)
    if request.method == "POST":
        if request.form.get("form") == "settings" and settings_form.validate():
            service.save_plan_settings(
                current_user, event, first_come_booking=settings_form.first_come_booking.data
            )
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("booths.zones", event_id=event.id))
        if request.form.get("form") == "rule" and rule_form.validate():
            kind, _sep, value = rule_form.who.data.partition(":")
            try:
                service.save_zone_rule(
                    current_user, event, match_kind=kind, value=value, zone=rule_form.zone.data
                )
            except ServiceError as error:
                if error.field == "value":
                    error.field = "who"
                _fail(rule_form, error)
            else:
                db.session.commit()
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
    event = _managed_event(event_id)
    rule = db.get_or_404(ZoneRule, rule_id)
    if rule.event_id != event.id:
        abort(404)
    service.delete_zone_rule(current_user, rule)
    db.session.commit()
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
    highlight = request.args.get("booth", type=int)
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
        link_for=_ebooth_link_builder(event),
        paper=request.args.get("paper", "a4"),
    )
