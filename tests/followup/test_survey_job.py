"""The follow-up survey's clock job: invitations on the 14th day after the fair (not before),
in each person's language, through the outbox; one reminder to those who haven't answered;
the second wave at 90 days; a job that runs twice sends nothing twice; the organiser's delays."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db as _db
from app.followup import services
from app.followup.models import FollowupInvitation, FollowupSettings, MeetingReason
from app.notifications.models import OutboxMessage
from tests.followup.conftest import LAST_DAY, vietnam


def run_at(pinned_clock, day, hour=8) -> int:
    pinned_clock.move_to(vietnam(day, hour))
    return services.send_followups()


def mails(kind="followup_survey") -> list[OutboxMessage]:
    return list(
        _db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def test_invitations_on_the_14th_day_not_before_and_only_once(fair, pinned_clock):
    for day in range(0, 14):
        assert run_at(pinned_clock, LAST_DAY + timedelta(days=day)) == 0
    assert mails() == []
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=14), hour=7) == 4  # any hour of that Vietnam day
    people = fair["people"]
    # b1's two people, e1 and e2: the no-show's e3 and the cancelled meeting's b2 are not asked.
    assert sorted(m.user_id for m in mails()) == sorted(people[k].id for k in ("b1_en", "b1_vi", "e1", "e2"))
    invitations = _db.session.scalars(select(FollowupInvitation)).all()
    regs = fair["regs"]
    assert sorted(i.registration_id for i in invitations) == sorted(regs[k].id for k in ("b1", "e1", "e2"))
    assert {i.wave for i in invitations} == {1}
    assert {i.due_on for i in invitations} == {LAST_DAY + timedelta(days=14)}
    # The job runs again the same day, and the next: nothing twice.
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=14), hour=20) == 0
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=15)) == 0
    assert len(mails()) == 4
    assert _db.session.scalar(select(func.count()).select_from(FollowupInvitation)) == 3


def test_each_mail_in_its_readers_language_names_the_partners_and_a_link(fair, pinned_clock):
    run_at(pinned_clock, LAST_DAY + timedelta(days=14))
    by_user = {m.user_id: m for m in mails()}
    people, event, orgs = fair["people"], fair["event"], fair["orgs"]
    english, vietnamese, french = (
        by_user[people["b1_en"].id],
        by_user[people["b1_vi"].id],
        by_user[people["e2"].id],
    )
    assert english.subject == f"How did your meetings at {event.name_en} go?"
    # Each in its reader's language: the event's name as that language has it (the wording's
    # Vietnamese and French come with the catalogues: /work/tools/tr_survey.json).
    assert event.name_vi in vietnamese.subject and event.name_en not in vietnamese.subject
    assert event.name_en not in french.subject
    for mail in (english, vietnamese):
        assert f"- {orgs['e1'].name}" in mail.body and f"- {orgs['e2'].name}" in mail.body
        assert orgs["e3"].name not in mail.body  # the no-show
        assert "/survey/" in mail.body
    assert f"- {orgs['b1'].name}" in french.body


def test_one_reminder_to_those_who_have_not_answered(fair, pinned_clock):
    sent_on = LAST_DAY + timedelta(days=14)
    run_at(pinned_clock, sent_on)
    e1 = fair["people"]["e1"]
    invitation = _db.session.scalar(
        select(FollowupInvitation).where(FollowupInvitation.registration_id == fair["regs"]["e1"].id)
    )
    survey = services.Survey(invitation, e1, fair["regs"]["e1"], fair["event"], "")
    services.answer(survey, fair["meetings"]["m1"], "talks", "", "4", "")
    _db.session.commit()
    for day in range(1, 7):
        assert run_at(pinned_clock, sent_on + timedelta(days=day)) == 0
    assert run_at(pinned_clock, sent_on + timedelta(days=7)) == 3  # b1's two people and e2
    reminders = mails("followup_reminder")
    people = fair["people"]
    assert sorted(m.user_id for m in reminders) == sorted(people[k].id for k in ("b1_en", "b1_vi", "e2"))
    english = next(m for m in reminders if m.user_id == people["b1_en"].id)
    assert english.subject.startswith("Reminder: ")
    for day in range(7, 40):  # once only, whatever the job does later
        assert run_at(pinned_clock, sent_on + timedelta(days=day), hour=9) == 0
    assert len(mails("followup_reminder")) == 3


def test_the_second_wave_at_90_days_and_a_missed_wave_is_not_sent_months_late(fair, pinned_clock):
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=89)) == 0  # the first wave's days passed unseen
    assert mails() == []
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=90)) == 4
    waves = _db.session.scalars(select(FollowupInvitation.wave).distinct()).all()
    assert waves == [2]


def test_the_organisers_delays_move_the_waves(fair, pinned_clock):
    services.update_settings(fair["organiser"], fair["event"], 10, 30)
    _db.session.commit()
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=9)) == 0
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=10)) == 4
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=14)) == 0
    with pytest.raises(services.ServiceError) as refused:
        services.update_settings(fair["organiser"], fair["event"], 12, 30)  # wave 1 was sent
    assert refused.value.field == "first_wave_days"
    _db.session.rollback()
    services.update_settings(fair["organiser"], fair["event"], 10, 45)  # wave 2 not yet
    _db.session.commit()
    run_at(pinned_clock, LAST_DAY + timedelta(days=30))  # the first wave's reminders, no second wave
    assert len(mails()) == 4 and len(mails("followup_reminder")) == 4
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=45)) == 4
    assert len(mails()) == 8
    assert _db.session.get(FollowupSettings, fair["event"].id).second_wave_days == 45


def test_the_explanation_is_kept_as_rows_when_the_invitations_are_made(fair, pinned_clock):
    run_at(pinned_clock, LAST_DAY + timedelta(days=14))
    rows = _db.session.execute(
        select(MeetingReason.meeting_id, MeetingReason.term, MeetingReason.value)
    ).all()
    m1, m2 = fair["meetings"]["m1"].id, fair["meetings"]["m2"].id
    assert sorted(rows) == sorted(
        [
            (m1, "category", 1.0),
            (m1, "province", 1.0),
            (m1, "stars", 0.8),
            (m2, "category", 1.0),
            (m2, "province", 0.2),
            (m2, "stars", 0.6),
        ]
    )


@pytest.mark.parametrize("state", ["running", "cancelled"])
def test_no_survey_for_an_event_not_finished(fair, pinned_clock, state):
    fair["event"].state = state
    _db.session.commit()
    assert run_at(pinned_clock, LAST_DAY + timedelta(days=14)) == 0


def test_the_clock_enqueues_it_every_morning_and_a_worker_sends(app, fair, pinned_clock, worker):
    from app.scheduler import add_standing_jobs, build_scheduler

    scheduler = build_scheduler(app)
    add_standing_jobs(scheduler)
    job = {job.id: job for job in scheduler.get_jobs()}[services.JOB_ID]
    day = LAST_DAY + timedelta(days=14)
    fire = job.trigger.get_next_fire_time(None, vietnam(day, 8) + timedelta(minutes=1))
    assert fire.astimezone(clock.VIETNAM).replace(tzinfo=None) == datetime.combine(
        day + timedelta(days=1), time(8)
    )
    pinned_clock.move_to(vietnam(day, 8))
    assert job.func(*job.args, **job.kwargs) is True
    assert worker.pending() == [("default", "ocopfair.call", ["app.followup.services:send_followups"])]
    assert mails() == []
    assert worker.drain() == [4]
    assert len(mails()) == 4
