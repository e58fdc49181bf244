"""Events over the API: the public list (pages with links, filters, sorting), an event, its
programme and halls; drafts only for their organisers; ETags answer 304."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.events.models import Hall, ProgrammeItem
from tests.api.conftest import bearer


def test_the_list_is_paged_with_links_filtered_and_sorted(client, make_open_event, make_event, db):
    events = [make_open_event(name_vi=f"Hội chợ {chr(ord('A') + n)}") for n in range(5)]
    events[0].province_code = "22"
    draft = make_event(name_vi="Bản nháp")
    first = client.get("/api/v1/events?per_page=2&sort=name")
    assert first.status_code == 200
    body = first.get_json()
    assert body["total"] == 5  # not the draft
    assert [e["name"]["vi"] for e in body["items"]] == ["Hội chợ A", "Hội chợ B"]
    assert body["links"]["prev"] is None
    assert 'rel="next"' in first.headers["Link"]
    second = client.get(body["links"]["next"])
    assert [e["name"]["vi"] for e in second.get_json()["items"]] == ["Hội chợ C", "Hội chợ D"]
    last = client.get(second.get_json()["links"]["next"]).get_json()
    assert [e["name"]["vi"] for e in last["items"]] == ["Hội chợ E"] and last["links"]["next"] is None

    descending = client.get("/api/v1/events?sort=-name").get_json()
    assert [e["name"]["vi"] for e in descending["items"]][:2] == ["Hội chợ E", "Hội chợ D"]
    assert draft.id not in [e["id"] for e in descending["items"]]

    assert client.get("/api/v1/events?state=registration_open").get_json()["total"] == 5
    assert client.get("/api/v1/events?state=finished").get_json()["total"] == 0
    assert client.get("/api/v1/events?kind=conference").get_json()["total"] == 0
    in_quang_ninh = client.get("/api/v1/events?province=22").get_json()
    assert [e["id"] for e in in_quang_ninh["items"]] == [events[0].id]


def test_organisers_list_the_events_they_manage_drafts_too(
    client, make_open_event, make_event, make_user, make_buyer, make_token, db
):
    organiser, other = make_user(role="organiser"), make_user(role="organiser")
    mine_open = make_open_event(organiser=organiser, name_vi="Hội chợ của tôi")
    mine_draft = make_event(organiser=organiser, name_vi="Bản nháp của tôi")
    make_event(organiser=other, name_vi="Bản nháp của người khác")
    make_open_event(organiser=other)

    def ids(secret, query="managed=true"):
        response = client.get(f"/api/v1/events?{query}", headers=bearer(secret) if secret else {})
        return response.status_code, sorted(e["id"] for e in response.get_json().get("items", []))

    assert ids(make_token(organiser)) == (200, sorted([mine_open.id, mine_draft.id]))
    assert ids(make_token(organiser), "managed=true&state=draft") == (200, [mine_draft.id])
    assert ids(make_token(organiser, event=mine_open)) == (200, [mine_open.id])
    assert len(ids(make_token(make_user(role="admin")))[1]) == 4  # every event
    assert ids(None)[0] == 401
    assert ids(make_token(make_user(role="buyer", organisation=make_buyer())))[0] == 403
    # without `managed`, a draft is nobody's business: asking for drafts is refused, naming `state`
    refused = client.get("/api/v1/events?state=draft", headers=bearer(make_token(organiser)))
    assert refused.status_code == 422 and refused.get_json()["invalid_params"][0]["name"] == "state"


def test_a_page_past_the_end_is_empty_with_its_total(client, make_open_event, db):
    make_open_event()
    body = client.get("/api/v1/events?page=7").get_json()
    assert body["items"] == [] and body["total"] == 1 and body["links"]["prev"]


def test_an_event_its_programme_and_halls(client, make_open_event, db):
    event = make_open_event()
    start = event.starts_at + timedelta(hours=2)
    db.session.add_all(
        [
            ProgrammeItem(
                event=event,
                kind="talk",
                title_vi="Khai mạc",
                title_en="Opening",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                location="Hội trường A",
            ),
            Hall(event=event, name="Nhà A", name_en="Hall A", width_m=Decimal("40"), depth_m=Decimal("25.5")),
        ]
    )
    db.session.commit()
    detail = client.get(f"/api/v1/events/{event.id}").get_json()
    assert detail["name"] == {"vi": event.name_vi, "en": event.name_en, "fr": None}
    assert detail["state"] == "registration_open" and detail["timezone"] == "Asia/Ho_Chi_Minh"
    programme = client.get(f"/api/v1/events/{event.id}/programme").get_json()
    assert programme[0]["title"]["en"] == "Opening" and programme[0]["cancelled"] is False
    halls = client.get(f"/api/v1/events/{event.id}/halls").get_json()
    assert halls == [
        {
            "id": halls[0]["id"],
            "name": {"vi": "Nhà A", "en": "Hall A", "fr": None},
            "width_m": 40.0,
            "depth_m": 25.5,
        }
    ]


def test_a_draft_is_for_its_organisers_only(
    client, make_event, make_user, make_token, organiser, exhibitor, db
):
    draft = make_event(organiser=organiser)
    own, other = make_token(organiser), make_token(make_user(role="organiser"))
    admin = make_token(make_user(role="admin"))
    for path in ("", "/programme", "/halls"):
        url = f"/api/v1/events/{draft.id}{path}"
        assert client.get(url).status_code == 404
        assert client.get(url, headers=bearer(other)).status_code == 404
        assert client.get(url, headers=bearer(make_token(exhibitor))).status_code == 404
        assert client.get(url, headers=bearer(own)).status_code == 200
        assert client.get(url, headers=bearer(admin)).status_code == 200


def test_etag_answers_304_until_the_event_changes(client, make_open_event, db):
    event = make_open_event()
    first = client.get(f"/api/v1/events/{event.id}")
    etag = first.headers["ETag"]
    again = client.get(f"/api/v1/events/{event.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    listing = client.get("/api/v1/events")
    assert client.get("/api/v1/events", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304
    event.venue_name = "Nơi khác"
    db.session.commit()
    changed = client.get(f"/api/v1/events/{event.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_writing_to_events_is_not_allowed(client, make_open_event, db):
    event = make_open_event()
    response = client.delete(f"/api/v1/events/{event.id}")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_the_list_s_queries_do_not_grow_with_the_events(client, make_open_event, db):
    from tests.conftest import queries_of

    make_open_event()
    few = queries_of(client, "/api/v1/events")
    for _ in range(6):
        make_open_event()
    assert queries_of(client, "/api/v1/events") == few
