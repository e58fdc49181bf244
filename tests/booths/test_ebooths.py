"""Electronic booths, the online catalogue, visit counts, QR codes and booth signs."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, inspect, select

from app import qrcodes
from app.booths.ebooths import services as ebooths
from app.booths.models import Booth, BoothAssignment, BoothType, BoothVisit, ElectronicBooth
from app.errors import PermissionDenied, ServiceError
from app.events import services as events
from app.events.models import Hall, Registration
from app.events.registrations import services as registrations
from tests.conftest import text_of

# ---------------------------------------------------------------- builders


def _preview_banner(page) -> str:
    """The banner saying the booth page is a preview of an unpublished booth ("" when there is none)."""
    return " ".join(text_of(alert) for alert in page.select("main > .alert[role=status]"))


def _card_names(page) -> list[str]:
    """The exhibitors on the catalogue's cards, in order."""
    return [text_of(title) for title in page.select(".ebooth-card .card-title")]


@pytest.fixture()
def fair(db, organiser, make_event):
    """A physical fair of `organiser` with registration open."""
    event = make_event(organiser=organiser)
    events.open_registration(organiser, event)
    return event


@pytest.fixture()
def make_exhibitor(db, app, make_producer, make_user, make_product, organiser):
    """An exhibitor account whose organisation applied to `event` with new products; approved unless told.

    make_exhibitor(event, products=[{...product fields}], status="approved"|"pending"|"rejected", **org)
    """

    def build(event, *, products=({},), status="approved", **organisation_fields):
        organisation = make_producer(**organisation_fields)
        user = make_user(role="exhibitor", organisation=organisation)
        made = [make_product(organisation=organisation, **fields) for fields in products]
        with app.test_request_context("/?lang=en"):
            registration = registrations.apply_as_exhibitor(user, event, [p.id for p in made])
            if status == "approved":
                registrations.approve(organiser, registration)
            elif status == "rejected":
                registrations.reject(organiser, registration, "Không phù hợp")
        db.session.commit()
        return user, registration, made

    return build


def _ebooth(registration: Registration) -> ElectronicBooth:
    booth = ebooths.ensure_electronic_booth(registration)
    assert booth is not None
    return booth


def _publish(db, user, ebooth):
    ebooths.set_published(user, ebooth, True)
    db.session.commit()


def _place(db, event, registration, code="A-12", hall_name="Nhà A"):
    """A physical booth in a hall, held by `registration`."""
    hall = db.session.scalar(select(Hall).where(Hall.event_id == event.id, Hall.name == hall_name))
    if hall is None:
        hall = Hall(event_id=event.id, name=hall_name, width_m=40, depth_m=30)
        db.session.add(hall)
        db.session.flush()
    booth_type = db.session.scalar(select(BoothType).where(BoothType.event_id == event.id))
    if booth_type is None:
        booth_type = BoothType(event_id=event.id, name="Tiêu chuẩn 3×3", width_m=3, depth_m=3, price_vnd=0)
        db.session.add(booth_type)
        db.session.flush()
    number = db.session.scalar(select(func.count()).select_from(Booth).where(Booth.hall_id == hall.id))
    booth = Booth(
        event_id=event.id,
        hall_id=hall.id,
        booth_type_id=booth_type.id,
        code=code,
        x_m=2 + 4 * number,
        y_m=2,
        width_m=3,
        depth_m=3,
    )
    db.session.add(booth)
    db.session.flush()
    if registration is not None:
        db.session.add(
            BoothAssignment(
                event_id=event.id, booth_id=booth.id, registration_id=registration.id, status="confirmed"
            )
        )
    db.session.commit()
    return booth


# ---------------------------------------------------------------- who gets an electronic booth


def test_every_approved_exhibitor_gets_one_electronic_booth_and_pending_or_rejected_ones_none(
    db, fair, make_exhibitor
):
    _, approved, products = make_exhibitor(fair, products=({"stars": 3}, {"stars": 5}))
    _, pending, _ = make_exhibitor(fair, status="pending")
    _, rejected, _ = make_exhibitor(fair, status="rejected")

    # Approval opened the booth already; sweeping the event again creates nothing more.
    assert ebooths.ensure_electronic_booths(fair) == 0
    db.session.commit()

    booths = db.session.scalars(select(ElectronicBooth)).all()
    assert [b.registration_id for b in booths] == [approved.id]
    assert ebooths.ensure_electronic_booth(pending) is None
    assert ebooths.ensure_electronic_booth(rejected) is None
    # Its products default to the registration's, best first; unpublished, contacts private.
    assert [p.id for p in ebooths.shown_products(booths[0])] == [products[1].id, products[0].id]
    assert not booths[0].published and not booths[0].show_phone and not booths[0].show_email
    assert ebooths.ensure_electronic_booth(approved).id == booths[0].id


