"""Vietnam's provinces: the 63 earlier ones OCOP records name, the 34 current ones, and the map.

Codes are the General Statistics Office's two-digit province codes. PROVINCES is the list
in force when the OCOP certificates in circulation were issued; product records,
certificates and provincial spreadsheets use these names, and records keep them.
Since 1 July 2025 (Resolution 202/2025/QH15) Vietnam has 34 provincial-level units
(CURRENT_PROVINCES) and no district level; CURRENT_OF maps each earlier province to the
one it is now part of. Each current province took the code of the earlier province that
hosts its seat (Bắc Ninh is now 24, Bắc Giang's), so every current code is also an
earlier code that maps to itself, and `current_code` reads either kind of code.
A few communes/districts of the featured provinces are listed for suggestions.
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext

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

CURRENT_PROVINCES: dict[str, str] = {
    "01": "Hà Nội",
    "04": "Cao Bằng",
    "08": "Tuyên Quang",
    "11": "Điện Biên",
    "12": "Lai Châu",
    "14": "Sơn La",
    "15": "Lào Cai",
    "19": "Thái Nguyên",
    "20": "Lạng Sơn",
    "22": "Quảng Ninh",
    "24": "Bắc Ninh",
    "25": "Phú Thọ",
    "31": "Hải Phòng",
    "33": "Hưng Yên",
    "37": "Ninh Bình",
    "38": "Thanh Hóa",
    "40": "Nghệ An",
    "42": "Hà Tĩnh",
    "44": "Quảng Trị",
    "46": "Huế",
    "48": "Đà Nẵng",
    "51": "Quảng Ngãi",
    "52": "Gia Lai",
    "56": "Khánh Hòa",
    "66": "Đắk Lắk",
    "68": "Lâm Đồng",
    "75": "Đồng Nai",
    "79": "Hồ Chí Minh",
    "80": "Tây Ninh",
    "82": "Đồng Tháp",
    "86": "Vĩnh Long",
    "91": "An Giang",
    "92": "Cần Thơ",
    "96": "Cà Mau",
}

# Resolution 202/2025/QH15: current province -> the earlier provinces it joined.
_MERGED: dict[str, tuple[str, ...]] = {
    "01": ("01",),  # Hà Nội
    "04": ("04",),  # Cao Bằng
    "08": ("08", "02"),  # Tuyên Quang + Hà Giang
    "11": ("11",),  # Điện Biên
    "12": ("12",),  # Lai Châu
    "14": ("14",),  # Sơn La
    "15": ("10", "15"),  # Lào Cai + Yên Bái
    "19": ("19", "06"),  # Thái Nguyên + Bắc Kạn
    "20": ("20",),  # Lạng Sơn
    "22": ("22",),  # Quảng Ninh
    "24": ("27", "24"),  # Bắc Ninh + Bắc Giang
    "25": ("25", "26", "17"),  # Phú Thọ + Vĩnh Phúc + Hòa Bình
    "31": ("31", "30"),  # Hải Phòng + Hải Dương
    "33": ("33", "34"),  # Hưng Yên + Thái Bình
    "37": ("37", "35", "36"),  # Ninh Bình + Hà Nam + Nam Định
    "38": ("38",),  # Thanh Hóa
    "40": ("40",),  # Nghệ An
    "42": ("42",),  # Hà Tĩnh
    "44": ("45", "44"),  # Quảng Trị + Quảng Bình
    "46": ("46",),  # Huế (Thừa Thiên Huế)
    "48": ("48", "49"),  # Đà Nẵng + Quảng Nam
    "51": ("51", "62"),  # Quảng Ngãi + Kon Tum
    "52": ("64", "52"),  # Gia Lai + Bình Định
    "56": ("56", "58"),  # Khánh Hòa + Ninh Thuận
    "66": ("66", "54"),  # Đắk Lắk + Phú Yên
    "68": ("68", "67", "60"),  # Lâm Đồng + Đắk Nông + Bình Thuận
    "75": ("75", "70"),  # Đồng Nai + Bình Phước
    "79": ("79", "74", "77"),  # Hồ Chí Minh + Bình Dương + Bà Rịa - Vũng Tàu
    "80": ("72", "80"),  # Tây Ninh + Long An
    "82": ("87", "82"),  # Đồng Tháp + Tiền Giang
    "86": ("86", "83", "84"),  # Vĩnh Long + Bến Tre + Trà Vinh
    "91": ("89", "91"),  # An Giang + Kiên Giang
    "92": ("92", "94", "93"),  # Cần Thơ + Sóc Trăng + Hậu Giang
    "96": ("96", "95"),  # Cà Mau + Bạc Liêu
}

# Earlier province code -> the current province it is part of (63 entries).
CURRENT_OF: dict[str, str] = {earlier: current for current, group in _MERGED.items() for earlier in group}

# Current province code -> its earlier province codes, sorted: what a filter's IN (...) lists.
EARLIER_OF: dict[str, tuple[str, ...]] = {current: tuple(sorted(group)) for current, group in _MERGED.items()}


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
    "thanh pho hue": "46",
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
    """The name a record's code stands for: the earlier province it was recorded under."""
    return PROVINCES.get(code or "", code or "")


def current_code(code: str | None) -> str | None:
    """The current province of an earlier or current code ("27" Bắc Ninh, "24" Bắc Giang -> "24")."""
    return CURRENT_OF.get(code or "")


def current_province_name(code: str | None) -> str:
    """The name of the current province an earlier or current code is part of."""
    current = current_code(code)
    return CURRENT_PROVINCES[current] if current else (code or "")


def equivalent_codes(code: str | None) -> tuple[str, ...]:
    """Every earlier code recorded for the current province of `code` (either kind), for a
    filter's `province_code IN (...)`; empty for an unknown code."""
    current = current_code(code)
    return EARLIER_OF[current] if current else ()


def province_label(code: str | None, *, chosen_now: bool = False) -> str:
    """A province as pages show it: what the record says, and the current province beside it
    when that has another name ("Bắc Giang — now Bắc Ninh").

    `chosen_now`: the code was picked among the current provinces (a buyer's preference), so
    a current code reads as its current province ("24": Bắc Ninh, not Bắc Giang)."""
    if chosen_now and code in CURRENT_PROVINCES:
        return CURRENT_PROVINCES[code]
    name = province_name(code)
    current = current_code(code)
    if current is None or fold(CURRENT_PROVINCES[current]) == fold(name):
        return name
    return gettext("%(earlier)s — now %(current)s", earlier=name, current=CURRENT_PROVINCES[current])


def province_choices() -> list[tuple[str, str]]:
    """The 63 earlier provinces, as records and certificates name them."""
    return sorted(PROVINCES.items(), key=lambda item: fold(item[1]))


def current_province_choices() -> list[tuple[str, str]]:
    """The 34 current provinces, for filters and preferences (each stands for its earlier ones)."""
    return sorted(CURRENT_PROVINCES.items(), key=lambda item: fold(item[1]))
