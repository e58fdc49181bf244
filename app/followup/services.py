"""The follow-up survey after a fair.

Who is asked. A participant (a registration, buyer or producer) is invited when it *held* at
least one meeting of the event: a published meeting whose status is "held". A meeting becomes
"held" only when it is checked in at the table (app.onsite: status and checked_in_at are set
together; the no-show job never touches a checked-in meeting, and a late check-in corrects a
no-show to held). Scheduled, no-show and cancelled meetings are not asked about: nobody
confirmed they took place.

What is sent. One invitation per participant and wave, listing every meeting it held (not one
mail per partner: a buyer with eight meetings gets one mail). The mail goes to each active user
of the participant's organisation, in that user's language, through the outbox, with a signed
link (itsdangerous, salt "followup-survey", valid FOLLOWUP_LINK_DAYS) naming the invitation and
the user, which opens the survey without a login. Per meeting the survey asks what came of it
(contract, order, ongoing talks, nothing), its value in VND, a rating of the match (1-5) and a
comment.

When. Two waves, FOLLOWUP_WAVES_DAYS (14, 90) days after the event's last day (the event's
own dates), which an organiser can change for his event before a wave is sent. The clock's
job ("followup-surveys", daily at 08:00 Vietnam time) invites a wave on its day or up to
LATE_DAYS later (a clock that was down catches up; a feature switched on long after a fair
does not mail people about meetings of last year). One reminder, FOLLOWUP_REMINDER_DAYS after
the invitation, to the participants who have answered nothing for it yet. The invitation row
(unique per registration and wave), its `reminded_at` and the outbox's dedupe keys make a job
that runs twice send nothing twice.

What an answer does. It records the participant's side of the meeting's outcome through
app.matching.outcomes.services.record_outcome (the business rules stay there), so the outcomes
page and the dashboards follow, and it keeps the answer with the matcher's explanation of the
pair (why_json) beside it. Answering again updates both.

Reasons. The explanation's terms are normalised into MeetingReason rows (one per held meeting
and term, with its value and weight) as soon as the meeting is checked in (held), in the
check-in's transaction, so the organiser's table counts the fair's meetings from its first
day; the invitations add rows for any held meeting still without them (meetings marked held
before this existed). A term "led to" a meeting when its value is at least STRONG. The
organiser's table groups them with GROUP BY.

Functions flush; the caller commits.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, case, exists, func, or_, select, union_all
from sqlalchemy.orm import aliased

from app import clock, signals
from app.accounts.models import User
from app.catalog.models import Organisation
from app.errors import ServiceError
from app.events.models import Event, Registration
from app.events.services import ensure_can_manage, to_local
from app.extensions import db
from app.followup.models import (
    OUTCOME_OF_RESULT,
    RESULTS,
    FollowupAnswer,
    FollowupInvitation,
    FollowupSettings,
    MeetingReason,
)
from app.matching.engine.scoring import TERM_NAMES, TERMS
from app.matching.models import MatchingSession, Meeting, MeetingOutcome
from app.matching.outcomes import services as outcomes
from app.notifications.services import queue_mails
from app.paging import counted_page, rows_and_total
from app.transaction import transaction
from app.urls import external_url

log = logging.getLogger("ocopfair.jobs")

JOB_ID = "followup-surveys"
SEND_FOLLOWUPS = "app.followup.services:send_followups"
SEND_AT = (8, 0)  # Vietnam time
LATE_DAYS = 14  # a wave is still sent this many days after its day, never later
MAX_WAVE_DAYS = 730
STRONG = 0.75  # a term of the explanation at least this high is a reason the pair was matched
LOCALES = ("vi", "en", "fr")
PER_PAGE = 25
_SALT = "followup-survey"

RESULT_LABELS = {
    "contract": _l("A contract"),
    "order": _l("An order"),
    "talks": _l("Ongoing talks"),
    "nothing": _l("Nothing"),
}


# ---------------------------------------------------------------- settings and dates


def configured_waves() -> tuple[int, int]:
    first, second = current_app.config.get("FOLLOWUP_WAVES_DAYS", (14, 90))
    return int(first), int(second)


def reminder_days() -> int:
    return int(current_app.config.get("FOLLOWUP_REMINDER_DAYS", 7))


def link_days() -> int:
    return int(current_app.config.get("FOLLOWUP_LINK_DAYS", 60))


def wave_days(event: Event, settings: FollowupSettings | None = None) -> tuple[int, int]:
    settings = settings or db.session.get(FollowupSettings, event.id)
    if settings is None:
        return configured_waves()
    return settings.first_wave_days, settings.second_wave_days


def last_day(event: Event) -> date:
    """The event's last day, on its own calendar."""
    return to_local(event, event.ends_at).date()


