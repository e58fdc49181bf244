"""OCOP certificates: an exhibitor uploads its product's certificate, an organiser or admin
verifies or rejects it; only a verified, valid certificate makes the product certified.

Functions change objects and flush; the request, command or job commits once.
"""

from __future__ import annotations

import io
import uuid
from datetime import date
from pathlib import Path

from flask_babel import force_locale, format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.accounts.models import User
from app.catalog import services as catalog
from app.catalog.models import Product
from app.database import unlink_after_commit, unlink_after_rollback
from app.errors import PermissionDenied, ServiceError
from app.extensions import db
from app.notifications.services import queue_mail

CERTIFICATE_FOLDER = "certificates"
PDF_MAGIC = b"%PDF-"
REASON_MAX = 500


def can_review(actor) -> bool:
    """Organisers and admins check certificates; nobody checks their own."""
    return actor is not None and actor.is_authenticated and actor.role in ("organiser", "admin")


def ensure_can_review(actor) -> None:
    if not can_review(actor):
        raise PermissionDenied


def can_see_file(actor, product: Product) -> bool:
    """The certificate's scan is for the producer's own users and for reviewers."""
    return can_review(actor) or catalog.can_edit_organisation(actor, product.organisation)


def _checked_file(data: bytes, max_bytes: int) -> tuple[bytes, str]:
    """The file to keep and its extension: a PDF as sent (its header checked), an image
    verified and re-encoded as JPEG like product photos (dropping metadata and payloads)."""
    if not data:
        raise ServiceError(_l("Choose the certificate's file."), "file")
    if len(data) > max_bytes:
        raise ServiceError(
            _l("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1)), "file"
        )
    if data.startswith(PDF_MAGIC):
        if b"%%EOF" not in data[-1024:]:
            raise ServiceError(_l("This PDF file is incomplete or damaged."), "file")
        return data, "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in catalog.PHOTO_FORMATS:
            raise ServiceError(_l("Upload a PDF file or a JPEG, PNG, WebP or GIF image."), "file")
        if image.width * image.height > 40_000_000:
            raise ServiceError(_l("The image has too many pixels."), "file")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ServiceError(_l("Upload a PDF file or a JPEG, PNG, WebP or GIF image."), "file") from error
    image = image.convert("RGB")
    image.thumbnail((2400, 2400))  # a scan stays legible
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue(), "jpg"


def submit_certificate(
    actor,
    product: Product,
    *,
    data: bytes,
    number: str,
    stars: int,
    level: str,
    issued_on: date,
    upload_folder: str,
    max_bytes: int,
) -> Product:
    """The producer's certificate for `product`: its scan and facts, now waiting to be checked."""
    catalog.ensure_can_edit_organisation(actor, product.organisation)
    number = (number or "").strip()
    if not number:
        raise ServiceError(_l("The certificate number is required."), "certificate_number")
    content, extension = _checked_file(data, max_bytes)
    catalog.update_product(
        actor,
        product,
        stars=stars,
        certificate_date=issued_on,
        certificate_expiry=catalog.default_expiry(issued_on) if isinstance(issued_on, date) else None,
        certificate_number=number,
        certificate_level=level,
    )
    folder = Path(upload_folder) / CERTIFICATE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{uuid.uuid4().hex}.{extension}"
    (folder / filename).write_bytes(content)
    unlink_after_rollback(db.session(), folder / filename)
    old = product.certificate_file
    product.certificate_file = filename
    product.certificate_status = "pending"
    product.certificate_submitted_at = clock.now()
    product.certificate_reviewed_at = None
    product.certificate_reviewed_by_id = None
    product.certificate_rejection_reason = None
    db.session.flush()
    if old:
        unlink_after_commit(db.session(), folder / old)
    return product


def certificate_path(product: Product, upload_folder: str) -> Path | None:
    if not product.certificate_file:
        return None
    return Path(upload_folder) / CERTIFICATE_FOLDER / product.certificate_file


def pending_query():
    """Pending certificates, the oldest submitted first."""
    return (
        select(Product)
        .options(joinedload(Product.organisation))  # each row names its producer
        .where(Product.certificate_status == "pending")
        .order_by(Product.certificate_submitted_at, Product.id)
    )


def pending_page(actor, *, page: int, per_page: int):
    ensure_can_review(actor)
    return db.paginate(pending_query(), page=page, per_page=per_page, error_out=False)


def verify_certificate(actor, product: Product) -> Product:
    """An organiser or admin has checked the certificate: the product is certified (while valid)."""
    ensure_can_review(actor)
    if product.certificate_status == "verified":
        raise ServiceError(_l("This certificate is already verified."))
    if product.certificate_status != "pending":  # missing or rejected: nothing new to check
        raise ServiceError(_l("Only a certificate waiting to be checked can be verified."))
    product.certificate_status = "verified"
    product.certificate_reviewed_at = clock.now()
    product.certificate_reviewed_by_id = actor.id
    product.certificate_rejection_reason = None
    db.session.flush()
    _notify(product, "certificate_verified")
    return product


def reject_certificate(actor, product: Product, reason: str) -> Product:
    """The certificate doesn't hold: the product leaves the catalogue, its producer is told why.

    A pending certificate is rejected; a verified one is revoked (found withdrawn or false
    after the check), with the same effect and a mail saying it was revoked.
    """
    ensure_can_review(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Say why the certificate is rejected: the producer will read it."), "reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_l("The reason is at most %(n)d characters.", n=REASON_MAX), "reason")
    if product.certificate_status not in ("pending", "verified"):
        raise ServiceError(_l("Only a certificate waiting to be checked or verified can be rejected."))
    revoked = product.certificate_status == "verified"
    product.certificate_status = "rejected"
    product.certificate_reviewed_at = clock.now()
    product.certificate_reviewed_by_id = actor.id
    product.certificate_rejection_reason = reason
    db.session.flush()
    _notify(product, "certificate_revoked" if revoked else "certificate_rejected")
    return product


def certificate_problem(product: Product, on: date) -> str | None:
    """Why `product` is not certified on `on`, in the producer's words, or None when it is."""
    if product.certificate_status == "missing":
        return _l("Upload the OCOP certificate so an organiser can check it.")
    if product.certificate_status == "pending":
        return _l("The OCOP certificate is waiting for an organiser to check it.")
    if product.certificate_status == "rejected":
        return _l(
            "The OCOP certificate was rejected: %(reason)s", reason=product.certificate_rejection_reason or ""
        )
    if product.is_expired(on):
        return _l("The OCOP certificate expired on %(day)s.", day=format_date(product.certificate_expiry))
    return None


def _notify(product: Product, kind: str) -> None:
    """Mail the producer's active users, each in their language, through the outbox."""
    users = db.session.scalars(
        select(User)
        .where(User.organisation_id == product.organisation_id, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    for user in users:
        locale = user.locale or "vi"
        with force_locale(locale):
            name = product.name_in(locale)
            if kind == "certificate_verified":
                subject = gettext("OCOP certificate verified: %(product)s", product=name)
                body = gettext(
                    "An organiser has verified the OCOP certificate of “%(product)s”; "
                    "the product is shown as certified in the catalogue.",
                    product=name,
                )
            elif kind == "certificate_revoked":
                subject = gettext("OCOP certificate revoked: %(product)s", product=name)
                body = gettext(
                    "An organiser has revoked the verified OCOP certificate of “%(product)s”, so the "
                    "product has left the catalogue and can't be brought to events. The reason: "
                    "%(reason)s\nUpload a valid certificate from your products page.",
                    product=name,
                    reason=product.certificate_rejection_reason or "",
                )
            else:
                subject = gettext("OCOP certificate rejected: %(product)s", product=name)
                body = gettext(
                    "The OCOP certificate of “%(product)s” was rejected, so the product is not "
                    "in the catalogue and can't be brought to events. The reason: %(reason)s\n"
                    "Upload a corrected certificate from your products page.",
                    product=name,
                    reason=product.certificate_rejection_reason or "",
                )
        queue_mail(to_address=user.email, subject=subject, body=body, kind=kind, user_id=user.id)