# ---------------------------------------------------------------- visibility and editing


def test_an_unpublished_booth_is_hidden_from_the_public_but_its_exhibitor_and_organisers_preview_it(
    client, db, fair, organiser, make_exhibitor, login, html
):
    user, registration, _ = make_exhibitor(fair)
    ebooth = _ebooth(registration)
    db.session.commit()
    url = f"/events/{fair.slug}/booths/{ebooth.id}?lang=en"

    assert client.get(url).status_code == 404
    name = ebooth.registration.organisation.name
    assert name not in html(client.get(f"/events/{fair.slug}/booths")).get_text()

    login(user)
    page = client.get(url)
    assert page.status_code == 200
    assert _preview_banner(html(page)).startswith("Preview: this electronic booth is not published.")
    assert (
        client.post(f"/events/{fair.slug}/booths/{ebooth.id}/publish", data={"published": "1"}).status_code
        == 302
    )
    client.post("/logout")

    public = client.get(url)
    assert public.status_code == 200
    assert text_of(html(public).select_one("main h1")) == name and _preview_banner(html(public)) == ""

    login(user)
    client.post(f"/events/{fair.slug}/booths/{ebooth.id}/publish", data={"published": "0"})
    client.post("/logout")
    assert client.get(url).status_code == 404
    login(organiser)
    assert client.get(url).status_code == 200


def test_another_exhibitor_can_neither_edit_nor_publish_a_booth_that_is_not_its_own(
    client, db, fair, make_exhibitor, login
):
    _, registration, _ = make_exhibitor(fair)
    other, _, _ = make_exhibitor(fair)
    ebooth = _ebooth(registration)
    db.session.commit()

    with pytest.raises(PermissionDenied):
        ebooths.update_electronic_booth(
            other, ebooth, headlines={"vi": "Của tôi"}, product_ids=[], show_phone=True, show_email=True
        )
    with pytest.raises(PermissionDenied):
        ebooths.set_published(other, ebooth, True)

    login(other)
    edit = f"/events/{fair.slug}/booths/{ebooth.id}/edit"
    assert client.get(edit).status_code == 403
    assert client.post(edit, data={"headline_vi": "Của tôi"}).status_code == 403
    assert (
        client.post(f"/events/{fair.slug}/booths/{ebooth.id}/publish", data={"published": "1"}).status_code
        == 403
    )
    db.session.expire_all()
    assert ebooth.headline_vi is None and not ebooth.published
    # Its own "my booth" page leads to its own booth, not this one.
    mine = client.get(f"/my/events/{fair.slug}/ebooth")
    assert mine.status_code == 302 and f"/booths/{ebooth.id}/" not in mine.headers["Location"]


