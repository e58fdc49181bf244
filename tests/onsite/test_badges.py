"""Badges: a signed token per approved participant, the organisers' list and the printable sheets."""

from __future__ import annotations

import pytest

from app.errors import PermissionDenied, ServiceError
from app.events.models import Registration
from app.onsite.badges import services as badges
from app.qrcodes import qr_svg_inline
from tests.conftest import text_of
from tests.onsite.desk_support import client_as, every_role, refused, running_fair


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def _registrations(fair) -> list[Registration]:
    return [registration for _user, registration in fair.buyers + fair.producers]


# ---------------------------------------------------------------- the token


def test_a_badge_token_names_its_registration_and_is_read_back_typed_loosely(db, fair):
    registration = fair.buyers[0][1]
    token = badges.badge_token(registration)
    assert token.startswith(f"B-{fair.event.id}-{registration.id}-")
    assert badges.registration_for_token(fair.event, token) is registration
    spaced = " " + token.lower()[:8] + " " + token.lower()[8:] + "\n"
    assert badges.registration_for_token(fair.event, spaced) is registration


def test_a_forged_or_altered_token_is_refused(db, fair):
    registration, other = fair.buyers[0][1], fair.buyers[1][1]
    token = badges.badge_token(registration)
    signature = token.rsplit("-", 1)[1]
    forged = token[: -len(signature)] + ("A" if signature[0] != "A" else "B") + signature[1:]
    moved = f"B-{fair.event.id}-{other.id}-{signature}"  # someone else's number under this signature
    for bad in (forged, moved):
        with pytest.raises(ServiceError, match="not genuine"):
            badges.registration_for_token(fair.event, bad)
    for garbage in ("hello", "B-1-2-SHORT", "https://example.com/?code=K00001X"):
        with pytest.raises(ServiceError, match="not a badge code"):
            badges.registration_for_token(fair.event, garbage)
    with pytest.raises(ServiceError, match="Type or scan"):
        badges.registration_for_token(fair.event, "   ")


def test_another_events_genuine_badge_is_refused(
    db, fair, make_event, make_user, make_buyer, make_producer, make_product
):
    elsewhere = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    foreign = badges.badge_token(elsewhere.buyers[0][1])
    with pytest.raises(ServiceError, match="another event"):
        badges.registration_for_token(fair.event, foreign)


def test_the_badge_of_a_withdrawn_participant_is_refused(db, fair):
    registration = fair.producers[0][1]
    token = badges.badge_token(registration)
    registration.status = "withdrawn"
    db.session.commit()
    with pytest.raises(ServiceError, match="not an approved participant"):
        badges.registration_for_token(fair.event, token)


def test_a_token_made_with_another_secret_is_refused(app, db, fair):
    registration = fair.buyers[0][1]
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "somebody-else's-secret"
    try:
        token = badges.badge_token(registration)
    finally:
        app.config["SECRET_KEY"] = secret
    with pytest.raises(ServiceError, match="not genuine"):
        badges.registration_for_token(fair.event, token)


# ---------------------------------------------------------------- listing and choosing


def test_the_badges_list_holds_approved_participants_by_role_and_search_a_page_at_a_time(
    db, fair, monkeypatch
):
    pending = Registration(
        event_id=fair.event.id, organisation_id=fair.buyers[0][1].organisation_id, role="exhibitor"
    )
    pending.status = "pending"
    db.session.add(pending)
    db.session.commit()
    rows, total = badges.badges_page(fair.organiser, fair.event)
    assert total == 4 and {b.registration.id for b in rows} == {r.id for r in _registrations(fair)}
    rows, total = badges.badges_page(fair.organiser, fair.event, role="buyer")
    assert total == 2 and {b.registration.role for b in rows} == {"buyer"}
    wanted = fair.producers[1][1].organisation
    rows, total = badges.badges_page(fair.organiser, fair.event, text=wanted.name.split()[-1])
    assert [b.registration.organisation for b in rows] == [wanted]
    monkeypatch.setattr(badges, "PER_PAGE", 3)
    first, total = badges.badges_page(fair.organiser, fair.event, page=1)
    second, _total = badges.badges_page(fair.organiser, fair.event, page=2)
    assert total == 4 and len(first) == 3 and len(second) == 1
    assert not {b.registration.id for b in first} & {b.registration.id for b in second}


def test_printing_chosen_badges_ignores_other_events_and_unapproved_ones(
    db, fair, make_event, make_user, make_buyer, make_producer, make_product
):
    elsewhere = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    mine, theirs = fair.buyers[0][1], elsewhere.buyers[0][1]
    chosen = badges.badges_to_print(
        fair.organiser, fair.event, registration_ids=[str(mine.id), str(theirs.id), "x", "-3"]
    )
    assert [b.registration for b in chosen] == [mine]
    assert badges.badges_to_print(fair.organiser, fair.event, registration_ids=[]) == []
    assert len(badges.badges_to_print(fair.organiser, fair.event)) == 4
    with pytest.raises(PermissionDenied):
        badges.badges_to_print(elsewhere.organiser, fair.event)


