"""Booths and booth assignments (the floor plan and its bookings) and electronic booths, with the
pages' permissions: anyone reads the public plan and the published electronic booths; the event's
organisers see every booth's full status and every booking and move, swap, confirm and cancel
bookings; exhibitors read their own bookings, pick a free booth (first-come booking, when the
organiser opened it) and cancel their own booking while it is not confirmed. Every rule is the
booking and electronic booth services'."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _

from app.api import rest
from app.api.resources.common import NamesSchema, PageArgs, Strict, names, page_of, page_schema
from app.api.resources.events import managed_event, visible_event
from app.api.resources.registrations import OrganisationRefSchema
from app.booths.booking import services as booking
from app.booths.ebooths import services as ebooths
from app.booths.models import BOOTH_STATUSES, Booth, BoothAssignment, ElectronicBooth
from app.booths.plan import services as plan
from app.booths.plan.svg import PUBLIC_STATUS
from app.catalog import services as catalog
from app.data.provinces import CURRENT_OF, current_code
from app.data.vocab import OCOP_GROUPS, STANDARDS
from app.events import services as events
from app.events.models import Event, Registration
from app.events.registrations import services as registrations
from app.extensions import db
from app.paging import rows_and_total

blp = rest.Blueprint(
    "api_booths",
    __name__,
    description=(
        "Booths and booth assignments: anyone reads the public floor plan; the event's organisers "
        "see and change every booking; exhibitors pick and read their own. Electronic booths: "
        "anyone reads the published ones."
    ),
)


def _sorts(*keys: str) -> list[str]:
    return [*keys, *(f"-{key}" for key in keys)]


BOOTH_SORTS = ("hall", "code", "price", "area")
ASSIGNMENT_SORTS = ("booth", "organisation", "created_at")


# ---------------------------------------------------------------- schemas


class BoothListArgs(PageArgs):
    hall = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "A hall of the event (its id): only its booths"},
    )
    status = ma.fields.String(
        validate=ma.validate.OneOf(BOOTH_STATUSES),
        metadata={
            "description": "Only booths of this status as the caller sees it (the public plan shows "
            "only free, allocated and blocked)"
        },
    )
    sort = ma.fields.String(
        load_default="hall",
        validate=ma.validate.OneOf(_sorts(*BOOTH_SORTS)),
        metadata={
            "description": "hall (hall name, then code), code, price (VND) or area (m²); "
            "'-' before it for descending"
        },
    )


class HallRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.Nested(NamesSchema)


class BoothTypeRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.Nested(NamesSchema)
    is_electronic = ma.fields.Boolean()


class HolderOrganisationSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    province_code = ma.fields.String(allow_none=True)


class HolderSchema(ma.Schema):
    organisation = ma.fields.Nested(HolderOrganisationSchema)
    ebooth_id = ma.fields.Integer(allow_none=True, metadata={"description": "Its published electronic booth"})
    registration_id = ma.fields.Integer(allow_none=True, metadata={"description": "Organisers only"})
    assignment_id = ma.fields.Integer(allow_none=True, metadata={"description": "Organisers only"})


class BoothSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    hall = ma.fields.Nested(HallRefSchema)
    type = ma.fields.Nested(BoothTypeRefSchema)
    width_m = ma.fields.Float()
    depth_m = ma.fields.Float()
    x_m = ma.fields.Float(metadata={"description": "Metres from the hall's left side"})
    y_m = ma.fields.Float(metadata={"description": "Metres from the hall's top side"})
    price_vnd = ma.fields.Integer(metadata={"description": "The booth type's price in VND"})
    status = ma.fields.String(
        metadata={
            "description": "For the event's organisers free, requested, allocated, confirmed or "
            "blocked; for everyone else free, allocated or blocked (requests and payments are private)"
        }
    )
    holder = ma.fields.Nested(HolderSchema, allow_none=True, metadata={"description": "Who holds it"})
    zones = ma.fields.List(ma.fields.String(), allow_none=True, metadata={"description": "Organisers only"})
    requests = ma.fields.Integer(
        allow_none=True, metadata={"description": "Organisers only: pending requests naming it"}
    )


BoothPageSchema = page_schema(BoothSchema, "BoothPage")


class AssignmentListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(booking.ACTIVE))
    payment = ma.fields.String(validate=ma.validate.OneOf(["due", "paid", "waived"]))
    sort = ma.fields.String(
        load_default="booth",
        validate=ma.validate.OneOf(_sorts(*ASSIGNMENT_SORTS)),
        metadata={
            "description": "booth (its code), organisation or created_at; '-' before it for descending"
        },
    )


class AssignmentBoothSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    hall = ma.fields.Nested(HallRefSchema)


class AssignmentSchema(ma.Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    booth = ma.fields.Nested(AssignmentBoothSchema)
    registration_id = ma.fields.Integer()
    organisation = ma.fields.Nested(OrganisationRefSchema)
    status = ma.fields.String(metadata={"description": "allocated, confirmed or cancelled"})
    payment = ma.fields.String(metadata={"description": "due, paid or waived"})
    amount_vnd = ma.fields.Integer(metadata={"description": "The booth type's price in VND"})
    request_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


AssignmentPageSchema = page_schema(AssignmentSchema, "BoothAssignmentPage")

QUERY = {"location": "query", "as_kwargs": False}
_ID = {"strict": True, "validate": ma.validate.Range(min=1, max=2**31 - 1)}


class PickBody(Strict):
    registration = ma.fields.Integer(
        required=True, metadata={"description": "Your organisation's approved exhibitor registration"}, **_ID
    )
    booth = ma.fields.Integer(required=True, metadata={"description": "A free booth of its event"}, **_ID)


class MoveBody(Strict):
    booth = ma.fields.Integer(
        required=True, metadata={"description": "A free booth of the same event"}, **_ID
    )


class SwapBody(Strict):
    other = ma.fields.Integer(
        required=True, metadata={"description": "Another active booking of the same event"}, **_ID
    )


class PaymentBody(Strict):
    payment = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["paid", "waived"]),
        metadata={"description": "paid: payment received; waived: no payment asked"},
    )


class CancelBody(Strict):
    pass


class EboothListArgs(PageArgs):
    q = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "Words of the exhibitor's or a shown product's name"},
    )
    group = ma.fields.String(validate=ma.validate.OneOf(list(OCOP_GROUPS)))
    province = ma.fields.String(
        validate=ma.validate.OneOf(sorted(CURRENT_OF)),
        metadata={"description": "A province code (earlier or current)"},
    )
    min_stars = ma.fields.Integer(validate=ma.validate.OneOf([3, 4, 5]))
    standard = ma.fields.String(validate=ma.validate.OneOf(list(STANDARDS)))


class EboothProductSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.Nested(NamesSchema)
    ocop_group = ma.fields.String()
    category = ma.fields.String()
    stars = ma.fields.Integer()
    certified = ma.fields.Boolean(metadata={"description": "A verified certificate, 3+ stars, valid today"})


class EboothContactSchema(ma.Schema):
    address = ma.fields.String()
    website = ma.fields.String()
    phone = ma.fields.String()
    email = ma.fields.String()
    contact_name = ma.fields.String()


class EboothSchema(ma.Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    organisation = ma.fields.Nested(HolderOrganisationSchema)
    headline = ma.fields.Nested(NamesSchema)
    products = ma.fields.List(ma.fields.Nested(EboothProductSchema), metadata={"description": "In its order"})
    contact = ma.fields.Nested(
        EboothContactSchema, metadata={"description": "Only what the exhibitor made public"}
    )
    booth = ma.fields.Nested(
        AssignmentBoothSchema, allow_none=True, metadata={"description": "Its booth on the floor"}
    )
    published = ma.fields.Boolean()
    url = ma.fields.String(metadata={"description": "Its public page"})
    visits = ma.fields.Integer(
        allow_none=True, metadata={"description": "Visits of its page: only for the exhibitor's own users"}
    )


EboothPageSchema = page_schema(EboothSchema, "ElectronicBoothPage")


# ---------------------------------------------------------------- helpers


def _hall_dict(hall) -> dict:
    return {"id": hall.id, "name": names(hall)}


def _manages(event: Event) -> bool:
    """The caller is an organiser of the event (or an admin) and its token covers the event."""
    return events.can_manage(rest.actor(), event) and rest.token_covers(event.id)


def _preload_event(event: Event) -> None:
    """The event's halls and booth types in the session: a booking's booth finds them without a query."""
    plan.halls_of(event)
    plan.booth_types(event)


def assignment_dict(assignment: BoothAssignment) -> dict:
    booth = assignment.booth
    organisation = assignment.registration.organisation
    return {
        "id": assignment.id,
        "event_id": assignment.event_id,
        "booth": {"id": booth.id, "code": booth.code, "hall": _hall_dict(booth.hall)},
        "registration_id": assignment.registration_id,
        "organisation": {"id": organisation.id, "name": organisation.name},
        "status": assignment.status,
        "payment": assignment.payment,
        "amount_vnd": int(booth.booth_type.price_vnd or 0),
        "request_id": assignment.request_id,
        "created_at": assignment.created_at,
        "updated_at": assignment.updated_at,
    }


def _visible_assignment(assignment_id: int) -> BoothAssignment:
    """A booking its event's organisers or its exhibitor may see (401, 404 or 403 otherwise)."""
    user = rest.require_user()
    assignment = db.session.get(BoothAssignment, assignment_id)
    if assignment is None or not registrations.can_see(user, assignment.registration):
        rest.abort(404)  # another organisation's booking is not told to exist
    rest.require_event_scope(assignment.event_id)
    return assignment


