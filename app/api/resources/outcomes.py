"""Outcomes: what came of the meetings. Either side of a meeting records its own (the outcome
page's service, which sends the `outcome.recorded` webhook); the event's organisers read them all."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from app.api import rest
from app.api.resources.common import PageArgs, Strict, page_of, page_schema
from app.api.resources.events import managed_event
from app.api.resources.meetings import MeetingDumper, MeetingSchema, visible_meeting
from app.inputs import DB_INT_MAX
from app.matching.models import OUTCOME_KINDS, Meeting, MeetingOutcome
from app.matching.outcomes import services as outcomes

blp = rest.Blueprint(
    "api_outcomes",
    __name__,
    description="Outcomes: each side of a meeting records its own; the event's organisers read them all.",
)

SORT_CHOICES = [*outcomes.OUTCOME_SORTS, *(f"-{key}" for key in outcomes.OUTCOME_SORTS)]
SIDES = ("buyer", "producer")
MAX_NOTE = 4000


class OutcomeListArgs(PageArgs):
    kind = ma.fields.String(validate=ma.validate.OneOf(OUTCOME_KINDS))
    side = ma.fields.String(validate=ma.validate.OneOf(SIDES), metadata={"description": "Who recorded it"})
    session_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=DB_INT_MAX))
    min_value_vnd = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=outcomes.MAX_VALUE_VND),
        metadata={"description": "Records with a value (contracts, sample orders) of at least this, in VND"},
    )
    sort = ma.fields.String(
        load_default="-recorded_at",
        validate=ma.validate.OneOf(SORT_CHOICES),
        metadata={
            "description": (
                "recorded_at, value_vnd (no value last) or kind (no_interest, follow_up, sample_order, "
                "contract); '-' before it for descending; ties by meeting and side"
            )
        },
    )


class OutcomeSchema(ma.Schema):
    meeting_id = ma.fields.Integer()
    side = ma.fields.String(metadata={"description": "buyer or producer: who recorded it"})
    kind = ma.fields.String(metadata={"description": "no_interest, follow_up, sample_order or contract"})
    value_vnd = ma.fields.Integer(allow_none=True, metadata={"description": "In VND, a whole number"})
    note = ma.fields.String(allow_none=True)
    recorded_at = ma.fields.AwareDateTime()
    meeting = ma.fields.Nested(MeetingSchema)


OutcomePageSchema = page_schema(OutcomeSchema, "OutcomePage")


class OutcomeBody(Strict):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOME_KINDS))
    value_vnd = ma.fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=ma.validate.Range(min=0, max=outcomes.MAX_VALUE_VND),
        metadata={"description": "In VND, a whole number: a contract needs one above 0"},
    )
    note = ma.fields.String(
        allow_none=True,
        load_default=None,
        validate=ma.validate.Length(max=MAX_NOTE),
    )


def outcome_dict(outcome: MeetingOutcome, meeting: Meeting, dump) -> dict:
    return {
        "meeting_id": outcome.meeting_id,
        "side": outcome.side,
        "kind": outcome.kind,
        "value_vnd": outcome.value_vnd,
        "note": outcome.note,
        "recorded_at": outcome.recorded_at,
        "meeting": dump(meeting),
    }


@blp.route("/events/<int:event_id>/outcomes")
class EventOutcomes(MethodView):
    @blp.etag
    @blp.arguments(OutcomeListArgs, location="query", as_kwargs=False)
    @blp.response(200, OutcomePageSchema)
    def get(self, args, event_id: int):
        """The event's organisers (and admins): each side's record of its published meetings,
        filtered by kind, side, session and value, sorted by `sort`."""
        event = managed_event(event_id)
        with rest.service_call():
            rows, total = outcomes.outcomes_page(
                rest.actor(),
                event,
                kind=args.get("kind"),
                side=args.get("side"),
                session_id=args.get("session_id"),
                min_value_vnd=args.get("min_value_vnd"),
                sort=args["sort"],
                page=args["page"],
                per_page=args["per_page"],
            )
        dump = MeetingDumper()
        return page_of(rows, total, args, lambda row: outcome_dict(*row, dump))


@blp.route("/meetings/<int:meeting_id>/outcome")
class RecordOutcome(MethodView):
    @rest.write_access
    @blp.arguments(OutcomeBody)
    @blp.response(200, OutcomeSchema)
    def post(self, body, meeting_id: int):
        """The users of either side of a published meeting, with a write token, as on the outcome
        page: record (or correct) their side's outcome once the meeting has started. Organisers
        read outcomes but do not record them (403)."""
        meeting = visible_meeting(meeting_id)
        with rest.service_call():
            outcome = outcomes.record_outcome(
                rest.actor(), meeting, body["kind"], body["value_vnd"], body["note"]
            )
        return outcome_dict(outcome, meeting, MeetingDumper())