def due_dates(event: Event, days: tuple[int, int]) -> dict[int, date]:
    end = last_day(event)
    return {1: end + timedelta(days=days[0]), 2: end + timedelta(days=days[1])}


def sent_waves(event: Event) -> set[int]:
    return set(
        db.session.scalars(
            select(FollowupInvitation.wave).where(FollowupInvitation.event_id == event.id).distinct()
        )
    )


def update_settings(actor, event: Event, first: int | None, second: int | None) -> FollowupSettings:
    """The event's organiser changes the two delays; a wave already sent keeps its delay."""
    ensure_can_manage(actor, event)
    if first is None or not 1 <= first <= MAX_WAVE_DAYS:
        raise ServiceError(
            _l("Give a number of days from 1 to %(max)d.", max=MAX_WAVE_DAYS), "first_wave_days"
        )
    if second is None or not 1 <= second <= MAX_WAVE_DAYS:
        raise ServiceError(
            _l("Give a number of days from 1 to %(max)d.", max=MAX_WAVE_DAYS), "second_wave_days"
        )
    if second <= first:
        raise ServiceError(_l("The second wave must come after the first."), "second_wave_days")
    settings = db.session.get(FollowupSettings, event.id)
    current = wave_days(event, settings)
    sent = sent_waves(event)
    for wave, name, new in ((1, "first_wave_days", first), (2, "second_wave_days", second)):
        if wave in sent and new != current[wave - 1]:
            raise ServiceError(_l("This wave has been sent already; its delay can no longer change."), name)
    if settings is None:
        settings = FollowupSettings(event_id=event.id)
        db.session.add(settings)
    settings.first_wave_days, settings.second_wave_days = first, second
    settings.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    return settings


# ---------------------------------------------------------------- held meetings and reasons


def _held(event_id: int):
    """Conditions of a held meeting of the event (join MatchingSession)."""
    return and_(
        MatchingSession.event_id == event_id,
        Meeting.published.is_(True),
        Meeting.status == "held",
    )


def reasons_of(why_json: str | None) -> list[tuple[str, float, float]]:
    """(term, value, weight) of each known term of a stored explanation; [] for none or junk."""
    if not why_json:
        return []
    try:
        data = json.loads(why_json)
    except ValueError:
        return []
    found = []
    for term in (data.get("terms") or []) if isinstance(data, dict) else []:
        if not isinstance(term, dict) or term.get("term") not in TERMS:
            continue
        try:
            found.append((term["term"], float(term.get("value", 0)), float(term.get("weight", 0))))
        except (TypeError, ValueError):
            continue
    return found


def store_reasons(event_id: int, meeting_ids: list[int] | None = None) -> int:
    """Normalise the explanation of the event's held meetings that have no reason rows yet."""
    query = (
        select(Meeting.id, Meeting.why_json)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(_held(event_id), ~exists().where(MeetingReason.meeting_id == Meeting.id))
    )
    if meeting_ids is not None:
        query = query.where(Meeting.id.in_(meeting_ids))
    rows = [
        {"meeting_id": meeting_id, "term": term, "value": value, "weight": weight}
        for meeting_id, why_json in db.session.execute(query)
        for term, value, weight in reasons_of(why_json)
    ]
    if rows:
        db.session.execute(MeetingReason.__table__.insert(), rows)
    return len(rows)


