"""Provinces as records name them (63, before July 2025) and as they are now (34): the catalogue,
the directory, buyers' preferences and imports treat both names of one province as one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalog.imports import services as imports
from app.catalog.models import DemandLine
from tests.catalog.test_import import TEA, csv_bytes, errors_of
from tests.conftest import text_of

BAC_GIANG, BAC_NINH_BEFORE, BAC_NINH = "24", "27", "24"  # Bắc Ninh took Bắc Giang's code


@pytest.fixture()
def english(app, db):
    with app.test_request_context("/?lang=en"):
        yield


def product_names(page) -> set[str]:
    return {
        text_of(card.select_one(".card-title"))
        for card in page.select(".card")
        if card.select_one(".card-title")
    }


def test_filtering_the_catalogue_by_a_current_province_finds_products_recorded_under_earlier_names(
    client, db, html, make_producer, make_product
):
    make_product(
        make_producer(province_code=BAC_GIANG), name_vi="Vải thiều Lục Ngạn", name_en="Luc Ngan lychee"
    )
    make_product(make_producer(province_code=BAC_NINH_BEFORE), name_vi="Gà Hồ Đông Hồ", name_en="Ho chicken")
    make_product(make_producer(province_code="22"), name_vi="Chè Hải Hà", name_en="Hai Ha tea")
    for asked in (BAC_NINH, BAC_NINH_BEFORE):  # the current code, or the earlier Bắc Ninh's in a URL
        page = html(client.get(f"/catalogue?province={asked}&lang=en"))
        text = text_of(page)
        assert "Luc Ngan lychee" in text and "Ho chicken" in text
        assert "Hai Ha tea" not in text
        # The menu offers the current province, chosen, with both producers' products counted.
        chosen = page.select_one("select#province option[selected]")
        assert chosen["value"] == BAC_NINH and text_of(chosen) == "Bắc Ninh (2)"
    # A card shows what the record says, with the current province beside it.
    assert "Bắc Giang — now Bắc Ninh" in text


def test_the_catalogue_menu_offers_current_provinces_only(client, db, html, make_producer, make_product):
    make_product(make_producer(province_code="02"))  # Hà Giang, now Tuyên Quang
    options = {text_of(o) for o in html(client.get("/catalogue?lang=en")).select("select#province option")}
    assert "Tuyên Quang (1)" in options
    assert not any(option.startswith("Hà Giang") for option in options)


def test_the_directory_filters_and_searches_either_name_of_a_province(
    client, db, html, login, organiser, make_producer
):
    make_producer(name="HTX Vải Lục Ngạn", province_code=BAC_GIANG)
    make_producer(name="HTX Chè Hải Hà", province_code="22")
    login(organiser)
    by_code = text_of(
        html(client.get(f"/organisations?province={BAC_NINH_BEFORE}&lang=en")).select_one("table")
    )
    assert "HTX Vải Lục Ngạn" in by_code and "Bắc Giang — now Bắc Ninh" in by_code
    assert "HTX Chè Hải Hà" not in by_code
    by_words = text_of(html(client.get("/organisations?q=bac+ninh&lang=en")).select_one("table"))
    assert "HTX Vải Lục Ngạn" in by_words and "HTX Chè Hải Hà" not in by_words


def test_the_province_filter_stays_an_in_list_over_an_index(db):
    """Index-friendly: one IN over the earlier codes, not a function of the column."""
    from app.catalog import services

    query = services.catalogue_query(services.ProductFilters(province=BAC_NINH))
    sql = str(query.compile(compile_kwargs={"literal_binds": True}))
    assert "organisations.province_code IN ('24', '27')" in sql


def test_a_buyer_ticks_several_provinces_in_the_checklist_and_they_are_kept(
    client, db, html, login, buyer_user
):
    login(buyer_user)
    form = html(client.get("/my/demand/new?lang=en"))
    boxes = form.select("fieldset.province-picker input[type=checkbox][name=provinces]")
    assert len(boxes) == 34  # the current provinces, ticked with a finger: no <select multiple>
    assert form.select_one("select[name=provinces]") is None
    data = {
        "category": "tea",
        "monthly_volume": "200",
        "unit": "kg",
        "min_stars": "3",
        "provinces": [BAC_NINH, "20", "22"],
    }
    response = client.post("/my/demand/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    line = db.session.scalar(select(DemandLine))
    assert line.preferred_provinces == ["20", "22", BAC_NINH]
    listed = text_of(html(client.get("/my/demand?lang=en")).select_one("table"))
    assert "Bắc Ninh" in listed and "Bắc Giang" not in listed
    # Editing ticks the same boxes again.
    edit = html(client.get(f"/my/demand/{line.id}/edit?lang=en"))
    assert {box["value"] for box in edit.select("input[name=provinces][checked]")} == {BAC_NINH, "20", "22"}


def test_an_earlier_province_in_a_preference_ticks_the_current_one_it_is_part_of(
    client, db, html, login, buyer_user
):
    from app.catalog import services

    line = services.save_demand_line(
        buyer_user,
        buyer_user.organisation,
        category="tea",
        monthly_volume=5,
        unit="kg",
        min_stars=3,
        provinces=["02"],  # Hà Giang, now part of Tuyên Quang (08)
    )
    login(buyer_user)
    edit = html(client.get(f"/my/demand/{line.id}/edit?lang=en"))
    assert [box["value"] for box in edit.select("input[name=provinces][checked]")] == ["08"]


def test_only_buyers_reach_the_demand_form(client, db, login, exhibitor):
    assert client.get("/my/demand/new").status_code == 302  # anonymous: to the login page
    login(exhibitor)
    assert client.post("/my/demand/new", data={"provinces": ["22"]}).status_code == 403


def test_an_import_reads_either_name_of_a_province_and_finds_the_producer_recorded_under_the_other(
    english, make_producer
):
    recorded = make_producer(name="HTX Chè Hải Hà", province_code=BAC_GIANG, tax_code=None)
    row = TEA | {"Mã số thuế": "", "Tỉnh": "Bac Ninh"}  # the current name, without accents
    report = imports.parse("x.csv", csv_bytes([row]))
    assert errors_of(report) == []
    (group,) = report.groups
    assert group.existing_id == recorded.id
    assert "province_code" not in group.changes  # the record keeps the province it names


def test_rows_giving_a_producer_the_earlier_and_the_current_name_of_its_province_agree(english):
    earlier = TEA | {"Tỉnh": "Bắc Giang"}
    current = TEA | {"STT": "2", "Tỉnh": "Bắc Ninh", "Tên sản phẩm": "Hồng trà", "Mã truy xuất": "X-2"}
    report = imports.parse("x.csv", csv_bytes([earlier, current]))
    assert errors_of(report) == []
    assert len(report.groups) == 1


def test_an_import_takes_a_current_name_the_earlier_list_lacks(english):
    report = imports.parse("x.csv", csv_bytes([TEA | {"Tỉnh": "Huế"}]))
    assert errors_of(report) == []
    assert report.groups[0].values["province_code"] == "46"
