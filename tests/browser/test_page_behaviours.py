"""In Chromium, under the site's Content-Security-Policy: inline code is refused (and the watch
every journey carries sees it), and forms.js does what the inline handlers used to."""

from __future__ import annotations

import pytest

from app.security_headers import content_security_policy

pytestmark = pytest.mark.browser

# A page of the site's origin (served by page.route) holding each wired control, under the
# site's policy; its nonce is on no tag, so only files from 'self' run.
FORMS_PAGE = """<!doctype html>
<html><body>
<form id="remove" method="post" action="/sent" data-confirm="Remove this meeting?">
  <button type="submit">Remove</button></form>
<form id="run" method="post" action="/sent" data-disable-on-submit>
  <button type="submit">Run</button><button type="button">Other</button></form>
<form id="sorting" method="get" action="/sorted">
  <select name="sort" data-autosubmit>
    <option value="stars">Stars</option><option value="name">Name</option></select>
</form>
<input type="checkbox" id="all" data-check-all="input[name=ids]:not(:disabled)">
<input type="checkbox" name="ids" value="1"><input type="checkbox" name="ids" value="2">
<input type="checkbox" name="ids" value="3" disabled>
<button type="button" id="print" data-print><span>Print</span></button>
<input id="feed" type="text" readonly value="webcal://example.test/feed.ics" data-select-on-focus>
<script src="/static/js/forms.js"></script>
</body></html>"""

# After forms.js's listener: note what became of each submit, and stay on the page.
RECORD_SUBMITS = """() => {
  window.submits = [];
  document.addEventListener("submit", function (event) {
    window.submits.push({form: event.target.id, sent: !event.defaultPrevented,
                         disabled: Array.from(event.target.querySelectorAll("button"), b => b.disabled)});
    event.preventDefault();
  });
  window.printed = 0;
  window.print = function () { window.printed += 1; };
}"""


@pytest.fixture()
def forms_page(page, live_server):
    page.route(
        f"{live_server}/forms-test",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": content_security_policy("not-on-any-tag")},
            body=FORMS_PAGE,
        ),
    )
    page.route(f"{live_server}/sorted?*", lambda route: route.fulfill(status=200, body="sorted"))
    page.goto("/forms-test")
    page.wait_for_function("document.readyState === 'complete'")
    page.evaluate(RECORD_SUBMITS)
    return page


def test_the_watch_sees_what_the_policy_refuses(page, csp_watch):
    page.goto("/catalogue")
    ran = page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
          document.body.setAttribute("style", "background: red");
          const button = document.createElement("button");
          button.setAttribute("onclick", "window.ran = true");
          document.body.append(button);
          button.click();
          return window.ran === true || getComputedStyle(document.body).backgroundColor === "rgb(255, 0, 0)";
        }"""
    )
    assert ran is False  # neither the script, the handler nor the style attribute took effect
    for _ in range(100):  # the reports reach Python as Playwright's events
        if len({v["directive"] for v in csp_watch.violations}) >= 3:
            break
        page.wait_for_timeout(50)
    directives = sorted({v["directive"] for v in csp_watch.violations})
    assert directives == ["script-src-attr", "script-src-elem", "style-src-attr"]
    assert any("Content Security Policy" in line for line in csp_watch.console)
    csp_watch.clear()  # refused on purpose: the test passes


def test_a_confirmation_keeps_the_form_unsent_unless_accepted(forms_page):
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    forms_page.once("dialog", dismiss)
    forms_page.click("#remove button")
    forms_page.once("dialog", lambda dialog: dialog.accept())
    forms_page.click("#remove button")
    assert messages == ["Remove this meeting?"]
    assert forms_page.evaluate("window.submits") == [
        {"form": "remove", "sent": False, "disabled": [False]},
        {"form": "remove", "sent": True, "disabled": [False]},
    ]


def test_a_form_s_button_is_disabled_once_sent(forms_page):
    forms_page.click("#run button[type=submit]")
    # as before: the form's first button, the one that sends it
    assert forms_page.evaluate("window.submits") == [{"form": "run", "sent": True, "disabled": [True, False]}]


def test_a_choice_sends_its_form(forms_page, live_server):
    with forms_page.expect_navigation(url=f"{live_server}/sorted?sort=name"):
        forms_page.select_option("select[name=sort]", "name")


def test_tick_all_print_and_select_on_focus(forms_page):
    forms_page.click("#all")
    ticked = "Array.from(document.querySelectorAll('input[name=ids]'), box => box.checked)"
    assert forms_page.evaluate(ticked) == [True, True, False]  # a disabled box stays as it was
    forms_page.click("#all")
    assert forms_page.evaluate(ticked) == [False, False, False]

    forms_page.click("#print span")
    assert forms_page.evaluate("window.printed") == 1

    forms_page.focus("#feed")
    selected = forms_page.evaluate(
        "(() => { const f = document.getElementById('feed');"
        " return [f.selectionStart, f.selectionEnd, f.value.length]; })()"
    )
    assert selected[0] == 0 and selected[1] == selected[2] > 0


def test_the_catalogue_re_sorts_when_the_order_is_chosen(page, make_product, db):
    make_product()
    db.session.commit()
    page.goto("/catalogue")
    with page.expect_navigation(url="**/catalogue?*sort=name*"):
        page.select_option("#sort", "name")
    assert page.locator("#sort").input_value() == "name"
