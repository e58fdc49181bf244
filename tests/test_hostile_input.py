"""No input gives a server error: every GET page, as every role, with hostile path and query values.

The crawl walks `app.url_map` (so a page added later is crawled too), fills each route's
path with ids of real rows (an event with a hall, booths, an approved exhibitor with a
product and an electronic booth, a buyer with a demand line, a matching session), then
replaces one path value at a time, and the query string, with values people and robots send:
numbers beyond the database's integers, negative numbers, NUL bytes, bytes that are not
UTF-8, 10,000 characters, a pile of combining accents, SQL- and HTML-looking text. It fails
on any 5xx and lists every URL that gave one. A few forms are posted with the same values.

Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL), where most of these errors came from.
"""

from __future__ import annotations

import re
from datetime import time
from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.booths.ebooths import services as ebooths
from app.catalog import services as catalog
from app.events.registrations import services as reg
from app.inputs import DB_INT_MAX, parse_id
from app.matching.sessions import services as sessions
from app.tasks.models import Task
from tests.booths.conftest import Fair
from tests.conftest import NOW

# Values as they appear in a URL (already percent-encoded where needed).
HUGE = ["99999999999", str(2**31), str(2**63), str(10**20), "9" * 5000]
HOSTILE = [
    *HUGE,
    "-1",
    "0",
    "1.5",
    "%00",  # NUL
    "a%00b",
    "%FF",  # not UTF-8
    "%ED%A0%80",  # a lone surrogate, UTF-8-encoded
    "%C0%AF",  # an overlong "/"
    quote("²"),  # a digit for str.isdigit(), not for int()
    quote("١٢"),  # Arabic-Indic digits: int() reads them
    "x" * 10_000,
    quote("e" + "\u0301" * 50),
    quote("' OR '1'='1' --"),
    quote('"><script>alert(1)</script>'),
    quote("%s%n{0}"),
]

# The crawl sends every value above, as one role (the event's organiser, who reaches the most
# pages, past their permission checks), to each path value of every route and, all query
# parameters at once, to every page that role can open. As every other role, it sends fewer:
# the values that still reach a view. A NUL or bytes that are not UTF-8 are refused before any
# view runs, and an `<int:...>` that is not a number in 0..2**31-1 matches no route, whoever asks.
EVERY_ROLE_INT = ["0", str(2**31 - 1)]
EVERY_ROLE = [
    "99999999999",
    str(10**20),
    "-1",
    "0",
    quote("²"),
    quote("١٢"),
    "x" * 10_000,
    quote("e" + "\u0301" * 50),
    quote("' OR '1'='1' --"),
    quote('"><script>alert(1)</script>'),
]
# Each query parameter of a list page alone (once per page): what one parameter could hide of another.
ONE_BY_ONE = [str(2**63), "-1", "x" * 10_000, quote("²"), quote("e" + "\u0301" * 50)]

# Routes not crawled: files served from disk by Werkzeug (`safe_join` keeps them in their folder).
SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}

# Every query parameter a page reads (grep `request.args` in app/), each sent with every hostile value.
QUERY_PARAMETERS = (
    "page",
    "per_page",
    "q",
    "sort",
    "group",
    "category",
    "province",
    "stars",
    "standard",
    "kind",
    "state",
    "role",
    "status",
    "hall",
    "session",
    "booth",
    "paper",
    "size",
    "download",
    "code",
    "next",
    "lang",
)

# The list pages: each of their query parameters is fuzzed alone too, the others left out.
LIST_PAGES = (
    "/catalogue",
    "/organisations",
    "/admin/users",
    "/events/",
    "/manage/events/",
    "/events/{slug}/booths",
    "/manage/events/{event_id}/booths",
    "/manage/events/{event_id}/registrations",
    "/manage/events/{event_id}/jobs",
    "/my/events/{slug}/producers",
)

_ARGUMENT = re.compile(r"<(?:([a-zA-Z_]+)(?:\([^)]*\))?:)?([a-zA-Z_]+)>")


