"""What the forum refuses or keeps private: a participant's block is not the organiser's to
override, a pair nobody asked for is never "open", two requests at once are one row, a buyer's
private demand notes stay private, a block is not shown to the one blocked, and an organisation
does not meet itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import ServiceError
from app.events.models import Registration
from app.extensions import db as _db
from app.matching.forum import services
from app.matching.models import ForumRequest
from tests.conftest import NOW
from tests.pages import flashes


def _ask(forum, me, other, note=None):
    return services.request_meeting(forum.user(me), forum.session, me, other.id, note)


def _login(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302
    client.get("/?lang=en")


def test_the_organiser_cannot_override_a_participants_block(forum):
    (p1, p2), (b1, _b2) = forum.producers, forum.buyers
    organiser, session = forum.organiser, forum.session
    row = services.block(forum.user(b1), session, b1, p1.id)
    for status in ("accepted", "open", "declined"):
        with pytest.raises(ServiceError, match="blocked") as refused:
            services.set_status(organiser, session, row, status)
        assert refused.value.field == "status"
    assert (row.status, row.answered_by_id) == ("blocked", b1.id)
    with pytest.raises(ServiceError, match="blocked"):
        services.add_pair(organiser, session, p1.id, b1.id)
    # The organiser's own pair: never "open" (nobody could answer it); its own block it lifts.
    added = services.add_pair(organiser, session, p1.id, p2.id)
    with pytest.raises(ServiceError, match="nobody"):
        services.set_status(organiser, session, added, "open")
    services.set_status(organiser, session, added, "blocked")
    services.set_status(organiser, session, added, "accepted")
    assert (added.status, added.answered_by_id) == ("accepted", None)


def test_two_requests_at_once_make_one_row_and_the_second_reads_it(forum, monkeypatch):
    p1, p2 = forum.producers
    first = _ask(forum, p1, p2).row
    real = services.pair_row
    calls = []

    def not_yet_seen(session, one, other):  # the other request's row, not yet committed when read
        calls.append(1)
        return None if len(calls) == 1 else real(session, one, other)

    monkeypatch.setattr(services, "pair_row", not_yet_seen)
    done = _ask(forum, p2, p1)
    assert done.outcome == "mutual" and done.row.id == first.id and first.status == "accepted"
    calls.clear()
    with pytest.raises(ServiceError, match="already accepted"):  # a double click
        _ask(forum, p2, p1)
    calls.clear()
    assert services.block(forum.user(p2), forum.session, p2, p1.id).id == first.id
    b1, b2 = forum.buyers
    services.add_pair(forum.organiser, forum.session, b1.id, b2.id)
    calls.clear()
    with pytest.raises(ServiceError, match="already listed"):
        services.add_pair(forum.organiser, forum.session, b2.id, b1.id)
    rows = _db.session.scalars(select(ForumRequest)).all()
    assert len(rows) == 2


def test_a_buyers_demand_notes_are_neither_shown_nor_searched(forum, client, html):
    secret = forum.fair.buyer(note="Biên lợi nhuận mục tiêu 40 phần trăm")
    _db.session.commit()
    p1 = forum.producers[0]
    found = services.browse(forum.session, p1, services.Filters(text="lợi nhuận"))
    assert found.total == 0
    _login(client, forum.user(p1))
    page = client.get(f"/my/events/{forum.event.slug}/forum").get_data(as_text=True)
    assert f'data-participant="{secret.id}"' in page and "lợi nhuận" not in page


def test_the_one_blocked_sees_a_neutral_state_and_a_neutral_refusal(forum, client, html):
    p1, b1 = forum.producers[0], forum.buyers[0]
    services.block(forum.user(b1), forum.session, b1, p1.id)

    def card_of(viewer, other):
        cards = services.browse(forum.session, viewer, services.Filters()).items
        return next(c for c in cards if c.registration == other)

    assert card_of(p1, b1).state == "closed"
    assert card_of(b1, p1).state == "blocked"
    with pytest.raises(ServiceError) as refused:
        _ask(forum, p1, b1)
    assert str(refused.value) == "This participant doesn't take meeting requests in this forum."
    _db.session.commit()
    _login(client, forum.user(p1))
    page = html(client.get(f"/my/events/{forum.event.slug}/forum"))
    card = page.select_one(f'[data-participant="{b1.id}"]')
    assert card.select_one("[data-pair-state]")["data-pair-state"] == "closed"
    assert "Blocked" not in card.get_text() and card.select("form") == []
    response = client.post(
        f"/my/events/{forum.event.slug}/forum/request", data={"other": b1.id}, follow_redirects=True
    )
    assert flashes(html(response)) == ["This participant doesn't take meeting requests in this forum."]


def test_an_organisation_does_not_meet_itself(forum, client, html):
    p1, p2 = forum.producers
    own = Registration(
        event_id=forum.event.id, organisation_id=p1.organisation_id, role="buyer", status="approved"
    )
    _db.session.add(own)
    _db.session.flush()
    with pytest.raises(ServiceError, match="own organisation"):
        _ask(forum, p1, own)
    with pytest.raises(ServiceError, match="same organisation"):
        services.add_pair(forum.organiser, forum.session, own.id, p1.id)
    seen = {card.registration.id for card in services.browse(forum.session, p1, services.Filters()).items}
    assert own.id not in seen and p2.id in seen
    assert _db.session.scalars(select(ForumRequest)).all() == []


def test_the_forum_forms_disable_their_button_once_sent(forum, client, html):
    p1, p2 = forum.producers
    b1 = forum.buyers[0]
    _ask(forum, b1, p1)
    _db.session.commit()
    _login(client, forum.user(p1))
    page = html(client.get(f"/my/events/{forum.event.slug}/forum"))
    for form in page.select("#forum-cards form[method=post]"):
        assert form.has_attr("data-disable-on-submit"), form
        assert all(not button.get("name") for button in form.select("button")), form  # no lost value
    mine = html(client.get(f"/my/events/{forum.event.slug}/forum/requests"))
    assert mine.select('form[action*="/forum/"]')
    for form in mine.select('form[method=post][action*="/forum/"]'):
        assert form.has_attr("data-disable-on-submit"), form
    _login(client, forum.organiser)
    manage = html(client.get(f"/manage/events/{forum.event.id}/matching/{forum.session.id}/forum?lang=en"))
    assert manage.select_one("#add-pair").has_attr("data-disable-on-submit")
    row = services.pair_row(forum.session, b1.id, p1.id)
    confirm = html(
        client.get(f"/manage/events/{forum.event.id}/matching/{forum.session.id}/forum/{row.id}/remove")
    )
    assert confirm.select_one("#remove-form").has_attr("data-disable-on-submit")
    _ = (p2, NOW)
