"""Reading parsed pages: the error next to a form field, the flash messages, the catalogue's cards."""

from __future__ import annotations

from tests.conftest import text_of


def field_error(page, name: str) -> str:
    """The error shown in the block of the form field called `name` ("" when it has none).

    bootstrap-flask renders each field in its own `div.mb-3` with the field's `.invalid-feedback`;
    an error elsewhere on the page (another field's, the form's) is not this field's."""
    field = page.find(attrs={"name": name})
    assert field is not None, f"no form field named {name!r}"
    block = field.find_parent("div", class_="mb-3")
    assert block is not None, f"field {name!r} is not in a field block"
    return " ".join(text_of(error) for error in block.select(".invalid-feedback"))


def flashes(page) -> list[str]:
    """The texts of the flash messages shown at the top of the page."""
    return [text_of(alert) for alert in page.select("main > .alert-dismissible")]


def check_invalid_fields(page, names) -> None:
    """After a failed submit: each named field is marked invalid, its aria-describedby names
    elements with its message, the summary (an alert) links to it, and no other field is marked."""
    summary = page.select_one("[data-error-summary]")
    assert summary is not None and summary["role"] == "alert"
    linked = [a["href"] for a in summary.select("a")]
    for name in names:
        field = page.select_one(f'[name="{name}"]')
        assert field["aria-invalid"] == "true", name
        described = field["aria-describedby"].split()
        assert described, name
        for element_id in described:
            message = page.find(id=element_id)
            assert message is not None and text_of(message), (name, element_id)
        assert f"#{field['id']}" in linked  # the summary leads to the field
    valid = [
        f
        for f in page.select("form input[aria-invalid], form select[aria-invalid]")
        if f["name"] not in names
    ]
    assert valid == []
