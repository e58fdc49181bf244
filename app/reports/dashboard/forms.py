"""The dashboard's filters: a GET form (no CSRF token: it changes nothing)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from app.data.provinces import CURRENT_PROVINCES, current_province_choices
from app.data.vocab import BUYER_TYPES
from app.forms import AppForm
from app.reports.dashboard.services import Filters


class DashboardFilterForm(AppForm):
    class Meta(AppForm.Meta):
        csrf = False

    role = SelectField(_l("Role"), validate_choice=False)
    buyer_type = SelectField(_l("Buyer type"), validate_choice=False)
    province = SelectField(_l("Province"), validate_choice=False)
    date_from = StringField(_l("From"), render_kw={"type": "date"})
    date_to = StringField(_l("To"), render_kw={"type": "date"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = ("", _l("All"))
        self.role.choices = [everyone, ("exhibitor", _l("Exhibitors")), ("buyer", _l("Buyers"))]
        self.buyer_type.choices = [everyone, *BUYER_TYPES.items()]
        self.province.choices = [everyone, *current_province_choices()]

    def validate_role(self, field):
        if field.data and field.data not in ("exhibitor", "buyer"):
            raise ValidationError(_l("Choose exhibitors, buyers or all."))

    def validate_buyer_type(self, field):
        if field.data and field.data not in BUYER_TYPES:
            raise ValidationError(_l("Choose a buyer type from the list."))

    def validate_province(self, field):
        if field.data and field.data not in CURRENT_PROVINCES:
            raise ValidationError(_l("Choose one of the 34 current provinces."))

    def validate_date_from(self, field):
        if field.data and _parse(field.data) is None:
            raise ValidationError(_l("Give a date as YYYY-MM-DD, from 1900 to 2999."))

    def validate_date_to(self, field):
        if field.data and _parse(field.data) is None:
            raise ValidationError(_l("Give a date as YYYY-MM-DD, from 1900 to 2999."))
        start, end = _parse(self.date_from.data), _parse(field.data)
        if start and end and start > end:
            raise ValidationError(_l("The end of the range comes before its start."))

    def filters(self) -> Filters:
        """The filters that passed their checks (a refused one is left out, its message shown)."""

        def ok(field, value):
            return value if value and not field.errors else None

        return Filters(
            role=ok(self.role, self.role.data),
            buyer_type=ok(self.buyer_type, self.buyer_type.data),
            province=ok(self.province, self.province.data),
            date_from=ok(self.date_from, _parse(self.date_from.data)) if not self.date_to.errors else None,
            date_to=ok(self.date_to, _parse(self.date_to.data)),
        )


def _parse(text: str | None) -> date | None:
    """A date typed as YYYY-MM-DD, within 1900-2999 (a timeline reaches two years back from
    its end, which must stay a date), else None."""
    try:
        day = date.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None
    return day if day is None or 1900 <= day.year <= 2999 else None
