"""Security headers on every kind of response (app/security_headers.py), and templates that
work under the Content-Security-Policy: no inline handlers, no style attributes, every
<script> and <style> carrying the request's nonce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.tasks.models import Task

APP_DIR = Path(__file__).resolve().parents[1] / "app"
NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'")


def nonce_of(response) -> str:
    match = NONCE.search(response.headers["Content-Security-Policy"])
    assert match, response.headers["Content-Security-Policy"]
    return match.group(1)


def assert_secured(response) -> None:
    nonce = nonce_of(response)
    directives = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert directives == {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # not outside production


def test_every_kind_of_response_carries_the_security_headers(
    client, db, login, make_user, make_product, make_open_event, worker
):
    product = make_product()
    event = make_open_event()
    admin = make_user(role="admin")
    db.session.commit()

    responses = {
        "page": client.get("/catalogue"),
        "static file": client.get("/static/js/forms.js"),
        "Bootstrap's file": client.get("/bootstrap/static/js/bootstrap.min.js"),
        "404 page": client.get("/no-such-page"),
        "405 page": client.post("/catalogue"),
        "QR code PNG": client.get(f"/qr/product/{product.id}.png"),
        "calendar": client.get(f"/events/{event.slug}/programme.ics"),
    }
    login(admin)
    assert client.post("/admin/demo/load").status_code == 302  # a job, for its progress JSON
    task = db.session.scalar(select(Task))
    responses["progress JSON"] = client.get(f"/jobs/{task.id}/progress.json")

    kinds = {name: (response.status_code, response.mimetype) for name, response in responses.items()}
    assert kinds == {
        "page": (200, "text/html"),
        "static file": (200, "text/javascript"),
        "Bootstrap's file": (200, "text/javascript"),
        "404 page": (404, "text/html"),
        "405 page": (405, "text/html"),
        "QR code PNG": (200, "image/png"),
        "calendar": (200, "text/calendar"),
        "progress JSON": (200, "application/json"),
    }
    for name, response in responses.items():
        try:
            assert_secured(response)
        except (AssertionError, KeyError) as error:
            raise AssertionError(f"{name}: {error!r}") from error


def test_an_unexpected_error_page_carries_them_too(app, client, monkeypatch):
    from app.catalog import routes

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "render_template", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/catalogue")
    assert response.status_code == 500
    assert_secured(response)


def test_each_request_has_its_own_nonce_and_the_page_s_scripts_and_styles_carry_it(
    client, db, html, login, make_user, worker
):
    admin = make_user(role="admin")
    db.session.commit()
    login(admin)
    client.post("/admin/demo/load")  # its page now shows a progress bar, sized by a <style>

    first, second = client.get("/admin/demo"), client.get("/admin/demo")
    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        page = html(response)
        scripts, styles = page.find_all("script"), page.find_all("style")
        # Popper, Bootstrap, forms.js and jobs.js; the bar's width
        assert [s["src"].rsplit("/", 1)[-1] for s in scripts] == [
            "popper.min.js",
            "bootstrap.min.js",
            "forms.js",
            "jobs.js",
        ]
        assert len(styles) == 1 and "width: 100%" in styles[0].string  # a queued job: full, striped
        assert {tag.get("nonce") for tag in scripts + styles} == {nonce_of(response)}


def test_strict_transport_security_in_production_only(monkeypatch, tmp_path, client):
    assert "Strict-Transport-Security" not in client.get("/static/css/app.css").headers  # testing

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "TASKS_FOLDER": str(tmp_path / "tasks"),
    }
    production = create_app("production", **settings).test_client().get("/static/css/app.css")
    assert production.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert production.headers["X-Frame-Options"] == "DENY"

    development = create_app("development", **settings).test_client().get("/static/css/app.css")
    assert "Strict-Transport-Security" not in development.headers
    assert development.headers["X-Frame-Options"] == "DENY"


# ---------------------------------------------------------------- templates under the policy

TEMPLATES = sorted((APP_DIR / "templates").rglob("*.html"))
HANDLER = re.compile(r"""[\s"'(,]on[a-z]+\s*=\s*["'{]""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""[\s"'(,]style\s*=\s*["'{]""", re.IGNORECASE)
OPENING_TAG = re.compile(r"<(script|style)\b[^>]*>", re.IGNORECASE)
WITH_NONCE = 'nonce="{{ csp_nonce() }}"'


def csp_breaches(text: str) -> list[str]:
    """What in a template the policy would refuse: handlers, javascript: URLs, style
    attributes, and <script> or <style> elements without the request's nonce."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if HANDLER.search(line):
            found.append(f"{number}: inline event handler: {line.strip()}")
        if "javascript:" in line.lower():
            found.append(f"{number}: javascript: URL: {line.strip()}")
        if STYLE_ATTRIBUTE.search(line):
            found.append(f"{number}: style attribute (use a class in app.css): {line.strip()}")
        for tag in OPENING_TAG.finditer(line):
            if WITH_NONCE not in tag.group(0):
                found.append(f"{number}: <{tag.group(1)}> without {WITH_NONCE}: {line.strip()}")
    return found


@pytest.mark.parametrize(
    "markup",
    [
        "<form onsubmit=\"return confirm('?')\">",
        "<button type=button onclick='window.print()'>",
        '<input onfocus="this.select()" readonly>',
        '<a href="javascript:void(0)">',
        '<div class="progress-bar" style="width: 40%">',
        "<script>alert(1)</script>",
        '<script src="/static/js/x.js"></script>',
        "<style>@page { size: A4 }</style>",
        "{{ render_field(form.sort, onchange='this.form.submit()') }}",
    ],
)
def test_the_template_check_finds_what_the_policy_refuses(markup):
    assert csp_breaches(markup)


def test_the_template_check_lets_nonced_and_wired_markup_through():
    assert not csp_breaches(
        '<script src="/static/js/forms.js" nonce="{{ csp_nonce() }}"></script>\n'
        '<style media="print" nonce="{{ csp_nonce() }}">@page { size: A4 }</style>\n'
        '<form data-confirm="Remove this meeting?" data-disable-on-submit>\n'
        '<select name="sort" data-autosubmit><option>one</option></select>\n'
        "<p>Online product week: the exhibitors' booths.</p>"
    )


def test_no_template_has_inline_handlers_style_attributes_or_scripts_without_the_nonce():
    assert len(TEMPLATES) > 50
    found = {str(path.relative_to(APP_DIR)): csp_breaches(path.read_text()) for path in TEMPLATES}
    breaches = {path: lines for path, lines in found.items() if lines}
    assert breaches == {}
