"""Stage 2 of an import: each row's cells read as organisation and product values.

Dates, amounts and stars as provinces type them; groups, categories, producer kinds,
units and standards by their Vietnamese names, codes or usual spellings. Every problem
becomes a `RowError` on its row, in the reader's language. The report classes that the
later stages fill in (`plan`) live here too. No request, no database.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from app.catalog import gtin as gtin_codes
from app.catalog.imports.read import COLUMN_BY_CODE, Sheet, cell_text, header_key
from app.data.provinces import fold, province_code
from app.data.vocab import CATEGORIES, OCOP_GROUPS, PRODUCER_KINDS, STANDARDS, UNITS

if TYPE_CHECKING:
    from app.catalog.imports.plan import ProducerGroup

# ---------------------------------------------------------------- fields

PRODUCER_COLUMNS = {
    "producer_name": "name",
    "producer_kind": "producer_kind",
    "tax_code": "tax_code",
    "province": "province_code",
    "commune": "commune",
    "address": "address",
    "contact_name": "contact_name",
    "phone": "phone",
    "email": "email",
    "website": "website",
}
PRODUCT_COLUMNS = {
    "product_name_vi": "name_vi",
    "product_name_en": "name_en",
    "product_name_fr": "name_fr",
    "ocop_group": "ocop_group",
    "category": "category",
    "stars": "stars",
    "certificate_date": "certificate_date",
    "certificate_expiry": "certificate_expiry",
    "standards": "standards",
    "capacity_per_month": "capacity_per_month",
    "capacity_unit": "capacity_unit",
    "price_min": "price_min",
    "price_max": "price_max",
    "price_unit": "price_unit",
    "traceability_code": "traceability_code",
    "gtin": "gtin",
    "description_vi": "description_vi",
    "description_en": "description_en",
    "description_fr": "description_fr",
}
COLUMN_OF_FIELD = {v: k for k, v in PRODUCER_COLUMNS.items()} | {v: k for k, v in PRODUCT_COLUMNS.items()}
# Where an error goes when its own column is not in the file.
FALLBACK_COLUMN = {
    "producer_kind": "producer_name",
    "category": "ocop_group",
    "ocop_group": "category",
    "capacity_unit": "capacity_per_month",
    "price_unit": "price_min",
}
MAX_LENGTH = {
    "name": 200,
    "commune": 120,
    "address": 300,
    "contact_name": 120,
    "phone": 30,
    "email": 254,
    "website": 300,
    "tax_code": 20,
    "name_vi": 200,
    "name_en": 200,
    "name_fr": 200,
    "traceability_code": 64,
    "description_vi": 5000,
    "description_en": 5000,
    "description_fr": 5000,
}
MULTILINE = {"description_vi", "description_en", "description_fr"}


# ---------------------------------------------------------------- listed values

GROUP_NAMES_VI = {
    "food": "Thực phẩm",
    "beverages": "Đồ uống",
    "herbal": "Thảo dược",
    "textiles": "Vải và may mặc",
    "souvenirs": "Lưu niệm - nội thất - trang trí",
    "tourism": "Dịch vụ du lịch cộng đồng",
}
GROUP_ALIASES = {
    "food": ("nhom thuc pham", "food"),
    "beverages": ("thuc uong", "nhom do uong", "beverages", "beverage", "drinks"),
    "herbal": ("san pham tu thao duoc", "duoc lieu", "herbal", "herbal products"),
    "textiles": ("vai may mac", "may mac", "textiles", "textiles and garments"),
    "souvenirs": (
        "luu niem noi that va trang tri",
        "do luu niem",
        "souvenirs",
        "souvenirs furniture and decoration",
    ),
    "tourism": (
        "dich vu du lich cong dong va diem du lich",
        "dich vu du lich cong dong va diem ban",
        "dich vu du lich nong thon",
        "du lich",
        "tourism",
        "rural and community tourism services and sales points",
    ),
}
CATEGORY_NAMES_VI = {
    "tea": "Chè",
    "coffee": "Cà phê",
    "wine_spirits": "Rượu",
    "juice": "Nước giải khát",
    "seafood": "Thủy sản",
    "fresh_fruit": "Trái cây tươi",
    "dried_fruit": "Hoa quả sấy, hạt",
    "rice_noodles": "Gạo, bún, miến, phở",
    "meat_products": "Sản phẩm từ thịt",
    "honey": "Mật ong",
    "confectionery": "Bánh kẹo",
    "sauces_spices": "Gia vị, nước mắm",
    "vegetables": "Rau, nấm",
    "desserts": "Thạch, đồ tráng miệng",
    "herbal_medicine": "Thuốc từ dược liệu",
    "essential_oils": "Tinh dầu, mỹ phẩm",
    "medicinal_wine": "Trà, rượu dược liệu",
    "textiles": "Vải, thổ cẩm",
    "garments": "May mặc, phụ kiện",
    "handicrafts": "Thủ công mỹ nghệ",
    "furniture": "Nội thất, trang trí",
    "tourism": "Du lịch cộng đồng, điểm bán",
}
CATEGORY_ALIASES = {
    "tea": ("tra", "che tra", "tea"),
    "coffee": ("cafe", "coffee"),
    "wine_spirits": ("ruou bia", "wine and spirits", "wine", "spirits"),
    "juice": ("nuoc ep", "nuoc trai cay", "juices and soft drinks", "juice"),
    "seafood": ("hai san", "seafood"),
    "fresh_fruit": ("qua tuoi", "hoa qua tuoi", "trai cay", "fresh fruit"),
    "dried_fruit": ("hoa qua say", "trai cay say", "hat", "dried fruit and nuts", "dried fruit"),
    "rice_noodles": ("gao", "bun", "mien", "pho", "rice", "rice vermicelli and noodles"),
    "meat_products": ("thit", "san pham thit", "gio cha", "lap xuong", "meat products and sausages"),
    "honey": ("honey",),
    "confectionery": ("banh", "keo", "cakes and confectionery", "confectionery"),
    "sauces_spices": ("gia vi", "nuoc mam", "nuoc cham", "sauces spices and condiments"),
    "vegetables": ("rau", "nam", "rau cu", "vegetables", "vegetables and mushrooms"),
    "desserts": ("thach", "do trang mieng", "jellies and desserts", "desserts"),
    "herbal_medicine": ("thuoc duoc lieu", "thuoc nam", "herbal medicine"),
    "essential_oils": ("tinh dau", "my pham", "essential oils and cosmetics", "essential oils"),
    "medicinal_wine": ("tra duoc lieu", "ruou thuoc", "ruou duoc lieu", "medicinal tea and wine"),
    "textiles": ("vai", "tho cam", "fabrics and brocade", "fabrics"),
    "garments": ("quan ao", "may mac va phu kien", "garments and accessories", "garments"),
    "handicrafts": ("do thu cong", "thu cong", "handicrafts"),
    "furniture": ("noi that", "do go", "trang tri", "furniture and decoration", "furniture"),
    "tourism": ("du lich cong dong", "diem ban", "community tourism and sales points"),
}
KIND_NAMES_VI = {"cooperative": "HTX", "household": "Hộ kinh doanh", "enterprise": "Doanh nghiệp"}
KIND_ALIASES = {
    "cooperative": ("htx", "hop tac xa", "to hop tac", "tht", "cooperative", "coop"),
    "household": (
        "ho kinh doanh",
        "hkd",
        "ho san xuat",
        "ho gia dinh",
        "co so",
        "household",
        "household business",
    ),
    "enterprise": ("doanh nghiep", "dn", "dntn", "cong ty", "ct", "ctcp", "enterprise", "company"),
}
STANDARD_NAMES = {
    "vietgap": "VietGAP",
    "globalgap": "GlobalGAP",
    "organic": "Hữu cơ",
    "haccp": "HACCP",
    "iso22000": "ISO 22000",
    "iso9001": "ISO 9001",
}
STANDARD_ALIASES = {
    "vietgap": ("vietgap",),
    "globalgap": ("globalgap",),
    "organic": ("huuco", "organic", "bio", "tieuchuanhuuco"),
    "haccp": ("haccp",),
    "iso22000": ("iso22000",),
    "iso9001": ("iso9001",),
}
UNIT_NAMES_VI = {
    "kg": "kg",
    "tonne": "tấn",
    "litre": "lít",
    "bottle": "chai",
    "box": "hộp",
    "pack": "gói",
    "piece": "cái",
    "set": "bộ",
    "guest": "khách",
}
UNIT_ALIASES = {
    "kg": ("kilogam", "kilogram", "ki lo gam", "kgs"),
    "tonne": ("tan", "ton", "tonnes", "t"),
    "litre": ("lit", "l", "liter", "litres"),
    "bottle": ("chai", "binh", "bottles"),
    "box": ("hop", "thung", "boxes"),
    "pack": ("goi", "tui", "packs"),
    "piece": ("cai", "chiec", "con", "qua", "pieces"),
    "set": ("bo", "sets"),
    "guest": ("khach", "luot khach", "nguoi", "guests"),
}


def _value_index(names: dict[str, str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {}
    for code in aliases:
        for name in (code, names.get(code, ""), *aliases[code]):
            if name:
                index[header_key(name)] = code
    return index


GROUP_INDEX = _value_index(GROUP_NAMES_VI, GROUP_ALIASES)
CATEGORY_INDEX = _value_index(CATEGORY_NAMES_VI, CATEGORY_ALIASES)
KIND_INDEX = _value_index(KIND_NAMES_VI, KIND_ALIASES)
UNIT_INDEX = _value_index(UNIT_NAMES_VI, UNIT_ALIASES)
STANDARD_INDEX = {alias: code for code, names in STANDARD_ALIASES.items() for alias in names}
for _index, _vocabulary in (
    (GROUP_INDEX, OCOP_GROUPS),
    (CATEGORY_INDEX, CATEGORIES),
    (KIND_INDEX, PRODUCER_KINDS),
    (UNIT_INDEX, UNITS),
    (STANDARD_INDEX, STANDARDS),
):
    if set(_index.values()) != set(_vocabulary):  # a vocabulary grew without its import names
        raise RuntimeError(f"import names missing for {sorted(set(_vocabulary) - set(_index.values()))}")


def lookup(index: dict[str, str], text: str) -> str | None:
    return index.get(header_key(text))


def producer_kind_of(text: str) -> str | None:
    """'HTX', 'Hợp tác xã', 'Công ty TNHH' ... as a producer kind code."""
    key = header_key(text)
    if key in KIND_INDEX:
        return KIND_INDEX[key]
    return kind_from_name(text)


def kind_from_name(name: str) -> str | None:
    """The kind a producer's name announces: 'HTX Chè Hải Hà' is a cooperative."""
    key = header_key(name)
    for prefix, kind in (
        ("htx", "cooperative"),
        ("hop tac xa", "cooperative"),
        ("cong ty", "enterprise"),
        ("ctcp", "enterprise"),
        ("doanh nghiep", "enterprise"),
        ("dntn", "enterprise"),
        ("ho kinh doanh", "household"),
        ("hkd", "household"),
        ("co so", "household"),
    ):
        if key == prefix or key.startswith(prefix + " "):
            return kind
    return None


