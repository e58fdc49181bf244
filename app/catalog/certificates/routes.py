"""Certificate pages: an exhibitor uploads its product's OCOP certificate; organisers check them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import require, roles_required
from app.catalog import services as catalog
from app.catalog.certificates import services as certificates
from app.catalog.certificates.forms import CertificateForm, RejectCertificateForm
from app.catalog.models import Product
from app.extensions import db
from app.inputs import page_arg
from app.transaction import service_errors

bp = Blueprint("certificates", __name__)

QUEUE_PAGE_SIZE = 20


@bp.route("/my/products/<int:product_id>/certificate", methods=["GET", "POST"])
@roles_required("exhibitor")
def upload(product_id: int):
    """Exhibitors: upload the OCOP certificate of one of their own products (others' are refused)."""
    product = db.get_or_404(Product, product_id)
    require(catalog.can_edit_organisation(current_user, product.organisation))
    form = CertificateForm(obj=product)
    if form.validate_on_submit():
        upload_file = form.file.data
        data = upload_file.read() if upload_file and getattr(upload_file, "filename", "") else b""
        with service_errors(form):
            certificates.submit_certificate(
                current_user,
                product,
                data=data,
                number=form.certificate_number.data,
                stars=form.stars.data,
                level=form.certificate_level.data,
                issued_on=form.certificate_date.data,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
                max_bytes=current_app.config["MAX_PHOTO_BYTES"],
            )
            flash(
                _("Certificate sent. An organiser will check it before the product shows as certified."),
                "success",
            )
            return redirect(url_for("catalog.my_products"))
    return render_template("catalog/certificate_form.html", form=form, product=product)


@bp.route("/products/<int:product_id>/certificate/file")
@login_required
def certificate_file(product_id: int):
    """The producer's own users, organisers and admins: the certificate's scan (others get 404)."""
    product = db.get_or_404(Product, product_id)
    if not certificates.can_see_file(current_user, product):
        abort(404)
    path = certificates.certificate_path(product, current_app.config["UPLOAD_FOLDER"])
    if path is None or not path.is_file():
        abort(404)
    is_pdf = path.suffix == ".pdf"
    response = send_file(
        path,
        mimetype="application/pdf" if is_pdf else "image/jpeg",
        download_name=f"ocop-certificate-{product.id}{path.suffix}",
        as_attachment=is_pdf,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/certificates")
@roles_required("organiser")
def queue():
    """Organisers and admins: certificates waiting to be checked, the oldest first."""
    page = certificates.pending_page(current_user, page=page_arg(), per_page=QUEUE_PAGE_SIZE)
    return render_template("catalog/certificate_queue.html", page=page, reject_form=RejectCertificateForm())


def _product_or_404(product_id: int) -> Product:
    return db.get_or_404(Product, product_id)


@bp.route("/certificates/<int:product_id>/verify", methods=["POST"])
@roles_required("organiser")
def verify(product_id: int):
    """Organisers and admins: mark a certificate checked and valid."""
    product = _product_or_404(product_id)
    # CSRFProtect (app/extensions.py) has checked the form's token before this runs.
    with service_errors():
        certificates.verify_certificate(current_user, product)
        flash(_("Certificate of “%(product)s” verified.", product=product.name_in(g.locale)), "success")
    return redirect(url_for("certificates.queue"))


@bp.route("/certificates/<int:product_id>/reject", methods=["GET", "POST"])
@roles_required("organiser")
def reject(product_id: int):
    """Organisers and admins: reject a pending certificate, or revoke a verified one, with the
    reason the producer will read."""
    product = _product_or_404(product_id)
    revoking = product.certificate_status == "verified"
    form = RejectCertificateForm()
    if form.validate_on_submit():
        with service_errors(form):
            certificates.reject_certificate(current_user, product, form.reason.data)
            name = product.name_in(g.locale)
            if revoking:
                flash(_("Certificate of “%(product)s” revoked.", product=name), "success")
                return redirect(url_for("catalog.product", product_id=product.id))
            flash(_("Certificate of “%(product)s” rejected.", product=name), "success")
            return redirect(url_for("certificates.queue"))
    return render_template("catalog/certificate_reject.html", form=form, product=product, revoking=revoking)