class World:
    """Real rows for the path values that are not being fuzzed."""

    def __init__(self, db, make_user, make_producer, make_buyer, make_product, make_open_event):
        self.organiser = make_user(role="organiser")
        self.admin = make_user(role="admin")
        fair = Fair(db, self.organiser, make_producer, make_user, make_product, make_open_event)
        fair.add_booths(3)
        self.exhibitor, registration = fair.exhibitor()
        product = registration.product_rows[0].product
        self.buyer = make_user(role="buyer", organisation=make_buyer())
        line = catalog.save_demand_line(
            self.buyer, self.buyer.organisation, category="tea", monthly_volume=100, unit="kg", min_stars=3
        )
        buyer_registration = reg.register_as_buyer(self.buyer, fair.event, [line.id], now=NOW)
        reg.approve(self.organiser, buyer_registration, now=NOW)
        ebooth = ebooths.ensure_electronic_booth(registration)
        session = sessions.create_session(
            self.organiser, fair.event, day_start=time(8, 30), day_end=time(10, 0), tables=2
        )
        task_id = db.session.scalar(select(Task.id).limit(1))
        self.values = {
            "event_id": fair.event.id,
            "slug": fair.event.slug,
            "hall_id": fair.hall.id,
            "booth_id": fair.booths[0].id,
            "type_id": fair.standard.id,
            "registration_id": registration.id,
            "product_id": product.id,
            "organisation_id": self.exhibitor.organisation_id,
            "line_id": line.id,
            "ebooth_id": ebooth.id if ebooth else 1,
            "session_id": session.id,
            "user_id": self.exhibitor.id,
            "task_id": task_id or 1,
            "code": "VN-TRACE-1",
            "target": "registration_closed",
            "fmt": "png",
            "token": "nothing-here",
        }
        db.session.commit()


def path_of(rule: str, values: dict, fuzzed: str | None = None, hostile: str | None = None) -> str:
    def fill(match):
        name = match.group(2)
        if name == fuzzed:
            return hostile
        return quote(str(values.get(name, 1)), safe="")

    return _ARGUMENT.sub(fill, rule)


def get_routes(app):
    rules = [
        r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in SKIPPED_ENDPOINTS
    ]
    return sorted(rules, key=lambda r: r.rule)


@pytest.fixture()
def world(db, make_user, make_producer, make_buyer, make_product, make_open_event):
    return World(db, make_user, make_producer, make_buyer, make_product, make_open_event)


def _clients(app, world):
    clients = {"anonymous": app.test_client()}
    for role, user in (
        ("exhibitor", world.exhibitor),
        ("buyer", world.buyer),
        ("organiser", world.organiser),
        ("admin", world.admin),
    ):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
        assert response.status_code == 302, role
        clients[role] = client
    return clients


def _outcome(client, method: str, url: str, **kwargs) -> int | str:
    """The status code, or the exception a server error would have come from (tests propagate them)."""
    try:
        return client.open(url, method=method, **kwargs).status_code
    except Exception as error:  # what production answers with a 500
        return f"500 {type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"


def _failures(client, urls):
    failed = []
    for url in urls:
        outcome = _outcome(client, "GET", url)
        if isinstance(outcome, str) or outcome >= 500:
            failed.append(f"{outcome} GET {url[:160]}")
    return failed