def _managed_assignment(assignment_id: int) -> BoothAssignment:
    rest.require_write()
    assignment = _visible_assignment(assignment_id)
    if not events.can_manage(rest.actor(), db.session.get(Event, assignment.event_id)):
        rest.abort(403)
    return assignment


def _booth_of_body(booth_id: int) -> Booth:
    booth = db.session.get(Booth, booth_id)
    if booth is None:
        message = _("Choose a booth from the list.")
        rest.abort(422, message, [{"name": "booth", "location": "json", "reason": message}])
    return booth


# ---------------------------------------------------------------- booths


@blp.route("/events/<int:event_id>/booths")
class EventBooths(MethodView):
    @blp.etag
    @blp.arguments(BoothListArgs, **QUERY)
    @blp.response(200, BoothPageSchema)
    def get(self, args, event_id: int):
        """Anyone (a draft event only its organisers): the event's booths as the public floor plan
        shows them (free, allocated or blocked, with the exhibitor holding each). The event's
        organisers and admins, with a token covering the event, see the organiser's plan: the full
        status (requested, confirmed too), zones, requests and who holds each booth."""
        event = visible_event(event_id)
        full = _manages(event)
        hall = None
        if args.get("hall") is not None:
            hall = plan.hall_of_event(event, args["hall"])
            if hall is None:
                message = _("Choose a hall of this event.")
                rest.abort(422, message, [{"name": "hall", "location": "query", "reason": message}])
        states = plan.booth_states(event, hall)
        booths = plan.booths_of(event, hall)
        published = ebooths.published_by_registration(event)

        def shown_status(booth: Booth) -> str:
            status = states[booth.id].status
            return status if full else PUBLIC_STATUS.get(status, status)

        if args.get("status"):
            booths = [b for b in booths if shown_status(b) == args["status"]]
        key = args["sort"].lstrip("-")
        sort_key = {
            "hall": lambda b: (b.hall.name, b.code, b.id),
            "code": lambda b: (b.code, b.id),
            "price": lambda b: (b.booth_type.price_vnd or 0, b.hall.name, b.code, b.id),
            "area": lambda b: (b.width_m * b.depth_m, b.hall.name, b.code, b.id),
        }[key]
        booths.sort(key=sort_key, reverse=args["sort"].startswith("-"))
        start = (args["page"] - 1) * args["per_page"]

        def dump(booth: Booth) -> dict:
            state = states[booth.id]
            holder = None
            if state.organisation is not None:
                organisation = state.organisation
                ebooth = published.get(state.registration.id)
                holder = {
                    "organisation": {
                        "id": organisation.id,
                        "name": organisation.name,
                        "province_code": current_code(organisation.province_code)
                        or organisation.province_code,
                    },
                    "ebooth_id": ebooth.id if ebooth is not None else None,
                    "registration_id": state.registration.id if full else None,
                    "assignment_id": state.assignment.id if full else None,
                }
            return {
                "id": booth.id,
                "code": booth.code,
                "hall": _hall_dict(booth.hall),
                "type": {
                    "id": booth.booth_type.id,
                    "name": names(booth.booth_type),
                    "is_electronic": booth.booth_type.is_electronic,
                },
                "width_m": float(booth.width_m),
                "depth_m": float(booth.depth_m),
                "x_m": float(booth.x_m),
                "y_m": float(booth.y_m),
                "price_vnd": int(booth.booth_type.price_vnd or 0),
                "status": shown_status(booth),
                "holder": holder,
                "zones": booth.tags if full else None,
                "requests": state.requests if full else None,
            }

        return page_of(booths[start : start + args["per_page"]], len(booths), args, dump)


