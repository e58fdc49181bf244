"""Electronic booth pages, the online catalogue, QR downloads, traceability and printable signs.

Public (no login): an electronic booth's page, an event's catalogue of electronic booths,
a physical booth's QR address, QR images, a product's traceability page. The exhibitor's
own users edit and publish its booth; the event's organisers print booth signs.
Routes call app.booths.ebooths.services and render; the request boundary commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import qrcodes
from app.booths.blueprint import bp
from app.booths.ebooths import services as ebooths
from app.booths.ebooths.forms import EboothForm
from app.booths.models import Booth, ElectronicBooth
from app.booths.plan.svg import render_hall_svg
from app.catalog import services as catalog_services
from app.catalog.models import Product
from app.data.provinces import CURRENT_PROVINCES, current_code, fold
from app.data.vocab import OCOP_GROUPS, STANDARDS
from app.errors import PermissionDenied
from app.events import services as event_services
from app.events.models import Event, Hall
from app.events.services import managed_event as _managed_event
from app.extensions import db
from app.inputs import int_arg
from app.transaction import after_commit, service_errors

QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
SIGN_SIZES = ("a4", "a5")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    label: str
    count: int


# ---------------------------------------------------------------- helpers


def _event_or_404(slug: str) -> Event:
    """The event by slug; a draft only for its organisers."""
    event = event_services.event_by_slug(slug)
    if event is None or (event.state == "draft" and not event_services.can_manage(current_user, event)):
        abort(404)
    return event


def _ebooth_or_404(slug: str, ebooth_id: int) -> tuple[Event, ElectronicBooth]:
    event = event_services.event_by_slug(slug)
    ebooth = db.session.get(ElectronicBooth, ebooth_id)
    if event is None or ebooth is None or ebooth.event_id != event.id:
        abort(404)
    return event, ebooth


def _choice_arg(name: str, allowed) -> str | None:
    value = request.args.get(name)
    return value if value in allowed else None


def _day_label(day: date) -> str:
    """Day and month the way the reader's language writes them ("23/11", "11/23")."""
    return format_skeleton("Md", day, locale=get_locale())


def visits_chart(points: list[tuple[date, int]], width: int = 560, height: int = 160) -> list[Bar]:
    """Bars of a small chart of visits per day; the tallest bar fills the height minus room for labels."""
    top, bottom = 16, 22
    plot = height - top - bottom
    peak = max((count for _, count in points), default=0) or 1
    step = width / max(len(points), 1)
    bars = []
    for index, (day, count) in enumerate(points):
        bar_height = round(plot * count / peak, 1)
        bars.append(
            Bar(
                x=round(index * step + step * 0.15, 1),
                y=round(top + plot - bar_height, 1),
                width=round(step * 0.7, 1),
                height=bar_height,
                day=day,
                label=_day_label(day),
                count=count,
            )
        )
    return bars


def _plan_drawing(event: Event, booth: Booth | None):
    """The hall's public plan with `booth` highlighted, drawn by the floor-plan pages' helper."""
    if booth is None:
        return None
    return render_hall_svg(event, booth.hall, public=True, highlight_booth_id=booth.id)


def _qr_response(data: str, fmt: str, name: str) -> Response:
    body = qrcodes.qr_png(data) if fmt == "png" else qrcodes.qr_svg(data)
    response = Response(body, mimetype=QR_TYPES[fmt])
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# ---------------------------------------------------------------- public pages


