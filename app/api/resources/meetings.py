"""Meetings: a participant's own agenda (published, not cancelled), as the agenda page shows it."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from app.api import rest
from app.api.resources.events import visible_event
from app.errors import PermissionDenied
from app.matching.agenda import services as agenda
from app.matching.participation import services as participation

blp = rest.Blueprint("api_meetings", __name__, description="Meetings: a participant's own agenda.")


class CounterpartSchema(ma.Schema):
    registration_id = ma.fields.Integer()
    organisation_id = ma.fields.Integer()
    name = ma.fields.String()
    role = ma.fields.String()


class AgendaItemSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    slot = ma.fields.Integer()
    starts_at = ma.fields.AwareDateTime(
        allow_none=True, metadata={"description": "None: time to be confirmed"}
    )
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    hall = ma.fields.String(allow_none=True)
    table = ma.fields.String()
    counterpart = ma.fields.Nested(CounterpartSchema)
    checked_in = ma.fields.Boolean()


@blp.route("/events/<int:event_id>/agenda")
class Agenda(MethodView):
    @blp.etag
    @blp.response(200, AgendaItemSchema(many=True))
    def get(self, event_id: int):
        """Exhibitors and buyers with an approved registration: their meetings, in time order."""
        user = rest.require_user()
        event = visible_event(event_id)
        rest.require_event_scope(event.id)
        _event, _session, registration = participation.participant_context(user, event.slug)
        if registration is None:
            rest.abort(403)
        try:
            items = agenda.agenda_for(user, registration)
        except PermissionDenied:
            rest.abort(403)
        return [
            {
                "id": item.meeting.id,
                "status": item.meeting.status,
                "slot": item.meeting.slot,
                "starts_at": item.slot.start_utc if item.slot else None,
                "ends_at": item.slot.end_utc if item.slot else None,
                "hall": item.hall,
                "table": item.table,
                "counterpart": {
                    "registration_id": item.counterpart.id,
                    "organisation_id": item.counterpart.organisation_id,
                    "name": item.counterpart.organisation.name,
                    "role": item.counterpart.role,
                },
                "checked_in": item.meeting.checked_in_at is not None,
            }
            for item in items
        ]