def _crawl(client, rules, values, *, thorough: bool, done: set[str]) -> list[str]:
    """Every GET route with each path value replaced in turn, then, on the pages this client
    may open, every query parameter at once with each value; list pages' parameters one by one
    too, on the first crawl that can open them (`done`)."""
    urls = []
    readable = []
    for rule in rules:
        real = path_of(rule.rule, values)
        for match in _ARGUMENT.finditer(rule.rule):
            converter, name = match.groups()
            few = EVERY_ROLE_INT if converter == "int" else EVERY_ROLE
            hostile = HOSTILE if thorough else few
            urls.extend(path_of(rule.rule, values, name, value) for value in hostile)
        if _outcome(client, "GET", real) == 200:
            readable.append(real)
    for real in readable:
        query_values = HOSTILE if thorough else EVERY_ROLE
        urls.extend(real + "?" + "&".join(f"{p}={value}" for p in QUERY_PARAMETERS) for value in query_values)
    for page in LIST_PAGES:
        real = page.format(**values)
        if real in readable and real not in done:
            done.add(real)
            for parameter in QUERY_PARAMETERS:
                urls.extend(f"{real}?{parameter}={value}" for value in ONE_BY_ONE)
    return [*_failures(client, readable), *_failures(client, urls)]


def test_no_get_page_gives_a_server_error_whatever_its_path_and_query(app, world):
    rules = get_routes(app)
    failed = []
    done: set[str] = set()
    clients = _clients(app, world)
    for role in ("organiser", "anonymous", "exhibitor", "buyer", "admin"):
        crawled = _crawl(clients[role], rules, world.values, thorough=role == "organiser", done=done)
        failed.extend(f"{role}: {line}" for line in crawled)
    assert not failed, "\n".join(failed)


