"""The forum's forms: a participant's request (with its note) and the organiser's added pair."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app.matching.forum.services import NOTE_MAX, PART_LABELS


class RequestForm(FlaskForm):
    """Ask another participant for a meeting (one form per card)."""

    other = HiddenField(validators=[InputRequired()])
    note = StringField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l("What you would like to talk about."),
    )


def _part_choices():
    return [
        ("", PART_LABELS[None]),
        ("morning", PART_LABELS["morning"]),
        ("afternoon", PART_LABELS["afternoon"]),
    ]


class PairForm(FlaskForm):
    """The organiser adds a pair of participants: accepted at once."""

    first = SelectField(_l("First participant"), coerce=int, validators=[InputRequired()])
    second = SelectField(_l("Second participant"), coerce=int, validators=[InputRequired()])
    part_of_day = SelectField(_l("When"), validators=[Optional()])

    def __init__(self, participants: list[tuple[int, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(0, _l("Choose…")), *participants]
        self.first.choices = choices
        self.second.choices = choices
        self.part_of_day.choices = _part_choices()
