"""On a 390×844 phone, in Vietnamese and in French, no page of the three journeys (visitor,
exhibitor, buyer, organiser) scrolls sideways: a failure names each page and its widest element."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.booths.models import ElectronicBooth
from app.catalog.models import Organisation, Product
from app.demo import services as demo
from app.events.models import Event, Registration
from app.matching.models import MatchingSession
from tests.browser_support import featured_and_waiting_products

pytestmark = pytest.mark.browser

SEED = 2025
ARTIFACTS = Path("test-artifacts")
PHONE = {"width": 390, "height": 844}

# The page's horizontal overflow and, when it has some, the element reaching furthest right
# (the outermost of those reaching as far), described by its tag, id and classes.
OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  let widest = null, right = width;
  // Inside a box that scrolls or clips sideways, an element is not the cause, unless it is
  // positioned out of that box (an absolute element whose containing block lies outside it).
  const positioned = (element) => getComputedStyle(element).position !== "static";
  const clipped = (element) => {
    let escapes = ["absolute", "fixed"].includes(getComputedStyle(element).position);
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      const clips = ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX);
      if (clips && (!escapes || positioned(up))) return true;
      if (escapes && positioned(up)) escapes = false;
      if (["absolute", "fixed"].includes(getComputedStyle(up).position)) escapes = true;
    }
    return false;
  };
  for (const element of document.body.querySelectorAll("*")) {
    if (clipped(element)) continue;
    const box = element.getBoundingClientRect();
    if (box.width && box.right > right + 0.5) { widest = element; right = box.right; }
  }
  const describe = (element) => {
    if (!element) return "?";
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    for (const cls of element.classList) name += "." + cls;
    const parent = element.parentElement;
    if (!parent || parent === document.body) return name;
    return describe(parent).split(" > ").slice(-2).join(" > ") + " > " + name;
  };
  return {scrollWidth: root.scrollWidth, clientWidth: width,
          widest: describe(widest), right: Math.round(right)};
}"""


def _journeys(db) -> dict[str, list[str]]:
    """The pages each person opens, by the demo login that opens them (None: a visitor)."""
    event = db.session.scalar(select(Event))
    session = db.session.scalar(select(MatchingSession).where(MatchingSession.event_id == event.id))
    product = db.session.scalar(select(Product).where(Product.traceability_code.is_not(None)).limit(1))
    ebooth = db.session.scalar(
        select(ElectronicBooth)
        .where(ElectronicBooth.event_id == event.id, ElectronicBooth.published)
        .limit(1)
    )
    exhibitor = db.session.scalar(
        select(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.event_id == event.id,
            Registration.role == "exhibitor",
            Organisation.name == demo.FEATURED_PRODUCER,
        )
    )
    own, waiting = featured_and_waiting_products(db)  # one certificate waits in the queue
    slug, manage = event.slug, f"/manage/events/{event.id}"
    return {
        "visitor": [
            "/",
            "/catalogue",
            f"/products/{product.id}",
            f"/organisations/{product.organisation_id}",
            "/organisations",
            "/events/",
            f"/events/{slug}",
            f"/events/{slug}/plan",
            f"/events/{slug}/booths",
            f"/events/{slug}/booths/{ebooth.id}",
            f"/trace/{product.traceability_code}",
            "/signup",
            "/login",
        ],
        "exhibitor": [
            "/my/products",
            "/my/products/new",
            f"/events/{slug}/apply",
            "/my/registrations",
            "/my/booths",
            f"/my/booths/{exhibitor.id}/request",
            f"/my/events/{slug}/ebooth",
            f"/my/events/{slug}/matching",
            f"/my/events/{slug}/agenda",
            f"/my/products/{own.id}/certificate",
            "/my/surveys",
            "/account/tokens",
            f"/onsite/leads/{event.id}/",
            f"/onsite/leads/{event.id}/list",
            f"/onsite/leads/{event.id}/sharing",
        ],
        "buyer": [
            "/my/demand",
            "/my/demand/new",
            f"/events/{slug}/apply",
            f"/my/events/{slug}/matching",
            f"/my/events/{slug}/producers",
            f"/my/events/{slug}/agenda",
            f"/onsite/leads/{event.id}/sharing",
            "/my/registrations",
            "/my/organisation",
            "/account",
        ],
        "organiser": [
            "/manage/events/",
            "/manage/events/new",
            manage,
            f"{manage}/edit",
            f"{manage}/registrations",
            f"{manage}/booths",
            f"{manage}/booth-requests",
            f"{manage}/matching",
            f"{manage}/matching/{session.id}",
            f"{manage}/matching/{session.id}/settings",
            f"{manage}/matching/{session.id}/people",
            f"{manage}/outcomes",
            f"{manage}/checkin",
            "/onsite/app/",
            f"{manage}/badges",
            f"{manage}/badges/print?paper=a4",
            f"{manage}/gate",
            f"{manage}/gate/counts",
            f"{manage}/walk-ins",
            f"{manage}/leads",
            f"{manage}/programme/new",
            f"{manage}/booth-types",
            f"{manage}/booth-allocation",
            f"{manage}/jobs",
            "/certificates",
            f"/certificates/{waiting.id}/reject",
            f"/certificates/{product.id}/reject",  # a verified one: revoking it
            f"{manage}/dashboard",
            f"{manage}/report",
            f"{manage}/exports",
            f"{manage}/followup",
            f"{manage}/webhooks",
            "/manage/programme",
        ],
    }


def _log_in(page, who: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", f"{who}@{demo.DEMO_DOMAIN}")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_no_page_of_the_journeys_scrolls_sideways_on_a_phone(browser, live_server, db):
    demo.load_demo(SEED)
    db.session.commit()
    journeys = _journeys(db)
    sideways, broken = [], []
    for lang in ("vi", "fr"):
        for who, paths in journeys.items():
            context = browser.new_context(base_url=live_server, viewport=PHONE, locale="vi-VN")
            context.set_default_timeout(15_000)
            page = context.new_page()
            if who != "visitor":
                _log_in(page, who)
            page.goto(f"/lang/{lang}")
            for path in paths:
                response = page.goto(path)
                if response.status >= 400:
                    broken.append(f"{lang} {who} {path}: {response.status}")
                    continue
                if path.endswith("/agenda"):  # the page a buyer carries at the fair, for a look
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"phone-agenda-{who}-{lang}.png"), full_page=True)
                overflow = page.evaluate(OVERFLOW)
                if overflow:
                    sideways.append(
                        f"{lang} {who} {path}: {overflow['scrollWidth']} px wide"
                        f" in {overflow['clientWidth']}, widest {overflow['widest']}"
                        f" (right edge {overflow['right']} px)"
                    )
            context.close()
    assert not broken, "pages of the journeys that did not open:\n" + "\n".join(broken)
    assert not sideways, "pages that scroll sideways on a 390 px phone:\n" + "\n".join(sideways)
