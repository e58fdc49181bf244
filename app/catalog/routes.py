"""Catalogue pages: browse and search, product and organisation pages, own data."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import func, select

from app.accounts.permissions import roles_required
from app.catalog import gtin as gtin_codes
from app.catalog import services
from app.catalog.certificates import services as certificates
from app.catalog.forms import DemandLineForm, OrganisationForm, ProductForm, SignupForm
from app.catalog.models import DemandLine, Organisation, Product
from app.data.provinces import current_code, current_province_choices
from app.data.vocab import CATEGORIES, OCOP_GROUPS, STANDARDS
from app.extensions import db
from app.inputs import int_arg, page_arg
from app.ratelimit import limit_per_address
from app.transaction import after_commit, service_errors

bp = Blueprint("catalog", __name__)


@bp.app_template_global()
def stars_label(n: int) -> str:
    """The `stars` macro's title ("5 OCOP stars") in the visitor's language: translated once a
    request per number, not twice for each of the page's 60 products."""
    labels = g.setdefault("stars_labels", {})
    key = (str(get_locale()), n)  # `g` outlives a request where a test holds the app context
    if key not in labels:
        labels[key] = _("%(n)s OCOP stars", n=n)
    return labels[key]


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def _my_organisation() -> Organisation:
    organisation = current_user.organisation
    if organisation is None:
        flash(_("Your account has no organisation yet."), "warning")
        abort(403)
    return organisation


@bp.route("/")
def home():
    """Anyone: the front page with the catalogue's figures and its newest certified products."""
    today = services.today()
    counts = {
        "products": db.session.scalar(
            select(func.count()).select_from(Product).where(services.certified_condition(today))
        ),
        "producers": db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.role == "producer")
        ),
        "buyers": db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.role == "buyer")
        ),
    }
    featured = db.session.scalars(
        services.catalogue_query(
            services.ProductFilters(sort="stars", min_stars=4), on=today, locale=g.locale
        ).limit(8)
    ).all()
    facets = services.cached_catalogue_facets(today)
    return render_template("catalog/home.html", counts=counts, featured=featured, facets=facets)


@bp.route("/dashboard")
@login_required
def dashboard():
    """A logged-in user: go to the page where that role's own work is."""
    if current_user.role == "exhibitor":
        return redirect(url_for("catalog.my_products"))
    if current_user.role == "buyer":
        return redirect(url_for("catalog.my_demand"))
    if current_user.role == "organiser":
        return redirect(url_for("events.index"))
    return redirect(url_for("catalog.organisations"))


@bp.route("/catalogue")
def catalogue():
    """Anyone: certified OCOP products, filtered, searched in vi/en/fr and paginated."""
    filters = services.ProductFilters(
        text=request.args.get("q", "").strip() or None,
        group=request.args.get("group") if request.args.get("group") in OCOP_GROUPS else None,
        category=request.args.get("category") if request.args.get("category") in CATEGORIES else None,
        # A current province, from its code or an earlier province's ("27" Bắc Ninh -> "24")
        province=current_code(request.args.get("province")),
        min_stars=int_arg("stars") if int_arg("stars") in (3, 4, 5) else None,
        standard=request.args.get("standard") if request.args.get("standard") in STANDARDS else None,
        sort=request.args.get("sort") if request.args.get("sort") in services.SORTS else "stars",
    )
    page = services.catalogue_page(filters, page=page_arg(), per_page=_page_size(), locale=g.locale)
    facets = services.cached_catalogue_facets()
    return render_template(
        "catalog/catalogue.html",
        page=page,
        filters=filters,
        facets=facets,
        provinces=current_province_choices(),
        today=services.today(),
    )


@bp.route("/products/<int:product_id>")
def product(product_id: int):
    """Anyone: a product's page (expired or uncertified products say so)."""
    item = db.get_or_404(Product, product_id)
    others = [p for p in services.products_of(item.organisation) if p.id != item.id][:6]
    return render_template(
        "catalog/product.html",
        product=item,
        others=others,
        today=services.today(),
        can_edit=services.can_edit_organisation(current_user, item.organisation),
        can_review=certificates.can_review(current_user),
    )


