"""Vietnam's 63 provinces and centrally-run cities, as OCOP records name them.

Codes are the General Statistics Office's two-digit province codes. The list
is the one in force when the OCOP certificates in circulation were issued;
product records and provincial spreadsheets use these names. A few
communes/districts of the featured provinces are listed for suggestions.
"""

from __future__ import annotations

import unicodedata

PROVINCES: dict[str, str] = {
    "01": "Hà Nội",
    "02": "Hà Giang",
    "04": "Cao Bằng",
    "06": "Bắc Kạn",
    "08": "Tuyên Quang",
    "10": "Lào Cai",
    "11": "Điện Biên",
    "12": "Lai Châu",
    "14": "Sơn La",
    "15": "Yên Bái",
    "17": "Hòa Bình",
    "19": "Thái Nguyên",
    "20": "Lạng Sơn",
    "22": "Quảng Ninh",
    "24": "Bắc Giang",
    "25": "Phú Thọ",
    "26": "Vĩnh Phúc",
    "27": "Bắc Ninh",
    "30": "Hải Dương",
    "31": "Hải Phòng",
    "33": "Hưng Yên",
    "34": "Thái Bình",
    "35": "Hà Nam",
    "36": "Nam Định",
    "37": "Ninh Bình",
    "38": "Thanh Hóa",
    "40": "Nghệ An",
    "42": "Hà Tĩnh",
    "44": "Quảng Bình",
    "45": "Quảng Trị",
    "46": "Thừa Thiên Huế",
    "48": "Đà Nẵng",
    "49": "Quảng Nam",
    "51": "Quảng Ngãi",
    "52": "Bình Định",
    "54": "Phú Yên",
    "56": "Khánh Hòa",
    "58": "Ninh Thuận",
    "60": "Bình Thuận",
    "62": "Kon Tum",
    "64": "Gia Lai",
    "66": "Đắk Lắk",
    "67": "Đắk Nông",
    "68": "Lâm Đồng",
    "70": "Bình Phước",
    "72": "Tây Ninh",
    "74": "Bình Dương",
    "75": "Đồng Nai",
    "77": "Bà Rịa - Vũng Tàu",
    "79": "Hồ Chí Minh",
    "80": "Long An",
    "82": "Tiền Giang",
    "83": "Bến Tre",
    "84": "Trà Vinh",
    "86": "Vĩnh Long",
    "87": "Đồng Tháp",
    "89": "An Giang",
    "91": "Kiên Giang",
    "92": "Cần Thơ",
    "93": "Hậu Giang",
    "94": "Sóc Trăng",
    "95": "Bạc Liêu",
    "96": "Cà Mau",
}

# District-level units of the three featured provinces, offered as suggestions.
LOCALITIES: dict[str, list[str]] = {
    "22": [
        "Hạ Long",
        "Móng Cái",
        "Cẩm Phả",
        "Uông Bí",
        "Đông Triều",
        "Quảng Yên",
        "Vân Đồn",
        "Cô Tô",
        "Hải Hà",
        "Đầm Hà",
        "Tiên Yên",
        "Bình Liêu",
        "Ba Chẽ",
    ],
    "24": [
        "Lục Ngạn",
        "Lục Nam",
        "Sơn Động",
        "Yên Thế",
        "Tân Yên",
        "Lạng Giang",
        "Hiệp Hòa",
        "Việt Yên",
        "Yên Dũng",
        "Thành phố Bắc Giang",
    ],
    "20": [
        "Thành phố Lạng Sơn",
        "Cao Lộc",
        "Văn Quan",
        "Văn Lãng",
        "Bắc Sơn",
        "Bình Gia",
        "Chi Lăng",
        "Hữu Lũng",
        "Lộc Bình",
        "Đình Lập",
        "Tràng Định",
    ],
}


class _WithoutMarks(dict):
    """A `str.translate` table that drops combining marks (category Mn) and keeps the rest,
    filled as characters are first met: the translation then runs at C speed (an import
    folds every cell of 20,000 rows)."""

    def __missing__(self, code: int) -> str | None:
        character = chr(code)
        kept = None if unicodedata.category(character) == "Mn" else character
        self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks({ord("đ"): "d", ord("Đ"): "D"})


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics, collapse spaces: 'Hải Hà' -> 'hai ha'."""
    decomposed = unicodedata.normalize("NFD", text or "")
    return " ".join(decomposed.translate(_WITHOUT_MARKS).lower().split())


_BY_FOLDED = {fold(name): code for code, name in PROVINCES.items()}
_ALIASES = {
    "tp ho chi minh": "79",
    "thanh pho ho chi minh": "79",
    "tp hcm": "79",
    "hcm": "79",
    "ha noi city": "01",
    "hue": "46",
    "ba ria vung tau": "77",
}


def province_code(name_or_code: str) -> str | None:
    """The province code for a name as people type it (with or without accents), or None."""
    value = (name_or_code or "").strip()
    if value in PROVINCES:
        return value
    if value.isdigit() and value.zfill(2) in PROVINCES:
        return value.zfill(2)
    key = fold(value).replace("-", " ")
    key = " ".join(key.split())
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp "):
        if key.startswith(prefix) and key[len(prefix) :] in _BY_FOLDED:
            return _BY_FOLDED[key[len(prefix) :]]
    return _BY_FOLDED.get(key) or _BY_FOLDED.get(key.replace(" ", " - ")) or _ALIASES.get(key)


def province_name(code: str | None) -> str:
    return PROVINCES.get(code or "", code or "")


def province_choices() -> list[tuple[str, str]]:
    return sorted(PROVINCES.items(), key=lambda item: fold(item[1]))
