"""National catalogue benchmark: search and facets on PostgreSQL at 17,000 and 170,000
products, and the import of one 20,000-row file, each with a baseline measured in the same run.

    .venv/bin/python benchmarks/catalog_national_bench.py [--database-url URL] [--sizes 17000,170000]
        [--import-rows 20000] [--skip-search] [--skip-import]

Without --database-url it uses (and first recreates) the PostgreSQL database `bench_h4` on
127.0.0.1 (`createdb`, then `flask db upgrade`: the migrations, as in production).

Search: the catalogue's page query (`services.catalogue_query`, first page) for several
words, the trigram index used against the same query with index scans turned off (the
sequential scan every search did before the index): server time from EXPLAIN ANALYZE and
wall time through the ORM, median over the words. Facets: `services.catalogue_facets`
(one grouped query) against the two GROUP BY scans it replaced.

Import: a generated 20,000-row CSV (new producers and products): reading it alone (the
baseline), the preview (`imports.parse`: read, check, plan) and the confirmation job's
write (`imports.apply`), with wall time, peak memory (tracemalloc, a second run) and SQL
statements.

Other benchmarks call `measure_search(engine_url, sizes)` and `measure_import(app, rows)`;
both return dicts of figures.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCHEDULER_ENABLED", "0")

DEFAULT_DATABASE = "bench_h4"
DEFAULT_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DEFAULT_DATABASE}"
SIZES = (17_000, 170_000)
PRODUCTS_PER_PRODUCER = 4
SEED = 2026
# Words people type: product kinds, places, a producer, 2-letter words, several words at once.
SEARCH_WORDS = (
    "mật ong",
    "nước mắm phú quốc",
    "chè shan tuyết",
    "hải hà",
    "sâm ngọc linh",
    "vải thiều",
    "cà phê",
    "HTX Đồng Tâm",
    "an",
    "honey",
)

# (Vietnamese, English, French, category) of the products generated.
PRODUCTS = (
    ("Mật ong hoa nhãn", "Longan flower honey", "Miel de fleurs de longane", "honey"),
    ("Mật ong bạc hà", "Mint flower honey", "Miel de menthe", "honey"),
    ("Chè shan tuyết", "Shan tuyet tea", "Thé shan tuyet", "tea"),
    ("Chè xanh", "Green tea", "Thé vert", "tea"),
    ("Trà hoa vàng", "Golden camellia tea", "Thé de camélia doré", "tea"),
    ("Cà phê rang xay", "Ground roasted coffee", "Café torréfié moulu", "coffee"),
    ("Cà phê chồn", "Weasel coffee", "Café de civette", "coffee"),
    ("Rượu nếp cái hoa vàng", "Yellow sticky rice wine", "Alcool de riz gluant", "wine_spirits"),
    ("Nước mắm cá cơm", "Anchovy fish sauce", "Sauce de poisson d'anchois", "sauces_spices"),
    ("Nước mắm Phú Quốc", "Phu Quoc fish sauce", "Nuoc mam de Phu Quoc", "sauces_spices"),
    ("Tương ớt", "Chilli sauce", "Sauce pimentée", "sauces_spices"),
    ("Vải thiều sấy khô", "Dried litchi", "Litchi séché", "dried_fruit"),
    ("Vải thiều tươi", "Fresh litchi", "Litchi frais", "fresh_fruit"),
    ("Bưởi da xanh", "Green-skin pomelo", "Pamplemousse à peau verte", "fresh_fruit"),
    ("Cam sành", "King orange", "Orange king", "fresh_fruit"),
    ("Hạt điều rang muối", "Salted roasted cashews", "Noix de cajou grillées", "dried_fruit"),
    ("Gạo ST25", "ST25 rice", "Riz ST25", "rice_noodles"),
    ("Bún gạo lứt", "Brown rice vermicelli", "Vermicelles de riz complet", "rice_noodles"),
    ("Miến dong", "Canna vermicelli", "Vermicelles de canna", "rice_noodles"),
    ("Giò lụa", "Pork roll", "Pâté de porc", "meat_products"),
    ("Lạp xưởng", "Chinese sausage", "Saucisse chinoise", "meat_products"),
    ("Chả mực", "Squid cake", "Galette de calmar", "seafood"),
    ("Tôm khô", "Dried shrimp", "Crevettes séchées", "seafood"),
    ("Bánh pía", "Pia cake", "Gâteau pia", "confectionery"),
    ("Kẹo dừa", "Coconut candy", "Bonbon à la noix de coco", "confectionery"),
    ("Nấm linh chi", "Lingzhi mushroom", "Champignon lingzhi", "vegetables"),
    ("Sâm Ngọc Linh", "Ngoc Linh ginseng", "Ginseng de Ngoc Linh", "herbal_medicine"),
    ("Tinh dầu quế", "Cinnamon essential oil", "Huile essentielle de cannelle", "essential_oils"),
    ("Tinh dầu sả chanh", "Lemongrass oil", "Huile de citronnelle", "essential_oils"),
    ("Rượu ba kích", "Morinda wine", "Vin de morinda", "medicinal_wine"),
    ("Thổ cẩm", "Brocade", "Brocart", "textiles"),
    ("Lụa tơ tằm", "Silk", "Soie", "textiles"),
    ("Nón lá", "Conical hat", "Chapeau conique", "garments"),
    ("Mây tre đan", "Rattan and bamboo ware", "Vannerie de rotin", "handicrafts"),
    ("Gốm sứ", "Ceramics", "Céramique", "handicrafts"),
    ("Tranh đông hồ", "Dong Ho painting", "Estampe de Dong Ho", "furniture"),
    ("Homestay cộng đồng", "Community homestay", "Gîte communautaire", "tourism"),
)
SYLLABLES = (
    *("an", "hải", "hà", "đồng", "tâm", "bình", "minh", "phú", "quốc", "lộc", "tân", "thành"),
    *("hưng", "yên", "long", "sơn", "thủy", "tiến", "quang", "trung", "hòa", "lạc", "thịnh"),
    *("vạn", "xuân", "mỹ", "đức", "nghĩa", "phong", "thái", "cẩm", "ngọc", "linh", "kim", "bảo"),
    *("trường", "giang", "lục", "ngạn", "mộc", "châu", "thượng", "lâm"),
)
KINDS = (("cooperative", "HTX"), ("household", "Hộ kinh doanh"), ("enterprise", "Công ty TNHH"))


def _place(rng: random.Random) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(2)).title()


def _catalogue_rows(count: int, seed: int):
    """(organisations, products, standards) rows for `count` products, the same for a seed."""
    from app.catalog.services import organisation_search_text, product_search_text
    from app.data.provinces import PROVINCES
    from app.data.vocab import CATEGORIES

    rng = random.Random(seed)
    provinces = sorted(PROVINCES)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    organisations, products, standards = [], [], []
    producers = -(-count // PRODUCTS_PER_PRODUCER)
    for org_id in range(1, producers + 1):
        kind, prefix = KINDS[org_id % len(KINDS)]
        province = provinces[rng.randrange(len(provinces))]
        name = f"{prefix} {_place(rng)} {org_id}"
        commune = f"Xã {_place(rng)}"
        organisations.append(
            {
                "id": org_id,
                "role": "producer",
                "name": name,
                "producer_kind": kind,
                "province_code": province,
                "commune": commune,
                "tax_code": f"{4000000000 + org_id}",
                "search_text": organisation_search_text(name, commune, None, province),
                "created_at": now,
                "updated_at": now,
            }
        )
        kinds = rng.sample(PRODUCTS, min(PRODUCTS_PER_PRODUCER, count - len(products)))
        for name_vi, name_en, name_fr, category in kinds:
            product_id = len(products) + 1
            place = _place(rng)
            issued = date(2023, 1, 1) + timedelta(days=rng.randrange(1400))
            stars = rng.choices((2, 3, 4, 5), (5, 50, 35, 10))[0]
            code = f"VN-{province}-{product_id:07d}"
            full_vi, full_en, full_fr = f"{name_vi} {place}", f"{name_en} {place}", f"{name_fr} {place}"
            products.append(
                {
                    "id": product_id,
                    "organisation_id": org_id,
                    "name_vi": full_vi,
                    "name_en": full_en,
                    "name_fr": full_fr,
                    "ocop_group": CATEGORIES[category][0],
                    "category": category,
                    "stars": stars,
                    "certificate_date": issued,
                    "certificate_status": "verified",  # checked by an organiser: in the catalogue
                    "certificate_expiry": issued + timedelta(days=1095),
                    "price_min": 50_000 + 1000 * rng.randrange(400),
                    "traceability_code": code,
                    "search_text": product_search_text(full_vi, full_en, full_fr, code, name),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if rng.random() < 0.6:
                standards.append({"product_id": product_id, "standard": rng.choice(("vietgap", "haccp"))})
    return organisations, products, standards


def _copy(connection, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    cursor = connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def seed_catalogue(engine_url: str, count: int, seed: int = SEED) -> None:
    """Empty the catalogue and load `count` products (and their producers) by COPY, deterministic."""
    from sqlalchemy import create_engine

    organisations, products, standards = _catalogue_rows(count, seed)
    engine = create_engine(engine_url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("TRUNCATE organisations, products, product_standards RESTART IDENTITY CASCADE")
        _copy(raw, "organisations", organisations)
        _copy(raw, "products", products)
        _copy(raw, "product_standards", standards)
        cursor.execute("SELECT setval('organisations_id_seq', %s)", (len(organisations),))
        cursor.execute("SELECT setval('products_id_seq', %s)", (len(products),))
        raw.commit()
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM ANALYZE organisations, products, product_standards")
    finally:
        raw.close()
        engine.dispose()


@contextmanager
def _session(engine_url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(engine_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _without_indexes(session) -> None:
    """The plan without any index: the sequential scan every search did before the trigram index."""
    session.execute(_text("SET LOCAL enable_bitmapscan = off"))
    session.execute(_text("SET LOCAL enable_indexscan = off"))


def _text(sql: str):
    from sqlalchemy import text

    return text(sql)


def _explain(session, statement) -> tuple[float, str]:
    """(server execution time in ms, plan) of a statement, by EXPLAIN ANALYZE."""
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    compiled = str(compiled).replace("%%", "%")  # psycopg's escaping, which text() adds again
    lines = session.execute(_text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars().all()
    ms = next(float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Execution Time"))
    return ms, "\n".join(lines)


def _wall_ms(session, statement, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.execute(statement).unique().all()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def _page_query(word: str, on: date, page_size: int):
    from app.catalog import services

    return services.catalogue_query(services.ProductFilters(text=word), on=on).limit(page_size)


def _old_facets(session, on: date) -> None:
    """The facets as two GROUP BY scans (before this change), the baseline."""
    from sqlalchemy import func, select

    from app.catalog import services
    from app.catalog.models import Organisation, Product

    condition = services.certified_condition(on)
    session.execute(
        select(Product.ocop_group, func.count()).where(condition).group_by(Product.ocop_group)
    ).all()
    session.execute(
        select(Organisation.province_code, func.count())
        .join(Product.organisation)
        .where(condition)
        .group_by(Organisation.province_code)
    ).all()


def _facets_ms(session, on: date, repeats: int) -> tuple[float, float]:
    from app.catalog import services

    def timed(function) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            times.append((time.perf_counter() - start) * 1000)
        return min(times)

    with _bound(session):
        new = timed(lambda: services.catalogue_facets(on))
    old = timed(lambda: _old_facets(session, on))
    return new, old


@contextmanager
def _bound(session):
    """`services` use Flask-SQLAlchemy's `db.session`: point it at this session for the call."""
    from app.extensions import db

    original = db.session
    db.session = session
    try:
        yield
    finally:
        db.session = original


