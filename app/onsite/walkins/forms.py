from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.data.provinces import province_choices
from app.data.vocab import BUYER_TYPES, CATEGORIES, PRODUCER_KINDS
from app.forms import AppForm

BLANK = [("", "—")]


class WalkInForm(AppForm):
    role = RadioField(
        _l("Comes as"),
        choices=[("buyer", _l("Buyer")), ("exhibitor", _l("Producer"))],
        default="buyer",
        validators=[DataRequired()],
    )
    name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    province_code = SelectField(_l("Province"), validators=[DataRequired()])
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    producer_kind = SelectField(_l("Kind of producer"), validators=[Optional()])
    buyer_type = SelectField(_l("Type of buyer"), validators=[Optional()])
    looking_for = SelectField(_l("A buyer looks for"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = BLANK + province_choices()
        self.producer_kind.choices = BLANK + [(code, label) for code, label in PRODUCER_KINDS.items()]
        self.buyer_type.choices = BLANK + [(code, label) for code, label in BUYER_TYPES.items()]
        self.looking_for.choices = BLANK + [(code, label) for code, (_group, label) in CATEGORIES.items()]