@signals.meeting_checked_in.connect
def _keep_the_reasons_of_a_held_meeting(meeting: Meeting, **_kw) -> None:
    """A meeting checked in (held): its explanation's terms become reason rows now."""
    store_reasons(meeting.session.event_id, [meeting.id])


# ---------------------------------------------------------------- the signed link


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def survey_token(invitation_id: int, user_id: int) -> str:
    return _serializer().dumps([invitation_id, user_id])


def read_survey_token(token: str) -> tuple[int, int] | None:
    """(invitation id, user id) from a link this app signed and that has not expired; else None."""
    try:
        value = _serializer().loads(token, max_age=link_days() * 86400)
    except (SignatureExpired, BadSignature):
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None
    return value[0], value[1]


def survey_url(invitation_id: int, user_id: int) -> str:
    return external_url("followup.survey", token=survey_token(invitation_id, user_id))


@dataclass
class Survey:
    """An open survey: the invitation, the person answering and what they answer for."""

    invitation: FollowupInvitation
    user: User
    registration: Registration
    event: Event
    token: str


def survey_for(token: str) -> Survey | None:
    """The survey a link opens: None for a forged or expired link, or a person who no longer
    acts for the participant (left the organisation, deactivated)."""
    ids = read_survey_token(token)
    if ids is None:
        return None
    invitation = db.session.get(FollowupInvitation, ids[0])
    user = db.session.get(User, ids[1])
    if invitation is None or user is None or not user.is_active_account:
        return None
    registration = db.session.get(Registration, invitation.registration_id)
    if registration is None or user.organisation_id != registration.organisation_id:
        return None
    return Survey(invitation, user, registration, db.session.get(Event, invitation.event_id), token)


@dataclass
class SurveyItem:
    meeting_id: int
    partner: str
    slot: int
    answer: FollowupAnswer | None


def survey_items(survey: Survey) -> list[SurveyItem]:
    """The participant's held meetings with this invitation's answers: one query."""
    rid = survey.registration.id
    partner = aliased(Registration)
    query = (
        select(Meeting.id, Organisation.name, Meeting.slot, FollowupAnswer)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(
            partner,
            partner.id
            == case(
                (Meeting.buyer_registration_id == rid, Meeting.producer_registration_id),
                else_=Meeting.buyer_registration_id,
            ),
        )
        .join(Organisation, Organisation.id == partner.organisation_id)
        .outerjoin(
            FollowupAnswer,
            and_(
                FollowupAnswer.meeting_id == Meeting.id, FollowupAnswer.invitation_id == survey.invitation.id
            ),
        )
        .where(
            _held(survey.event.id),
            or_(Meeting.buyer_registration_id == rid, Meeting.producer_registration_id == rid),
        )
        .order_by(Meeting.session_id, Meeting.slot, Meeting.id)
    )
    return [SurveyItem(mid, name, slot, answer) for mid, name, slot, answer in db.session.execute(query)]


def survey_meeting(survey: Survey, meeting_id: int) -> Meeting | None:
    """The meeting if it is one this participant held at this event; None otherwise."""
    rid = survey.registration.id
    return db.session.scalar(
        select(Meeting)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(
            Meeting.id == meeting_id,
            _held(survey.event.id),
            or_(Meeting.buyer_registration_id == rid, Meeting.producer_registration_id == rid),
        )
    )


def answer_of(survey: Survey, meeting: Meeting) -> FollowupAnswer | None:
    return db.session.scalar(
        select(FollowupAnswer).where(
            FollowupAnswer.invitation_id == survey.invitation.id, FollowupAnswer.meeting_id == meeting.id
        )
    )


