"""The base form: WTForms' own messages in the interface language, Vietnamese included.

WTForms ships French but no Vietnamese catalogue, so its built-in messages ("This field is
required.") are looked up in our catalogue first (where vi and fr are translated), then in
WTForms' own.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import DecimalField as _DecimalField
from wtforms.validators import ValidationError


class _Translations:
    """Our catalogue first (raw lookups: WTForms formats the values itself), then WTForms'."""

    def gettext(self, string: str) -> str:
        found = get_translations().ugettext(string)
        return found if found != string else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Our catalogue keeps the plural wording as a plain message (the limits here are > 1).
        wording = singular if n == 1 else plural
        found = get_translations().ugettext(wording)
        return found if found != wording else wtforms_translations.ngettext(singular, plural, n)


_TRANSLATIONS = _Translations()


class AppForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _TRANSLATIONS


class DecimalField(_DecimalField):
    """WTForms' DecimalField without the inputs that broke pages: "NaN" and "sNaN" (NumberRange
    fails on them with an exception), "Infinity", and numbers such as 1e30 that the form can't
    show again (quantize fails). They are "Not a valid decimal value."; no column holds 10**15."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and (not self.data.is_finite() or self.data.adjusted() >= 15):
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class FieldErrors:
    """Where attach_to_form puts a refusal about a field that a page lays out by hand (`errors`)."""

    def __init__(self) -> None:
        self.errors: list = []


class ErrorGroup(FieldErrors):
    """Where a refusal about several fields at once lands (a ServiceError whose field names the
    group, through attach_to_form): the fields are marked invalid with the message, and the
    summary (macros.html form_errors, from the form's `error_groups`) links to `target_id`."""

    def __init__(self, label, target_id: str, message_id: str) -> None:
        super().__init__()
        self.label = label
        self.target_id = target_id
        self.message_id = message_id


class PageMessage:
    """The `form` given to app.transaction.service_errors by a page whose form is laid out by
    hand: it keeps the refusal's message (`shown`) and, when the refusal is about one of the
    `fields` named (ServiceError.field), that field's name (`invalid_field`) so the page marks it
    (macros.html message_summary, invalid_attrs, field_message)."""

    def __init__(self, *fields: str) -> None:
        self.form_errors: list = []
        self._fields = {name: FieldErrors() for name in fields}
        for name, slot in self._fields.items():
            setattr(self, name, slot)

    @property
    def shown(self):
        """The message to show, or None."""
        messages = [*self.form_errors, *(m for slot in self._fields.values() for m in slot.errors)]
        return messages[0] if messages else None

    @property
    def invalid_field(self) -> str | None:
        """The name of the field the refusal is about, or None (a refusal of the whole form)."""
        if self.form_errors:
            return None
        return next((name for name, slot in self._fields.items() if slot.errors), None)


def within_years(form, field) -> None:
    """A date or time from 1900 to 2999: the year 1 or 9999 fails when moved between time zones."""
    if field.data is not None and not 1900 <= field.data.year <= 2999:
        raise ValidationError(field.gettext("Not a valid datetime value."))


# WTForms' built-in messages, listed so the extractor puts them in our catalogue.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid integer value."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Invalid input."),
    _l("Field must be equal to %(other_name)s."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Field must be at least %(min)d characters long."),
    _l("Field cannot be longer than %(max)d characters."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
)