# ---------------------------------------------------------------- booth assignments


@blp.route("/events/<int:event_id>/booth-assignments")
class EventAssignments(MethodView):
    @blp.etag
    @blp.arguments(AssignmentListArgs, **QUERY)
    @blp.response(200, AssignmentPageSchema)
    def get(self, args, event_id: int):
        """The event's organisers (and admins): every active booking (allocated or confirmed) with its
        booth, exhibitor, payment and amount, filtered by status and payment, sorted by `sort`.
        Exhibitors read theirs at /booth-assignments/mine."""
        event = managed_event(event_id)
        _preload_event(event)
        rows = booking.assignments_for(rest.actor(), event)
        if args.get("status"):
            rows = [a for a in rows if a.status == args["status"]]
        if args.get("payment"):
            rows = [a for a in rows if a.payment == args["payment"]]
        key = args["sort"].lstrip("-")
        sort_key = {
            "booth": lambda a: (a.booth.code, a.id),
            "organisation": lambda a: (a.registration.organisation.name, a.id),
            "created_at": lambda a: (a.created_at, a.id),
        }[key]
        rows.sort(key=sort_key, reverse=args["sort"].startswith("-"))
        start = (args["page"] - 1) * args["per_page"]
        return page_of(rows[start : start + args["per_page"]], len(rows), args, assignment_dict)


