"""The national catalogue in one file: 20,000 rows (MAX_IMPORT_ROWS) are accepted and
previewed, and neither the preview nor the confirmed write sends a query per row.
How fast: benchmarks/catalog_national_bench.py."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from app.catalog.imports import services as imports
from app.catalog.models import Organisation, Product
from tests.catalog.test_import import TEA, csv_bytes

PER_PRODUCER = 4


def national_rows(count: int, *, first: int = 0) -> list[dict]:
    """`count` rows of distinct products, four per producer (its tax code, name and province)."""
    rows = []
    for n in range(first, first + count):
        producer = n // PER_PRODUCER
        rows.append(
            TEA
            | {
                "STT": str(n + 1),
                "Tên chủ thể": f"HTX Nông sản {producer}",
                "Mã số thuế": f"{5_000_000_000 + producer}",
                "Tỉnh": "Lạng Sơn" if producer % 2 else "Quảng Ninh",
                "Email": f"htx{producer}@example.vn",
                "Tên sản phẩm": f"Chè xanh số {n}",
                "Tên tiếng Anh": f"Green tea {n}",
                "Mã truy xuất": f"NAT-{n:06d}",
            }
        )
    return rows


class Statements:
    """The SQL statements sent while the block runs."""

    def __init__(self, engine):
        self.engine, self.sent = engine, []

    @property
    def count(self) -> int:
        return len(self.sent)

    def _tick(self, _connection, _cursor, statement, *_args):
        self.sent.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._tick)


@pytest.fixture()
def english(app, db):
    with app.test_request_context("/?lang=en"):
        yield


def preview_statements(db, content: bytes) -> tuple[dict, int]:
    with Statements(db.engine) as statements:
        report = imports.parse("national.csv", content)
    assert report.ok, report.file_errors
    return report.counts, statements.count


def test_a_file_of_20000_rows_is_accepted_and_previewed_in_a_few_queries(app, db, english, make_producer):
    assert app.config["MAX_IMPORT_ROWS"] == 20_000
    # Some of the file is already in the catalogue: those rows are matched, not created.
    for producer in range(3):
        make_producer(name=f"HTX Nông sản {producer}", tax_code=f"{5_000_000_000 + producer}")
    db.session.commit()

    small_counts, small = preview_statements(db, csv_bytes(national_rows(8)))
    counts, statements = preview_statements(db, csv_bytes(national_rows(20_000)))

    assert small_counts["valid"] == 8
    assert counts["rows"] == counts["valid"] == counts["products_create"] == 20_000
    assert counts["producers_create"] == 5000 - 3
    assert counts["producers_unchanged"] + counts["producers_update"] == 3
    assert statements == small <= 5  # the same few queries for 8 rows as for 20,000


def test_a_file_over_the_limit_is_refused_with_a_message_naming_the_limit(app, db, english):
    report = imports.parse("national.csv", csv_bytes(national_rows(20_001)))
    assert [str(message) for message in report.file_errors] == [
        "The file has more than 20000 rows: split it into smaller files."
    ]


def test_confirming_sends_statements_by_chunk_not_by_row(db, english, organiser, make_producer, make_product):
    """1,200 rows (300 producers), of which one producer and one product exist already."""
    known = make_producer(name="HTX Nông sản 0", tax_code="5000000000", province_code="22")
    make_product(organisation=known, name_vi="Chè xanh số 0", traceability_code="NAT-000000")
    db.session.commit()
    content = csv_bytes(national_rows(1200))
    batch = imports.create_batch(organiser, "national.csv", content, imports.parse("national.csv", content))
    db.session.commit()

    with Statements(db.engine) as statements:
        result = imports.apply(batch, organiser)
        db.session.commit()

    assert (result.created, result.updated + result.unchanged, result.producers_created) == (1199, 1, 299)
    assert db.session.scalar(select(func.count()).select_from(Product)) == 1200
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 300
    # By row it was 4 to 5 statements each, over 5,000. Now the reads are a few in all; the
    # inserts are a few per chunk of 500 rows where the driver inserts many rows per statement
    # (PostgreSQL), and one per row where it can't (SQLite, whose statements cost no round trip).
    reads_and_updates = [sql for sql in statements.sent if not sql.lstrip().upper().startswith("INSERT")]
    assert len(reads_and_updates) < 30
    if db.engine.dialect.name == "postgresql":
        assert statements.count < 40
    names = {
        product.name_vi: product.organisation.tax_code
        for product in db.session.scalars(
            select(Product).where(Product.name_vi.in_(["Chè xanh số 5", "Chè xanh số 0"]))
        )
    }
    assert names == {"Chè xanh số 0": "5000000000", "Chè xanh số 5": "5000000001"}
    standards = db.session.scalar(select(Product).where(Product.traceability_code == "NAT-000777")).standards
    assert standards == ["organic", "vietgap"]