def measure_search(
    engine_url: str = DEFAULT_URL,
    sizes=SIZES,
    *,
    words=SEARCH_WORDS,
    repeats: int = 5,
    page_size: int = 24,
    on: date = date(2027, 1, 15),
    seed: int = SEED,
) -> dict:
    """Seed each size and time the catalogue's search page query with and without the index.

    Returns {size: {"indexed_ms", "sequential_ms" (median server time over the words),
    "indexed_wall_ms", "sequential_wall_ms", "facets_ms", "facets_two_scans_ms",
    "index_used" (every word's plan used the trigram index), "words": {word: {...}}}}.
    The database must have the migrations applied; its catalogue is replaced.
    """
    results = {}
    for size in sizes:
        seed_catalogue(engine_url, size, seed)
        per_word = {}
        with _session(engine_url) as session:
            for word in words:
                statement = _page_query(word, on, page_size)
                for _ in range(2):  # warm the cache: both plans read the same pages
                    session.execute(statement).unique().all()
                indexed_ms, plan = _explain(session, statement)
                indexed_ms = min([indexed_ms] + [_explain(session, statement)[0] for _ in range(repeats - 1)])
                indexed_wall = _wall_ms(session, statement, repeats)
                session.rollback()
                _without_indexes(session)
                sequential_ms = min(_explain(session, statement)[0] for _ in range(repeats))
                sequential_wall = _wall_ms(session, statement, repeats)
                session.rollback()
                per_word[word] = {
                    "indexed_ms": indexed_ms,
                    "sequential_ms": sequential_ms,
                    "indexed_wall_ms": indexed_wall,
                    "sequential_wall_ms": sequential_wall,
                    "index_used": "_search_text_trgm" in plan,
                    "rows": len(session.execute(statement).unique().all()),
                }
            facets_ms, facets_old_ms = _facets_ms(session, on, repeats)
        results[size] = {
            key: statistics.median(figures[key] for figures in per_word.values())
            for key in ("indexed_ms", "sequential_ms", "indexed_wall_ms", "sequential_wall_ms")
        } | {
            "max_indexed_ms": max(figures["indexed_ms"] for figures in per_word.values()),
            "index_used": all(figures["index_used"] for figures in per_word.values()),
            "facets_ms": facets_ms,
            "facets_two_scans_ms": facets_old_ms,
            "words": per_word,
        }
    return results


