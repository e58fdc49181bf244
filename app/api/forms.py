"""The forms of the account page's API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    scope = RadioField(
        _l("Access"),
        choices=[("read", _l("Read only")), ("write", _l("Read and write"))],
        default="read",
        validators=[DataRequired()],
    )
    event_id = SelectField(_l("Events"), coerce=str, default="")
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
