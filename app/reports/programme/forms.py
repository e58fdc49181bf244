"""The programme page's filters: a GET form (no CSRF: it changes nothing), each bad value
refused with a message beside its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

from app.data.provinces import CURRENT_OF, current_province_choices
from app.events.forms import EVENT_KIND_LABELS
from app.forms import AppForm
from app.reports.programme.services import WHEN, WHEN_LABELS, YEAR_MAX, YEAR_MIN, ProgrammeFilters


class ProgrammeFilterForm(AppForm):
    class Meta(AppForm.Meta):
        csrf = False

    year = SelectField(_l("Year"), validate_choice=False)
    province = SelectField(_l("Province"), validate_choice=False)
    kind = SelectField(_l("Kind of event"), validate_choice=False)
    when = SelectField(_l("Events"), validate_choice=False)

    def __init__(self, formdata, years: list[int]):
        super().__init__(formdata=formdata)
        shown = list(years)
        chosen = self._year()
        if chosen is not None and chosen not in shown:
            shown = sorted({*shown, chosen}, reverse=True)
        self.year.choices = [("", _l("All years")), *((str(y), str(y)) for y in shown)]
        self.province.choices = [("", _l("All provinces")), *current_province_choices()]
        self.kind.choices = [("", _l("All kinds")), *EVENT_KIND_LABELS.items()]
        self.when.choices = [(code, WHEN_LABELS[code]) for code in WHEN]
        if not self.when.data:
            self.when.data = "held"  # what happened, unless asked otherwise
        # An earlier province's code (Bắc Giang "24" before 2025...) stands for its current province.
        if self.province.data and self.province.data in CURRENT_OF:
            self.province.data = CURRENT_OF[self.province.data]

    def _year(self) -> int | None:
        text = (self.year.data or "").strip()
        if text.isascii() and text.isdigit() and len(text) <= 4 and YEAR_MIN <= int(text) <= YEAR_MAX:
            return int(text)
        return None

    def validate_year(self, field) -> None:
        if (field.data or "").strip() and self._year() is None:
            raise ValidationError(_l("Choose a year from %(low)s to %(high)s.", low=YEAR_MIN, high=YEAR_MAX))

    def validate_province(self, field) -> None:
        if field.data and field.data not in CURRENT_OF:
            raise ValidationError(_l("Unknown province: choose one from the list."))

    def validate_kind(self, field) -> None:
        if field.data and field.data not in EVENT_KIND_LABELS:
            raise ValidationError(_l("Unknown kind of event: choose one from the list."))

    def validate_when(self, field) -> None:
        if field.data not in WHEN:
            raise ValidationError(_l("Choose held, planned or all events."))

    def filters(self) -> ProgrammeFilters:
        """The filters of the fields that are valid (an invalid one is left out)."""
        province = (
            self.province.data if self.province.data in CURRENT_OF and not self.province.errors else None
        )
        kind = self.kind.data if self.kind.data in EVENT_KIND_LABELS and not self.kind.errors else None
        when = self.when.data if self.when.data in WHEN and not self.when.errors else "held"
        return ProgrammeFilters(year=self._year(), province=province or None, kind=kind or None, when=when)
