"""Import producers and OCOP products from the CSV/XLSX sheets provinces keep.

One row is one product together with its producer's columns. `parse` reads a
file and says, row by row, what is wrong and what would happen; nothing is
written. `apply` writes every valid row of a stored batch through the catalogue
services, in the caller's transaction (it flushes, the request commits once).

Identity, so that importing the same file again updates instead of duplicating:
a producer is its tax code when one is given, else its name (without accents or
case) and province; a product is its traceability code when one is given, else
its producer and Vietnamese name. Empty cells never clear what is stored.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import PurePath

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.catalog import services
from app.catalog.models import ImportBatch, Organisation, Product
from app.catalog.vocab import CATEGORIES, OCOP_GROUPS, PRODUCER_KINDS, STANDARDS, UNITS
from app.data.provinces import PROVINCES, fold, province_code
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.extensions import db

MAX_ROWS = 5000  # data rows in one file; a province's list is a few hundred
HEADER_SCAN_ROWS = 10  # a title or a note may sit above the header row
MAX_COLUMNS = 80
MAX_SCANNED_ROWS = 100_000  # a sheet of formatted but empty rows must not run forever
IMPORTER_ROLES = ("organiser", "admin")

# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    code: str  # the English code, also accepted as a header
    header: str  # the Vietnamese header of the template
    aliases: tuple[str, ...] = ()
    required: bool = False
    in_template: bool = True


COLUMNS: tuple[Column, ...] = (
    Column(
        "producer_name",
        "Tên chủ thể",
        ("chu the", "ten chu the ocop", "chu the ocop", "ten co so", "ten don vi", "producer"),
        required=True,
    ),
    Column("producer_kind", "Loại hình", ("loai hinh chu the", "loai hinh to chuc", "kind")),
    Column("tax_code", "Mã số thuế", ("mst", "ma so doanh nghiep")),
    Column("province", "Tỉnh", ("tinh thanh pho", "tinh thanh", "tinh tp"), required=True),
    Column("commune", "Xã/Huyện", ("xa", "huyen", "xa phuong", "huyen thi xa", "dia ban", "district")),
    Column("address", "Địa chỉ"),
    Column("contact_name", "Người liên hệ", ("nguoi dai dien", "contact"), in_template=False),
    Column("phone", "Điện thoại", ("so dien thoai", "sdt", "dt", "telephone")),
    Column("email", "Email", ("e mail", "thu dien tu")),
    Column("website", "Website", ("trang web",), in_template=False),
    Column(
        "product_name_vi",
        "Tên sản phẩm",
        ("san pham", "ten san pham ocop", "ten san pham tieng viet", "product name", "product"),
        required=True,
    ),
    Column("product_name_en", "Tên tiếng Anh", ("ten san pham tieng anh", "english name")),
    Column("product_name_fr", "Tên tiếng Pháp", ("ten san pham tieng phap", "french name")),
    Column("ocop_group", "Nhóm OCOP", ("nhom", "nhom san pham", "bo san pham", "group")),
    Column("category", "Ngành hàng", ("phan nhom", "loai san pham")),
    Column("stars", "Số sao", ("hang sao", "sao", "so sao ocop", "star", "ocop stars"), required=True),
    Column(
        "certificate_date",
        "Ngày cấp",
        ("ngay cap giay chung nhan", "ngay chung nhan", "ngay cap chung nhan", "ngay quyet dinh"),
        required=True,
    ),
    Column("certificate_expiry", "Ngày hết hạn", ("het han", "han chung nhan", "expiry")),
    Column("standards", "Tiêu chuẩn", ("chung nhan khac", "tieu chuan chung nhan")),
    Column("capacity_per_month", "Công suất/tháng", ("cong suat", "san luong thang", "capacity")),
    Column("capacity_unit", "Đơn vị", ("don vi tinh", "dvt", "unit")),
    Column("price_min", "Giá thấp nhất", ("gia tu", "gia ban thap nhat")),
    Column("price_max", "Giá cao nhất", ("gia den", "gia ban cao nhat")),
    Column("price_unit", "Đơn vị giá", ("gia tinh theo", "don vi tinh gia")),
    Column("traceability_code", "Mã truy xuất", ("ma truy xuat nguon goc", "ma qr")),
    Column("description_vi", "Mô tả", ("mo ta san pham", "mo ta tieng viet", "description")),
    Column("description_en", "Mô tả tiếng Anh", (), in_template=False),
    Column("description_fr", "Mô tả tiếng Pháp", (), in_template=False),
)
COLUMN_BY_CODE = {column.code: column for column in COLUMNS}
REQUIRED = tuple(column.code for column in COLUMNS if column.required)
# Either of these two is enough: the group follows from the category.
GROUP_OR_CATEGORY = ("ocop_group", "category")
# Serial-number and note columns provinces add; ignored without a remark.
QUIET_HEADERS = {"stt", "tt", "so tt", "so thu tu", "no", "ghi chu", "note"}

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


def header_key(text) -> str:
    """A header or a listed value as compared: no accents, case, brackets or punctuation."""
    text = re.sub(r"\([^)]*\)", " ", str(text or ""))
    folded = fold(text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def _build_header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.code, column.header, *column.aliases):
            key = header_key(name)
            if index.get(key, column.code) != column.code:
                raise RuntimeError(f"import header {name!r} is ambiguous")
            index[key] = column.code
    return index


HEADER_INDEX = _build_header_index()

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


def cell_text(raw) -> str:
    """A cell as the person sees it."""
    if raw is None:
        return ""
    if isinstance(raw, datetime):
        if (raw.hour, raw.minute, raw.second) == (0, 0, 0):
            return raw.strftime("%d/%m/%Y")
        return raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return unicodedata.normalize("NFC", str(raw)).strip()


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
class ProducerGroup:
    """The rows of one producer, with the producer's values merged from them."""

    first_row: int
    name_key: tuple[str, str]
    tax_code: str | None = None
    values: dict = field(default_factory=dict)
    source_row: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    existing_id: int | None = None
    changes: dict = field(default_factory=dict)
    has_errors: bool = False

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def action(self) -> str:
        if self.existing_id is None:
            return "create"
        return "update" if self.changes else "unchanged"


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
class ImportReport:
    filename: str
    file_type: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    headers: dict = field(default_factory=dict)  # column code -> header as written
    ignored_columns: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    groups: list = field(default_factory=list)

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