# ---------------------------------------------------------------- import


def import_file(rows: int, seed: int = SEED) -> bytes:
    """A national file of `rows` products (CSV, the template's headers), new producers of 4 each."""
    from app.catalog.imports.read import cell_text
    from app.catalog.imports.services import TEMPLATE_COLUMNS
    from app.data.spreadsheets import csv_bytes

    rng = random.Random(seed + rows)
    header = [column.header for column in TEMPLATE_COLUMNS]
    lines = []
    for n in range(rows):
        producer = n // PRODUCTS_PER_PRODUCER
        name_vi, name_en, name_fr, category = PRODUCTS[(producer * 7 + n) % len(PRODUCTS)]
        if n % PRODUCTS_PER_PRODUCER == 0:
            home = _place(rng)
        place = _place(rng)
        values = {
            "producer_name": f"HTX Nông sản {home} {producer}",
            "producer_kind": "HTX",
            "tax_code": f"{5000000000 + producer}",
            "province": "Quảng Ninh" if producer % 2 else "Lạng Sơn",
            "commune": f"Xã {home}",
            "address": f"Thôn {producer % 13}, xã {home}",
            "phone": f"0203{producer:06d}",
            "email": f"htx{producer}@example.vn",
            "product_name_vi": f"{name_vi} {place} {n}",
            "product_name_en": f"{name_en} {place} {n}",
            "product_name_fr": f"{name_fr} {place} {n}",
            "ocop_group": None,
            "category": category,
            "stars": 3 + n % 3,
            "certificate_date": (date(2024, 1, 1) + timedelta(days=n % 700)).strftime("%d/%m/%Y"),
            "certificate_expiry": None,
            "standards": "VietGAP" if n % 2 else "HACCP",
            "capacity_per_month": 100 + n % 5000,
            "capacity_unit": "kg",
            "price_min": 50_000 + 1000 * (n % 300),
            "price_max": 400_000 + 1000 * (n % 300),
            "price_unit": "kg",
            "traceability_code": f"NAT-{n:06d}",
            "description_vi": f"Sản phẩm số {n}, sản xuất theo quy trình truyền thống.",
        }
        lines.append([cell_text(values.get(column.code)) for column in TEMPLATE_COLUMNS])
    return csv_bytes([header, *lines])


