"""Playwright driving Debian's Chromium; tests skip with one line when it is missing.

Every browser context a test opens (the `page` fixture's, and any from `browser.new_context`)
is watched for Content-Security-Policy violations: the page's `securitypolicyviolation`
events and Chromium's "Refused to ..." console errors. A test whose pages broke the policy
fails at its end, with what was refused on which page (`csp_watch` holds them).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need playwright (make test installs it)"
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "browser tests need Chromium: apt-get install -y chromium"
    return None


# Runs in every page and frame before its own scripts: reports each violation to Python.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__reportCspViolation({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ":" + event.lineNumber,
    page: document.location.href,
  });
});
"""


class CspWatch:
    """What the pages of one test refused under the Content-Security-Policy, and their console."""

    def __init__(self):
        self.violations: list[dict] = []
        self.console: list[str] = []

    def attach(self, context) -> None:
        context.expose_binding("__reportCspViolation", lambda _source, report: self.violations.append(report))
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("page", self._watch)

    def _watch(self, tab) -> None:
        tab.on("console", lambda message: self.console.append(f"{message.type}: {message.text} ({tab.url})"))

    def refused(self) -> list[str]:
        """Every violation, from the page's events and from the console."""
        events = [
            f"{v['directive']} refused {v['blocked'] or v['sample']!r} on {v['page']} ({v['source']})"
            for v in self.violations
        ]
        logged = [
            line for line in self.console if line.startswith("error:") and "Content Security Policy" in line
        ]
        return events + logged

    def clear(self) -> None:
        self.violations.clear()
        self.console.clear()


class WatchedBrowser:
    """The session's Chromium, whose every new context reports to the test's CspWatch."""

    def __init__(self, chromium, watch: CspWatch):
        self._chromium = chromium
        self._watch = watch

    def new_context(self, **options):
        context = self._chromium.new_context(**options)
        self._watch.attach(context)
        return context

    def __getattr__(self, name):
        return getattr(self._chromium, name)


@pytest.fixture()
def csp_watch():
    watch = CspWatch()
    yield watch
    refused = watch.refused()
    assert not refused, "the Content-Security-Policy refused:\n" + "\n".join(refused)


@pytest.fixture()
def browser(chromium, csp_watch):
    return WatchedBrowser(chromium, csp_watch)


@pytest.fixture(scope="session")
def chromium():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def featured_and_waiting_products(db):
    """On the demo data: the featured producer's first product, and the newest product put back
    in the certificates queue (the demo verifies every certificate), so the queue has a row."""
    from sqlalchemy import select

    from app import clock
    from app.catalog.models import Organisation, Product
    from app.demo import services as demo

    own = db.session.scalar(
        select(Product)
        .join(Organisation, Organisation.id == Product.organisation_id)
        .where(Organisation.name == demo.FEATURED_PRODUCER)
        .order_by(Product.id)
        .limit(1)
    )
    waiting = db.session.scalars(select(Product).order_by(Product.id.desc())).first()
    waiting.certificate_status = "pending"
    waiting.certificate_submitted_at = clock.now()
    db.session.commit()
    return own, waiting