# ---------------------------------------------------------------- reading files


@dataclass
class _Table:
    file_type: str
    sheet: str | None
    header_row: int
    header_cells: list
    rows: list  # (row number, cells)


def _missing_columns_message(codes: Iterable[str]):
    names = []
    for code in codes:
        if code == "ocop_group|category":
            names.append(
                f"{COLUMN_BY_CODE['ocop_group'].header} / {COLUMN_BY_CODE['category'].header}"
                " (ocop_group / category)"
            )
        else:
            names.append(f"{COLUMN_BY_CODE[code].header} ({code})")
    return _l("Required columns are missing: %(columns)s.", columns="; ".join(names))


def _header_score(cells) -> int:
    return len({HEADER_INDEX[k] for k in (header_key(cell_text(c)) for c in cells) if k in HEADER_INDEX})


def _best_header(rows: list) -> tuple[int, int]:
    """(score, position) of the likeliest header row among the first rows."""
    best = (0, 0)
    for position, (_number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _header_score(cells)
        if score > best[0]:
            best = (score, position)
    return best


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _has_data(cells, known: list[int]) -> bool:
    """A row counts when a column we read has something (a lone serial number doesn't)."""
    return not _is_blank([cells[i] for i in known if i < len(cells)])


def _known_positions(header_cells) -> list[int]:
    return [i for i, cell in enumerate(header_cells) if header_key(cell_text(cell)) in HEADER_INDEX]


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            content = content[len(codecs.BOM_UTF8) :]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    for encoding in ("utf-8", "cp1258"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _read_csv(content: bytes) -> _Table | object:
    text = unicodedata.normalize("NFC", _decode(content))
    if "\x00" in text:
        return _l("This file is not a text (CSV) file.")
    forced = None
    first_line, _, rest = text.partition("\n")
    if re.fullmatch(r"\s*sep=(.)\s*", first_line):
        forced, text = first_line.strip()[4], rest
    best = None
    for delimiter in [forced] if forced else [",", ";", "\t"]:
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        rows = [(number, cells) for number, cells in enumerate(records, start=1)]
        score, position = _best_header(rows)
        width = len(rows[position][1]) if rows else 0
        if best is None or (score, width) > (best[0], best[1]):
            best = (score, width, position, rows)
    if best is None:
        return _l("This file is not a CSV file we can read.")
    _score, _width, position, rows = best
    if all(_is_blank(cells) for _n, cells in rows):
        return _l("The file is empty.")
    header_row, header_cells = rows[position]
    known = _known_positions(header_cells)
    data = [(n, cells) for n, cells in rows[position + 1 :] if _has_data(cells, known)]
    return _Table("csv", None, header_row, header_cells, data)


def _read_xlsx(content: bytes) -> _Table | object:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        return _l("This file is not an XLSX workbook we can read.")
    try:
        best = None
        for sheet in workbook.worksheets:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some programs write a wrong sheet size
            head = list(
                enumerate(
                    islice(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), HEADER_SCAN_ROWS), start=1
                )
            )
            score, position = _best_header(head)
            if head and (best is None or score > best[0]):
                best = (score, sheet, head[position])
        if best is None:
            return _l("The file is empty.")
        _score, sheet, (header_row, header_cells) = best
        known = _known_positions(header_cells)
        data = []
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_SCANNED_ROWS or len(data) > MAX_ROWS:
                break
            if number > header_row and _has_data(cells, known):
                data.append((number, cells))
        return _Table("xlsx", sheet.title, header_row, list(header_cells), data)
    finally:
        workbook.close()


def read_table(filename: str, content: bytes, max_bytes: int | None = None) -> _Table | object:
    """The sheet (or CSV) holding the data, or a file-level error message."""
    if not content:
        return _l("The file is empty.")
    if max_bytes is not None and len(content) > max_bytes:
        return _l("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        return _l("This is an old Excel (.xls) file: save it as .xlsx or CSV and upload it again.")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(content)
    if suffix in (".csv", ".txt", ".tsv"):
        if content.startswith(b"PK\x03\x04"):
            return _l("This file is not a CSV file we can read.")
        return _read_csv(content)
    return _l("Upload a CSV or XLSX file.")


# ---------------------------------------------------------------- parsing


def parse(filename: str, content: bytes, *, max_bytes: int | None = None) -> ImportReport:
    """Read a file and say what is wrong and what would be written. Writes nothing."""
    report = ImportReport(filename=_display_filename(filename))
    table = read_table(filename, content, max_bytes)
    if not isinstance(table, _Table):
        report.file_errors.append(table)
        return report
    report.file_type, report.sheet, report.header_row = table.file_type, table.sheet, table.header_row

    positions: dict[str, int] = {}
    for index, cell in enumerate(table.header_cells):
        text = cell_text(cell)
        key = header_key(text)
        code = HEADER_INDEX.get(key)
        if code is None:
            if text and key not in QUIET_HEADERS:
                report.ignored_columns.append(text)
            continue
        if code in positions:
            report.file_errors.append(
                _l(
                    "The columns “%(first)s” and “%(second)s” mean the same thing; keep one.",
                    first=report.headers[code],
                    second=text,
                )
            )
            continue
        positions[code] = index
        report.headers[code] = text
    missing = [code for code in REQUIRED if code not in positions]
    if not any(code in positions for code in GROUP_OR_CATEGORY):
        missing.append("ocop_group|category")
    if missing:
        report.file_errors.append(_missing_columns_message(missing))
    data = [
        (number, {code: cells[i] if i < len(cells) else None for code, i in positions.items()})
        for number, cells in table.rows
    ]
    data = [(number, values) for number, values in data if not _is_blank(values.values())]
    if len(data) > MAX_ROWS:
        report.file_errors.append(
            _l("The file has more than %(max)s rows: split it into smaller files.", max=MAX_ROWS)
        )
    if report.file_errors:
        return report
    if not data:
        report.file_errors.append(_l("The file has column headers but no rows."))
        return report

    report.rows = [_read_row(report, number, values) for number, values in data]
    _plan(report)
    return report


def _display_filename(filename: str) -> str:
    # Some browsers send the whole Windows path.
    return re.split(r"[\\/]", filename or "")[-1][:255] or "upload"


def _error(report: ImportReport, plan: RowPlan, code: str, message) -> None:
    column = report.resolve(code)
    plan.errors.append(RowError(plan.row, report.header(column), message, plan.cells.get(column, "")))


def _field_error(report: ImportReport, plan: RowPlan, service_field: str, message) -> None:
    _error(report, plan, COLUMN_OF_FIELD.get(service_field, "product_name_vi"), message)


def _read_row(report: ImportReport, number: int, raw: dict) -> RowPlan:
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
            try:
                value = validate_email(value, check_deliverability=False).normalized
            except EmailNotValidError:
                _error(report, plan, code, _l("“%(value)s” is not an e-mail address.", value=value))
                plan.producer_error = True
                continue
        limit = MAX_LENGTH.get(field_name)
        if limit and len(value) > limit:
            _error(report, plan, code, _l("At most %(max)s characters.", max=limit))
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
            else:
                value = text(code) or None
        except CellError as error:
            _error(report, plan, code, error.message)
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
                _error(report, plan, code, _l("Unknown unit: “%(value)s”.", value=value))
                plan.unreadable.add(field_name)
                continue
            value = unit
        elif code == "standards":
            value = standard_codes(value)
        limit = MAX_LENGTH.get(field_name)
        if limit and isinstance(value, str) and len(value) > limit:
            _error(report, plan, code, _l("At most %(max)s characters.", max=limit))
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


def _plan(report: ImportReport) -> None:
    groups = _group_producers(report)
    _match_producers(report, groups)
    _merge_and_validate_producers(report, groups)
    _plan_products(report)
    report.groups = groups


def _group_producers(report: ImportReport) -> list[ProducerGroup]:
    """Rows naming the same producer (same tax code, or same name and province) share a group."""
    groups: list[ProducerGroup] = []
    by_tax: dict[str, ProducerGroup] = {}
    by_name: dict[tuple[str, str], ProducerGroup] = {}
    for plan in report.rows:
        name = plan.producer.get("name")
        if not name:
            if "name" not in plan.producer and not plan.producer_error:
                _field_error(report, plan, "name", _l("The name is required."))
            plan.producer_error = True
            continue
        tax = plan.producer.get("tax_code")
        name_key = (fold(name), fold(str(plan.producer.get("province_code", ""))))
        group = by_tax.get(tax) if tax else None
        if group is None:
            candidate = by_name.get(name_key)
            if candidate is not None and (not tax or candidate.tax_code in (None, tax)):
                group = candidate
        if group is None:
            group = ProducerGroup(first_row=plan.row, name_key=name_key)
            groups.append(group)
        if tax and group.tax_code is None:
            group.tax_code = tax
            by_tax[tax] = group
        by_name.setdefault(name_key, group)
        group.rows.append(plan)
        plan.group = group
    return groups


def _match_producers(report: ImportReport, groups: list[ProducerGroup]) -> None:
    """Find each group's organisation already in the catalogue, if any."""
    taxes = {group.tax_code for group in groups if group.tax_code}
    by_tax = {}
    if taxes:
        by_tax = {
            org.tax_code: org
            for org in db.session.scalars(select(Organisation).where(Organisation.tax_code.in_(taxes)))
        }
    codes = {group.rows[0].producer.get("province_code") for group in groups} & set(PROVINCES)
    by_name: dict[tuple[str, str], list[Organisation]] = {}
    if codes:
        producers = db.session.scalars(
            select(Organisation)
            .where(Organisation.role == "producer", Organisation.province_code.in_(codes))
            .order_by(Organisation.id)
        )
        for org in producers:
            by_name.setdefault((fold(org.name), org.province_code), []).append(org)
    claimed: set[int] = set()
    for group in groups:
        first = group.rows[0]
        org = by_tax.get(group.tax_code) if group.tax_code else None
        if org is not None and not org.is_producer:
            _field_error(report, first, "tax_code", _l("Another organisation already has this tax code."))
            first.producer_error = True
            continue
        if org is None:
            key = (group.name_key[0], first.producer.get("province_code"))
            for candidate in by_name.get(key, []):
                # A namesake with another tax code, or one an earlier group took, is someone else.
                if candidate.id not in claimed and candidate.tax_code in (None, group.tax_code):
                    org = candidate
                    break
        if org is not None:
            claimed.add(org.id)
            group.existing_id = org.id


def _same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return float(a) == float(b)
    return a == b


def _merge_and_validate_producers(report: ImportReport, groups: list[ProducerGroup]) -> None:
    for group in groups:
        for plan in group.rows:
            for key, value in plan.producer.items():
                if key not in group.values:
                    group.values[key] = value
                    group.source_row[key] = plan
                    continue
                earlier = group.values[key]
                equal = fold(earlier) == fold(value) if key == "name" else earlier == value
                if not equal:
                    _field_error(
                        report,
                        plan,
                        key,
                        _l(
                            "Row %(row)s gives this producer another value: “%(value)s”.",
                            row=group.source_row[key].row,
                            value=_shown(key, earlier),
                        ),
                    )
                    plan.producer_error = True
        existing = db.session.get(Organisation, group.existing_id) if group.existing_id else None
        current = {key: getattr(existing, key) for key in services.ORGANISATION_FIELDS} if existing else {}
        if not group.values.get("producer_kind") and not current.get("producer_kind"):
            inferred = kind_from_name(group.name)
            if inferred:
                group.values["producer_kind"] = inferred
                group.source_row["producer_kind"] = group.source_row.get("name", group.rows[0])
        merged = {key: value for key, value in current.items() if value is not None} | group.values
        for error in services.validate_organisation("producer", merged):
            plan = group.source_row.get(error.field, group.rows[0])
            _field_error(report, plan, error.field or "name", error.message)
            plan.producer_error = True
        if existing is not None:
            group.changes = {
                key: value for key, value in group.values.items() if not _same(getattr(existing, key), value)
            }
        bad = [plan for plan in group.rows if plan.producer_error]
        group.has_errors = bool(bad)
        for plan in group.rows:
            if bad and not plan.producer_error:
                _error(
                    report,
                    plan,
                    "producer_name",
                    _l("The producer's details in row %(row)s have errors.", row=bad[0].row),
                )


def _shown(key: str, value) -> str:
    if key == "province_code":
        return PROVINCES.get(value, value)
    if key == "producer_kind":
        return KIND_NAMES_VI.get(value, value)
    return str(value)


def _existing_products(report: ImportReport) -> tuple[dict, dict]:
    org_ids = {plan.group.existing_id for plan in report.rows if plan.group and plan.group.existing_id}
    codes = {
        plan.product["traceability_code"] for plan in report.rows if plan.product.get("traceability_code")
    }
    by_name: dict[tuple[int, str], Product] = {}
    if org_ids:
        for product in db.session.scalars(
            select(Product).where(Product.organisation_id.in_(org_ids)).order_by(Product.id)
        ):
            by_name.setdefault((product.organisation_id, fold(product.name_vi)), product)
    by_code = {}
    if codes:
        by_code = {
            product.traceability_code: product
            for product in db.session.scalars(select(Product).where(Product.traceability_code.in_(codes)))
        }
    return by_name, by_code


def _product_snapshot(product: Product) -> dict:
    return {key: getattr(product, key) for key in services.PRODUCT_FIELDS} | {"standards": product.standards}


def _plan_products(report: ImportReport) -> None:
    by_name, by_code = _existing_products(report)
    seen_name: dict[tuple[int, str], int] = {}
    seen_code: dict[str, int] = {}
    seen_product: dict[int, int] = {}
    for plan in report.rows:
        given = dict(plan.product)
        name = given.get("name_vi")
        code = given.get("traceability_code")
        org_id = plan.group.existing_id if plan.group else None

        # The same product twice in the file: only the first row counts.
        group_key = id(plan.group) if plan.group else -plan.row
        repeat = None
        if name and (group_key, fold(name)) in seen_name:
            repeat = ("product_name_vi", seen_name[(group_key, fold(name))])
        elif code and code in seen_code:
            repeat = ("traceability_code", seen_code[code])
        if name:
            seen_name.setdefault((group_key, fold(name)), plan.row)
        if code:
            seen_code.setdefault(code, plan.row)

        existing = None
        if code and code in by_code:
            existing = by_code[code]
            if existing.organisation_id != org_id:
                _field_error(
                    report,
                    plan,
                    "traceability_code",
                    _l("Another product already uses this traceability code."),
                )
                existing = None
        if existing is None and org_id is not None and name:
            existing = by_name.get((org_id, fold(name)))
        if existing is not None and repeat is None and existing.id in seen_product:
            repeat = ("product_name_vi", seen_product[existing.id])
        if repeat:
            _error(report, plan, repeat[0], _l("Repeats row %(row)s.", row=repeat[1]))
        if existing is not None:
            seen_product.setdefault(existing.id, plan.row)
            if name and fold(name) != fold(existing.name_vi):
                clash = by_name.get((org_id, fold(name)))
                if clash is not None and clash.id != existing.id:
                    _field_error(
                        report,
                        plan,
                        "name_vi",
                        _l("This producer already has another product with this name."),
                    )

        # The expiry: as given; else kept when the certificate date is unchanged; else 36 months.
        issued = given.get("certificate_date")
        if isinstance(issued, date) and not given.get("certificate_expiry"):
            if existing is not None and existing.certificate_date == issued:
                given["certificate_expiry"] = existing.certificate_expiry
            else:
                given["certificate_expiry"] = services.default_expiry(issued)

        current = _product_snapshot(existing) if existing is not None else {}
        merged = {key: value for key, value in current.items() if value is not None} | given
        values = services._normalise_product_values(merged)
        for error in services.validate_product(values):
            if error.field not in plan.unreadable:
                _field_error(report, plan, error.field or "name_vi", error.message)

        if existing is None:
            plan.product_values = given
            plan.product_action = "create"
        else:
            plan.existing_product_id = existing.id
            changes = {}
            for key, value in given.items():
                before = current.get(key)
                same = sorted(before or []) == sorted(value) if key == "standards" else _same(before, value)
                if not same:
                    changes[key] = value
            plan.product_values = changes
            plan.product_action = "update" if changes else "unchanged"
            plan.changed_columns = [report.header(COLUMN_OF_FIELD[key]) for key in changes]


# ---------------------------------------------------------------- batches and writing


class ImportWriteError(ServiceError):
    """A row the database refused while writing; the caller rolls everything back."""

    def __init__(self, row: int, message):
        super().__init__(
            _l(
                "Row %(row)s could not be written (%(reason)s). Nothing was imported.",
                row=row,
                reason=message,
            )
        )
        self.row = row


class AlreadyConfirmed(ServiceError):
    def __init__(self):
        super().__init__(_l("This import was already confirmed; nothing was written again."))


class _ImportActor:
    """Who the catalogue services see while an organiser's confirmed import writes.

    The organiser's right to import is checked in `apply`; the services' own
    checks (an exhibitor edits only its organisation) stay as they are.
    """

    is_authenticated = True
    role = "admin"
    organisation_id = None

    def __init__(self, user):
        self.id = getattr(user, "id", None)


def ensure_can_import(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in IMPORTER_ROLES:
        raise PermissionDenied


def create_batch(actor, filename: str, content: bytes, report: ImportReport) -> ImportBatch:
    """Keep an uploaded file between its preview and its confirmation."""
    ensure_can_import(actor)
    counts = report.counts
    batch = ImportBatch(
        token=secrets.token_urlsafe(24),
        filename=_display_filename(filename),
        content=content,
        uploaded_by_id=getattr(actor, "id", None),
        status="previewed",
        rows_total=counts["rows"],
        rows_valid=counts["valid"],
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def batch_by_token(token: str) -> ImportBatch | None:
    return db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))


def preview(batch: ImportBatch) -> ImportReport:
    """The report of a stored batch against the catalogue as it is now."""
    return parse(batch.filename, batch.content)


def recent_batches(limit: int = 10) -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


def discard_stale_batches(before: datetime) -> int:
    """Forget previews nobody confirmed (the uploaded files they keep), e.g. from a nightly job."""
    stale = list(
        db.session.scalars(
            select(ImportBatch).where(ImportBatch.status == "previewed", ImportBatch.created_at < before)
        )
    )
    for batch in stale:
        db.session.delete(batch)
    db.session.flush()
    return len(stale)


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    producers_created: int = 0
    producers_updated: int = 0
    skipped_rows: list = field(default_factory=list)


def apply(batch: ImportBatch, actor) -> ApplyResult:
    """Write every valid row of a batch; rows with errors are skipped and listed.

    Runs in the caller's transaction and only flushes: if any row fails while
    writing, `ImportWriteError` is raised and the caller rolls back, so nothing
    of the file is kept. A batch is confirmed once: a second call (even a
    concurrent one) raises `AlreadyConfirmed`.
    """
    ensure_can_import(actor)
    claimed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == "previewed")
        .values(status="confirmed", confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise AlreadyConfirmed
    db.session.refresh(batch)
    report = preview(batch)
    if report.file_errors:
        raise ServiceError(report.file_errors[0])
    if not report.valid_rows:
        raise ServiceError(_l("No row of this file can be imported: correct the errors and upload it again."))

    writer = _ImportActor(actor)
    result = ApplyResult(skipped_rows=[row.row for row in report.error_rows])
    result.skipped = len(result.skipped_rows)
    for group in report.groups:
        rows = [row for row in group.rows if row.valid]
        if not rows:
            continue
        organisation = _write_producer(group, writer, result)
        for row in rows:
            _write_product(row, organisation, writer, result)

    counts = report.counts
    batch.rows_total = counts["rows"]
    batch.rows_valid = counts["valid"]
    batch.created_count = result.created
    batch.updated_count = result.updated
    db.session.flush()
    return result


def _write_producer(group: ProducerGroup, writer, result: ApplyResult) -> Organisation:
    try:
        if group.existing_id is None:
            organisation = services.create_organisation(role="producer", **group.values)
            result.producers_created += 1
        else:
            organisation = db.session.get(Organisation, group.existing_id)
            if group.changes:
                services.update_organisation(writer, organisation, **group.changes)
                result.producers_updated += 1
    except ServiceError as error:
        raise ImportWriteError(group.first_row, error.message) from error
    except IntegrityError as error:
        raise ImportWriteError(group.first_row, _l("the database refused a duplicate")) from error
    return organisation


def _write_product(row: RowPlan, organisation: Organisation, writer, result: ApplyResult) -> None:
    try:
        if row.existing_product_id is None:
            services.create_product(writer, organisation, **row.product_values)
            result.created += 1
        elif row.product_values:
            product = db.session.get(Product, row.existing_product_id)
            services.update_product(writer, product, **row.product_values)
            result.updated += 1
        else:
            result.unchanged += 1
    except ServiceError as error:
        raise ImportWriteError(row.row, error.message) from error
    except IntegrityError as error:
        raise ImportWriteError(row.row, _l("the database refused a duplicate")) from error


# ---------------------------------------------------------------- templates

TEMPLATE_COLUMNS = tuple(column for column in COLUMNS if column.in_template)
TEMPLATE_ROWS = (
    {
        "producer_name": "HTX Chè Hải Hà",
        "producer_kind": "HTX",
        "tax_code": "5701823456",
        "province": "Quảng Ninh",
        "commune": "Xã Quảng Long, huyện Hải Hà",
        "address": "Thôn 7, xã Quảng Long, huyện Hải Hà, tỉnh Quảng Ninh",
        "phone": "0203 3879 168",
        "email": "htx.chehaiha@example.vn",
        "product_name_vi": "Chè xanh Hải Hà",
        "product_name_en": "Hai Ha green tea",
        "product_name_fr": "Thé vert de Hai Ha",
        "ocop_group": "Đồ uống",
        "category": "Chè",
        "stars": 4,
        "certificate_date": date(2023, 6, 15),
        "certificate_expiry": None,
        "standards": "VietGAP, hữu cơ",
        "capacity_per_month": 2000,
        "capacity_unit": "kg",
        "price_min": 200000,
        "price_max": 450000,
        "price_unit": "kg",
        "traceability_code": "QN-HH-CHE-0001",
        "description_vi": "Chè búp hái tay trên đồi chè Quảng Long, sao khô theo cách truyền thống.",
    },
    {
        "producer_name": "Hộ kinh doanh Vịt quay Kỳ Lừa",
        "producer_kind": "Hộ kinh doanh",
        "tax_code": None,
        "province": "Lạng Sơn",
        "commune": "Thành phố Lạng Sơn",
        "address": "Phố Kỳ Lừa, phường Hoàng Văn Thụ, thành phố Lạng Sơn",
        "phone": "0205 3812 345",
        "email": None,
        "product_name_vi": "Vịt quay lá mắc mật Lạng Sơn",
        "product_name_en": "Lang Son roast duck with mac mat leaves",
        "product_name_fr": "Canard rôti de Lang Son aux feuilles de mac mat",
        "ocop_group": "Thực phẩm",
        "category": "Sản phẩm từ thịt",
        "stars": 3,
        "certificate_date": date(2024, 3, 20),
        "certificate_expiry": date(2027, 3, 20),
        "standards": "HACCP",
        "capacity_per_month": 1500,
        "capacity_unit": "kg",
        "price_min": 350000,
        "price_max": 420000,
        "price_unit": "kg",
        "traceability_code": "LS-VQ-0001",
        "description_vi": "Vịt cỏ thả đồi, ướp lá mắc mật, quay trên than hoa.",
    },
)


def template_csv() -> bytes:
    """The CSV template: UTF-8 with a BOM (so Excel shows the accents), Windows line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.header for column in TEMPLATE_COLUMNS])
    for example in TEMPLATE_ROWS:
        writer.writerow([cell_text(example.get(column.code)) for column in TEMPLATE_COLUMNS])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The XLSX template: the data sheet, then 'Hướng dẫn' with the rules and allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sản phẩm OCOP"
    required_fill = PatternFill("solid", fgColor="F4C542")
    optional_fill = PatternFill("solid", fgColor="D9EAD3")
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        is_required = column.required or column.code in GROUP_OR_CATEGORY
        cell.fill = required_fill if is_required else optional_fill
        width = 40 if column.code in ("address", "description_vi") else max(14, len(column.header) + 4)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_number, example in enumerate(TEMPLATE_ROWS, start=2):
        for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
            value = example.get(column.code)
            cell = sheet.cell(row=row_number, column=index, value=value)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif column.code in ("price_min", "price_max", "capacity_per_month"):
                cell.number_format = "#,##0"
            elif column.code in ("tax_code", "phone"):
                cell.number_format = "@"
    sheet.freeze_panes = "B2"

    guide = workbook.create_sheet("Hướng dẫn")
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["C"].width = 70
    lines = [
        ("Hướng dẫn nhập chủ thể và sản phẩm OCOP",),
        ("Mỗi dòng của trang “Sản phẩm OCOP” là một sản phẩm kèm thông tin chủ thể của nó.",),
        ("Cột tô vàng là bắt buộc (Nhóm OCOP hoặc Ngành hàng: ít nhất một trong hai).",),
        ("Ngày ghi theo dạng dd/mm/yyyy, ví dụ 15/06/2023. Ngày hết hạn để trống = ngày cấp + 36 tháng.",),
        ("Giá ghi bằng số, đơn vị đồng (VNĐ), ví dụ 250000 hoặc 250.000.",),
        ("Tiêu chuẩn: nhiều tiêu chuẩn cách nhau bằng dấu phẩy, ví dụ “VietGAP, HACCP”.",),
        (
            "Nhập lại cùng tệp sẽ cập nhật, không tạo bản trùng: chủ thể nhận theo mã số thuế "
            "(hoặc tên + tỉnh), sản phẩm theo mã truy xuất (hoặc tên sản phẩm của chủ thể).",
        ),
        ("Ô để trống giữ nguyên giá trị đã có.",),
        (),
        ("Cột", "Mã (tiếng Anh)", "Ghi chú"),
    ]
    notes = {
        "producer_kind": "HTX, Hộ kinh doanh, Doanh nghiệp (Công ty)",
        "province": "Tên tỉnh/thành, có dấu hoặc không dấu",
        "ocop_group": "Một trong sáu nhóm (xem danh sách bên dưới)",
        "category": "Xem danh sách bên dưới",
        "stars": "1 đến 5",
        "certificate_date": "dd/mm/yyyy",
        "certificate_expiry": "dd/mm/yyyy; để trống = ngày cấp + 36 tháng",
        "standards": "VietGAP, GlobalGAP, Hữu cơ, HACCP, ISO 22000, ISO 9001",
        "capacity_unit": "Xem danh sách đơn vị bên dưới",
    }
    for column in COLUMNS:
        mark = "bắt buộc" if column.required else ""
        note = "; ".join(filter(None, [mark, notes.get(column.code, "")]))
        lines.append((column.header, column.code, note))
    ranges: dict[str, str] = {}

    def block(title: str, key: str, entries: list[tuple]) -> None:
        lines.append(())
        lines.append((title,))
        start = len(lines) + 1
        lines.extend(entries)
        ranges[key] = f"'Hướng dẫn'!$A${start}:$A${len(lines)}"

    block("Nhóm OCOP", "group", [(name, code) for code, name in GROUP_NAMES_VI.items()])
    block(
        "Ngành hàng",
        "category",
        [(name, code, GROUP_NAMES_VI[CATEGORIES[code][0]]) for code, name in CATEGORY_NAMES_VI.items()],
    )
    block("Loại hình", "kind", [(name, code) for code, name in KIND_NAMES_VI.items()])
    block("Tiêu chuẩn", "standard", [(name, code) for code, name in STANDARD_NAMES.items()])
    block("Đơn vị", "unit", [(name, code) for code, name in UNIT_NAMES_VI.items()])
    block("Tỉnh / thành phố", "province", [(name, code) for code, name in PROVINCES.items()])
    for row_number, line in enumerate(lines, start=1):
        for column_number, value in enumerate(line, start=1):
            guide.cell(row=row_number, column=column_number, value=value)
        if len(line) == 1:
            guide.cell(row=row_number, column=1).font = Font(bold=True)
    guide["A1"].font = Font(bold=True, size=14)

    # Drop-down lists on the data sheet; other spellings stay allowed (a warning, not a refusal).
    letters = {column.code: get_column_letter(i) for i, column in enumerate(TEMPLATE_COLUMNS, start=1)}
    for code, key in (
        ("ocop_group", "group"),
        ("category", "category"),
        ("producer_kind", "kind"),
        ("capacity_unit", "unit"),
        ("price_unit", "unit"),
        ("province", "province"),
    ):
        validation = DataValidation(type="list", formula1=ranges[key], allow_blank=True, errorStyle="warning")
        validation.add(f"{letters[code]}2:{letters[code]}2000")
        sheet.add_data_validation(validation)
    stars = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
    stars.add(f"{letters['stars']}2:{letters['stars']}2000")
    sheet.add_data_validation(stars)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
