"""Vietnam's 63 earlier provinces, the 34 current ones (Resolution 202/2025/QH15) and the map."""

from __future__ import annotations

import pytest

from app.data.provinces import (
    CURRENT_OF,
    CURRENT_PROVINCES,
    EARLIER_OF,
    PROVINCES,
    current_code,
    current_province_name,
    equivalent_codes,
    province_code,
    province_label,
)


def test_every_one_of_the_63_earlier_provinces_maps_to_one_of_the_34_current_ones():
    assert len(PROVINCES) == 63
    assert len(CURRENT_PROVINCES) == 34
    assert set(CURRENT_OF) == set(PROVINCES)
    assert set(CURRENT_OF.values()) == set(CURRENT_PROVINCES)
    assert sum(len(group) for group in EARLIER_OF.values()) == 63


def test_the_eleven_unchanged_provinces_map_to_themselves_alone():
    unchanged = {CURRENT_PROVINCES[code] for code, group in EARLIER_OF.items() if len(group) == 1}
    assert unchanged == {
        "Hà Nội",
        "Huế",
        "Lai Châu",
        "Điện Biên",
        "Sơn La",
        "Lạng Sơn",
        "Quảng Ninh",
        "Thanh Hóa",
        "Nghệ An",
        "Hà Tĩnh",
        "Cao Bằng",
    }


@pytest.mark.parametrize(
    ("earlier", "current"),
    [
        (("Tuyên Quang", "Hà Giang"), "Tuyên Quang"),
        (("Lào Cai", "Yên Bái"), "Lào Cai"),
        (("Thái Nguyên", "Bắc Kạn"), "Thái Nguyên"),
        (("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"), "Phú Thọ"),
        (("Bắc Ninh", "Bắc Giang"), "Bắc Ninh"),
        (("Hưng Yên", "Thái Bình"), "Hưng Yên"),
        (("Hải Phòng", "Hải Dương"), "Hải Phòng"),
        (("Ninh Bình", "Hà Nam", "Nam Định"), "Ninh Bình"),
        (("Quảng Trị", "Quảng Bình"), "Quảng Trị"),
        (("Đà Nẵng", "Quảng Nam"), "Đà Nẵng"),
        (("Quảng Ngãi", "Kon Tum"), "Quảng Ngãi"),
        (("Gia Lai", "Bình Định"), "Gia Lai"),
        (("Khánh Hòa", "Ninh Thuận"), "Khánh Hòa"),
        (("Lâm Đồng", "Đắk Nông", "Bình Thuận"), "Lâm Đồng"),
        (("Đắk Lắk", "Phú Yên"), "Đắk Lắk"),
        (("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"), "Hồ Chí Minh"),
        (("Đồng Nai", "Bình Phước"), "Đồng Nai"),
        (("Tây Ninh", "Long An"), "Tây Ninh"),
        (("Cần Thơ", "Sóc Trăng", "Hậu Giang"), "Cần Thơ"),
        (("Vĩnh Long", "Bến Tre", "Trà Vinh"), "Vĩnh Long"),
        (("Đồng Tháp", "Tiền Giang"), "Đồng Tháp"),
        (("Cà Mau", "Bạc Liêu"), "Cà Mau"),
        (("An Giang", "Kiên Giang"), "An Giang"),
    ],
)
def test_merged_provinces_map_to_the_province_they_joined(earlier, current):
    codes = [province_code(name) for name in earlier]
    assert None not in codes
    assert {current_province_name(code) for code in codes} == {current}
    assert set(equivalent_codes(codes[0])) == set(codes)


def test_a_current_code_is_read_as_its_current_province_and_lists_its_earlier_codes():
    # Bắc Ninh took Bắc Giang's code 24; the earlier Bắc Ninh was 27.
    assert current_code("24") == current_code("27") == "24"
    assert equivalent_codes("24") == equivalent_codes("27") == ("24", "27")
    assert current_code("99") is None and equivalent_codes("99") == ()


def test_a_province_shows_what_the_record_says_and_its_current_province_beside_it(app):
    with app.test_request_context("/?lang=en"):
        assert province_label("24") == "Bắc Giang — now Bắc Ninh"
        assert province_label("27") == "Bắc Ninh"
        assert province_label("20") == "Lạng Sơn"
        assert province_label("46") == "Thừa Thiên Huế — now Huế"
        # A preference picked among the current provinces reads as the current one.
        assert province_label("24", chosen_now=True) == "Bắc Ninh"
        assert province_label("02", chosen_now=True) == "Hà Giang — now Tuyên Quang"


def test_the_current_names_are_read_with_or_without_accents():
    assert current_code(province_code("Huế")) == "46"
    assert current_code(province_code("TP Hồ Chí Minh")) == "79"
    assert current_code(province_code("bac ninh")) == "24"