def answer(
    survey: Survey,
    meeting: Meeting,
    result: str | None,
    value_text: str | None,
    rating_text: str | None,
    comment: str | None,
    now: datetime | None = None,
) -> FollowupAnswer:
    """Record (or correct) the participant's answer about one meeting, and the meeting's outcome.

    Every field is checked before anything is written; a ServiceError names its field.
    """
    now = now or clock.now()
    if result not in RESULTS:
        raise ServiceError(_l("Choose what came of the meeting."), "result")
    try:
        value = outcomes.parse_value(value_text)
    except ValueError:
        raise ServiceError(_l("Give the value in VND as a whole number."), "value_vnd") from None
    if value is not None and value > outcomes.MAX_VALUE_VND:
        raise ServiceError(_l("Give the value in VND as a whole number."), "value_vnd")
    rating = (rating_text or "").strip()
    if rating not in ("1", "2", "3", "4", "5"):
        raise ServiceError(_l("Rate the match from 1 to 5."), "rating")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ServiceError(_l("Keep the comment under 2,000 characters."), "comment")
    if result in ("talks", "nothing"):
        value = None
    side = outcomes.meeting_side(survey.user, meeting)
    existing = outcomes.outcome_of(meeting, side)
    note = comment or (existing.note if existing else None)
    try:
        outcomes.record_outcome(survey.user, meeting, OUTCOME_OF_RESULT[result], value, note, now=now)
    except ServiceError as problem:
        raise ServiceError(problem.message, "result" if problem.field == "kind" else problem.field) from None
    row = answer_of(survey, meeting)
    if row is None:
        row = FollowupAnswer(invitation_id=survey.invitation.id, meeting_id=meeting.id, answered_at=now)
        db.session.add(row)
    row.side = side
    row.result = result
    row.value_vnd = value or None
    row.rating = int(rating)
    row.comment = comment or None
    row.why_json = meeting.why_json
    row.answered_by_id = survey.user.id
    row.updated_at = now
    db.session.flush()
    store_reasons(survey.event.id, [meeting.id])
    return row


# ---------------------------------------------------------------- a participant's pending surveys


@dataclass
class PendingSurvey:
    invitation_id: int
    event: Event
    wave: int
    due_on: date
    answered: int
    url: str


def surveys_of(user) -> list[PendingSurvey]:
    """The invitations of the user's organisation (newest first) with how many answers each has."""
    if user.organisation_id is None:
        return []
    counts = (
        select(FollowupAnswer.invitation_id, func.count().label("n"))
        .group_by(FollowupAnswer.invitation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(FollowupInvitation.id, FollowupInvitation.wave, FollowupInvitation.due_on, Event, counts.c.n)
        .join(Registration, Registration.id == FollowupInvitation.registration_id)
        .join(Event, Event.id == FollowupInvitation.event_id)
        .outerjoin(counts, counts.c.invitation_id == FollowupInvitation.id)
        .where(Registration.organisation_id == user.organisation_id)
        .order_by(FollowupInvitation.sent_at.desc(), FollowupInvitation.id.desc())
        .limit(50)
    ).all()
    return [
        PendingSurvey(
            iid,
            event,
            wave,
            due_on,
            int(n or 0),
            external_url("followup.survey", token=survey_token(iid, user.id)),
        )
        for iid, wave, due_on, event, n in rows
    ]


# ---------------------------------------------------------------- the job


def _partners(event_id: int) -> dict[int, list[str]]:
    """Registration id → the organisations it held meetings with (for the mail): one query."""
    buyer, producer = aliased(Registration), aliased(Registration)
    buyer_org, producer_org = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(buyer.id, buyer_org.name, producer.id, producer_org.name)
        .select_from(Meeting)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(buyer, buyer.id == Meeting.buyer_registration_id)
        .join(buyer_org, buyer_org.id == buyer.organisation_id)
        .join(producer, producer.id == Meeting.producer_registration_id)
        .join(producer_org, producer_org.id == producer.organisation_id)
        .where(_held(event_id))
        .order_by(Meeting.session_id, Meeting.slot, Meeting.id)
    ).all()
    partners: dict[int, list[str]] = defaultdict(list)
    for buyer_id, buyer_name, producer_id, producer_name in rows:
        partners[buyer_id].append(producer_name)
        partners[producer_id].append(buyer_name)
    return partners


