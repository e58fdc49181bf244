"""The organiser's outcomes page leads back to its event."""

from __future__ import annotations


def test_the_outcomes_page_has_a_way_back_to_its_event(client, login, organiser, make_event, db, html):
    event = make_event(organiser=organiser)
    db.session.commit()
    login(organiser)
    page = html(client.get(f"/manage/events/{event.id}/outcomes"))
    trail = page.select_one("nav[aria-label=breadcrumb]")
    assert trail is not None
    assert trail.select_one(f"a[href='/manage/events/{event.id}']").get_text(strip=True) == event.name_vi
    assert trail.select_one("[aria-current=page]") is not None


def test_an_unknown_filter_gets_its_message_and_400(client, login, organiser, make_event, db, html):
    event = make_event(organiser=organiser)
    db.session.commit()
    login(organiser)
    response = client.get(f"/manage/events/{event.id}/outcomes?lang=en&status=lost")
    assert response.status_code == 400
    assert "Unknown meeting status “lost”." in html(response).select_one("[data-filter-error]").get_text()
    assert client.get(f"/manage/events/{event.id}/outcomes?status=held&contract=1").status_code == 200
