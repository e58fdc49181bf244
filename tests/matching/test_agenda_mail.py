"""The agenda mails at a national conference's size: publishing queues every participant's
mail in a fixed number of SQL queries, however many participants there are
(app/matching/agenda/mail.py reads the meetings, names and recipients in bulk)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import event, func, select

from app.extensions import db as _db
from app.matching.agenda import mail
from app.matching.sessions import services
from app.notifications.models import OutboxMessage
from tests.matching.conftest import small_fair


@pytest.fixture(autouse=True)
def request_context(app, db):
    with app.test_request_context("/?lang=en"):
        yield


def _statements(work) -> tuple[object, int]:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        result = work()
    finally:
        event.remove(_db.engine, "before_cursor_execute", counted)
    return result, count


def _published(fair, people: int) -> tuple[int, int, int]:
    """(participants notified, mails queued, SQL statements) of publishing a fresh session."""
    small_fair(fair, buyers=people, producers=people)
    session = fair.session(max_meetings_per_buyer=3, max_meetings_per_producer=3)
    services.run_matching(fair.organiser, session)
    _db.session.flush()
    before = _db.session.scalar(select(func.count()).select_from(OutboxMessage))
    notified, statements = _statements(lambda: services.publish(fair.organiser, session))
    after = _db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return notified, after - before, statements


def test_publishing_costs_the_same_queries_for_4_or_20_participants(fair):
    few = _published(fair, 2)
    many = _published(fair, 8)  # a second session of the same event: 10 buyers and 10 producers

    assert few[:2] == (4, 4) and many[:2] == (20, 20), "one mail for each participant's one account"
    assert many[2] == few[2], "no query per participant or per meeting"


def test_a_moved_meeting_mails_its_two_sides_in_a_fixed_number_of_queries(fair):
    small_fair(fair, buyers=3, producers=3)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    services.publish(fair.organiser, session)
    meetings = services.published_meetings(session)
    counts = set()
    for meeting in meetings[:2]:
        queued, statements = _statements(
            lambda meeting=meeting: mail.notify_participants(
                session, {meeting.buyer_registration_id, meeting.producer_registration_id}, mail.UPDATED
            )
        )
        assert queued == 2
        counts.add(statements)
    everyone = {m.buyer_registration_id for m in meetings} | {m.producer_registration_id for m in meetings}
    _queued, statements = _statements(lambda: mail.notify_participants(session, everyone, "test_all"))
    assert counts == {statements}


def test_a_publication_reads_the_whole_session_and_a_few_people_only_theirs_with_the_same_mails(
    fair, monkeypatch
):
    small_fair(fair, buyers=3, producers=3)
    session = fair.session()
    services.run_matching(fair.organiser, session)
    services.publish(fair.organiser, session)
    meetings = services.published_meetings(session)
    services.remove_meeting(fair.organiser, meetings[0])  # a cancelled line too
    everyone = {m.buyer_registration_id for m in meetings} | {m.producer_registration_id for m in meetings}

    def mails_of(kind):
        mail.notify_participants(session, everyone, kind)
        rows = _db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
        return [(m.to_address, m.subject, m.body, m.dedupe_key.split(":", 1)[1]) for m in rows]

    few = mails_of("few")
    monkeypatch.setattr(mail, "FEW", 1)  # as for a national conference's 8,000 people
    many = mails_of("many")

    assert len(few) == len(everyone) and few == many
    with force_locale("vi"):  # the accounts keep no language: Vietnamese
        cancelled = gettext("Cancelled:")
    assert sum(cancelled in body for _to, _subject, body, _key in few) == 2
