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
