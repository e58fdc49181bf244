"""Meetings: a participant's own agenda (published, not cancelled), as the agenda page shows it;
the event's meetings for its organisers (app.matching.sessions.grid); a meeting for them or
either side; check-ins at the table by the check-in page's service (app.onsite), which sends
the `checkin.recorded` webhook."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from app.api import rest
from app.api.resources.common import PageArgs, Strict, page_of, page_schema
from app.api.resources.events import managed_event, visible_event
from app.errors import PermissionDenied
from app.extensions import db
from app.inputs import DB_INT_MAX
from app.matching.agenda import services as agenda
from app.matching.engine.slots import Slot, session_slots
from app.matching.models import MEETING_STATUSES, Meeting
from app.matching.participation import services as participation
from app.matching.sessions import grid
from app.matching.sessions import services as sessions
from app.names import table_labels
from app.onsite import services as checkin

blp = rest.Blueprint(
    "api_meetings",
    __name__,
    description=(
        "Meetings: a participant's own agenda; the event's meetings and check-ins for its organisers; "
        "checking a meeting in at its table."
    ),
)

SORT_CHOICES = [*grid.EVENT_MEETING_SORTS, *(f"-{key}" for key in grid.EVENT_MEETING_SORTS)]


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


# ---------------------------------------------------------------- the event's meetings


class MeetingListArgs(PageArgs):
    day = ma.fields.Date(metadata={"description": "A day (YYYY-MM-DD) in the event's time zone"})
    slot = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=DB_INT_MAX), metadata={"description": "A slot index"}
    )
    registration_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=DB_INT_MAX),
        metadata={"description": "Meetings where this registration is either side"},
    )
    organisation_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=DB_INT_MAX),
        metadata={"description": "Meetings where this organisation is either side"},
    )
    session_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=DB_INT_MAX))
    status = ma.fields.String(validate=ma.validate.OneOf(MEETING_STATUSES))
    published = ma.fields.Boolean()
    sort = ma.fields.String(
        load_default="time",
        validate=ma.validate.OneOf(SORT_CHOICES),
        metadata={
            "description": (
                "time (sessions by their first day, then slot and table), table (session, table, slot), "
                "status (scheduled, held, no_show, cancelled), checked_in_at (not checked in last) or id; "
                "'-' before it for descending; ties by id"
            )
        },
    )


class PartySchema(ma.Schema):
    registration_id = ma.fields.Integer()
    organisation_id = ma.fields.Integer()
    name = ma.fields.String()


class MeetingSchema(ma.Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    session_id = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "scheduled, held, no_show or cancelled"})
    published = ma.fields.Boolean()
    slot = ma.fields.Integer()
    starts_at = ma.fields.AwareDateTime(
        allow_none=True, metadata={"description": "None: the session's settings no longer have the slot"}
    )
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    table = ma.fields.String(
        metadata={"description": "The table's name, in the reader's language if it has one"}
    )
    table_index = ma.fields.Integer(metadata={"description": "0-based"})
    session_kind = ma.fields.String(
        metadata={
            "description": (
                "bipartite (buyer meets producer) or forum (any participant meets any other: "
                "buyer and producer are then the meeting's two sides, lower registration id first)"
            )
        }
    )
    buyer = ma.fields.Nested(PartySchema)
    producer = ma.fields.Nested(PartySchema)
    checkin_code = ma.fields.String()
    checked_in_at = ma.fields.AwareDateTime(allow_none=True)
    checked_in_by_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "The user who checked it in"}
    )


MeetingPageSchema = page_schema(MeetingSchema, "MeetingPage")


class MeetingDumper:
    """Meetings as dicts; each session's slots and table names worked out once."""

    def __init__(self):
        self._slots: dict[int, dict[int, Slot]] = {}
        self._tables: dict[int, list[tuple[str, str]]] = {}

    def __call__(self, meeting: Meeting) -> dict:
        session = meeting.session
        if session.id not in self._slots:
            zone = session.event.timezone
            self._slots[session.id] = {slot.index: slot for slot in session_slots(session, zone)}
            self._tables[session.id] = table_labels(session)
        slot = self._slots[session.id].get(meeting.slot)
        tables = self._tables[session.id]
        return {
            "id": meeting.id,
            "event_id": session.event_id,
            "session_id": meeting.session_id,
            "status": meeting.status,
            "published": meeting.published,
            "slot": meeting.slot,
            "starts_at": slot.start_utc if slot else None,
            "ends_at": slot.end_utc if slot else None,
            "table": tables[meeting.table][0] if 0 <= meeting.table < len(tables) else str(meeting.table + 1),
            "table_index": meeting.table,
            "session_kind": session.kind,
            "buyer": party(meeting.buyer),
            "producer": party(meeting.producer),
            "checkin_code": meeting.checkin_code,
            "checked_in_at": meeting.checked_in_at,
            "checked_in_by_id": meeting.checked_in_by_id,
        }


