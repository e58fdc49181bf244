"""The electronic booth's edit form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional

from app.forms import AppForm


class EboothForm(AppForm):
    """Headline and contacts; the products come as `products` (ids) and `position-<id>` fields."""

    headline_vi = StringField(_l("Headline in Vietnamese"), validators=[Optional(), Length(max=200)])
    headline_en = StringField(_l("Headline in English"), validators=[Optional(), Length(max=200)])
    headline_fr = StringField(_l("Headline in French"), validators=[Optional(), Length(max=200)])
    show_phone = BooleanField(_l("Show our phone number"))
    show_email = BooleanField(_l("Show our e-mail address"))