def standard_codes(text: str) -> list[str]:
    """'VietGAP, HACCP; ISO 22000:2018, hữu cơ' -> codes; unknown names are kept as typed."""
    codes = []
    for item in re.split(r"[,;/\n+]", text or ""):
        item = item.strip()
        if not item:
            continue
        # 'ISO 22000:2018' names the standard's edition, not another standard.
        compact = re.sub(r"[^a-z0-9]", "", fold(re.sub(r"(\d)\s*:\s*(19|20)\d{2}$", r"\1", item)))
        codes.append(STANDARD_INDEX.get(compact, item))
    return codes


# ---------------------------------------------------------------- cell values

DATE_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
CURRENCY = re.compile(r"(?i)\s*(vnd|vnđ|đồng|dong|đ|₫)\.?\s*$")


class CellError(ValueError):
    """A cell whose text can't be read as its column's type."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def parse_date(raw) -> date | None:
    """A date cell, 'dd/mm/yyyy' (also with - or .) or 'yyyy-mm-dd'; anything else is refused."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = cell_text(raw)
    try:
        if match := DATE_DMY.fullmatch(text):
            day, month, year = map(int, match.groups())
            return date(year, month, day)
        if match := DATE_ISO.fullmatch(text):
            year, month, day = map(int, match.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise CellError(
        _l("“%(value)s” is not a date: write it as dd/mm/yyyy, for example 15/06/2023.", value=text)
    )


def parse_number(raw, *, whole: bool = False):
    """A quantity or an amount in VND: 1000000, '1.000.000', '1,000,000', '2,5', '250.000 đ'.

    A single separator followed by exactly three digits groups thousands (no one
    writes 1.5 kg as '1.500'); otherwise it is the decimal mark.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = cell_text(raw)
    if isinstance(raw, bool):
        raise CellError(_l("“%(value)s” is not a number.", value=text))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float | Decimal):
        value = float(raw)
    else:
        body = CURRENCY.sub("", text)
        body = re.sub(r"[\s\u00a0\u202f']", "", body)
        sign = -1 if body.startswith("-") else 1
        body = body.lstrip("+-")
        value = _read_digits(body)
        if value is None:
            raise CellError(_l("“%(value)s” is not a number.", value=text))
        value = sign * value
    if whole:
        if not float(value).is_integer():
            raise CellError(_l("“%(value)s” is not a whole number of đồng.", value=text))
        return int(value)
    return int(value) if float(value).is_integer() else float(value)


def _read_digits(body: str) -> float | None:
    if re.fullmatch(r"\d+", body):
        return int(body)
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_mark = "." if body.rfind(".") > body.rfind(",") else ","
        thousands = "," if decimal_mark == "." else "."
        whole_part, _, fraction = body.rpartition(decimal_mark)
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})*", whole_part) or not fraction.isdigit():
            return None
        return float(whole_part.replace(thousands, "") + "." + fraction)
    mark = "." if dots else ","
    count = dots or commas
    if count > 1:
        if re.fullmatch(rf"\d{{1,3}}(\{mark}\d{{3}})+", body):
            return int(body.replace(mark, ""))
        return None
    whole_part, _, fraction = body.partition(mark)
    if not whole_part.isdigit() or not fraction.isdigit():
        return None
    if len(fraction) == 3 and whole_part != "0" and len(whole_part) <= 3:
        return int(whole_part + fraction)
    return float(whole_part + "." + fraction)


def parse_stars(raw):
    """4, 4.0, '4', '4 sao', '★★★★'; anything else goes to validation as typed."""
    if isinstance(raw, bool) or raw is None:
        return raw
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = cell_text(raw)
    if text and set(text) <= {"★", "*"}:
        return len(text)
    if match := re.fullmatch(r"(\d+)(?:[.,]0+)?\s*(?:sao|stars?|\*)?", fold(text)):
        return int(match.group(1))
    return text or None


def _code_text(raw, digits: int) -> str:
    """A code typed in a number cell: Excel dropped its leading zero (0912..., 0101...)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        text = str(int(raw))
        return text.zfill(digits) if len(text) == digits - 1 else text
    return cell_text(raw)


# ---------------------------------------------------------------- report


@dataclass
class RowError:
    row: int
    column: str
    message: object  # a lazy string, shown in the reader's language
    value: str = ""


@dataclass
class RowPlan:
    row: int
    cells: dict  # column code -> the cell as typed
    producer: dict  # organisation fields given in the row (blank cells left out)
    product: dict  # product fields given in the row
    errors: list = field(default_factory=list)
    unreadable: set = field(default_factory=set)  # fields whose cell was already reported
    producer_error: bool = False
    group: ProducerGroup | None = None
    existing_product_id: int | None = None
    product_values: dict = field(default_factory=dict)  # what create/update_product receives
    product_action: str | None = None
    changed_columns: list = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def producer_action(self) -> str | None:
        return self.group.action if self.group else None


@dataclass
class ImportReport(Sheet):
    """What the file read as (its Sheet), with each row checked and planned."""

    rows: list = field(default_factory=list)  # RowPlan, one per data row
    groups: list = field(default_factory=list)

    @classmethod
    def of(cls, sheet: Sheet) -> ImportReport:
        """The report of a read file, its rows still to check."""
        return cls(**{f.name: getattr(sheet, f.name) for f in fields(Sheet) if f.name != "rows"})

    @property
    def ok(self) -> bool:
        return not self.file_errors

    @property
    def valid_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.valid]

    @property
    def error_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if not row.valid]

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    def _groups_written(self) -> list[ProducerGroup]:
        return [group for group in self.groups if any(row.valid for row in group.rows)]

    @property
    def counts(self) -> dict[str, int]:
        written = self._groups_written()
        valid = self.valid_rows
        return {
            "rows": len(self.rows),
            "valid": len(valid),
            "errors": len(self.rows) - len(valid),
            "producers_create": sum(1 for g in written if g.action == "create"),
            "producers_update": sum(1 for g in written if g.action == "update"),
            "producers_unchanged": sum(1 for g in written if g.action == "unchanged"),
            "products_create": sum(1 for row in valid if row.product_action == "create"),
            "products_update": sum(1 for row in valid if row.product_action == "update"),
            "products_unchanged": sum(1 for row in valid if row.product_action == "unchanged"),
        }

    def resolve(self, code: str) -> str:
        """The column an error about `code` belongs to: itself, or a neighbour when it is absent."""
        probe: str | None = code
        while probe is not None:
            if probe in self.headers:
                return probe
            probe = FALLBACK_COLUMN.get(probe)
        return code

    def header(self, code: str) -> str:
        """The column's header as the file writes it, or the template's when it is absent."""
        code = self.resolve(code)
        return self.headers.get(code) or COLUMN_BY_CODE[code].header