def test_an_exhibitor_shows_only_its_own_products_in_the_order_it_chooses(
    client, db, fair, make_exhibitor, make_product, login, html
):
    user, registration, (first, second) = make_exhibitor(
        fair, products=({"name_vi": "Chè xanh", "stars": 5}, {"name_vi": "Chè đen", "stars": 4})
    )
    _, _, (foreign,) = make_exhibitor(fair)
    spare = make_product(organisation=user.organisation, name_vi="Trà hoa vàng", stars=3)
    ebooth = _ebooth(registration)
    db.session.commit()

    with pytest.raises(ServiceError):
        ebooths.update_electronic_booth(
            user, ebooth, headlines={}, product_ids=[first.id, foreign.id], show_phone=False, show_email=False
        )
    db.session.rollback()

    login(user)
    edit = f"/events/{fair.slug}/booths/{ebooth.id}/edit?lang=en"
    refused = client.post(edit, data={"products": [str(first.id), str(foreign.id)]})
    assert refused.status_code == 200
    form = html(refused).select_one("form#ebooth-form")
    error = form.find_previous_sibling(class_="alert-danger")  # above the booth's form
    assert text_of(error) == "Choose only your organisation's own products."
    db.session.expire_all()
    assert {p.id for p in ebooths.shown_products(ebooth)} == {first.id, second.id}

    saved = client.post(
        edit,
        data={
            "headline_vi": "  Chè Thái Nguyên   thượng hạng ",
            "headline_en": "Premium Thai Nguyen tea",
            "products": [str(first.id), str(spare.id), str(second.id)],
            f"position-{first.id}": "3",
            f"position-{spare.id}": "1",
            f"position-{second.id}": "2",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert [p.id for p in ebooths.shown_products(ebooth)] == [spare.id, second.id, first.id]
    assert ebooth.headline_vi == "Chè Thái Nguyên thượng hạng"
    assert ebooths.headline_in(ebooth, "en") == "Premium Thai Nguyen tea"
    assert ebooths.headline_in(ebooth, "fr") == "Chè Thái Nguyên thượng hạng"  # falls back to Vietnamese


def test_contacts_stay_hidden_until_the_exhibitor_makes_them_public(client, db, fair, make_exhibitor, html):
    user, registration, _ = make_exhibitor(fair, phone="0203 3845 678", email="htx.chehaiha@example.vn")
    ebooth = _ebooth(registration)
    _publish(db, user, ebooth)
    url = f"/events/{fair.slug}/booths/{ebooth.id}?lang=en"

    page = html(client.get(url))
    assert "0203 3845 678" not in str(page) and "htx.chehaiha@example.vn" not in str(page)
    contact = page.select_one("section[aria-labelledby=contact-title]")
    assert text_of(contact) == "Contact Meet this exhibitor at the event."

    ebooths.update_electronic_booth(
        user,
        ebooth,
        headlines={},
        product_ids=[r.product_id for r in ebooth.product_rows],
        show_phone=True,
        show_email=False,
    )
    db.session.commit()
    page = html(client.get(url))
    phone = page.select_one("section[aria-labelledby=contact-title] a[href^='tel:']")
    assert text_of(phone) == "0203 3845 678" and phone["href"] == "tel:0203 3845 678"
    assert "htx.chehaiha@example.vn" not in str(page)


def test_the_page_shows_products_in_the_visitors_language_and_the_physical_booth(
    client, db, fair, make_exhibitor, html
):
    user, registration, (product,) = make_exhibitor(
        fair,
        products=(
            {"name_vi": "Chè Tân Cương", "name_en": "Tan Cuong tea", "traceability_code": "VN-TN-0042"},
        ),
    )
    ebooth = _ebooth(registration)
    _publish(db, user, ebooth)
    _place(db, fair, registration, code="B-07", hall_name="Nhà B")

    page = html(client.get(f"/events/{fair.slug}/booths/{ebooth.id}?lang=en"))
    card = page.select_one(f"article.ebooth-product#product-{product.id}")
    assert text_of(card.find("h3")) == "Tan Cuong tea"
    assert text_of(card.select_one(".ebooth-facts a[href='/trace/VN-TN-0042'] code")) == "VN-TN-0042"
    assert text_of(page.select_one(".ebooth-header .badge.text-bg-warning")) == "Booth B-07 · Nhà B"
    place = page.select_one("section[aria-labelledby=place-title] p")
    assert text_of(place) == "Booth B-07 in Nhà B"
    # No photo uploaded: the group placeholder, no image.
    assert card.find("img") is None and card.select_one(".placeholder-img") is not None
    vi = html(client.get(f"/events/{fair.slug}/booths/{ebooth.id}?lang=vi"))
    assert text_of(vi.select_one(f"article#product-{product.id} h3")) == "Chè Tân Cương"


# ---------------------------------------------------------------- visits


def test_visits_are_counted_per_day_and_nothing_about_the_visitor_is_kept(
    client, db, app, fair, make_exhibitor, login, html
):
    user, registration, _ = make_exhibitor(fair)
    ebooth = _ebooth(registration)
    _publish(db, user, ebooth)
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)

    ebooths.record_visit(ebooth, monday)
    ebooths.record_visit(ebooth, monday)
    ebooths.record_visit(ebooth, tuesday)
    db.session.commit()
    assert ebooths.visits_by_day(ebooth, tuesday, days=3) == [
        (monday - timedelta(days=1), 0),
        (monday, 2),
        (tuesday, 1),
    ]

    # The table holds a counter per booth and day, and nothing else.
    columns = {column["name"] for column in inspect(db.engine).get_columns("booth_visits")}
    assert columns == {"electronic_booth_id", "day", "count"}

    response = client.get(
        f"/events/{fair.slug}/booths/{ebooth.id}",
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": "SpyBrowser/9.9", "X-Forwarded-For": "198.51.100.23"},
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    today = ebooths.visit_day(fair)
    assert db.session.scalar(select(BoothVisit.count).where(BoothVisit.day == today)) == 1
    # No table anywhere kept the address or the browser.
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            dump = repr(connection.execute(table.select()).all())
            assert "203.0.113.77" not in dump and "198.51.100.23" not in dump and "SpyBrowser" not in dump

    # The exhibitor looking at its own booth is not a visit.
    login(user)
    client.get(f"/events/{fair.slug}/booths/{ebooth.id}")
    db.session.expire_all()
    assert db.session.scalar(select(BoothVisit.count).where(BoothVisit.day == today)) == 1
    stats = html(client.get(f"/events/{fair.slug}/booths/{ebooth.id}/edit?lang=en"))
    visits = stats.select_one("section[aria-labelledby=visits-title]")
    assert text_of(visits.select_one("p.small")).startswith("4 visits in all ·")
    assert visits.select_one("svg.visits-chart[role=img]") is not None


def test_simultaneous_visits_lose_no_count(app, db, fair, make_exhibitor):
    """Each thread has its own connection; the first visits of the day race to insert the row."""
    user, registration, _ = make_exhibitor(fair)
    ebooth = _ebooth(registration)
    _publish(db, user, ebooth)
    ebooth_id, day = ebooth.id, date(2026, 3, 2)
    threads_count, visits_each = 8, 5
    barrier = threading.Barrier(threads_count)
    errors = []

    def visit():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(visits_each):
                    ebooths.record_visit(ebooth_id, day)
                    db.session.commit()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=visit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.session.scalar(select(BoothVisit.count).where(BoothVisit.electronic_booth_id == ebooth_id)) == (
        threads_count * visits_each
    )


# ---------------------------------------------------------------- the online catalogue


@pytest.fixture()
def online_week(db, organiser, make_event, make_exhibitor):
    """An online week with four exhibitors; three publish their booths."""
    event = make_event(organiser=organiser, kind="online_week", venue_name=None)
    events.open_registration(organiser, event)
    specs = [
        ("HTX Chè Hải Hà", "22", {"name_vi": "Chè Hải Hà", "stars": 4, "standards": ["vietgap"]}),
        (
            "HTX Mật ong Bắc Kạn",
            "06",
            {
                "name_vi": "Mật ong rừng",
                "ocop_group": "food",
                "category": "honey",
                "stars": 5,
                "standards": ["organic"],
            },
        ),
        (
            "Cơ sở Thổ cẩm Mai Châu",
            "17",
            {
                "name_vi": "Khăn thổ cẩm",
                "ocop_group": "textiles",
                "category": "textiles",
                "stars": 3,
                "standards": [],
            },
        ),
        ("HTX Chè chưa mở", "22", {"name_vi": "Chè búp", "stars": 5, "standards": ["vietgap"]}),
    ]
    booths = {}
    for name, province, product in specs:
        user, registration, _ = make_exhibitor(event, products=(product,), name=name, province_code=province)
        ebooth = _ebooth(registration)
        if name != "HTX Chè chưa mở":
            ebooths.set_published(user, ebooth, True)
        booths[name] = ebooth
    db.session.commit()
    return event, booths


def _names(db, event, **filters):
    query = ebooths.catalogue_query(event, ebooths.EboothFilters(**filters))
    return [b.registration.organisation.name for b in db.session.scalars(query)]


def test_the_catalogue_lists_published_booths_and_filters_them(db, online_week):
    event, _ = online_week
    assert _names(db, event) == ["Cơ sở Thổ cẩm Mai Châu", "HTX Chè Hải Hà", "HTX Mật ong Bắc Kạn"]
    assert _names(db, event, group="food") == ["HTX Mật ong Bắc Kạn"]
    assert _names(db, event, province="22") == ["HTX Chè Hải Hà"]  # the unpublished one from 22 is not listed
    assert _names(db, event, min_stars=4) == ["HTX Chè Hải Hà", "HTX Mật ong Bắc Kạn"]
    assert _names(db, event, min_stars=5) == ["HTX Mật ong Bắc Kạn"]
    assert _names(db, event, standard="vietgap") == ["HTX Chè Hải Hà"]
    # Group, stars and standard are asked of the same product.
    assert _names(db, event, group="beverages", standard="organic") == []
    # Text without accents, in product names and exhibitor names.
    assert _names(db, event, text="che hai ha") == ["HTX Chè Hải Hà"]
    assert _names(db, event, text="MAT ONG") == ["HTX Mật ong Bắc Kạn"]
    assert _names(db, event, text="tho cam mai chau") == ["Cơ sở Thổ cẩm Mai Châu"]
    assert _names(db, event, text="khan") == ["Cơ sở Thổ cẩm Mai Châu"]
    assert _names(db, event, text="ca phe") == []


def test_the_stars_filter_counts_only_verified_unexpired_certificates(db, online_week):
    """A booth's product whose certificate was revoked or has expired no longer earns its stars."""
    from app import clock

    event, booths = online_week
    honey = booths["HTX Mật ong Bắc Kạn"].product_rows[0].product
    tea = booths["HTX Chè Hải Hà"].product_rows[0].product
    honey.certificate_status = "rejected"
    tea.certificate_expiry = clock.today() - timedelta(days=1)
    db.session.commit()
    assert _names(db, event, min_stars=5) == []
    assert _names(db, event, min_stars=4) == []
    assert _names(db, event, min_stars=3) == ["Cơ sở Thổ cẩm Mai Châu"]
    # The booths themselves stay listed without a stars filter.
    assert _names(db, event) == ["Cơ sở Thổ cẩm Mai Châu", "HTX Chè Hải Hà", "HTX Mật ong Bắc Kạn"]


def test_the_catalogue_page_filters_paginates_and_says_when_nothing_matches(
    client, app, db, online_week, html
):
    event, booths = online_week
    base = f"/events/{event.slug}/booths"
    page = html(client.get(base + "?lang=en"))
    assert text_of(page.select_one("#ebooth-filters [role=status]")) == "3 electronic booths"
    everyone = ["Cơ sở Thổ cẩm Mai Châu", "HTX Chè Hải Hà", "HTX Mật ong Bắc Kạn"]
    assert _card_names(page) == everyone  # not the unpublished "HTX Chè chưa mở"
    honey = page.find("a", string="HTX Mật ong Bắc Kạn")
    assert honey["href"] == f"/events/{event.slug}/booths/{booths['HTX Mật ong Bắc Kạn'].id}"

    filtered = html(client.get(base + "?lang=en&q=mat+ong&stars=5"))
    assert _card_names(filtered) == ["HTX Mật ong Bắc Kạn"]

    empty = html(client.get(base + "?lang=en&standard=haccp"))
    assert _card_names(empty) == []
    assert text_of(empty.select_one("main > .alert")).startswith("No electronic booth matches these filters.")

    app.config["PAGE_SIZE"] = 2
    try:
        first = html(client.get(base + "?lang=en"))
        second = html(client.get(base + "?lang=en&page=2"))
    finally:
        app.config["PAGE_SIZE"] = 24
    assert _card_names(first) == everyone[:2]
    assert _card_names(second) == everyone[2:]
    to_second = first.find("a", class_="page-link", string="2")
    assert to_second["href"] == f"{base}?lang=en&page=2"

    event_page = html(client.get(f"/events/{event.slug}?lang=en"))
    assert event_page.find("a", string="Visit the electronic booths")["href"] == base


def test_the_catalogue_filters_by_a_current_province_or_an_earlier_one(client, db, online_week, html):
    """Bắc Kạn (06) is now part of Thái Nguyên (19), Hòa Bình (17) of Phú Thọ (25)."""
    event, _ = online_week
    assert _names(db, event, province="19") == ["HTX Mật ong Bắc Kạn"]
    page = html(client.get(f"/events/{event.slug}/booths?lang=en&province=17"))  # the earlier code works
    assert _card_names(page) == ["Cơ sở Thổ cẩm Mai Châu"]
    menu = {o["value"]: text_of(o) for o in page.select("select#province option") if o["value"]}
    assert menu == {"19": "Thái Nguyên", "25": "Phú Thọ", "22": "Quảng Ninh"}
    assert page.select_one("select#province option[selected]")["value"] == "25"


# ---------------------------------------------------------------- QR codes


def test_qr_codes_are_valid_png_and_svg_and_carry_the_right_addresses(
    client, app, db, fair, make_exhibitor, monkeypatch, html
):
    user, registration, (product,) = make_exhibitor(fair, products=({"traceability_code": "QN-HH-2025-001"},))
    ebooth = _ebooth(registration)
    _publish(db, user, ebooth)
    booth = _place(db, fair, registration, code="A-01")

    with app.test_request_context():
        assert ebooths.ebooth_url(ebooth) == f"http://localhost/events/{fair.slug}/booths/{ebooth.id}"
        assert ebooths.booth_url(booth) == f"http://localhost/events/{fair.slug}/booths/at/{booth.id}"
        assert ebooths.product_url(product) == "http://localhost/trace/QN-HH-2025-001"

    given = []
    real_png, real_svg = qrcodes.qr_png, qrcodes.qr_svg
    monkeypatch.setattr(qrcodes, "qr_png", lambda data: given.append(data) or real_png(data))
    monkeypatch.setattr(qrcodes, "qr_svg", lambda data: given.append(data) or real_svg(data))

    png = client.get(f"/qr/ebooth/{ebooth.id}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    image = Image.open(io.BytesIO(png.data))
    image.verify()
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 21 * 10

    svg = client.get(f"/qr/booth/{booth.id}.svg")
    assert svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)  # noqa: S314 - our own output, parsed to prove it well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg"

    client.get(f"/qr/product/{product.id}.png")
    assert given == [
        f"http://localhost/events/{fair.slug}/booths/{ebooth.id}",
        f"http://localhost/events/{fair.slug}/booths/at/{booth.id}",
        "http://localhost/trace/QN-HH-2025-001",
    ]
    assert client.get(f"/qr/ebooth/{ebooth.id}.gif").status_code == 404

    # The booth's address leads to its exhibitor's electronic booth; the product's to its origin.
    hop = client.get(f"/events/{fair.slug}/booths/at/{booth.id}")
    assert hop.status_code == 302 and hop.headers["Location"].endswith(
        f"/events/{fair.slug}/booths/{ebooth.id}"
    )
    trace = html(client.get("/trace/QN-HH-2025-001?lang=en"))
    origin = trace.select_one("section[aria-labelledby=origin-title] dl")
    facts = {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in origin.find_all("dt")}
    assert facts["Traceability code"] == "QN-HH-2025-001"
    assert facts["Producer"].startswith(user.organisation.name)
    assert facts["Where it is made"].endswith("Quảng Ninh")
    assert client.get("/trace/NO-SUCH-CODE").status_code == 404


def test_an_unpublished_booths_qr_is_not_served_to_the_public(client, db, fair, make_exhibitor):
    _, registration, _ = make_exhibitor(fair)
    ebooth = _ebooth(registration)
    db.session.commit()
    assert client.get(f"/qr/ebooth/{ebooth.id}.svg").status_code == 404


# ---------------------------------------------------------------- printable signs


def test_booth_signs_are_for_the_events_organisers_only(
    client, db, fair, organiser, make_user, make_exhibitor, login, html
):
    user, registration, _ = make_exhibitor(fair, name="HTX Nấm Đông Triều")
    first = _place(db, fair, registration, code="A-10")
    second = _place(db, fair, None, code="A-2")
    hall_url = f"/manage/events/{fair.id}/halls/{first.hall_id}/signs"
    sign_url = f"/manage/events/{fair.id}/booths/{first.id}/sign"

    assert client.get(hall_url).status_code == 302  # to the login page
    login(user)
    assert client.get(hall_url).status_code == 403
    assert client.get(sign_url).status_code == 403
    client.post("/logout")
    login(make_user(role="organiser"))  # an organiser, but of another event
    assert client.get(hall_url).status_code == 403
    client.post("/logout")

    login(organiser)
    page = html(client.get(hall_url + "?lang=en&size=a5"))
    signs = page.select("section.booth-sign")
    assert [sign["class"] for sign in signs] == [["booth-sign", "booth-sign-a5"]] * 2
    assert [text_of(sign.select_one(".booth-sign-code")) for sign in signs] == [
        "A-2",
        "A-10",
    ]  # natural order
    exhibitors = [text_of(sign.select_one(".booth-sign-exhibitor")) for sign in signs]
    assert exhibitors == ["Exhibitor to be announced", "HTX Nấm Đông Triều"]
    assert "size: A5 portrait" in page.find("style").get_text()
    assert text_of(signs[0].select_one(".booth-sign-url")).endswith(
        f"/events/{fair.slug}/booths/at/{second.id}"
    )
    one = html(client.get(sign_url + "?lang=en")).select("section.booth-sign")
    assert [sign["class"] for sign in one] == [["booth-sign", "booth-sign-a4"]]
    assert one[0].select_one(".booth-sign-qr svg") is not None
    assert text_of(one[0].select_one(".booth-sign-code")) == "A-10"
