"""The survey a participant opens from the mail (read from a real SMTP server on loopback),
his answers recorded as the meeting's outcome, bad input, and who may open which page."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from openpyxl import load_workbook
from sqlalchemy import create_engine, func, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app.eventlog.models import EventLogEntry
from app.events.models import Registration
from app.extensions import db as _db
from app.followup import services
from app.followup.models import FollowupAnswer, FollowupInvitation
from app.matching.models import MeetingOutcome
from app.notifications import services as outbox
from app.notifications.models import OutboxMessage
from tests.conftest import text_of
from tests.followup.conftest import LAST_DAY, add_meeting, vietnam, why
from tests.notifications.test_outbox import free_port, mail_config, start_smtp

SENT_ON = LAST_DAY + timedelta(days=14)


@pytest.fixture()
def invited(fair, pinned_clock):
    pinned_clock.move_to(vietnam(SENT_ON))
    services.send_followups()
    return fair


def link_in(body: str) -> str:
    return urlsplit(re.search(r"https?://\S+/survey/\S+", body).group(0)).path


def mail_to(user) -> OutboxMessage:
    return _db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id, OutboxMessage.kind == "followup_survey")
    )


def outcome_from_a_new_session(app, meeting_id: int, side: str):
    """What another process reads: a connection of its own, not the test's session."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with Session(engine) as session:
            row = session.get(MeetingOutcome, (meeting_id, side))
            return None if row is None else (row.kind, row.value_vnd, row.note)
    finally:
        engine.dispose()


def test_the_mail_from_a_real_smtp_server_opens_the_survey_and_the_answer_is_the_outcome(
    app, invited, client, html
):
    port = free_port()
    controller, inbox = start_smtp(port)
    try:
        counts = outbox.send_due(mail_config(port))
    finally:
        controller.stop()
    assert counts.sent == 4
    e1 = invited["people"]["e1"]
    (message,) = [m for r, m in inbox.messages if r == [e1.email]]
    body = message.get_content()
    assert invited["orgs"]["b1"].name in body
    path = link_in(body)
    page = html(client.get(path))  # no login
    items = page.select("#survey-meetings [data-meeting]")
    m1 = invited["meetings"]["m1"]
    assert [item["data-meeting"] for item in items] == [str(m1.id)]  # e1's only held meeting
    response = client.post(
        f"{path}/meetings/{m1.id}",
        data={
            "result": "contract",
            "value_vnd": "350.000.000",
            "rating": "5",
            "comment": "Hợp đồng chè 6 tháng",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    assert outcome_from_a_new_session(app, m1.id, "producer") == (
        "contract",
        350_000_000,
        "Hợp đồng chè 6 tháng",
    )
    answer = _db.session.scalar(select(FollowupAnswer))
    assert (answer.result, answer.value_vnd, answer.rating, answer.side) == (
        "contract",
        350_000_000,
        5,
        "producer",
    )
    assert answer.why_json == m1.why_json  # the matcher's explanation beside the answer
    assert answer.answered_by_id == e1.id
    # Answering again corrects both, never a second row.
    response = client.post(
        f"{path}/meetings/{m1.id}", data={"result": "talks", "value_vnd": "", "rating": "3"}
    )
    assert response.status_code == 302
    assert outcome_from_a_new_session(app, m1.id, "producer") == ("follow_up", None, "Hợp đồng chè 6 tháng")
    assert _db.session.scalar(select(func.count()).select_from(FollowupAnswer)) == 1
    assert _db.session.scalar(select(FollowupAnswer.result)) == "talks"
    page = html(client.get(path))
    assert page.select_one(f"[data-meeting='{m1.id}'] [data-answered]") is not None


def survey_path(fair, who="b1_en") -> str:
    return link_in(mail_to(fair["people"][who]).body)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"result": "contract", "value_vnd": "ba trăm triệu", "rating": "5"}, "value_vnd", "whole number"),
        ({"result": "contract", "value_vnd": "", "rating": "5"}, "value_vnd", "A contract needs its value"),
        ({"result": "order", "value_vnd": "1000", "rating": "9"}, "rating", "from 1 to 5"),
        ({"result": "order", "value_vnd": "1000", "rating": ""}, "rating", "from 1 to 5"),
        ({"result": "maybe", "value_vnd": "", "rating": "3"}, "result", "Choose what came"),
        ({"result": "order", "value_vnd": "9" * 20, "rating": "3"}, "value_vnd", "whole number"),
    ],
)
def test_bad_input_is_said_next_to_its_field_and_nothing_is_written(
    invited, client, html, data, field, message
):
    path = survey_path(invited)
    m2 = invited["meetings"]["m2"]
    response = client.post(f"{path}/meetings/{m2.id}?lang=en", data=data)
    assert response.status_code == 422
    page = html(response)
    feedback = page.select(".invalid-feedback")
    assert feedback and message in text_of(feedback[0])
    described = page.select_one(f"[aria-invalid='true'][name='{field}']")
    assert described is not None
    assert _db.session.scalar(select(func.count()).select_from(FollowupAnswer)) == 0
    assert _db.session.scalar(select(func.count()).select_from(MeetingOutcome)) == 0


