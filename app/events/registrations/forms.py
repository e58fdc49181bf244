"""Forms and labels of the registration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import AppForm, FieldErrors

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
    refusal, shown above the list, and marks the check boxes when the refusal is about them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.products = FieldErrors()  # the services' names for the check boxes "items"
        self.demand_lines = FieldErrors()

    @property
    def items_errors(self) -> list:
        return [*self.products.errors, *self.demand_lines.errors]


class ReasonForm(AppForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
