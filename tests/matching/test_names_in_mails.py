"""The agenda mails number unnamed tables in each recipient's language, not in English."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.matching.agenda import mail
from app.matching.sessions import services
from app.notifications.models import OutboxMessage
from tests.matching.conftest import small_fair


def test_the_agenda_mail_numbers_tables_in_each_recipients_language(app, db, fair):
    small_fair(fair, buyers=2, producers=2)  # their accounts have no language: Vietnamese
    session = fair.session(max_meetings_per_buyer=1, max_meetings_per_producer=1)
    with app.test_request_context("/?lang=en"):  # the organiser reads English
        services.run_matching(fair.organiser, session)
        services.publish(fair.organiser, session)
    bodies = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == mail.PUBLISHED)).all()
    assert bodies and all("Bàn " in body and "Table " not in body for body in bodies)


def _plain(text: str) -> str:
    """Babel puts narrow no-break spaces before AM and PM; compare with plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_the_agenda_mail_writes_slot_dates_and_the_time_zone_in_each_recipients_language(app, db, fair):
    buyer = fair.buyer(locale="en")
    producer = fair.producer(locale="vi")
    session = fair.session(max_meetings_per_buyer=1, max_meetings_per_producer=1)
    with app.test_request_context("/?lang=fr"):  # the organiser reads French: the mails don't
        services.run_matching(fair.organiser, session)
        services.publish(fair.organiser, session)
    (meeting,) = services.published_meetings(session)
    start = services.slots_of(session)[meeting.slot].start
    end = services.slots_of(session)[meeting.slot].end
    mails = {
        db.session.get(User, m.user_id).locale: _plain(m.body)
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == mail.PUBLISHED))
    }
    assert set(mails) == {"en", "vi"} and buyer.organisation.name in mails["vi"]
    english, vietnamese = mails["en"], mails["vi"]
    hours = f"{start:%-I:%M} {start:%p}–{end:%-I:%M} {end:%p}"
    assert f"{start:%b} {start.day}, {start.year}, {hours}" in english, english
    assert f"{start:%H:%M}–{end:%H:%M} {start.day} thg {start.month}, {start.year}" in vietnamese, vietnamese
    assert "Time zone: Vietnam time (UTC+7)." in english
    for body in (english, vietnamese):
        assert "Asia/Ho_Chi_Minh" not in body
        assert f"{start:%d/%m/%Y}" not in body, "no day/month/year in digits"
    assert producer.organisation.name in english