def test_forged_expired_and_foreign_links_are_404(app, invited, client, pinned_clock):
    path = survey_path(invited)
    token = path.rsplit("/", 1)[1]
    invitation_id = _db.session.scalar(select(FollowupInvitation.id).order_by(FollowupInvitation.id))
    forged = URLSafeTimedSerializer("not the secret", salt="followup-survey").dumps([invitation_id, 1])
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="event-summary-off").dumps(
        [invitation_id, 1]
    )
    for bad in (forged, other_salt, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x"):
        assert client.get(f"/survey/{bad}").status_code == 404
    m1, m3, m4 = (invited["meetings"][k] for k in ("m1", "m3", "m4"))
    data = {"result": "nothing", "rating": "2"}
    # b1's link and a meeting that was not b1's (m4), nor held (m3, a no-show), nor any (0).
    e3_meeting = m4.id
    for meeting_id in (e3_meeting, m3.id, 999999):
        assert client.get(f"{path}/meetings/{meeting_id}").status_code == 404
        assert client.post(f"{path}/meetings/{meeting_id}", data=data).status_code == 404
    # Someone who left b1's organisation: his link no longer opens it.
    leaver = invited["people"]["b1_vi"]
    leaver_path = survey_path(invited, "b1_vi")
    leaver.organisation_id = None
    _db.session.commit()
    assert client.get(leaver_path).status_code == 404
    # The link works 60 days.
    assert client.get(path).status_code == 200
    pinned_clock.shift(timedelta(days=61))
    assert client.get(path).status_code == 404
    assert client.post(f"{path}/meetings/{m1.id}", data=data).status_code == 404
    assert _db.session.scalar(select(func.count()).select_from(FollowupAnswer)) == 0


def test_the_logged_in_participant_finds_his_surveys_from_his_agenda(invited, client, login, html):
    login(invited["people"]["e2"])
    page = html(client.get("/my/surveys"))
    (item,) = page.select("#my-surveys [data-invitation]")
    link = urlsplit(item.select_one("a")["href"]).path
    assert html(client.get(link)).select("#survey-meetings [data-meeting]")
    agenda = html(client.get(f"/my/events/{invited['event'].slug}/agenda"))
    assert agenda.select_one("#followup-surveys")["href"] == "/my/surveys"


# ---------------------------------------------------------------- the organiser's page


def answer(fair, who, reg, meeting, result, value, rating):
    invitation = _db.session.scalar(
        select(FollowupInvitation).where(FollowupInvitation.registration_id == fair["regs"][reg].id)
    )
    survey = services.Survey(invitation, fair["people"][who], fair["regs"][reg], fair["event"], "")
    services.answer(survey, fair["meetings"][meeting], result, value, rating, "")


def test_the_organisers_page_shows_waves_answers_and_reasons(invited, client, login, html):
    answer(invited, "e1", "e1", "m1", "contract", "350000000", "5")
    answer(invited, "b1_en", "b1", "m1", "contract", "400000000", "4")  # the same contract, larger figure
    answer(invited, "e2", "e2", "m2", "order", "2000000", "3")
    _db.session.commit()
    login(invited["organiser"])
    page = html(client.get(f"/manage/events/{invited['event'].id}/followup?lang=en"))
    wave1 = page.select_one("#waves [data-wave='1']")
    figures = {td["data-figure"]: text_of(td) for td in wave1.select("[data-figure]")}
    assert figures == {"invited": "3", "answered": "3", "reminded": "0", "rate": "100 %"}
    province = {
        td["data-figure"]: text_of(td)
        for td in page.select("#reasons [data-reason='province'] [data-figure]")
    }
    assert province["meetings"] == "1" and province["contracts"] == "1" and province["rate"] == "100 %"
    assert "400,000,000" in province["value"]
    category = {
        td["data-figure"]: text_of(td)
        for td in page.select("#reasons [data-reason='category'] [data-figure]")
    }
    assert category["meetings"] == "2" and category["contracts"] == "1" and category["rate"] == "50 %"
    assert page.select_one("#reasons [data-reason='stars']") is not None  # m1's 0.8 stars
    total = {
        td["data-figure"]: text_of(td) for td in page.select("#reasons [data-reason='all'] [data-figure]")
    }
    assert total["meetings"] == "2" and total["contracts"] == "1"
    assert len(page.select("#answers [data-answer]")) == 3
    contract = [text_of(td) for td in page.select("#results [data-result='1-contract'] td")]
    # Both sides answered the same contract: two answers, its value once at the larger figure.
    assert contract[2:4] == ["2", "₫400,000,000"] and contract[4] == "4.5"


def test_an_answer_changes_the_event_dashboards_contracts(invited, client, login, html):
    login(invited["organiser"])
    url = f"/manage/events/{invited['event'].id}/dashboard?lang=en"

    def contracts():
        page = html(client.get(url))
        return [
            text_of(page.select_one(f"[data-figure='{key}'] [data-value]"))
            for key in ("contracts", "contract_vnd")
        ]

    assert contracts()[0] == "0"
    answer(invited, "e1", "e1", "m1", "contract", "350000000", "5")
    _db.session.commit()
    assert contracts() == ["1", "₫350,000,000"]


def test_the_reasons_table_downloads_as_the_page_shows_it_and_is_logged(invited, client, login):
    answer(invited, "e1", "e1", "m1", "contract", "350000000", "5")
    _db.session.commit()
    login(invited["organiser"])
    event_id = invited["event"].id
    response = client.get(f"/manage/events/{event_id}/followup/reasons.csv?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["Reason", "Held meetings", "Contracts"]
    rows = {line.split(",")[0]: line.split(",")[1:] for line in lines[1:]}
    assert rows["Province"][:2] == ["1", "1"] and rows["Province"][3] == "350000000"
    assert rows["All held meetings"][:2] == ["2", "1"]
    book = load_workbook(io.BytesIO(client.get(f"/manage/events/{event_id}/followup/reasons.xlsx").data))
    assert [cell.value for cell in book.active[1]][:3] == ["Reason", "Held meetings", "Contracts"]
    logged = _db.session.scalars(
        select(EventLogEntry.details_json).where(
            EventLogEntry.event_id == event_id, EventLogEntry.action == "export"
        )
    ).all()
    assert len(logged) == 2 and all(
        details.get("changes", details).get("export") == "reasons" for details in logged
    )


def test_a_meeting_checked_in_counts_in_the_reasons_before_any_survey_is_sent(
    fair, pinned_clock, client, login, html
):
    """The reasons table doesn't wait for the first wave (14 days): checking a meeting in keeps
    its explanation's terms at once. The fixture's two held meetings were marked held directly,
    so only the one checked in here is counted."""
    meeting = add_meeting(
        _db,
        fair["meetings"]["m1"].session,
        fair["regs"]["b2"],
        fair["regs"]["e2"],
        status="scheduled",
        why_json=why(category=1.0, capacity=0.9),
        slot=4,
    )
    _db.session.commit()
    login(fair["organiser"])
    event_id = fair["event"].id
    response = client.post(f"/manage/events/{event_id}/checkin", data={"code": meeting.checkin_code})
    assert response.status_code in (200, 302)
    _db.session.expire_all()
    assert _db.session.get(type(meeting), meeting.id).status == "held"
    assert _db.session.scalar(select(func.count()).select_from(FollowupInvitation)) == 0
    page = html(client.get(f"/manage/events/{event_id}/followup?lang=en"))
    category = {
        td["data-figure"]: text_of(td)
        for td in page.select("#reasons [data-reason='category'] [data-figure]")
    }
    assert category["meetings"] == "1" and category["contracts"] == "0"
    assert page.select_one("#reasons [data-reason='capacity']") is not None


def test_a_forums_answers_are_by_participant_a_or_b(invited, client, login, html):
    """In a networking forum the meeting's columns are its two sides, whatever the roles: the
    answers table names them participants A and B, and who answered by its column."""
    answer(invited, "e1", "e1", "m1", "contract", "350000000", "5")
    answer(invited, "b1_en", "b1", "m1", "contract", "400000000", "4")
    invited["meetings"]["m1"].session.kind = "forum"
    _db.session.commit()
    login(invited["organiser"])
    page = html(client.get(f"/manage/events/{invited['event'].id}/followup?lang=en"))
    headers = [text_of(th) for th in page.select("#answers thead th")]
    assert headers[1:4] == ["Participant A", "Participant B", "Answered by"]
    assert sorted(text_of(row.select("td")[3]) for row in page.select("#answers [data-answer]")) == [
        "Participant A",
        "Participant B",
    ]


def test_the_organiser_changes_the_delays_and_a_sent_wave_keeps_its_own(invited, client, login, html):
    event_id = invited["event"].id
    login(invited["organiser"])
    response = client.post(
        f"/manage/events/{event_id}/followup?lang=en",
        data={"first_wave_days": "10", "second_wave_days": "60"},
    )
    assert response.status_code == 422
    assert "sent already" in text_of(html(response).select_one(".invalid-feedback"))
    response = client.post(
        f"/manage/events/{event_id}/followup", data={"first_wave_days": "14", "second_wave_days": "60"}
    )
    assert response.status_code == 302
    assert services.wave_days(invited["event"]) == (14, 60)
    for bad in (
        {"first_wave_days": "14", "second_wave_days": "7"},
        {"first_wave_days": "abc", "second_wave_days": "60"},
        {"first_wave_days": "14", "second_wave_days": "9999"},
    ):
        assert client.post(f"/manage/events/{event_id}/followup", data=bad).status_code == 422
    assert services.wave_days(invited["event"]) == (14, 60)


@pytest.mark.parametrize("role", ["organiser", "exhibitor", "buyer"])
def test_other_roles_are_refused_the_organisers_page(
    fair, client, login, make_user, make_producer, make_buyer, role
):
    organisation = {"exhibitor": make_producer, "buyer": make_buyer}.get(role, lambda: None)()
    login(make_user(role=role, organisation=organisation))
    url = f"/manage/events/{fair['event'].id}/followup"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"first_wave_days": "3", "second_wave_days": "9"}).status_code == 403
    assert services.wave_days(fair["event"]) == (14, 90)
    assert client.get(f"{url}/reasons.csv").status_code == 403
    assert client.get(f"{url}/reasons.xlsx").status_code == 403


