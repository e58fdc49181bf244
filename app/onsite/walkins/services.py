"""Walk-ins: an organiser registers, at the desk, a buyer or producer who turned up at the fair.

The organisation is created in the catalogue, registered in the event and approved at once through
the registrations' services, so the approval is like any other: its signals (booths, webhooks),
the event log, and the approved participants that badges, the gate and the matching repair read.

Functions flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.catalog import services as catalog
from app.errors import ServiceError
from app.events.models import Event, Registration
from app.events.registrations import services as registrations
from app.events.services import ensure_can_manage

# The event role and what the organisation is in the catalogue.
WALK_IN_ROLES = {"buyer": "buyer", "exhibitor": "producer"}
DEFAULT_PRODUCER_KIND = "household"
DEFAULT_BUYER_TYPE = "other"


def register_walk_in(
    actor,
    event: Event,
    *,
    role: str,
    name: str,
    province_code: str,
    contact_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    producer_kind: str | None = None,
    buyer_type: str | None = None,
    looking_for: str | None = None,
    now: datetime | None = None,
) -> Registration:
    """A new organisation registered in `event` as `role` ("buyer" or "exhibitor") and approved.

    A buyer may say which category it looks for (`looking_for`): it becomes the buyer's demand
    line for the event, so the matching's repair run can give it meetings. (A producer's offer
    is a product with a verified certificate, which the desk can't check.)"""
    ensure_can_manage(actor, event)
    if role not in WALK_IN_ROLES:
        raise ServiceError(_l("Choose buyer or producer."), "role")
    organisation_role = WALK_IN_ROLES[role]
    fields = {
        "name": name,
        "province_code": province_code,
        "contact_name": contact_name,
        "email": email,
        "phone": phone,
    }
    if organisation_role == "producer":
        fields["producer_kind"] = producer_kind or DEFAULT_PRODUCER_KIND
    else:
        fields["buyer_type"] = buyer_type or DEFAULT_BUYER_TYPE
    organisation = catalog.create_organisation(role=organisation_role, **fields)
    lines = [catalog.record_desk_demand(organisation, looking_for)] if looking_for and role == "buyer" else []
    return registrations.register_walk_in(actor, event, organisation, role, demand_lines=lines, now=now)
