from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.catalog.vocab import BUYER_TYPES, PRODUCER_KINDS, choices
from app.data.provinces import province_choices
from app.forms import AppForm


class LoginForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in"))


class SignupForm(AppForm):
    role = RadioField(
        _l("I am"),
        choices=[("exhibitor", _l("a producer (exhibitor)")), ("buyer", _l("a buyer"))],
        default="exhibitor",
        validators=[DataRequired()],
    )
    full_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    organisation_name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    producer_kind = SelectField(
        _l("Kind of producer"), choices=[("", "—"), *choices(PRODUCER_KINDS)], validators=[Optional()]
    )
    buyer_type = SelectField(
        _l("Type of buyer"), choices=[("", "—"), *choices(BUYER_TYPES)], validators=[Optional()]
    )
    province_code = SelectField(_l("Province"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [("", "—"), *province_choices()]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.role.data == "exhibitor" and not self.producer_kind.data:
            self.producer_kind.errors.append(_l("Choose the kind of producer."))
            ok = False
        if self.role.data == "buyer" and not self.buyer_type.data:
            self.buyer_type.errors.append(_l("Choose the type of buyer."))
            ok = False
        return ok


class ChangePasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
