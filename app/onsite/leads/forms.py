from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from app.forms import AppForm


class LeadSharingForm(AppForm):
    lead_sharing = RadioField(
        _l("What exhibitors who scan your badge may see"),
        choices=[
            ("basic", _l("My name and organisation only")),
            ("contact", _l("Also my contact email and phone")),
        ],
        validators=[InputRequired()],
    )
