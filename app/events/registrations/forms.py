"""Forms and labels of the registration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import AppForm

REGISTRATION_STATUS_LABELS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "waitlisted": _l("Waiting list"),
    "withdrawn": _l("Withdrawn"),
}


class ApplyForm(AppForm):
    """The apply page. The chosen products or demand lines are check boxes the view reads from
    the request (their choices depend on the organisation); the form carries the service's
    refusal, shown above the list."""


class ReasonForm(AppForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
