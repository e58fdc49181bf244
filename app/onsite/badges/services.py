"""Badges: the approved participants of an event, each with a signed badge token for its QR code.

A badge token names the event and the registration and carries an HMAC of both made with the
app's secret key, so a token can't be forged or moved to another event: "B-<event>-<registration>-
<signature>" (upper case, typeable at a gate). Reading one back (`registration_for_token`) refuses a
forged token, another event's and a registration no longer approved, each with a plain message.

Functions read only; they never write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.catalog.models import Organisation
from app.catalog.services import text_conditions
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration
from app.events.services import can_manage
from app.extensions import db
from app.inputs import parse_id
from app.paging import rows_and_total

SIGNATURE_LENGTH = 16  # base32 characters: 80 bits of the HMAC
_TOKEN = re.compile(rf"^B-(\d{{1,9}})-(\d{{1,12}})-([A-Z2-7]{{{SIGNATURE_LENGTH}}})$")
PER_PAGE = 50
# "Print all" draws every badge of the filter on one page: a national fair prints by role.
PRINT_LIMIT = 2000
FORMATS = ("a6", "a4")


def can_print_badges(actor, event: Event) -> bool:
    """The event's organisers (and admins) print its badges."""
    return can_manage(actor, event)


def _signature(event_id: int, registration_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, f"badge:{event_id}:{registration_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode()[:SIGNATURE_LENGTH]


def badge_token(registration: Registration) -> str:
    """What a badge's QR code carries (and what a gate may type)."""
    return f"B-{registration.event_id}-{registration.id}-{_signature(registration.event_id, registration.id)}"


def normalise_token(token: str | None) -> str:
    """What was typed or scanned: blanks dropped, upper case."""
    return "".join((token or "").split()).upper()


def registration_for_token(event: Event, token: str | None) -> Registration:
    """The approved registration of `event` whose badge carries `token`; ServiceError otherwise."""
    text = normalise_token(token)
    if not text:
        raise ServiceError(_l("Type or scan a badge's code."), "token")
    match = _TOKEN.match(text)
    if match is None:
        raise ServiceError(_l("This is not a badge code of ocopfair."), "token")
    event_id, registration_id, signature = int(match[1]), int(match[2]), match[3]
    if not hmac.compare_digest(signature, _signature(event_id, registration_id)):
        raise ServiceError(_l("This badge code is not genuine: it was not printed for this fair."), "token")
    if event_id != event.id:
        raise ServiceError(_l("This badge belongs to another event."), "token")
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise ServiceError(_l("This badge's registration no longer exists."), "token")
    if registration.status != "approved":
        raise ServiceError(
            _l(
                "%(organisation)s is not an approved participant any more.",
                organisation=registration.organisation.name,
            ),
            "token",
        )
    return registration


@dataclass
class Badge:
    registration: Registration
    token: str

    @property
    def organisation(self) -> Organisation:
        return self.registration.organisation

    @property
    def person(self) -> str:
        """The name printed large: the organisation's contact, else the organisation."""
        return self.organisation.contact_name or self.organisation.name

    @property
    def qr(self) -> Markup:
        from app.qrcodes import qr_svg_inline

        label = _l("QR code of the badge of %(name)s", name=self.organisation.name)
        return qr_svg_inline(self.token, label=str(label), css_class="badge-qr")


def _approved_query(event: Event, role: str | None, text: str | None):
    query = (
        select(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .options(contains_eager(Registration.organisation))
        .where(Registration.event_id == event.id, Registration.status == "approved")
    )
    if role in ("exhibitor", "buyer"):
        query = query.where(Registration.role == role)
    if text and text.strip():
        query = query.where(*text_conditions(Organisation.search_text, text))
    return query.order_by(func.lower(Organisation.name), Registration.id)


def badges_page(
    actor, event: Event, *, role: str | None = None, text: str | None = None, page: int = 1
) -> tuple[list[Badge], int]:
    """A page of the event's approved participants with their badge tokens, and how many there are."""
    if not can_print_badges(actor, event):
        raise PermissionDenied
    rows, total = rows_and_total(_approved_query(event, role, text), page=page, per_page=PER_PAGE)
    return [Badge(registration, badge_token(registration)) for (registration,) in rows], total


def badges_to_print(
    actor,
    event: Event,
    *,
    role: str | None = None,
    text: str | None = None,
    registration_ids: Iterable | None = None,
) -> list[Badge]:
    """The badges to print: the chosen registrations (`registration_ids`, others ignored), or every
    approved participant matching the filter (at most PRINT_LIMIT)."""
    if not can_print_badges(actor, event):
        raise PermissionDenied
    query = _approved_query(event, role, text)
    if registration_ids is not None:
        ids = {number for number in map(parse_id, registration_ids) if number is not None}
        if not ids:
            return []
        query = query.where(Registration.id.in_(ids))
    registrations = db.session.scalars(query.limit(PRINT_LIMIT)).all()
    return [Badge(registration, badge_token(registration)) for registration in registrations]


def sheets(badges: list[Badge], per_sheet: int) -> list[list[Badge]]:
    """Badges grouped per printed sheet (4 A6 cards on an A4 sheet, 1 on an A6 card)."""
    return [badges[start : start + per_sheet] for start in range(0, len(badges), per_sheet)]