@blp.route("/booth-assignments")
class Assignments(MethodView):
    @rest.write_access
    @blp.arguments(PickBody)
    @blp.response(201, AssignmentSchema)
    def post(self, body):
        """Exhibitors (write token): pick a free booth for their organisation's approved registration,
        first come first served, when the event's organiser opened first-come booking (as the pick
        page). Organisers place exhibitors by the allocation and move bookings; they do not pick."""
        user = rest.actor()
        registration = db.session.get(Registration, body["registration"])
        if registration is None or not registrations.can_see(user, registration):
            message = _("Choose one of your organisation's registrations.")
            rest.abort(422, message, [{"name": "registration", "location": "json", "reason": message}])
        rest.require_event_scope(registration.event_id)
        booth = _booth_of_body(body["booth"])
        with rest.service_call():
            assignment = booking.pick_booth(user, registration, booth)
        return assignment_dict(assignment)


@blp.route("/booth-assignments/mine")
class MyAssignments(MethodView):
    @blp.etag
    @blp.response(200, AssignmentSchema(many=True))
    def get(self):
        """Exhibitors: their organisation's active bookings, one for each approved registration
        holding a booth, latest event first (as the "my booths" page)."""
        user = rest.require_user()
        return [
            assignment_dict(item.assignment)
            for item in booking.my_requests(user)
            if item.assignment is not None and rest.token_covers(item.registration.event_id)
        ]


@blp.route("/booth-assignments/<int:assignment_id>")
class AssignmentDetail(MethodView):
    @blp.etag
    @blp.response(200, AssignmentSchema)
    def get(self, assignment_id: int):
        """The event's organisers, or the exhibitor holding it: a booking (cancelled ones too)."""
        return assignment_dict(_visible_assignment(assignment_id))


@blp.route("/booth-assignments/<int:assignment_id>/move")
class Move(MethodView):
    @rest.write_access
    @blp.arguments(MoveBody)
    @blp.response(200, AssignmentSchema)
    def post(self, body, assignment_id: int):
        """The event's organisers (write token): move a booking to a free booth of the event; a hard
        rule (type, zone, blocked) it would break is a 422 naming `booth`."""
        assignment = _managed_assignment(assignment_id)
        booth = _booth_of_body(body["booth"])
        with rest.service_call():
            booking.move_assignment(rest.actor(), assignment, booth)
        return assignment_dict(assignment)


@blp.route("/booth-assignments/<int:assignment_id>/swap")
class Swap(MethodView):
    @rest.write_access
    @blp.arguments(SwapBody)
    @blp.response(200, AssignmentSchema)
    def post(self, body, assignment_id: int):
        """The event's organisers (write token): exchange this booking's booth with another booking's
        of the same event; the booking is returned with its new booth."""
        assignment = _managed_assignment(assignment_id)
        other = db.session.get(BoothAssignment, body["other"])
        if other is None or other.event_id != assignment.event_id:
            message = _("Choose another exhibitor's booking to swap with.")
            rest.abort(422, message, [{"name": "other", "location": "json", "reason": message}])
        with rest.service_call():
            booking.swap(rest.actor(), assignment, other)
        return assignment_dict(assignment)


