"""The follow-up forms: the organiser's two delays, and one meeting's survey answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.followup.services import MAX_WAVE_DAYS, RESULT_LABELS
from app.forms import AppForm


class WavesForm(AppForm):
    first_wave_days = IntegerField(
        _l("First survey: days after the event's last day"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_WAVE_DAYS)],
    )
    second_wave_days = IntegerField(
        _l("Second survey: days after the event's last day"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_WAVE_DAYS)],
    )


class AnswerForm(AppForm):
    """Checked by the service (followup.services.answer), which says which field is wrong: the
    radio lists accept any value here so a bad one gets the service's clear message."""

    result = RadioField(
        _l("What came of the meeting?"),
        choices=[(key, label) for key, label in RESULT_LABELS.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    value_vnd = StringField(
        _l("Value (VND)"),
        description=_l("Required for a contract; optional for an order."),
        validators=[Optional(), Length(max=40)],
        render_kw={"inputmode": "numeric", "placeholder": "150.000.000"},
    )
    rating = RadioField(
        _l("How good was the match? (1 = poor, 5 = excellent)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        validate_choice=False,
        validators=[Optional()],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
