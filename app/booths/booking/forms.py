"""What the booking pages read from their (plain HTML) forms, and where a refusal is shown.

The request and move pages are hand-written forms, not WTForms: these helpers turn what
was submitted into the values the services take, and `app.forms.PageMessage` is the `form`
given to `app.transaction.service_errors` so a refusal lands above the form, not in a flash.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.inputs import parse_id


def int_or_none(value) -> int | None:
    """An id from the form, or None (not a whole number, or beyond the database's integers)."""
    return parse_id(value)


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