@blp.route("/booth-assignments/<int:assignment_id>/payment")
class Payment(MethodView):
    @rest.write_access
    @blp.arguments(PaymentBody)
    @blp.response(200, AssignmentSchema)
    def post(self, body, assignment_id: int):
        """The event's organisers (write token): the booking is paid, or its payment waived; either
        way it becomes confirmed."""
        assignment = _managed_assignment(assignment_id)
        with rest.service_call():
            if body["payment"] == "waived":
                booking.waive_payment(rest.actor(), assignment)
            else:
                booking.confirm_payment(rest.actor(), assignment)
        return assignment_dict(assignment)


@blp.route("/booth-assignments/<int:assignment_id>/cancel")
class Cancel(MethodView):
    @rest.write_access
    @blp.arguments(CancelBody, required=False)
    @blp.response(200, AssignmentSchema)
    def post(self, _body, assignment_id: int):
        """The event's organisers (write token) cancel any booking; an exhibitor its own while it is not
        confirmed. The booth is free again; the booking stays, cancelled."""
        assignment = _visible_assignment(assignment_id)
        with rest.service_call():
            booking.cancel_assignment(rest.actor(), assignment)
        return assignment_dict(assignment)


# ---------------------------------------------------------------- electronic booths


def _ebooth_dict(ebooth: ElectronicBooth, booth: Booth | None, today) -> dict:
    organisation = ebooth.registration.organisation
    return {
        "id": ebooth.id,
        "event_id": ebooth.event_id,
        "organisation": {
            "id": organisation.id,
            "name": organisation.name,
            "province_code": current_code(organisation.province_code) or organisation.province_code,
        },
        "headline": {code: getattr(ebooth, f"headline_{code}") for code in ebooths.HEADLINE_LOCALES},
        "products": [
            {
                "id": product.id,
                "name": names(product),
                "ocop_group": product.ocop_group,
                "category": product.category,
                "stars": product.stars,
                "certified": product.is_certified(today),
            }
            for product in ebooths.shown_products(ebooth)
        ],
        "contact": ebooths.public_contact(ebooth),
        "booth": {"id": booth.id, "code": booth.code, "hall": _hall_dict(booth.hall)} if booth else None,
        "published": ebooth.published,
        "url": ebooths.ebooth_url(ebooth),
        "visits": (
            ebooths.total_visits(ebooth)
            if ebooths.can_edit(rest.actor(), ebooth) and rest.token_covers(ebooth.event_id)
            else None
        ),
    }


@blp.route("/events/<int:event_id>/ebooths")
class EventEbooths(MethodView):
    @blp.etag
    @blp.arguments(EboothListArgs, **QUERY)
    @blp.response(200, EboothPageSchema)
    def get(self, args, event_id: int):
        """Anyone (a draft event only its organisers): the event's published electronic booths, by
        exhibitor name, filtered as the online catalogue page (words, OCOP group, province, stars of
        a certified shown product, standard)."""
        event = visible_event(event_id)
        filters = ebooths.EboothFilters(
            text=(args.get("q") or "").strip() or None,
            group=args.get("group"),
            province=current_code(args.get("province")),
            min_stars=args.get("min_stars"),
            standard=args.get("standard"),
        )
        rows, total = rows_and_total(
            ebooths.catalogue_query(event, filters), page=args["page"], per_page=args["per_page"]
        )
        items = [row[0] for row in rows]
        places = ebooths.physical_booths(e.registration_id for e in items)
        today = catalog.today()
        return page_of(items, total, args, lambda e: _ebooth_dict(e, places.get(e.registration_id), today))


@blp.route("/ebooths/<int:ebooth_id>")
class EboothDetail(MethodView):
    @blp.etag
    @blp.response(200, EboothSchema)
    def get(self, ebooth_id: int):
        """Anyone, once published (before, its exhibitor's users and the event's organisers): an
        electronic booth as its page shows it. Reading it here is not counted as a visit."""
        ebooth = db.session.get(ElectronicBooth, ebooth_id)
        if ebooth is None or not ebooths.can_view(rest.actor(), ebooth):
            rest.abort(404)
        if not ebooths.is_public(ebooth):
            rest.require_event_scope(ebooth.event_id)
        return _ebooth_dict(ebooth, ebooths.physical_booth(ebooth), catalog.today())
