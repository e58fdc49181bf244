"""A new matchmaking session starts on the programme's matchmaking item: its day and its hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from app.events import services as events
from app.matching.sessions import services


def _local(event, day, hour, minute=0):
    first = events.to_local(event, event.starts_at).date() + timedelta(days=day)
    return events.from_local(event.timezone, datetime.combine(first, time(hour, minute)))


def test_a_new_session_defaults_to_the_programme_s_matchmaking_item(
    client, login, organiser, make_event, db, html
):
    event = make_event(organiser=organiser)
    events.save_programme_item(
        organiser,
        event,
        kind="seminar",
        title_vi="Hội thảo",
        location="Hội trường",
        starts_at=_local(event, 1, 9),
        ends_at=_local(event, 1, 11),
    )
    events.save_programme_item(
        organiser,
        event,
        kind="matchmaking",
        title_vi="Kết nối giao thương B2B",
        location="Nhà B",
        starts_at=_local(event, 2, 14),
        ends_at=_local(event, 2, 16, 30),
    )
    db.session.commit()
    b2b_day = (events.to_local(event, event.starts_at) + timedelta(days=2)).date()

    values = services.default_values(event)
    assert (values["first_day"], values["last_day"]) == (b2b_day, b2b_day)
    assert (values["day_start"], values["day_end"]) == (time(14, 0), time(16, 30))

    login(organiser)
    form = html(client.get(f"/manage/events/{event.id}/matching"))
    assert form.find(attrs={"name": "first_day"})["value"] == b2b_day.isoformat()
    assert form.find(attrs={"name": "day_start"})["value"] == "14:00"
    assert form.find(attrs={"name": "day_end"})["value"] == "16:30"


def test_without_a_matchmaking_item_a_new_session_is_on_the_first_morning(organiser, make_event, db):
    event = make_event(organiser=organiser)
    first_day = events.to_local(event, event.starts_at).date()
    values = services.default_values(event)
    assert (values["first_day"], values["last_day"]) == (first_day, first_day)
    assert (values["day_start"], values["day_end"]) == (time(8, 30), time(11, 30))