def party(registration) -> dict:
    return {
        "registration_id": registration.id,
        "organisation_id": registration.organisation_id,
        "name": registration.organisation.name,
    }


def visible_meeting(meeting_id: int) -> Meeting:
    """The meeting for its event's organisers or either side's users (published): 401 anonymous,
    404 when there is none or the caller may not see it, 403 for a token limited to another event."""
    user = rest.require_user()
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not sessions.can_see_meeting(user, meeting):
        rest.abort(404)
    rest.require_event_scope(meeting.session.event_id)
    return meeting


@blp.route("/events/<int:event_id>/meetings")
class EventMeetings(MethodView):
    @blp.etag
    @blp.arguments(MeetingListArgs, location="query", as_kwargs=False)
    @blp.response(200, MeetingPageSchema)
    def get(self, args, event_id: int):
        """The event's organisers (and admins): every meeting of its sessions, drafts and cancelled
        ones included, filtered by day, slot, person (registration or organisation, either side),
        session, status and publication, sorted by `sort`."""
        event = managed_event(event_id)
        with rest.service_call():
            items, total = grid.event_meetings_page(
                rest.actor(),
                event,
                day=args.get("day"),
                slot=args.get("slot"),
                registration_id=args.get("registration_id"),
                organisation_id=args.get("organisation_id"),
                session_id=args.get("session_id"),
                status=args.get("status"),
                published=args.get("published"),
                sort=args["sort"],
                page=args["page"],
                per_page=args["per_page"],
            )
        return page_of(items, total, args, MeetingDumper())


@blp.route("/meetings/<int:meeting_id>")
class MeetingDetail(MethodView):
    @blp.etag
    @blp.response(200, MeetingSchema)
    def get(self, meeting_id: int):
        """The event's organisers (and admins), or the users of either side once it is published:
        a meeting."""
        return MeetingDumper()(visible_meeting(meeting_id))


# ---------------------------------------------------------------- check-ins


class CheckinBody(Strict):
    pass


class CheckinSchema(ma.Schema):
    already = ma.fields.Boolean(metadata={"description": "It had been checked in before: nothing changed"})
    checked_in_at = ma.fields.AwareDateTime()
    meeting = ma.fields.Nested(MeetingSchema)


class CheckedInBySchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class CheckinItemSchema(ma.Schema):
    checked_in_at = ma.fields.AwareDateTime()
    checked_in_by = ma.fields.Nested(
        CheckedInBySchema, allow_none=True, metadata={"description": "None once that account is gone"}
    )
    meeting = ma.fields.Nested(MeetingSchema)


CheckinPageSchema = page_schema(CheckinItemSchema, "CheckinPage")


@blp.route("/meetings/<int:meeting_id>/checkin")
class Checkin(MethodView):
    @rest.write_access
    @blp.arguments(CheckinBody, required=False)
    @blp.response(200, CheckinSchema)
    def post(self, _body, meeting_id: int):
        """The event's organisers (and admins), with a write token, as on the check-in page: mark
        a published meeting held, from its day on. Again: the same answer, `already` true, the
        first time kept. The `checkin.recorded` webhook goes out once."""
        meeting = visible_meeting(meeting_id)
        if not checkin.can_check_in(rest.actor(), meeting.session.event):
            rest.abort(403)
        with rest.service_call():
            result = checkin.check_in_meeting(rest.actor(), meeting)
        return {
            "already": result.already,
            "checked_in_at": meeting.checked_in_at,
            "meeting": MeetingDumper()(meeting),
        }


@blp.route("/events/<int:event_id>/checkins")
class EventCheckins(MethodView):
    @blp.etag
    @blp.arguments(PageArgs, location="query", as_kwargs=False)
    @blp.response(200, CheckinPageSchema)
    def get(self, args, event_id: int):
        """The event's organisers (and admins): its checked-in meetings, newest first, with when and
        by whom."""
        event = managed_event(event_id)
        with rest.service_call():
            rows, total = checkin.checkins_page(
                rest.actor(), event, page=args["page"], per_page=args["per_page"]
            )
        dump = MeetingDumper()

        def item(row) -> dict:
            meeting, user = row
            return {
                "checked_in_at": meeting.checked_in_at,
                "checked_in_by": {"id": user.id, "name": user.full_name} if user is not None else None,
                "meeting": dump(meeting),
            }

        return page_of(rows, total, args, item)
