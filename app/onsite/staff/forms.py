from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from app.forms import AppForm


class StaffForm(AppForm):
    email = EmailField(_l("Email of the account"), validators=[DataRequired(), Email(), Length(max=254)])


class RemoveStaffForm(AppForm):
    """Only the CSRF token: the confirmation page's button."""
