"""Events: the public list (paged, filtered, sorted), an event, its programme and its halls."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _

from app.api import rest
from app.api.resources.common import NamesSchema, PageArgs, names, page_schema, paged
from app.data.provinces import CURRENT_OF
from app.events import services
from app.events.models import EVENT_KINDS, EVENT_STATES, Event
from app.extensions import db

blp = rest.Blueprint(
    "api_events",
    __name__,
    description="Events: anyone sees those that are not drafts; a draft only its organisers.",
)

SORT_CHOICES = [*services.EVENT_SORTS, *(f"-{key}" for key in services.EVENT_SORTS)]


class EventListArgs(PageArgs):
    managed = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Organisers: the events they manage, drafts too (admins: every event)"},
    )
    state = ma.fields.String(
        validate=ma.validate.OneOf(EVENT_STATES), metadata={"description": "`draft` only with `managed`"}
    )
    kind = ma.fields.String(validate=ma.validate.OneOf(EVENT_KINDS))
    province = ma.fields.String(
        validate=ma.validate.OneOf(sorted(CURRENT_OF)),
        metadata={"description": "A province code (earlier or current)"},
    )
    sort = ma.fields.String(
        load_default="-starts_at",
        validate=ma.validate.OneOf(SORT_CHOICES),
        metadata={"description": "starts_at, name or created_at; '-' before it for descending"},
    )


class EventSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    kind = ma.fields.String()
    state = ma.fields.String()
    name = ma.fields.Nested(NamesSchema)
    description = ma.fields.Nested(NamesSchema)
    timezone = ma.fields.String()
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()
    venue_name = ma.fields.String(allow_none=True)
    venue_address = ma.fields.String(allow_none=True)
    province_code = ma.fields.String(allow_none=True)
    exhibitor_capacity = ma.fields.Integer()
    buyer_capacity = ma.fields.Integer()
    exhibitor_registration_opens_at = ma.fields.AwareDateTime(allow_none=True)
    exhibitor_registration_closes_at = ma.fields.AwareDateTime(allow_none=True)
    buyer_registration_opens_at = ma.fields.AwareDateTime(allow_none=True)
    buyer_registration_closes_at = ma.fields.AwareDateTime(allow_none=True)


EventPageSchema = page_schema(EventSchema, "EventPage")


class ProgrammeItemSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.Nested(NamesSchema)
    description = ma.fields.String(allow_none=True)
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()
    location = ma.fields.String()
    cancelled = ma.fields.Boolean()


class HallSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.Nested(NamesSchema)
    width_m = ma.fields.Float()
    depth_m = ma.fields.Float()


def event_dict(event: Event) -> dict:
    data = {column: getattr(event, column) for column in EventSchema().fields if hasattr(Event, column)}
    data["name"] = names(event)
    data["description"] = names(event, "description")
    return data


def visible_event(event_id: int) -> Event:
    """The event if the caller may see it (a draft only for its organisers), else 404."""
    event = db.session.get(Event, event_id)
    if event is None or not services.can_see_event(rest.actor(), event):
        rest.abort(404)
    return event


def managed_event(event_id: int) -> Event:
    """The event, for its organisers (and admins) with a token covering it: 404, 401 or 403 otherwise."""
    user = rest.require_user()
    event = visible_event(event_id)
    rest.require_event_scope(event.id)
    if not services.can_manage(user, event):
        rest.abort(403)
    return event


@blp.route("/events")
class Events(MethodView):
    @blp.etag
    @blp.arguments(EventListArgs, location="query", as_kwargs=False)
    @blp.response(200, EventPageSchema)
    def get(self, args):
        """Anyone: the public events, a page at a time, filtered by state, kind and province, sorted
        by `sort`. Organisers and admins with `managed=true`: the events they manage, drafts too."""
        managed_by = None
        if args["managed"]:
            managed_by = rest.require_user()
            if managed_by.role not in ("organiser", "admin"):
                rest.abort(403, _("Only organisers manage events."))
        elif args.get("state") == "draft":
            reason = _("Drafts are listed only with managed=true, for their organisers.")
            rest.abort(422, reason, [{"name": "state", "location": "query", "reason": reason}])
        query = services.public_events_query(
            state=args.get("state"),
            kind=args.get("kind"),
            province=args.get("province"),
            sort=args["sort"],
            managed_by=managed_by,
        )
        current = rest.token()
        if managed_by is not None and current is not None and current.event_id is not None:
            query = query.where(Event.id == current.event_id)  # a token for one event lists that one
        return paged(query, args, event_dict)


@blp.route("/events/<int:event_id>")
class EventDetail(MethodView):
    @blp.etag
    @blp.response(200, EventSchema)
    def get(self, event_id: int):
        """An event (a draft only for its organisers)."""
        return event_dict(visible_event(event_id))


@blp.route("/events/<int:event_id>/programme")
class Programme(MethodView):
    @blp.etag
    @blp.response(200, ProgrammeItemSchema(many=True))
    def get(self, event_id: int):
        """The event's programme, in order of time (cancelled items say so)."""
        event = visible_event(event_id)
        items = sorted(event.programme, key=lambda item: (item.starts_at, item.id))
        return [
            {
                "id": item.id,
                "kind": item.kind,
                "title": names(item, "title"),
                "description": item.description,
                "starts_at": item.starts_at,
                "ends_at": item.ends_at,
                "location": item.location,
                "cancelled": item.cancelled,
            }
            for item in items
        ]


@blp.route("/events/<int:event_id>/halls")
class Halls(MethodView):
    @blp.etag
    @blp.response(200, HallSchema(many=True))
    def get(self, event_id: int):
        """The event's halls and their sizes in metres."""
        event = visible_event(event_id)
        return [
            {
                "id": hall.id,
                "name": names(hall),
                "width_m": float(hall.width_m),
                "depth_m": float(hall.depth_m),
            }
            for hall in sorted(event.halls, key=lambda hall: hall.id)
        ]