@bp.route("/products/<int:product_id>/barcode.svg")
def product_barcode(product_id: int):
    """Anyone: a product's GS1 barcode (EAN-13) as an SVG image."""
    item = db.get_or_404(Product, product_id)
    if not item.gtin or gtin_codes.problem(item.gtin):
        abort(404)
    response = current_app.response_class(gtin_codes.svg(item.gtin), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/products/<int:product_id>/photo")
def product_photo(product_id: int):
    """Anyone: a product's photo (re-encoded JPEG)."""
    item = db.get_or_404(Product, product_id)
    if not item.photo_filename:
        abort(404)
    folder = f"{current_app.config['UPLOAD_FOLDER']}/products"
    response = send_from_directory(folder, item.photo_filename, mimetype="image/jpeg", max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    """Anyone for producers; logged-in users for buyers: an organisation's page."""
    org = db.get_or_404(Organisation, organisation_id)
    if not services.can_see_organisation(current_user, org):
        return current_app.login_manager.unauthorized()
    return render_template(
        "catalog/organisation.html",
        org=org,
        today=services.today(),
        products=services.products_of(org) if org.is_producer else [],
        can_edit=services.can_edit_organisation(current_user, org),
        show_contacts=services.can_see_contacts(current_user, org),
    )


@bp.route("/organisations")
@roles_required("organiser")
def organisations():
    """Organisers: the directory of producers and buyers, filtered and paginated."""
    role = request.args.get("role") if request.args.get("role") in ("producer", "buyer") else None
    province = current_code(request.args.get("province"))  # an earlier province's code works too
    text = request.args.get("q", "").strip() or None
    query = services.organisation_query(role=role, province=province, text=text)
    page = db.paginate(query, per_page=_page_size() * 2, error_out=False)
    return render_template(
        "catalog/organisations.html",
        page=page,
        role=role,
        province=province,
        text=text,
        provinces=current_province_choices(),
    )


# ---------------------------------------------------------------- own organisation


@bp.route("/my/organisation", methods=["GET", "POST"])
@roles_required("exhibitor", "buyer")
def edit_my_organisation():
    """Exhibitors and buyers: edit their own organisation's profile."""
    org = _my_organisation()
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in services.ORGANISATION_FIELDS}
        with service_errors(form):
            services.update_organisation(current_user, org, **fields)
            flash(_("Saved."), "success")
            return redirect(url_for("catalog.organisation", organisation_id=org.id))
    return render_template("catalog/organisation_form.html", form=form, org=org)


# ---------------------------------------------------------------- products


@bp.route("/my/products")
@roles_required("exhibitor")
def my_products():
    """Exhibitors: their OCOP products with certificate status."""
    org = _my_organisation()
    today = services.today()
    products = services.products_of(org)
    return render_template(
        "catalog/my_products.html",
        org=org,
        products=products,
        today=today,
        problems={item.id: certificates.certificate_problem(item, today) for item in products},
    )


def _save_photo(form: ProductForm, item: Product) -> None:
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        services.store_product_photo(
            current_user,
            item,
            upload.read(),
            current_app.config["UPLOAD_FOLDER"],
            current_app.config["MAX_PHOTO_BYTES"],
        )


@bp.route("/my/products/new", methods=["GET", "POST"])
@roles_required("exhibitor")
def new_product():
    """Exhibitors: add an OCOP product to their organisation."""
    org = _my_organisation()
    form = ProductForm()
    if form.validate_on_submit():
        with service_errors(form):
            item = services.create_product(current_user, org, **form.values())
            _save_photo(form, item)
            flash(_("Product added."), "success")
            return redirect(url_for("catalog.product", product_id=item.id))
    return render_template("catalog/product_form.html", form=form, product=None)


def _own_product(product_id: int) -> Product:
    item = db.get_or_404(Product, product_id)
    if not services.can_edit_organisation(current_user, item.organisation):
        abort(403)
    return item


@bp.route("/my/products/<int:product_id>/edit", methods=["GET", "POST"])
@roles_required("exhibitor")
def edit_product(product_id: int):
    """Exhibitors: edit one of their own products (others' products are refused)."""
    item = _own_product(product_id)
    form = ProductForm(obj=item)
    if request.method == "GET":
        form.standards.data = item.standards
    if form.validate_on_submit():
        with service_errors(form):
            services.update_product(current_user, item, **form.values())
            _save_photo(form, item)
            flash(_("Saved."), "success")
            return redirect(url_for("catalog.product", product_id=item.id))
    return render_template("catalog/product_form.html", form=form, product=item)


@bp.route("/my/products/<int:product_id>/delete", methods=["GET", "POST"])
@roles_required("exhibitor")
def delete_product(product_id: int):
    """Exhibitors: delete one of their products after confirming."""
    item = _own_product(product_id)
    if request.method == "POST":
        name = item.name_vi
        services.delete_product(current_user, item, current_app.config["UPLOAD_FOLDER"])
        flash(_("“%(name)s” was deleted.", name=name), "success")
        return redirect(url_for("catalog.my_products"))
    return render_template(
        "catalog/confirm_delete.html",
        what=item.name_in(g.locale),
        cancel_url=url_for("catalog.product", product_id=item.id),
    )


# ---------------------------------------------------------------- demand


@bp.route("/my/demand")
@roles_required("buyer")
def my_demand():
    """Buyers: their demand lines."""
    org = _my_organisation()
    return render_template("catalog/my_demand.html", org=org, lines=org.demand_lines)


def _own_line(line_id: int) -> DemandLine:
    line = db.get_or_404(DemandLine, line_id)
    if not services.can_edit_organisation(current_user, line.organisation):
        abort(403)
    return line


@bp.route("/my/demand/new", methods=["GET", "POST"])
@bp.route("/my/demand/<int:line_id>/edit", methods=["GET", "POST"])
@roles_required("buyer")
def edit_demand(line_id: int | None = None):
    """Buyers: add or edit one of their own demand lines."""
    org = _my_organisation()
    line = _own_line(line_id) if line_id else None
    form = DemandLineForm(obj=line)
    if request.method == "GET" and line is not None:
        form.standards.data = line.required_standards
        # The form offers the current provinces: an earlier one ticks the one it is part of.
        form.provinces.data = sorted({current_code(code) or code for code in line.preferred_provinces})
    if form.validate_on_submit():
        with service_errors(form):
            services.save_demand_line(current_user, org, line, **form.values())
            flash(_("Saved."), "success")
            return redirect(url_for("catalog.my_demand"))
    return render_template("catalog/demand_form.html", form=form, line=line)


@bp.route("/my/demand/<int:line_id>/delete", methods=["GET", "POST"])
@roles_required("buyer")
def delete_demand(line_id: int):
    """Buyers: delete one of their demand lines after confirming."""
    line = _own_line(line_id)
    if request.method == "POST":
        services.delete_demand_line(current_user, line)
        flash(_("The demand line was deleted."), "success")
        return redirect(url_for("catalog.my_demand"))
    return render_template(
        "catalog/confirm_delete.html",
        what=str(CATEGORIES[line.category][1]) if line.category in CATEGORIES else line.category,
        cancel_url=url_for("catalog.my_demand"),
    )


@bp.route("/signup", methods=["GET", "POST"])
@limit_per_address("SIGNUP_ADDRESS_LIMIT")
def signup():
    """Anyone: open a producer (exhibitor) or buyer account with its organisation."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        with service_errors(form):
            user = services.sign_up(
                email=form.email.data,
                password=form.password.data,
                full_name=form.full_name.data,
                role=form.role.data,
                organisation_name=form.organisation_name.data,
                province_code=form.province_code.data,
                producer_kind=form.producer_kind.data or None,
                buyer_type=form.buyer_type.data or None,
                locale=session.get("lang"),
            )
            after_commit(lambda: login_user(user))  # never logged in as an account that wasn't saved
            flash(_("Your account is ready. Complete your organisation's profile."), "success")
            return redirect(url_for("catalog.edit_my_organisation"))
    return render_template("catalog/signup.html", form=form)
