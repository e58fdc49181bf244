"""Matchmaking sessions, for the event's organisers (and administrators): their settings and the
schedule's figures; creating one and changing its settings (the pages' services); running the
matching, publishing the schedule and repairing it as background jobs, the same jobs the
session page starts, followed at /jobs/{id}. Participants and anonymous callers are refused.
"""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from app.api import rest
from app.api.resources import jobs as job_resource
from app.api.resources.common import NamesSchema, PageArgs, Strict, names, page_of, page_schema
from app.api.resources.events import managed_event
from app.extensions import db
from app.matching import jobs
from app.matching.engine import scoring
from app.matching.models import MatchingSession
from app.matching.sessions import grid, services
from app.tasks import services as tasks
from app.tasks.errors import AlreadyRunning, QueueUnavailable

blp = rest.Blueprint(
    "api_sessions",
    __name__,
    description=(
        "Matchmaking sessions: the event's organisers set them up, run the matching, publish and "
        "repair the schedule (background jobs, followed at /jobs/{id})."
    ),
)

NAME_LENGTH = 200  # the columns' (String(200))
TEXT_LENGTH = 200_000  # breaks and table names (5,000 tables with their names)


def _local_time(value) -> None:
    if value.tzinfo is not None:
        raise ma.ValidationError(_l("Give a time of day in the event's time zone, without an offset."))


def _string(length: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(max=length), **kwargs)


# Each score term's weight, from 0 to 1 (at least one of the profile terms above zero), and the
# weight of memory across events ("history", the form's "Earlier meetings"; 0 turns it off); an
# unknown term is refused.
WeightsSchema = Strict.from_dict(
    {
        **{
            term: ma.fields.Float(allow_nan=False, metadata={"description": str(scoring.TERM_NAMES[term])})
            for term in scoring.TERMS
        },
        "history": ma.fields.Float(
            allow_nan=False,
            metadata={
                "description": (
                    "Earlier meetings, 0 to 1: pairs that met at earlier events of the programme "
                    "(talks ongoing count for, no interest or a no-show against); 0 turns it off"
                )
            },
        ),
    },
    name="Weights",
)


class SessionSettingsSchema(Strict):
    """A session's settings; a request names those it sets (the others keep their value, or
    the defaults when creating one)."""

    name = _string(NAME_LENGTH, metadata={"description": "In Vietnamese"})
    name_en = _string(NAME_LENGTH, allow_none=True)
    name_fr = _string(NAME_LENGTH, allow_none=True)
    first_day = ma.fields.Date(metadata={"description": "A day of the event"})
    last_day = ma.fields.Date()
    day_start = ma.fields.Time(
        validate=_local_time, metadata={"description": "Local time, e.g. 08:30, in the event's time zone"}
    )
    day_end = ma.fields.Time(validate=_local_time)
    meeting_minutes = ma.fields.Integer(strict=True, metadata={"description": "5 to 240"})
    gap_minutes = ma.fields.Integer(strict=True, metadata={"description": "0 to 120"})
    breaks = _string(
        TEXT_LENGTH, allow_none=True, metadata={"description": "HH:MM-HH:MM, separated by commas or lines"}
    )
    tables = ma.fields.Integer(strict=True, metadata={"description": "1 to 5,000"})
    table_names = _string(TEXT_LENGTH, allow_none=True, metadata={"description": "One a line, in Vietnamese"})
    table_names_en = _string(TEXT_LENGTH, allow_none=True)
    table_names_fr = _string(TEXT_LENGTH, allow_none=True)
    max_meetings_per_buyer = ma.fields.Integer(strict=True, metadata={"description": "0 to 200"})
    max_meetings_per_producer = ma.fields.Integer(strict=True, metadata={"description": "0 to 200"})
    weights = ma.fields.Nested(WeightsSchema)