def test_a_nul_byte_or_bytes_that_are_not_utf8_answer_400_with_the_error_page(client, html):
    for url in (
        "/catalogue?q=%00",
        "/catalogue?q=caf%FF",
        "/catalogue?q=%ED%A0%80",
        "/trace/%00",
        "/trace/%FF",
        "/products/%00",
        "/events/a%00b",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert html(response).select_one("h1").get_text(strip=True) == "400", url
    response = client.post("/login", data={"email": "a\x00@example.vn", "password": "x"})
    assert response.status_code == 400
    response = client.post(
        "/login",
        data=b"email=a%FF%40example.vn&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    client.set_cookie("tracker", "a\x00b")
    assert client.get("/catalogue").status_code == 400


def test_text_in_other_scripts_and_combining_accents_is_still_welcome(client):
    for url in ("/catalogue?q=" + quote("Chè Thái Nguyên"), "/catalogue?q=" + quote("e" + "\u0301" * 50)):
        assert client.get(url).status_code == 200, url


def test_ids_beyond_the_databases_integers_are_not_found(client):
    for url in (f"/products/{DB_INT_MAX + 1}", "/products/99999999999", f"/organisations/{10**20}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/products/{DB_INT_MAX}").status_code == 404  # in range, no such row


def test_a_page_number_out_of_range_is_the_first_page(client, make_product):
    make_product()
    for page in ("99999999999999999999", "-3", "abc", "0"):
        assert client.get(f"/catalogue?page={page}").status_code == 200, page


def test_parse_id_takes_only_whole_numbers_in_the_databases_range():
    assert parse_id("42") == 42
    assert parse_id(" 42 ") == 42
    assert parse_id(7) == 7
    for value in ("", "-1", "4.2", "²", "١٢", str(DB_INT_MAX + 1), "9" * 5000, None, True, DB_INT_MAX + 1):
        assert parse_id(value) is None, value


# What each posted field gets in turn, the others keeping their ordinary values.
POST_VALUES = [
    str(10**20),
    str(2**31),
    "9" * 5000,
    "-1",
    "1e30",
    "NaN",
    "sNaN",
    "Infinity",
    "²",
    "x" * 10_000,
    "e" + "\u0301" * 50,
    "9999-12-31T23:59",
    "0001-01-01T00:00",
]


def test_posted_forms_with_hostile_values_give_no_server_error_and_nul_bytes_a_400(app, world):
    clients = _clients(app, world)
    v = world.values
    product = {
        "name_vi": "Chè",
        "ocop_group": "beverages",
        "category": "tea",
        "stars": "4",
        "certificate_date": "2026-06-01",
        "capacity_per_month": "100",
        "capacity_unit": "kg",
        "price_min": "1000",
        "price_max": "2000",
        "price_unit": "kg",
        "traceability_code": "VN-1",
    }
    event = {
        "slug": "hoi-cho-moi",
        "name_vi": "Hội chợ",
        "kind": "physical_fair",
        "timezone": "Asia/Ho_Chi_Minh",
        "exhibitor_capacity": "10",
        "buyer_capacity": "10",
        "starts_at": "2027-03-01T08:00",
        "ends_at": "2027-03-03T17:00",
        "exhibitor_registration_opens_at": "2027-01-20T08:00",
    }
    forms = {
        "exhibitor": [
            ("/my/products/new", product),
            (f"/my/products/{v['product_id']}/edit", product),
            (f"/events/{v['slug']}/apply", {"items": str(v["product_id"]), "message": "Xin chào"}),
            (
                f"/my/booths/{v['registration_id']}/request",
                {"booth_type": "1", "preference_1": "booth:1", "near": "1"},
            ),
            (f"/my/booths/{v['registration_id']}/pick", {"booth": "1", "booth_id": "1"}),
            (
                f"/events/{v['slug']}/booths/{v['ebooth_id']}/edit",
                {"products": str(v["product_id"]), "headline": "Chè"},
            ),
            (f"/my/events/{v['slug']}/matching/preference", {"counterpart": "1", "kind": "must"}),
            (f"/my/events/{v['slug']}/matching/availability", {"slots": "0"}),
        ],
        "buyer": [
            (
                "/my/demand/new",
                {"category": "tea", "monthly_volume": "100", "unit": "kg", "price_ceiling": "5000"},
            ),
            (f"/my/events/{v['slug']}/matching/ask", {"producer": "1"}),
            (f"/events/{v['slug']}/apply", {"items": str(v["line_id"])}),
        ],
        "organiser": [
            ("/manage/events/new", event),
            (f"/manage/events/{v['event_id']}/edit", event),
            (f"/manage/events/{v['event_id']}/halls", {"name": "H", "width_m": "20", "depth_m": "20"}),
            (
                f"/manage/events/{v['event_id']}/booths/new",
                {
                    "code": "Z-1",
                    "hall_id": str(v["hall_id"]),
                    "booth_type_id": str(v["type_id"]),
                    "x_m": "1",
                    "y_m": "1",
                },
            ),
            (
                f"/manage/events/{v['event_id']}/booths/generate",
                {
                    "hall_id": str(v["hall_id"]),
                    "booth_type_id": str(v["type_id"]),
                    "rows": "1",
                    "columns": "1",
                },
            ),
            (
                f"/manage/events/{v['event_id']}/booth-types",
                {"name": "T", "price_vnd": "1000", "width_m": "3"},
            ),
            (
                f"/manage/events/{v['event_id']}/matching/{v['session_id']}",
                {"tables": "3", "meeting_minutes": "20"},
            ),
            (f"/manage/events/{v['event_id']}/registrations/decide", {"ids": "1", "action": "approve"}),
            (f"/manage/events/{v['event_id']}/checkin", {"code": "ABC"}),
        ],
        "admin": [(f"/admin/users/{v['user_id']}", {"role": "buyer", "active": "1"})],
        "anonymous": [
            ("/login", {"email": "a@example.vn", "password": "x"}),
            ("/signup", {"email": "b@example.vn", "name": "HTX", "password": "correct horse 42"}),
            ("/catalogue", {"q": "chè"}),
        ],
    }
    failed = []
    for role, posts in forms.items():
        client = clients[role]
        for url, data in posts:
            for field in data:
                for value in POST_VALUES:
                    outcome = _outcome(client, "POST", url, data={**data, field: value})
                    if isinstance(outcome, str) or outcome >= 500:
                        failed.append(f"{role}: {outcome} POST {url} {field}={value[:20]}")
                outcome = _outcome(client, "POST", url, data={**data, field: "a\x00b"})
                if outcome != 400:
                    failed.append(f"{role}: {outcome} POST {url} {field}=NUL")
    assert not failed, "\n".join(failed)