def mail_text(event: Event, partners: list[str], url: str, locale: str, *, reminder: bool) -> tuple[str, str]:
    """Subject and body, in `locale` (call inside force_locale)."""
    name = event.name_in(locale)
    if reminder:
        subject = gettext("Reminder: how did your meetings at %(event)s go?", event=name)
    else:
        subject = gettext("How did your meetings at %(event)s go?", event=name)
    lines = [
        gettext(
            "You met these partners at %(event)s. Did a meeting lead to an order or a contract? "
            "Two minutes per meeting help the organisers plan the next fair.",
            event=name,
        ),
        "",
        *(f"- {partner}" for partner in partners),
        "",
        gettext("Answer the survey (no login needed): %(url)s", url=url),
        gettext("This link works for %(days)d days.", days=link_days()),
    ]
    return subject, "\n".join(lines)


def _queue(event: Event, invitations: list[tuple[int, int]], *, reminder: bool) -> int:
    """Mail each active user of each (invitation id, registration id); returns how many were queued."""
    if not invitations:
        return 0
    by_registration = dict((rid, iid) for iid, rid in invitations)
    users = db.session.execute(
        select(Registration.id, User.id, User.email, User.locale)
        .join(User, User.organisation_id == Registration.organisation_id)
        .where(Registration.id.in_(list(by_registration)), User.is_active_account.is_(True))
        .order_by(Registration.id, User.id)
    ).all()
    partners = _partners(event.id)
    kind = "followup_reminder" if reminder else "followup_survey"
    messages = []
    for rid, user_id, email, user_locale in users:
        iid = by_registration[rid]
        locale = user_locale if user_locale in LOCALES else "vi"
        with force_locale(locale):
            subject, body = mail_text(
                event, partners.get(rid, []), survey_url(iid, user_id), locale, reminder=reminder
            )
        messages.append(
            {
                "to_address": email,
                "subject": subject,
                "body": body,
                "kind": kind,
                "user_id": user_id,
                "dedupe_key": f"{kind}:{iid}:{user_id}",
            }
        )
    return queue_mails(messages)


def invite(event: Event, wave: int, due_on: date, now: datetime) -> tuple[int, int]:
    """Invite every participant that held a meeting and has no invitation for this wave yet.

    Returns (invitations created, mails queued).
    """
    sides = union_all(
        select(Meeting.buyer_registration_id.label("rid"))
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(_held(event.id)),
        select(Meeting.producer_registration_id.label("rid"))
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(_held(event.id)),
    ).subquery()
    new = list(
        db.session.scalars(
            select(sides.c.rid)
            .where(
                ~exists().where(
                    FollowupInvitation.registration_id == sides.c.rid, FollowupInvitation.wave == wave
                )
            )
            .distinct()
            .order_by(sides.c.rid)
        )
    )
    if not new:
        return 0, 0
    store_reasons(event.id)
    rows = [
        FollowupInvitation(event_id=event.id, registration_id=rid, wave=wave, due_on=due_on, sent_at=now)
        for rid in new
    ]
    db.session.add_all(rows)
    db.session.flush()
    return len(rows), _queue(event, [(row.id, row.registration_id) for row in rows], reminder=False)


