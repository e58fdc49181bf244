"""What the booking pages read from their (plain HTML) forms, and where a refusal is shown.

The request and move pages are hand-written forms, not WTForms: these helpers turn what
was submitted into the values the services take, and `PageMessage` is the `form` given to
`app.transaction.service_errors` so a refusal lands above the form instead of in a flash.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.inputs import parse_id


def int_or_none(value) -> int | None:
    """An id from the form, or None (not a whole number, or beyond the database's integers)."""
    return parse_id(value)


class _FieldErrors:
    """What attach_to_form appends a field's refusal to."""

    def __init__(self) -> None:
        self.errors: list = []


class PageMessage:
    """Collects a ServiceError's message for a page that shows it above its form (as `error`).

    The field names given are the service's (ServiceError.field): a refusal about one of them is
    remembered with it (`invalid_field`) so the page can mark that field invalid.
    """

    def __init__(self, *fields: str) -> None:
        self.form_errors: list = []
        self._fields = {name: _FieldErrors() for name in fields}
        for name, slot in self._fields.items():
            setattr(self, name, slot)

    @property
    def shown(self):
        """The message to show, or None."""
        messages = [*self.form_errors, *(m for slot in self._fields.values() for m in slot.errors)]
        return messages[0] if messages else None

    @property
    def invalid_field(self) -> str | None:
        """The name of the field the refusal is about, or None (a refusal of the whole form)."""
        if self.form_errors:
            return None
        return next((name for name, slot in self._fields.items() if slot.errors), None)


def request_values(existing) -> dict:
    """The booth request form's values from the registration's current request (or empty)."""
    values = {
        "booth_type": existing.booth_type_id if existing else None,
        "preferences": ["", "", ""],
        "near": [],
        "away": [],
        "note": existing.note if existing else "",
    }
    if existing:
        for pref in existing.preferences[:3]:
            values["preferences"][pref.rank - 1] = (
                f"booth:{pref.booth_id}" if pref.booth_id is not None else f"zone:{pref.zone}"
            )
        values["near"] = [p.organisation_id for p in existing.proximities if p.kind == "near"]
        values["away"] = [p.organisation_id for p in existing.proximities if p.kind == "away"]
    return values


def submitted_request_values(form: Mapping) -> dict:
    """The booth request form's values as submitted (`form` is request.form)."""
    return {
        "booth_type": int_or_none(form.get("booth_type")),
        "preferences": [form.get(f"preference_{rank}", "") for rank in (1, 2, 3)],
        "near": [int_or_none(v) for v in form.getlist("near") if int_or_none(v)],
        "away": [int_or_none(v) for v in form.getlist("away") if int_or_none(v)],
        "note": form.get("note", ""),
    }