def test_an_a4_sheet_holds_four_badges():
    assert [len(sheet) for sheet in badges.sheets(list(range(9)), 4)] == [4, 4, 1]


# ---------------------------------------------------------------- pages


def test_the_badges_page_lists_participants_with_a_reprint_link_each(app, db, fair, html):
    client = client_as(app, fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/badges?role=buyer"))
    rows = page.select("tr[data-registration]")
    assert {int(row["data-registration"]) for row in rows} == {r.id for _u, r in fair.buyers}
    link = rows[0].select_one("a[data-reprint]")["href"]
    assert link.startswith(f"/manage/events/{fair.event.id}/badges/{rows[0]['data-registration']}")
    form = page.select_one("form[action$='/badges/print']")
    assert form.select_one("button[data-print-all]")["name"] == "all"
    assert form.select_one("input[name=role]")["value"] == "buyer"
    everyone = html(
        client.get(
            f"/manage/events/{fair.event.id}/badges/print",
            query_string={"selected": "1", "all": "1", "role": "buyer", "ids": [fair.buyers[0][1].id]},
        )
    )
    assert {int(card["data-badge"]) for card in everyone.select("section.badge-card")} == {
        r.id for _u, r in fair.buyers
    }, "print all prints every badge of the filter, whatever is ticked"


def test_a_sheet_shows_each_badge_with_its_qr_code_and_the_paper_size(app, db, fair, html):
    client = client_as(app, fair.organiser)
    chosen = [fair.buyers[0][1], fair.producers[1][1]]
    response = client.get(
        f"/manage/events/{fair.event.id}/badges/print",
        query_string={"selected": "1", "ids": [r.id for r in chosen], "paper": "a4"},
    )
    assert response.status_code == 200
    page = html(response)
    cards = page.select("section.badge-card")
    assert {int(card["data-badge"]) for card in cards} == {r.id for r in chosen}
    with app.test_request_context():
        for card in cards:
            registration = db.session.get(Registration, int(card["data-badge"]))
            token = badges.badge_token(registration)
            assert text_of(card.select_one("[data-token]")) == token
            assert registration.organisation.name in text_of(card)
            # the QR drawn on the badge is the code of its token
            assert card.select_one("svg path")["d"] in str(qr_svg_inline(token))
    assert len(page.select(".badge-paper-a4 .badge-sheet")) == 1
    style = page.select_one("style").get_text()
    assert "@page" in style and "210mm 297mm" in style
    a6 = html(client.get(f"/manage/events/{fair.event.id}/badges/print?paper=a6"))
    assert (
        len(a6.select(".badge-paper-a6 .badge-sheet")) == 4
        and "105mm 148mm" in a6.select_one("style").get_text()
    )
    none = html(client.get(f"/manage/events/{fair.event.id}/badges/print?selected=1"))
    assert not none.select("section.badge-card"), "print selected with nothing ticked prints nothing"


def test_reprinting_one_badge_and_refusing_others(
    app, db, fair, html, make_event, make_user, make_buyer, make_producer, make_product
):
    client = client_as(app, fair.organiser)
    registration = fair.producers[0][1]
    page = html(client.get(f"/manage/events/{fair.event.id}/badges/{registration.id}?paper=a6"))
    assert [int(card["data-badge"]) for card in page.select("section.badge-card")] == [registration.id]
    elsewhere = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    foreign = elsewhere.buyers[0][1]
    assert client.get(f"/manage/events/{fair.event.id}/badges/{foreign.id}").status_code == 404
    registration.status = "withdrawn"
    db.session.commit()
    assert client.get(f"/manage/events/{fair.event.id}/badges/{registration.id}").status_code == 404
    assert client.get(f"/manage/events/{fair.event.id}/badges/99999999999").status_code == 404


@pytest.mark.parametrize("path", ["badges", "badges/print", "badges/print?selected=1&ids=1", "badges/{rid}"])
def test_only_the_events_organisers_and_admins_see_badges(app, db, fair, make_user, path):
    """Anonymous → login; another organiser, an exhibitor, a buyer → 403; no token leaks."""
    url = f"/manage/events/{fair.event.id}/" + path.format(rid=fair.buyers[0][1].id)
    for label, user, allowed in every_role(fair, make_user):
        response = client_as(app, user).get(url)
        if allowed:
            assert response.status_code == 200, label
        else:
            assert refused(response), label
            token = badges.badge_token(fair.buyers[0][1])
            assert token.encode() not in response.data, label


def test_the_event_page_leads_its_organisers_to_the_badges(app, db, fair, html):
    page = html(client_as(app, fair.organiser).get(f"/manage/events/{fair.event.id}"))
    assert page.select_one(f'a[href="/manage/events/{fair.event.id}/badges"]') is not None
