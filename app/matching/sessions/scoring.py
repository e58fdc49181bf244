"""Why two participants were matched, in the reader's language.

The pure scoring (app.matching.engine.scoring) keeps each term's notes as English msgids
with their parameters; this module translates them and shows the parameters with the
app's vocabularies (categories, standards, provinces, units), so it needs Flask-Babel and
app.catalog and can't live in the engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from flask import g, has_request_context
from flask_babel import format_decimal, get_locale, get_translations, gettext

from app import i18n
from app.data import vocab
from app.data.provinces import current_province_name
from app.matching.engine.scoring import EXCLUSION_REASONS, TERM_NAMES


def explain(breakdown: Mapping, *, with_weights: bool = False) -> list[str]:
    """The reasons of a score (PairScore.breakdown() or Meeting.why_json) in the current language."""
    lines = []
    translate = get_translations().ugettext  # once: Flask-Babel's gettext looks it up at each call
    colon = i18n.colon()  # "Category fit: ..."; "Affinité de catégorie : ..." in French
    for term in breakdown.get("terms", []):
        name = translate(TERM_NAMES.get(term["term"], term["term"]))
        notes = [
            _formatted(translate(note["msgid"]), _display_params(note["params"]))
            for note in term.get("notes", [])
        ]
        text = f"{name}{colon}{' '.join(notes)}"
        if with_weights:
            text += f" ({format_decimal(term['value'], '0.00')} × {format_decimal(term['weight'], '0.00')})"
        lines.append(text)
    outside = breakdown.get("outside_filters") or []
    if outside:
        reasons = ", ".join(gettext(EXCLUSION_REASONS[r]) for r in outside if r in EXCLUSION_REASONS)
        lines.append(gettext("Kept because it was requested, although: %(reasons)s.", reasons=reasons))
    return lines


def _formatted(text: str, params: dict) -> str:
    """What Flask-Babel's gettext(msgid, **params) gives once `text` is translated."""
    return text % params if params else text


def _memo() -> dict:
    """Labels and numbers already shown in this request (a page explains 50 meetings, whose
    reasons repeat the same categories, standards and provinces); none outside a request."""
    if not has_request_context():
        return {}
    memo = g.get("_explain_memo")
    if memo is None:
        memo = g._explain_memo = {}
    return memo


def _display_params(params: Mapping) -> dict:
    memo = _memo()

    def label(mapping: dict, code) -> str:
        key = (id(mapping), code)
        if key not in memo:
            memo[key] = vocab.label(mapping, code)
        return memo[key]

    def number(value) -> str:
        if not isinstance(value, int | float):
            return format_decimal(value)
        key = ("number", type(value), value)
        if key not in memo:
            memo[key] = format_decimal(value)
        return memo[key]

    shown = {}
    for key, value in params.items():
        if key == "category":
            shown[key] = label(vocab.CATEGORIES, value)
        elif key == "categories":
            shown[key] = ", ".join(label(vocab.CATEGORIES, v) for v in value)
        elif key == "standards":
            shown[key] = ", ".join(label(vocab.STANDARDS, v) for v in value)
        elif key == "province":  # the engine compares current provinces (sessions/services.py)
            shown[key] = current_province_name(value)
        elif key == "unit":
            shown[key] = label(vocab.UNITS, value)
        elif key == "event" and isinstance(value, Mapping):  # memory across events: its names
            locale = str(get_locale() or "vi")
            shown[key] = value.get(locale) or value.get("en") or value.get("vi") or ""
        elif key == "outcome":
            from app.matching.memory.services import OUTCOME_WORDS

            shown[key] = str(OUTCOME_WORDS.get(value, value))
        elif key in ("supply", "volume", "price", "ceiling") or (
            isinstance(value, float) and math.isfinite(value)
        ):
            shown[key] = number(value)
        else:
            shown[key] = value
    return shown