@bp.route("/events/<slug>/booths")
def ebooth_catalogue(slug: str):
    """Anyone: an event's published electronic booths, filtered and paginated (an online week's fair)."""
    event = _event_or_404(slug)
    # Booths are opened when an exhibitor is approved; this page only reads (or opens a missing one).
    mine = ebooths.own_ebooth(current_user, event)
    stars = int_arg("stars")
    filters = ebooths.EboothFilters(
        text=request.args.get("q", "").strip() or None,
        group=_choice_arg("group", OCOP_GROUPS),
        province=current_code(request.args.get("province")),  # an earlier province's code works too
        min_stars=stars if stars in (3, 4, 5) else None,
        standard=_choice_arg("standard", STANDARDS),
    )
    page = db.paginate(
        ebooths.catalogue_query(event, filters),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    # The menu offers the current provinces the booths come from, whatever name they were recorded under.
    provinces = sorted(
        {
            (code, CURRENT_PROVINCES[code])
            for code in map(current_code, ebooths.catalogue_provinces(event))
            if code
        },
        key=lambda item: fold(item[1]),
    )
    return render_template(
        "booths/ebooth/catalogue.html",
        event=event,
        page=page,
        filters=filters,
        provinces=provinces,
        places=ebooths.physical_booths(e.registration_id for e in page.items),
        headline_in=ebooths.headline_in,
        mine=mine,
        today=catalog_services.today(),
    )


@bp.route("/events/<slug>/booths/<int:ebooth_id>")
def ebooth_page(slug: str, ebooth_id: int):
    """Anyone, once published (its exhibitor and the event's organisers before): an electronic booth."""
    event, ebooth = _ebooth_or_404(slug, ebooth_id)
    if not ebooths.can_view(current_user, ebooth):
        abort(404)
    public = ebooths.is_public(ebooth)
    insider = ebooths.can_preview(current_user, ebooth)
    if public and not insider and request.method == "GET":  # a HEAD (link preview) is no visit
        # Only the day is stored: no address, no cookie, nothing about who looked.
        # Counted after the page's own commit, so the counter row is locked only for the upsert.
        ebooth_id, day = ebooth.id, ebooths.visit_day(event)
        after_commit(lambda: ebooths.record_visit(ebooth_id, day))
    booth = ebooths.physical_booth(ebooth)
    page_url = ebooths.ebooth_url(ebooth)
    return render_template(
        "booths/ebooth/page.html",
        event=event,
        ebooth=ebooth,
        organisation=ebooth.registration.organisation,
        headline=ebooths.headline_in(ebooth, g.locale),
        products=ebooths.shown_products(ebooth),
        contact=ebooths.public_contact(ebooth),
        booth=booth,
        plan_svg=_plan_drawing(event, booth),
        is_preview=not public,
        can_edit=ebooths.can_edit(current_user, ebooth),
        page_url=page_url,
        page_qr=qrcodes.qr_svg_inline(page_url, label=_("QR code of this page")),
        today=catalog_services.today(),
    )


@bp.route("/events/<slug>/booths/at/<int:booth_id>")
def booth_qr_target(slug: str, booth_id: int):
    """Anyone (a physical booth's QR code): on to the electronic booth of whoever holds the booth now."""
    event = _event_or_404(slug)
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.event_id != event.id:
        abort(404)
    ebooth = ebooths.ebooth_of_booth(booth)
    if ebooth is not None and ebooths.can_view(current_user, ebooth):
        return redirect(url_for("booths.ebooth_page", slug=event.slug, ebooth_id=ebooth.id))
    return redirect(url_for("booths.ebooth_catalogue", slug=event.slug))


@bp.route("/trace/<path:code>")
def trace(code: str):
    """Anyone (a product's QR code): where a product comes from and what vouches for it."""
    product = ebooths.product_by_traceability_code(code)
    if product is None:
        abort(404)
    return render_template("booths/ebooth/trace.html", product=product, today=catalog_services.today())


# ---------------------------------------------------------------- QR images


@bp.route("/qr/ebooth/<int:ebooth_id>.<any(png, svg):fmt>")
def qr_ebooth(ebooth_id: int, fmt: str):
    """Whoever may see the booth: the QR code of an electronic booth's page."""
    ebooth = db.get_or_404(ElectronicBooth, ebooth_id)
    if not ebooths.can_view(current_user, ebooth):
        abort(404)
    return _qr_response(ebooths.ebooth_url(ebooth), fmt, f"ebooth-{ebooth.id}")


@bp.route("/qr/booth/<int:booth_id>.<any(png, svg):fmt>")
def qr_booth(booth_id: int, fmt: str):
    """Anyone (organisers for a draft event): the QR code of a physical booth."""
    booth = db.get_or_404(Booth, booth_id)
    event = db.session.get(Event, booth.event_id)
    if event.state == "draft" and not event_services.can_manage(current_user, event):
        abort(404)
    return _qr_response(ebooths.booth_url(booth), fmt, f"booth-{booth.code}")


@bp.route("/qr/product/<int:product_id>.<any(png, svg):fmt>")
def qr_product(product_id: int, fmt: str):
    """Anyone: the QR code of a product's traceability page."""
    product = db.get_or_404(Product, product_id)
    return _qr_response(ebooths.product_url(product), fmt, f"product-{product.id}")


# ---------------------------------------------------------------- the exhibitor's pages


@bp.route("/my/events/<slug>/ebooth")
@login_required
def my_ebooth(slug: str):
    """An approved exhibitor: its own electronic booth's edit page."""
    event = _event_or_404(slug)
    ebooth = ebooths.own_ebooth(current_user, event)
    if ebooth is None:
        abort(404)
    return redirect(url_for("booths.edit_ebooth", slug=event.slug, ebooth_id=ebooth.id))


def _submitted_product_ids() -> list[str]:
    """The ticked products in the order of their position fields (ties: the order on the form)."""
    ticked = request.form.getlist("products")

    def position(item: tuple[int, str]) -> tuple[float, int]:
        index, product_id = item
        raw = request.form.get(f"position-{product_id}", "").strip()
        try:
            return float(raw), index
        except ValueError:
            return float("inf"), index

    return [product_id for _, product_id in sorted(enumerate(ticked), key=position)]


@bp.route("/events/<slug>/booths/<int:ebooth_id>/edit", methods=["GET", "POST"])
@login_required
def edit_ebooth(slug: str, ebooth_id: int):
    """The exhibitor's own users: headline, products and their order, public contacts, visits."""
    event, ebooth = _ebooth_or_404(slug, ebooth_id)
    if not ebooths.can_edit(current_user, ebooth):
        abort(403)
    form = EboothForm(obj=ebooth)
    chosen_ids = [str(row.product_id) for row in ebooth.product_rows]
    if form.validate_on_submit():
        chosen_ids = _submitted_product_ids()
        try:
            with service_errors(form):
                ebooths.update_electronic_booth(
                    current_user,
                    ebooth,
                    headlines={
                        code: getattr(form, f"headline_{code}").data for code in ebooths.HEADLINE_LOCALES
                    },
                    product_ids=chosen_ids,
                    show_phone=form.show_phone.data,
                    show_email=form.show_email.data,
                )
                flash(_("Your electronic booth is saved."), "success")
                return redirect(url_for("booths.edit_ebooth", slug=event.slug, ebooth_id=ebooth.id))
        except PermissionDenied:
            abort(403)
    elif request.method == "POST":
        chosen_ids = _submitted_product_ids()
    last_day = ebooths.visit_day(event)
    points = ebooths.visits_by_day(ebooth, last_day)
    page_url = ebooths.ebooth_url(ebooth)
    return render_template(
        "booths/ebooth/edit.html",
        event=event,
        ebooth=ebooth,
        form=form,
        organisation=ebooth.registration.organisation,
        choices=ebooths.choosable_products(ebooth),
        chosen_ids=chosen_ids,
        bars=visits_chart(points),
        chart_total=sum(count for _, count in points),
        total=ebooths.total_visits(ebooth),
        booth=ebooths.physical_booth(ebooth),
        page_url=page_url,
        page_qr=qrcodes.qr_svg_inline(page_url, label=_("QR code of your electronic booth")),
    )


@bp.route("/events/<slug>/booths/<int:ebooth_id>/publish", methods=["POST"])
@login_required
def publish_ebooth(slug: str, ebooth_id: int):
    """The exhibitor's own users: publish the electronic booth or take it off line."""
    event, ebooth = _ebooth_or_404(slug, ebooth_id)
    if not ebooths.can_edit(current_user, ebooth):
        abort(403)
    published = request.form.get("published") == "1"
    with service_errors():
        ebooths.set_published(current_user, ebooth, published)
        if published:
            flash(_("Your electronic booth is published: everyone can see it."), "success")
        else:
            flash(_("Your electronic booth is hidden from visitors."), "info")
    return redirect(url_for("booths.edit_ebooth", slug=event.slug, ebooth_id=ebooth.id))


# ---------------------------------------------------------------- printable signs


def _signs(event: Event, pairs) -> list[dict]:
    signs = []
    for booth, registration in pairs:
        ebooth = ebooths.ensure_electronic_booth(registration) if registration is not None else None
        url = ebooths.booth_url(booth)
        signs.append(
            {
                "booth": booth,
                "exhibitor": registration.organisation if registration is not None else None,
                "headline": ebooths.headline_in(ebooth, g.locale) if ebooth is not None else None,
                "url": url,
                "qr": qrcodes.qr_svg_inline(url, label=_("QR code of booth %(code)s", code=booth.code)),
            }
        )
    return signs


def _sign_size() -> str:
    size = request.args.get("size", "a4")
    return size if size in SIGN_SIZES else "a4"


@bp.route("/manage/events/<int:event_id>/booths/<int:booth_id>/sign")
@login_required
def booth_sign(event_id: int, booth_id: int):
    """The event's organisers: a printable sign for one booth (code, exhibitor, QR code)."""
    event = _managed_event(current_user, event_id)
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.event_id != event.id:
        abort(404)
    signs = _signs(event, [(booth, ebooths.holder_of(booth))])
    return render_template(
        "booths/ebooth/signs.html", event=event, hall=booth.hall, signs=signs, size=_sign_size(), single=True
    )


@bp.route("/manage/events/<int:event_id>/halls/<int:hall_id>/signs")
@login_required
def hall_signs(event_id: int, hall_id: int):
    """The event's organisers: every booth sign of a hall, one per printed page."""
    event = _managed_event(current_user, event_id)
    hall = db.session.get(Hall, hall_id)
    if hall is None or hall.event_id != event.id:
        abort(404)
    signs = _signs(event, ebooths.hall_signs(hall))
    return render_template(
        "booths/ebooth/signs.html", event=event, hall=hall, signs=signs, size=_sign_size(), single=False
    )