class _Counter:
    """Counts the SQL statements sent while it is open."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _tick(self, *_args):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._tick)


def _peak_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def _empty_catalogue(app) -> None:
    from sqlalchemy import delete

    from app.catalog.models import ImportBatch, Organisation
    from app.extensions import db
    from app.transaction import transaction

    with app.app_context(), transaction():
        db.session.execute(delete(ImportBatch))
        db.session.execute(delete(Organisation))


def _organiser(app):
    from sqlalchemy import select

    from app.accounts import services as accounts
    from app.accounts.models import User
    from app.extensions import db
    from app.transaction import transaction

    email = "bench-importer@example.vn"
    with app.app_context(), transaction():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(
                email=email, password=secrets.token_urlsafe(16), full_name="Bench importer", role="organiser"
            )
            db.session.flush()
        return user.id


def measure_import(app, rows: int = 20_000, *, memory: bool = True, seed: int = SEED) -> dict:
    """Read, preview and confirm (the job's write) a generated `rows`-row CSV in `app`'s database.

    The catalogue (organisations, products, import batches) is emptied first and after.
    Returns {"rows", "file_mb", "read_s" (the baseline: reading the file alone), "preview_s",
    "preview_queries", "confirm_s", "confirm_queries", "created", "progress_phases",
    "progress_updates", and when `memory`
    "read_peak_mb", "preview_peak_mb", "confirm_peak_mb"}.
    """
    from sqlalchemy import select

    from app.accounts.models import User
    from app.catalog.imports import read
    from app.catalog.imports import services as imports
    from app.extensions import db
    from app.tasks import progress
    from app.transaction import transaction

    class Reporter:
        """What the job's progress bar receives: the phase, and each advance of the row count."""

        def __init__(self):
            self.phases, self.advances = [], 0

        def phase(self, name, total=None):
            self.phases.append((name, total))

        def advance(self, by=1):
            self.advances += 1

    reporter = Reporter()
    content = import_file(rows, seed)
    filename = "national.csv"
    _empty_catalogue(app)
    user_id = _organiser(app)

    figures: dict = {"rows": rows, "file_mb": len(content) / 1024 / 1024}

    def read_only():
        with app.app_context():
            sheet = read.read(filename, content, max_rows=app.config["MAX_IMPORT_ROWS"])
            assert not sheet.file_errors, sheet.file_errors

    def preview():
        with app.app_context():
            report = imports.parse(filename, content)
            assert report.ok and report.counts["valid"] == rows, (report.file_errors, report.counts)
            return report

    def confirm():
        with app.app_context(), transaction():
            user = db.session.get(User, user_id)
            report = imports.parse(filename, content)
            batch = imports.create_batch(user, filename, content, report)
            db.session.flush()
            start = time.perf_counter()
            with _Counter(db.engine) as counter, progress.reporting(reporter):
                result = imports.apply(batch, user)
            return time.perf_counter() - start, counter.count, result

    start = time.perf_counter()
    read_only()
    figures["read_s"] = time.perf_counter() - start
    with app.app_context():
        engine = db.engine
    with _Counter(engine) as counter:
        start = time.perf_counter()
        preview()
        figures["preview_s"] = time.perf_counter() - start
    figures["preview_queries"] = counter.count
    figures["confirm_s"], figures["confirm_queries"], result = confirm()
    figures["created"] = result.created
    figures["progress_phases"], figures["progress_updates"] = list(reporter.phases), reporter.advances
    with app.app_context():
        from app.catalog.models import Product

        assert len(db.session.scalars(select(Product.id)).all()) == rows
    _empty_catalogue(app)
    if memory:
        figures["read_peak_mb"] = _peak_mb(read_only)
        figures["preview_peak_mb"] = _peak_mb(preview)
        figures["confirm_peak_mb"] = _peak_mb(confirm)
        _empty_catalogue(app)
    return figures


# ---------------------------------------------------------------- running it


def prepare_database(url: str) -> None:
    """Recreate the benchmark's own database and apply the migrations (`flask db upgrade`)."""
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    host = ["-h", make_url(url).host or "127.0.0.1", "-U", make_url(url).username or "postgres"]
    subprocess.run(["dropdb", *host, "--if-exists", name], check=True)
    subprocess.run(["createdb", *host, name], check=True)
    environment = os.environ | {"DATABASE_URL": url, "FLASK_APP": "wsgi", "SCHEDULER_ENABLED": "0"}
    flask = str(ROOT / ".venv" / "bin" / "flask")
    subprocess.run([flask, "db", "upgrade"], check=True, cwd=ROOT, env=environment, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help=f"an existing, migrated database (default: recreate {DEFAULT_URL})"
    )
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs (tracemalloc)")
    args = parser.parse_args()
    url = args.database_url or DEFAULT_URL
    if not args.database_url:
        prepare_database(url)

    if not args.skip_search:
        sizes = [int(size) for size in args.sizes.split(",")]
        results = measure_search(url, sizes)
        print("search: the catalogue's first page for a word (median over the words, ms)")
        print(
            f"{'products':>9} {'index':>8} {'no index':>9} {'index wall':>11} {'seq wall':>9}"
            f" {'worst idx':>10} {'facets':>7} {'2 scans':>8}  index used"
        )
        for size, figures in results.items():
            print(
                f"{size:>9} {figures['indexed_ms']:>8.2f} {figures['sequential_ms']:>9.2f}"
                f" {figures['indexed_wall_ms']:>11.2f} {figures['sequential_wall_ms']:>9.2f}"
                f" {figures['max_indexed_ms']:>10.2f} {figures['facets_ms']:>7.1f}"
                f" {figures['facets_two_scans_ms']:>8.1f}  {figures['index_used']}"
            )
        for size, figures in results.items():
            print(f"  {size} products, per word (server ms with index / without, rows on the page):")
            for word, each in figures["words"].items():
                print(
                    f"    {word!r:<24} {each['indexed_ms']:>7.2f} / {each['sequential_ms']:>7.2f}"
                    f"  {each['rows']:>3} rows  index {'used' if each['index_used'] else 'NOT used'}"
                )
        print("target: at most 20 ms at 170,000 products")

    if not args.skip_import:
        from app import create_app

        app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
        figures = measure_import(app, args.import_rows, memory=not args.no_memory)
        print()
        print(f"import: one CSV of {figures['rows']} rows ({figures['file_mb']:.1f} MB), new producers")
        print(f"{'step':>26} {'time s':>7} {'peak MiB':>9} {'queries':>8}")
        print(
            f"{'baseline: reading the file':>26} {figures['read_s']:>7.2f} "
            f"{figures.get('read_peak_mb', 0):>9.1f} {0:>8}"
        )
        print(
            f"{'preview (read+check+plan)':>26} {figures['preview_s']:>7.2f} "
            f"{figures.get('preview_peak_mb', 0):>9.1f} {figures['preview_queries']:>8}"
        )
        print(
            f"{'confirmation (the write)':>26} {figures['confirm_s']:>7.2f} "
            f"{figures.get('confirm_peak_mb', 0):>9.1f} {figures['confirm_queries']:>8}"
        )
        print(
            f"confirmation progress: phases {figures['progress_phases']}, "
            f"{figures['progress_updates']} advances (by chunk)"
        )
        print("targets: preview at most 10 s, confirmation at most 30 s")


if __name__ == "__main__":
    main()