def remind(event: Event, today: date, now: datetime) -> int:
    """The one reminder: invitations sent FOLLOWUP_REMINDER_DAYS ago or more, not answered at all."""
    cutoff = to_local(event, now).replace(hour=23, minute=59, second=59) - timedelta(days=reminder_days())
    rows = db.session.execute(
        select(FollowupInvitation.id, FollowupInvitation.registration_id).where(
            FollowupInvitation.event_id == event.id,
            FollowupInvitation.reminded_at.is_(None),
            FollowupInvitation.sent_at <= cutoff,
            ~exists().where(FollowupAnswer.invitation_id == FollowupInvitation.id),
        )
    ).all()
    if not rows:
        return 0
    ids = [iid for iid, _rid in rows]
    db.session.execute(
        FollowupInvitation.__table__.update()
        .where(FollowupInvitation.__table__.c.id.in_(ids))
        .values(reminded_at=now)
    )
    return _queue(event, [tuple(row) for row in rows], reminder=True)


@dataclass
class JobCounts:
    invitations: int = 0
    mails: int = 0
    reminders: int = 0


def queue_followups(now: datetime) -> JobCounts:
    """Invite the waves due at `now` and send the reminders due (flushed, not committed)."""
    counts = JobCounts()
    horizon = now - timedelta(days=MAX_WAVE_DAYS + LATE_DAYS + 60)
    rows = db.session.execute(
        select(Event, FollowupSettings)
        .outerjoin(FollowupSettings, FollowupSettings.event_id == Event.id)
        .where(Event.state == "finished", Event.ends_at >= horizon, Event.ends_at <= now)
        .order_by(Event.id)
    ).all()
    for event, settings in rows:
        today = to_local(event, now).date()
        for wave, due_on in due_dates(
            event, wave_days(event, settings) if settings else configured_waves()
        ).items():
            if due_on <= today < due_on + timedelta(days=LATE_DAYS):
                created, mails = invite(event, wave, due_on, now)
                counts.invitations += created
                counts.mails += mails
        counts.reminders += remind(event, today, now)
    return counts


def send_followups(now: datetime | None = None) -> int:
    """The job: invite and remind in one transaction; returns how many mails were queued."""
    with transaction():
        counts = queue_followups(now or clock.now())
    log.info(
        "follow-up surveys: %d invitations, %d mails, %d reminder mails",
        counts.invitations,
        counts.mails,
        counts.reminders,
    )
    return counts.mails + counts.reminders


def register_jobs(scheduler) -> None:
    from app.tasks.queue import ENQUEUE_CALL

    scheduler.add_job(
        ENQUEUE_CALL,
        args=(SEND_FOLLOWUPS,),
        kwargs={"queue": "default", "expires": 6 * 3600},
        trigger="cron",
        hour=SEND_AT[0],
        minute=SEND_AT[1],
        timezone=clock.VIETNAM,
        id=JOB_ID,
        name="follow-up surveys after the fairs",
        replace_existing=True,
    )


# ---------------------------------------------------------------- the organiser's page


@dataclass
class WaveRow:
    wave: int
    days: int
    due_on: date
    sent: bool
    invited: int = 0
    answered: int = 0
    reminded: int = 0

    @property
    def rate(self) -> float | None:
        return self.answered / self.invited if self.invited else None


@dataclass
class ResultRow:
    wave: int
    result: str
    answers: int
    value_vnd: int
    rating: float | None


@dataclass
class ReasonRow:
    term: str
    label: str
    meetings: int
    contracts: int
    value_vnd: int

    @property
    def rate(self) -> float | None:
        return self.contracts / self.meetings if self.meetings else None


class AnswerRow(NamedTuple):
    id: int
    wave: int
    side: str
    buyer: str
    producer: str
    result: str
    value_vnd: int | None
    rating: int
    comment: str | None
    updated_at: datetime
    session_kind: str  # "forum": the buyer and producer columns hold the pair's sides a and b

    @property
    def side_label(self) -> str:
        """Who answered: the buyer or the producer, or a forum's participant A or B."""
        naming = "forum" if self.session_kind == "forum" else "pair"
        return str(outcomes.COLUMN_LABELS[naming][self.side])