class SummarySchema(ma.Schema):
    meetings = ma.fields.Integer()
    objective = ma.fields.Float(metadata={"description": "The scores' sum"})
    upper_bound = ma.fields.Float(allow_none=True)
    quality = ma.fields.Float(allow_none=True, metadata={"description": "objective / upper_bound, in %"})
    slots = ma.fields.Integer()
    slots_used = ma.fields.Integer()
    lower_bound_slots = ma.fields.Integer()
    idle_gaps = ma.fields.Integer()
    no_meeting = ma.fields.Integer(metadata={"description": "Participants with candidates but no meeting"})
    people_with_meetings = ma.fields.Integer()
    unmet_total = ma.fields.Integer(metadata={"description": "Must-meet requests not scheduled"})
    cancelled_total = ma.fields.Integer()
    runtime_s = ma.fields.Float(allow_none=True)


class JobRefSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String()
    href = ma.fields.String()


class SessionSchema(ma.Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    name = ma.fields.Nested(NamesSchema)
    state = ma.fields.String(metadata={"description": "draft, solved or published"})
    settings = ma.fields.Nested(SessionSettingsSchema)
    summary = ma.fields.Nested(SummarySchema)
    job = ma.fields.Nested(
        JobRefSchema, allow_none=True, metadata={"description": "The running job, or the last one"}
    )
    solved_at = ma.fields.AwareDateTime(allow_none=True)
    published_at = ma.fields.AwareDateTime(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


SessionPageSchema = page_schema(SessionSchema, "SessionPage")


class JobBody(Strict):
    pass


def session_url(session_id: int) -> str:
    return url_for(f"{blp.name}.SessionDetail", session_id=session_id, _external=True)


def _session_result(task) -> str | None:
    session_id = (task.params or {}).get("session_id")
    return session_url(session_id) if isinstance(session_id, int) else None


for _kind in ("matching.run", "matching.publish", "matching.repair"):
    job_resource.RESULT_LINKS[_kind] = _session_result

SUMMARY_FIGURES = tuple(SummarySchema().fields)


def session_dict(session: MatchingSession, job=None) -> dict:
    view = grid.overview(session, count_people=False)
    summary = {key: view.figures.get(key) for key in SUMMARY_FIGURES}
    summary |= {"unmet_total": view.unmet_total, "cancelled_total": view.cancelled_total}
    settings = {key: getattr(session, key) for key in services.SESSION_FIELDS}
    settings["weights"] = services.weights_of(session) | {"history": services.history_weight_of(session)}
    return {
        "id": session.id,
        "event_id": session.event_id,
        "name": names(session),
        "state": session.state,
        "settings": settings,
        "summary": summary,
        "job": (
            {
                "id": job.id,
                "kind": job.kind,
                "status": job_resource.job_status(job),
                "href": job_resource.job_url(job),
            }
            if job is not None
            else None
        ),
        "solved_at": session.solved_at,
        "published_at": session.published_at,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
    }


def _with_job(session: MatchingSession) -> dict:
    return session_dict(session, tasks.latest_task(jobs.session_lock_key(session.id)))


def _managed_session(session_id: int) -> MatchingSession:
    """The session, for its event's organisers (and admins): 404, 401 or 403 otherwise."""
    rest.require_user()
    session = db.session.get(MatchingSession, session_id)
    if session is None:
        rest.abort(404)
    event = managed_event(session.event_id)
    set_committed_value(session, "event", event)
    return session


@blp.route("/events/<int:event_id>/sessions")
class EventSessions(MethodView):
    @blp.etag
    @blp.arguments(PageArgs, location="query", as_kwargs=False)
    @blp.response(200, SessionPageSchema)
    def get(self, args, event_id: int):
        """The event's organisers (and administrators): its matchmaking sessions, by first day,
        with their settings, the schedule's figures and their running or last job."""
        event = managed_event(event_id)
        sessions = services.sessions_of(event)
        start = (args["page"] - 1) * args["per_page"]
        shown = sessions[start : start + args["per_page"]]
        latest = tasks.latest_tasks([jobs.session_lock_key(s.id) for s in shown])
        for session in shown:
            set_committed_value(session, "event", event)
        return page_of(
            shown,
            len(sessions),
            args,
            lambda s: session_dict(s, latest.get(jobs.session_lock_key(s.id))),
        )

    @rest.write_access
    @blp.arguments(SessionSettingsSchema)
    @blp.response(
        201,
        SessionSchema,
        headers={"Location": {"description": "The new session", "schema": {"type": "string"}}},
    )
    def post(self, body, event_id: int):
        """The event's organisers (and administrators), write token: a new session (draft); the
        settings not given take the defaults the page proposes (the programme's matchmaking
        hours, else the event's first morning)."""
        event = managed_event(event_id)
        if "weights" in body:  # the terms not named keep their default weight, as in a PATCH
            body["weights"] = scoring.DEFAULT_WEIGHTS | body["weights"]
        with rest.service_call():
            session = services.create_session(rest.actor(), event, **body)
        return _with_job(session), 201, {"Location": session_url(session.id)}


@blp.route("/sessions/<int:session_id>")
class SessionDetail(MethodView):
    @blp.etag
    @blp.response(200, SessionSchema)
    def get(self, session_id: int):
        """The event's organisers (and administrators): a session, its settings, figures and job."""
        return _with_job(_managed_session(session_id))

    @rest.write_access
    @blp.arguments(SessionSettingsSchema)
    @blp.response(200, SessionSchema)
    def patch(self, body, session_id: int):
        """The event's organisers (and administrators), write token: change the settings named
        (`weights` merges into the current weights; null clears an optional text). Refused when
        it would move meetings already published."""
        session = _managed_session(session_id)
        if "weights" in body:  # a merge, as for the settings themselves (history kept if not named)
            body["weights"] = services.weights_of(session) | body["weights"]
        with rest.service_call():
            services.update_session(rest.actor(), session, **body)
        return _with_job(session)


def _start(session: MatchingSession, kind: str):
    """Enqueue the matching job `kind`, as the session page does: 202 and the job's resource;
    409 while a job on the session is queued or running; 503 when the queue is out of reach."""
    try:
        task = tasks.start(
            rest.actor(),
            kind,
            lock_key=jobs.session_lock_key(session.id),
            params={"event_id": session.event_id, "session_id": session.id},
            event_id=session.event_id,
        )
    except AlreadyRunning as error:
        headers = {"Location": job_resource.job_url(error.task)} if error.task is not None else None
        rest.abort(409, _("A job on this session is already queued or running: follow it."), headers=headers)
    except QueueUnavailable as error:
        rest.abort(503, str(error.message))
    return job_resource.accepted(task)


ACCEPTED = {"Location": {"description": "The job, to follow at /jobs/{id}", "schema": {"type": "string"}}}


@blp.route("/sessions/<int:session_id>/run")
class Run(MethodView):
    @rest.write_access
    @blp.arguments(JobBody, required=False)
    @blp.response(202, job_resource.JobSchema, headers=ACCEPTED)
    def post(self, _body, session_id: int):
        """The event's organisers (and administrators), write token: run the matching in the
        background; unpublished meetings are replaced, hand-placed ones stay. A published session
        is repaired instead (422); one job a session at a time (409)."""
        session = _managed_session(session_id)
        with rest.service_call():
            services.ensure_can_run(session)
        return _start(session, "matching.run")


@blp.route("/sessions/<int:session_id>/publish")
class Publish(MethodView):
    @rest.write_access
    @blp.arguments(JobBody, required=False)
    @blp.response(202, job_resource.JobSchema, headers=ACCEPTED)
    def post(self, _body, session_id: int):
        """The event's organisers (and administrators), write token: publish the schedule in the
        background; every participant with meetings is told. The job fails, saying why, when
        there is nothing to publish."""
        return _start(_managed_session(session_id), "matching.publish")


@blp.route("/sessions/<int:session_id>/repair")
class Repair(MethodView):
    @rest.write_access
    @blp.arguments(JobBody, required=False)
    @blp.response(202, job_resource.JobSchema, headers=ACCEPTED)
    def post(self, _body, session_id: int):
        """The event's organisers (and administrators), write token: after publication, add late
        participants and drop meetings that can't happen, in the background; nothing published moves."""
        return _start(_managed_session(session_id), "matching.repair")
