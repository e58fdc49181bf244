from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.forms import AppForm


class LoginForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in"))


class ChangePasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    # how long and how common: checked by the service (app/accounts/passwords.py), with the reason
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])


class ResetPasswordForm(AppForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


LANGUAGE_CHOICES = [("vi", "Tiếng Việt"), ("en", "English"), ("fr", "Français")]


class LanguageForm(AppForm):
    locale = SelectField(
        _l("Language of my mail and pages"),
        choices=LANGUAGE_CHOICES,
        description=_l("The language switch at the top of the page only changes this visit."),
    )


class ConfirmForm(AppForm):
    """A button and its CSRF token, for actions confirmed on their own page."""
