"""The agenda mails number unnamed tables in each recipient's language, not in English."""

from __future__ import annotations

from sqlalchemy import select

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
