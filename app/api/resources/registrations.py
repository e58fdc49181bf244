"""Registrations: the event's organisers list, approve and reject them (the pages' services);
exhibitors and buyers read their own organisation's."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from app.api import rest
from app.api.resources.common import PageArgs, Strict, page_of, page_schema
from app.api.resources.events import managed_event
from app.events import services as events
from app.events.models import Registration
from app.events.registrations import services
from app.extensions import db

blp = rest.Blueprint(
    "api_registrations",
    __name__,
    description="Registrations: the event's organisers decide; registrants read their own.",
)

STATUSES = ("pending", "waitlisted", "approved", "rejected", "withdrawn")
SORT_CHOICES = [*services.REGISTRATION_SORTS, *(f"-{key}" for key in services.REGISTRATION_SORTS)]


class RegistrationListArgs(PageArgs):
    role = ma.fields.String(validate=ma.validate.OneOf(["exhibitor", "buyer"]))
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    sort = ma.fields.String(
        load_default="date",
        validate=ma.validate.OneOf(SORT_CHOICES),
        metadata={"description": "date, name, status or role; '-' before it for descending"},
    )


class OrganisationRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class RegistrationSchema(ma.Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    organisation = ma.fields.Nested(OrganisationRefSchema)
    role = ma.fields.String()
    status = ma.fields.String()
    reason = ma.fields.String(allow_none=True, metadata={"description": "Why it was rejected"})
    message = ma.fields.String(allow_none=True)
    product_ids = ma.fields.List(ma.fields.Integer())
    demand_line_ids = ma.fields.List(ma.fields.Integer())
    created_at = ma.fields.AwareDateTime()
    waitlisted_at = ma.fields.AwareDateTime(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)


RegistrationPageSchema = page_schema(RegistrationSchema, "RegistrationPage")


class ApproveBody(Strict):
    pass


class RejectBody(Strict):
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=2000),
        metadata={"description": "The registrant reads it"},
    )


def registration_dict(registration: Registration) -> dict:
    return {
        "id": registration.id,
        "event_id": registration.event_id,
        "organisation": {"id": registration.organisation.id, "name": registration.organisation.name},
        "role": registration.role,
        "status": registration.status,
        "reason": registration.reason,
        "message": registration.message,
        "product_ids": [row.product_id for row in registration.product_rows],
        "demand_line_ids": [row.demand_line_id for row in registration.demand_rows],
        "created_at": registration.created_at,
        "waitlisted_at": registration.waitlisted_at,
        "decided_at": registration.decided_at,
    }


def _visible_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        rest.abort(404)
    user = rest.require_user()
    if not services.can_see(user, registration):
        rest.abort(404)  # another organisation's registration is not told to exist
    rest.require_event_scope(registration.event_id)
    return registration


@blp.route("/events/<int:event_id>/registrations")
class EventRegistrations(MethodView):
    @blp.etag
    @blp.arguments(RegistrationListArgs, location="query", as_kwargs=False)
    @blp.response(200, RegistrationPageSchema)
    def get(self, args, event_id: int):
        """The event's organisers: its registrations, filtered by role and status, sorted by `sort`."""
        event = managed_event(event_id)
        page = services.registrations_page(
            rest.actor(),
            event,
            role=args.get("role"),
            status=args.get("status"),
            sort=args["sort"],
            page=args["page"],
            per_page=args["per_page"],
        )
        return page_of(page.items, page.total, args, registration_dict)


@blp.route("/registrations/mine")
class MyRegistrations(MethodView):
    @blp.etag
    @blp.response(200, RegistrationSchema(many=True))
    def get(self):
        """Exhibitors and buyers: their own organisation's registrations, latest event first."""
        user = rest.require_user()
        return [
            registration_dict(r) for r in services.my_registrations(user) if rest.token_covers(r.event_id)
        ]


@blp.route("/registrations/<int:registration_id>")
class RegistrationDetail(MethodView):
    @blp.etag
    @blp.response(200, RegistrationSchema)
    def get(self, registration_id: int):
        """The event's organisers, or the registrant: a registration."""
        return registration_dict(_visible_registration(registration_id))


def _decidable(registration_id: int) -> Registration:
    rest.require_write()
    registration = _visible_registration(registration_id)
    if not events.can_manage(rest.actor(), registration.event):
        rest.abort(403)
    return registration


@blp.route("/registrations/<int:registration_id>/approve")
class Approve(MethodView):
    @rest.write_access
    @blp.arguments(ApproveBody, required=False)
    @blp.response(200, RegistrationSchema)
    def post(self, _body, registration_id: int):
        """The event's organisers (write token): approve a pending or waitlisted registration
        if a place is left."""
        registration = _decidable(registration_id)
        with rest.service_call():
            services.approve(rest.actor(), registration)
        return registration_dict(registration)


@blp.route("/registrations/<int:registration_id>/reject")
class Reject(MethodView):
    @rest.write_access
    @blp.arguments(RejectBody)
    @blp.response(200, RegistrationSchema)
    def post(self, body, registration_id: int):
        """The event's organisers (write token): reject a registration with a reason the registrant reads."""
        registration = _decidable(registration_id)
        with rest.service_call():
            services.reject(rest.actor(), registration, body["reason"])
        return registration_dict(registration)
