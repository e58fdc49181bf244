"""The public event page's exhibitors: a page at a time, searchable, and the page's cost bounded
whatever the fair's size (a national fair has 8,000 exhibitors and 16,000 products)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.events import services
from app.events.models import Registration, RegistrationProduct
from app.events.public.services import EXHIBITORS_PER_PAGE, MAX_EXHIBITORS_PER_PAGE
from tests.conftest import queries_of, text_of

QUERY_BOUND = 15  # statements for the whole public event page, whatever the number of exhibitors


@pytest.fixture()
def fair(db, organiser, make_event):
    event = make_event(organiser=organiser)
    services.open_registration(organiser, event)
    return event


@pytest.fixture()
def add_exhibitors(db, fair, make_producer, make_product):
    """add_exhibitors(n, products=1, **organisation): n approved exhibitors, each bringing products."""

    def add(count: int, products: int = 1, product_name: str | None = None, **organisation):
        added = []
        for _ in range(count):
            org = make_producer(**organisation)
            extra = {"name_vi": product_name} if product_name else {}
            brought = [make_product(organisation=org, **extra) for _ in range(products)]
            registration = Registration(
                event_id=fair.id, organisation_id=org.id, role="exhibitor", status="approved"
            )
            registration.product_rows = [RegistrationProduct(product_id=p.id) for p in brought]
            db.session.add(registration)
            added.append(org)
        db.session.flush()
        return added

    return add


def _names(page) -> list[str]:
    return [text_of(li.select_one("a.fw-semibold")) for li in page.select("#exhibitors [data-exhibitor]")]


def test_the_event_page_lists_exhibitors_a_page_at_a_time_with_page_links(
    client, fair, add_exhibitors, db, html
):
    add_exhibitors(EXHIBITORS_PER_PAGE + 5)
    add_exhibitors(1, name="Zzz last cooperative")
    db.session.commit()
    url = f"/events/{fair.slug}?lang=en"
    first = html(client.get(url))
    assert len(_names(first)) == EXHIBITORS_PER_PAGE
    assert text_of(first.select_one("#exhibitors [data-total]")) == str(EXHIBITORS_PER_PAGE + 6)
    assert first.select_one("#programme") is not None, "the rest of the page stays"
    links = {text_of(a): a["href"] for a in first.select("#exhibitors .pagination a.page-link")}
    assert set(links) >= {"1", "2", "Next"}
    second_url = links["2"]
    assert parse_qs(urlsplit(second_url).query)["page"] == ["2"] and second_url.endswith("#exhibitors")
    second = html(client.get(second_url))
    assert len(_names(second)) == 6
    assert _names(second)[-1] == "Zzz last cooperative", "by organisation name, across pages"
    assert not set(_names(first)) & set(_names(second))


def test_per_page_is_kept_within_sixty_and_says_so(client, fair, add_exhibitors, db, html):
    add_exhibitors(MAX_EXHIBITORS_PER_PAGE + 2, products=0)
    db.session.commit()
    big = html(client.get(f"/events/{fair.slug}?lang=en&per_page=100000"))
    assert len(_names(big)) == MAX_EXHIBITORS_PER_PAGE
    assert "At most 60 exhibitors" in text_of(big.select_one("[data-notice=per-page]"))
    ten = html(client.get(f"/events/{fair.slug}?lang=en&per_page=10"))
    assert len(_names(ten)) == 10 and ten.select_one("[data-notice]") is None
    for hostile in ("-3", "0", "abc", "99999999999999999999"):
        assert len(_names(html(client.get(f"/events/{fair.slug}?per_page={hostile}")))) == EXHIBITORS_PER_PAGE


def test_a_page_past_the_last_says_so_and_links_back(client, fair, add_exhibitors, db, html):
    add_exhibitors(3, products=0)
    db.session.commit()
    for page_number in ("7", str(2**31 - 1)):
        response = client.get(f"/events/{fair.slug}?lang=en&page={page_number}")
        assert response.status_code == 200
        page = html(response)
        assert _names(page) == []
        empty = page.select_one("#exhibitors [data-empty=page]")
        assert text_of(empty).startswith(f"There is no page {page_number}: the list has 1.")
        assert empty.select_one("a")["href"] == f"/events/{fair.slug}#exhibitors"


def test_the_search_finds_exhibitors_by_name_province_or_product_without_accents(
    client, fair, add_exhibitors, db, html
):
    (tea,) = add_exhibitors(1, name="HTX Chè Tân Cương", province_code="19", commune="Tân Cương")
    (sauce,) = add_exhibitors(1, name="Cơ sở Nước mắm Cái Rồng", product_name="Nước mắm cá cơm Vân Đồn")
    (honey,) = add_exhibitors(1, name="HTX Ong mật Ba Chẽ", product_name="Mật ong rừng")
    db.session.commit()
    base = f"/events/{fair.slug}?lang=en&q="
    assert _names(html(client.get(base + "tan cuong"))) == [tea.name]
    assert _names(html(client.get(base + "Thái Nguyên"))) == [tea.name], "by province name"
    assert _names(html(client.get(base + "ca com van don"))) == [sauce.name], "by a product's name"
    assert _names(html(client.get(base + "MẬT ONG"))) == [honey.name]
    found = html(client.get(base + "mat ong rung"))
    assert text_of(found.select_one("[data-results]")).startswith("1 exhibitor matches “mat ong rung”.")
    assert found.select_one("#exhibitor-search")["value"] == "mat ong rung", "the box keeps the search"
    assert text_of(found.select_one("#exhibitors [data-total]")) == "3", "the badge counts them all"


def test_a_search_with_no_exhibitor_says_so(client, fair, add_exhibitors, db, html):
    add_exhibitors(2)
    db.session.commit()
    page = html(client.get(f"/events/{fair.slug}?lang=en&q=durian 100%25"))
    assert _names(page) == []
    assert text_of(page.select_one("[data-empty=search]")).startswith("No exhibitor matches your search.")
    assert page.select_one("[data-results] a")["href"] == f"/events/{fair.slug}#exhibitors"
    assert page.select_one("#exhibitors .pagination") is None


@pytest.mark.parametrize("search", ["", "?q=che hai ha"])
def test_the_event_page_sends_a_bounded_number_of_statements_whatever_the_fairs_size(
    client, fair, add_exhibitors, db, search
):
    def statements() -> int:
        db.session.commit()
        return queries_of(client, f"/events/{fair.slug}{search}")

    add_exhibitors(2, products=1)
    small = statements()
    add_exhibitors(70, products=3)
    large = statements()
    print(f"public event page: {small} statements with 2 exhibitors, {large} with 72")
    assert large <= QUERY_BOUND, large
    assert large == small, (small, large)


def test_exhibitors_are_found_by_the_earlier_or_the_current_name_of_their_province(
    client, fair, add_exhibitors, db, html
):
    add_exhibitors(1, name="HTX Vải Lục Ngạn", province_code="24")  # Bắc Giang, now part of Bắc Ninh
    add_exhibitors(1, name="HTX Chè Hải Hà", province_code="22")
    db.session.commit()
    for words in ("bac ninh", "Bắc Giang"):
        page = html(client.get(f"/events/{fair.slug}?lang=en&q={words}"))
        assert _names(page) == ["HTX Vải Lục Ngạn"]
    assert "Bắc Giang — now Bắc Ninh" in text_of(page.select_one("#exhibitors"))


def test_the_public_list_shows_only_products_with_a_verified_valid_certificate(
    client, fair, make_producer, make_product, db, html
):
    """A pending, rejected or expired certificate keeps the product off the public list (and its
    name finds nothing), as in the catalogue; the exhibitor itself stays listed."""
    from datetime import timedelta

    from app import clock

    org = make_producer(name="HTX Chè Hải Hà")
    shown = make_product(organisation=org, name_vi="Chè búp Hải Hà")
    hidden = [
        make_product(organisation=org, name_vi="Chè chờ duyệt", certificate_status="pending"),
        make_product(organisation=org, name_vi="Chè bị từ chối", certificate_status="rejected"),
        make_product(organisation=org, name_vi="Chè hết hạn"),
    ]
    hidden[2].certificate_expiry = clock.today() - timedelta(days=1)
    registration = Registration(event_id=fair.id, organisation_id=org.id, role="exhibitor", status="approved")
    registration.product_rows = [RegistrationProduct(product_id=p.id) for p in (shown, *hidden)]
    db.session.add(registration)
    db.session.commit()
    page = html(client.get(f"/events/{fair.slug}?lang=en"))
    assert _names(page) == ["HTX Chè Hải Hà"]
    links = [a["href"] for a in page.select("#exhibitors [data-exhibitor] a") if "/products/" in a["href"]]
    assert links == [f"/products/{shown.id}"]
    assert _names(html(client.get(f"/events/{fair.slug}?lang=en&q=che bi tu choi"))) == []
    assert _names(html(client.get(f"/events/{fair.slug}?lang=en&q=che bup"))) == ["HTX Chè Hải Hà"]