def test_participants_of_the_event_are_refused_too_and_anonymous_sent_to_log_in(fair, client, login):
    url = f"/manage/events/{fair['event'].id}/followup"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"{url}/reasons.csv").status_code == 302
    assert client.get("/my/surveys").status_code == 302
    login(fair["people"]["e1"])
    assert client.get(url).status_code == 403
    assert client.get(f"{url}/reasons.csv").status_code == 403


def test_the_events_organiser_and_an_admin_open_it(fair, client, login, make_user):
    url = f"/manage/events/{fair['event'].id}/followup"
    login(fair["organiser"])
    assert client.get(url).status_code == 200
    client.get("/logout")
    login(make_user(role="admin"))
    assert client.get(url).status_code == 200
    assert client.get("/my/surveys").status_code == 403  # an admin has no organisation's surveys


def test_a_page_past_the_end_says_so(fair, client, login, html):
    login(fair["organiser"])
    page = html(client.get(f"/manage/events/{fair['event'].id}/followup?page=7"))
    assert page.select_one("#no-answers") is not None


def count_queries(client, url) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa_event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(_db.engine, "before_cursor_execute", counted)
    return count


def test_the_organisers_page_costs_the_same_queries_at_two_sizes(
    invited, client, login, make_producer, make_user, pinned_clock
):
    """3 invitations and 1 answer, then 33 invitations, 31 answers (two pages) and another reason."""
    answer(invited, "e1", "e1", "m1", "contract", "350000000", "5")
    _db.session.commit()
    login(invited["organiser"])
    url = f"/manage/events/{invited['event'].id}/followup"
    small = count_queries(client, url)
    session, b1 = invited["meetings"]["m1"].session, invited["regs"]["b1"]
    added = []
    for n in range(30):
        organisation = make_producer()
        user = make_user(role="exhibitor", organisation=organisation)
        registration = Registration(
            event_id=invited["event"].id, organisation_id=organisation.id, role="exhibitor", status="approved"
        )
        _db.session.add(registration)
        _db.session.flush()
        meeting = add_meeting(
            _db, session, b1, registration, why_json=why(category=1.0, price=0.9), slot=n % 6
        )
        added.append((user, registration, meeting))
    _db.session.commit()
    pinned_clock.move_to(vietnam(SENT_ON, 9))
    services.send_followups()
    for n, (user, registration, meeting) in enumerate(added):
        invitation = _db.session.scalar(
            select(FollowupInvitation).where(FollowupInvitation.registration_id == registration.id)
        )
        survey = services.Survey(invitation, user, registration, invited["event"], "")
        services.answer(survey, meeting, "order" if n % 2 else "contract", "1000000", "4", "")
    _db.session.commit()
    assert _db.session.scalar(select(func.count()).select_from(FollowupAnswer)) == 31
    large = count_queries(client, url)
    assert large == small, (small, large)
    assert count_queries(client, url + "?page=2") == small