# ---------------------------------------------------------------- checking rows


def report_error(report: ImportReport, plan: RowPlan, code: str, message) -> None:
    column = report.resolve(code)
    plan.errors.append(RowError(plan.row, report.header(column), message, plan.cells.get(column, "")))


def report_field_error(report: ImportReport, plan: RowPlan, service_field: str, message) -> None:
    report_error(report, plan, COLUMN_OF_FIELD.get(service_field, "product_name_vi"), message)


@functools.lru_cache(maxsize=8192)
def normalised_email(text: str) -> str | None:
    """An address as email_validator normalises it, or None if it is not one. A producer's
    address repeats on each of its rows: each is checked once."""
    from email_validator import EmailNotValidError, validate_email  # slow to import: here

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def check_row(report: ImportReport, number: int, raw: dict) -> RowPlan:
    """Turn one row's cells into organisation and product values, noting unreadable cells."""
    plan = RowPlan(
        row=number, cells={code: cell_text(value) for code, value in raw.items()}, producer={}, product={}
    )

    def text(code: str) -> str:
        value = plan.cells.get(code, "")
        field_name = PRODUCER_COLUMNS.get(code) or PRODUCT_COLUMNS.get(code)
        return value if field_name in MULTILINE else " ".join(value.split())

    for code, field_name in PRODUCER_COLUMNS.items():
        if code not in raw:
            continue
        value = text(code)
        if code == "tax_code":
            value = _code_text(raw[code], 10).replace(" ", "").replace(".", "")
        elif code == "phone":
            value = _code_text(raw[code], 10) if isinstance(raw[code], int | float) else value
        if not value:
            continue
        if code == "producer_kind":
            value = producer_kind_of(value) or value
        elif code == "province":
            value = province_code(value) or value
        elif code == "email":
            normalised = normalised_email(value)
            if normalised is None:
                report_error(report, plan, code, _l("“%(value)s” is not an e-mail address.", value=value))
                plan.producer_error = True
                continue
            value = normalised
        limit = MAX_LENGTH.get(field_name)
        if limit and len(value) > limit:
            report_error(report, plan, code, _l("At most %(max)s characters.", max=limit))
            plan.producer_error = True
            continue
        plan.producer[field_name] = value

    for code, field_name in PRODUCT_COLUMNS.items():
        if code not in raw:
            continue
        cell = raw[code]
        try:
            if code in ("certificate_date", "certificate_expiry"):
                value = parse_date(cell)
            elif code in ("price_min", "price_max"):
                value = parse_number(cell, whole=True)
            elif code == "capacity_per_month":
                value = parse_number(cell)
            elif code == "stars":
                value = parse_stars(cell)
            elif code == "gtin":  # a number cell holds it as 8934588012112 (or 8.934588012112E+12)
                value = gtin_codes.normalise(_code_text(cell, 13))
            else:
                value = text(code) or None
        except CellError as error:
            report_error(report, plan, code, error.message)
            plan.unreadable.add(field_name)
            continue
        if value is None:
            continue
        if code == "ocop_group":
            value = lookup(GROUP_INDEX, value) or value
        elif code == "category":
            value = lookup(CATEGORY_INDEX, value) or value
        elif code in ("capacity_unit", "price_unit"):
            unit = lookup(UNIT_INDEX, value)
            if unit is None:
                report_error(report, plan, code, _l("Unknown unit: “%(value)s”.", value=value))
                plan.unreadable.add(field_name)
                continue
            value = unit
        elif code == "standards":
            value = standard_codes(value)
        limit = MAX_LENGTH.get(field_name)
        if limit and isinstance(value, str) and len(value) > limit:
            report_error(report, plan, code, _l("At most %(max)s characters.", max=limit))
            plan.unreadable.add(field_name)
            continue
        plan.product[field_name] = value

    # The group follows from the category, and a one-category group gives its category.
    category, group = plan.product.get("category"), plan.product.get("ocop_group")
    if category in CATEGORIES and not group:
        plan.product["ocop_group"] = CATEGORIES[category][0]
    if group in OCOP_GROUPS and not category:
        inside = [code for code, (owner, _label) in CATEGORIES.items() if owner == group]
        if len(inside) == 1:
            plan.product["category"] = inside[0]
    return plan