@dataclass
class FollowupReport:
    waves: list[WaveRow] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    reasons: list[ReasonRow] = field(default_factory=list)
    held: ReasonRow | None = None  # every held meeting: the baseline the reasons compare with
    answers: object = None  # a Pagination of answer rows
    naming: str = "pair"  # how the answers' meeting columns are named (outcomes.COLUMN_LABELS)

    @property
    def column_labels(self) -> dict:
        return outcomes.COLUMN_LABELS[self.naming]


def _contracts():
    """Per meeting, its contract value (the larger of the two sides' records)."""
    return (
        select(MeetingOutcome.meeting_id, func.max(MeetingOutcome.value_vnd).label("value"))
        .where(MeetingOutcome.kind == "contract")
        .group_by(MeetingOutcome.meeting_id)
        .subquery()
    )


def followup_report(actor, event: Event, page: int = 1) -> FollowupReport:
    """For the event's organisers: the waves, the answers' figures and the reasons table.

    Seven statements whatever the event's size, each a GROUP BY or a page of rows (and the
    kinds of the event's sessions, to name the meeting columns).
    """
    ensure_can_manage(actor, event)
    report = FollowupReport()
    settings = db.session.get(FollowupSettings, event.id)
    days = wave_days(event, settings) if settings else configured_waves()
    answered = select(FollowupAnswer.invitation_id).distinct().subquery()
    figures = {
        wave: (invited, done, reminded)
        for wave, invited, done, reminded in db.session.execute(
            select(
                FollowupInvitation.wave,
                func.count(),
                func.count(answered.c.invitation_id),
                func.count(FollowupInvitation.reminded_at),
            )
            .outerjoin(answered, answered.c.invitation_id == FollowupInvitation.id)
            .where(FollowupInvitation.event_id == event.id)
            .group_by(FollowupInvitation.wave)
        )
    }
    for wave, due_on in due_dates(event, days).items():
        invited, done, reminded = figures.get(wave, (0, 0, 0))
        report.waves.append(WaveRow(wave, days[wave - 1], due_on, wave in figures, invited, done, reminded))
    order = {result: i for i, result in enumerate(RESULTS)}
    # A meeting both sides answered alike counts its value once, at the larger of the two
    # figures (as the dashboards and the outcomes page count a contract).
    per_meeting = (
        select(
            FollowupInvitation.wave.label("wave"),
            FollowupAnswer.result.label("result"),
            func.count().label("answers"),
            func.max(FollowupAnswer.value_vnd).label("value"),
            func.sum(FollowupAnswer.rating).label("ratings"),
            func.count(FollowupAnswer.rating).label("rated"),
        )
        .join(FollowupInvitation, FollowupInvitation.id == FollowupAnswer.invitation_id)
        .where(FollowupInvitation.event_id == event.id)
        .group_by(FollowupInvitation.wave, FollowupAnswer.result, FollowupAnswer.meeting_id)
        .subquery()
    )
    report.results = sorted(
        (
            ResultRow(wave, result, int(n), int(value or 0), int(ratings) / int(rated) if rated else None)
            for wave, result, n, value, ratings, rated in db.session.execute(
                select(
                    per_meeting.c.wave,
                    per_meeting.c.result,
                    func.sum(per_meeting.c.answers),
                    func.sum(per_meeting.c.value),
                    func.sum(per_meeting.c.ratings),
                    func.sum(per_meeting.c.rated),
                ).group_by(per_meeting.c.wave, per_meeting.c.result)
            )
        ),
        key=lambda row: (row.wave, order[row.result]),
    )
    contracts = _contracts()
    labels = {term: gettext(TERM_NAMES[term]) for term in TERMS}
    reason_rows = {
        term: (n, c, v)
        for term, n, c, v in db.session.execute(
            select(
                MeetingReason.term,
                func.count(),
                func.count(contracts.c.meeting_id),
                func.coalesce(func.sum(contracts.c.value), 0),
            )
            .join(Meeting, Meeting.id == MeetingReason.meeting_id)
            .join(MatchingSession, MatchingSession.id == Meeting.session_id)
            .outerjoin(contracts, contracts.c.meeting_id == Meeting.id)
            .where(_held(event.id), MeetingReason.value >= STRONG)
            .group_by(MeetingReason.term)
        )
    }
    report.reasons = sorted(
        (ReasonRow(term, labels[term], n, c, int(v)) for term, (n, c, v) in reason_rows.items()),
        key=lambda row: (-(row.rate or 0), -row.meetings, row.term),
    )
    n, c, v = db.session.execute(
        select(
            func.count(), func.count(contracts.c.meeting_id), func.coalesce(func.sum(contracts.c.value), 0)
        )
        .select_from(Meeting)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .outerjoin(contracts, contracts.c.meeting_id == Meeting.id)
        .where(_held(event.id))
    ).one()
    report.held = ReasonRow("", "", n, c, int(v))
    buyer, producer = aliased(Registration), aliased(Registration)
    buyer_org, producer_org = aliased(Organisation), aliased(Organisation)
    rows, total = rows_and_total(
        select(
            FollowupAnswer.id,
            FollowupInvitation.wave,
            FollowupAnswer.side,
            buyer_org.name.label("buyer"),
            producer_org.name.label("producer"),
            FollowupAnswer.result,
            FollowupAnswer.value_vnd,
            FollowupAnswer.rating,
            FollowupAnswer.comment,
            FollowupAnswer.updated_at,
            MatchingSession.kind,
        )
        .join(FollowupInvitation, FollowupInvitation.id == FollowupAnswer.invitation_id)
        .join(Meeting, Meeting.id == FollowupAnswer.meeting_id)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(buyer, buyer.id == Meeting.buyer_registration_id)
        .join(buyer_org, buyer_org.id == buyer.organisation_id)
        .join(producer, producer.id == Meeting.producer_registration_id)
        .join(producer_org, producer_org.id == producer.organisation_id)
        .where(FollowupInvitation.event_id == event.id)
        .order_by(FollowupAnswer.updated_at.desc(), FollowupAnswer.id.desc()),
        page=page,
        per_page=PER_PAGE,
    )
    report.answers = counted_page([AnswerRow(*row) for row in rows], total, page=page, per_page=PER_PAGE)
    kinds = select(MatchingSession.kind).where(MatchingSession.event_id == event.id).distinct()
    report.naming = outcomes.column_naming(db.session.scalars(kinds))
    return report


def reasons_table(actor, event: Event, fmt: str):
    """The organiser's table of reasons that led to contracts, for CSV/XLSX (the page's figures,
    with the row of all held meetings last); the download is written to the event log."""
    from app.reports.tables import Column, Table

    report = followup_report(actor, event)
    rows = [
        (row.label, row.meetings, row.contracts, round(100 * (row.rate or 0), 1), row.value_vnd)
        for row in [*report.reasons, report.held]
    ]
    rows[-1] = (gettext("All held meetings"), *rows[-1][1:])
    table = Table(
        "reasons",
        gettext("Reasons that led to contracts"),
        [
            Column("reason", gettext("Reason")),
            Column("meetings", gettext("Held meetings"), "int"),
            Column("contracts", gettext("Contracts"), "int"),
            Column("rate", gettext("Contract rate (per cent)"), "percent"),
            Column("value", gettext("Contract value (VND)"), "vnd"),
        ],
        rows,
    )
    signals.organiser_action.send(
        actor,
        event_id=event.id,
        action="export",
        subject=table.title,
        changes={"export": "reasons", "format": fmt.upper(), "rows": len(rows)},
    )
    return table
