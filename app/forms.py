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
