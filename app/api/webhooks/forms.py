"""The webhook form: the receiving address and the kinds of events it wants."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.api.webhooks.models import EVENT_TYPES
from app.api.webhooks.services import TYPE_LABELS
from app.forms import AppForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubscriptionForm(AppForm):
    """The address and the types are checked by the service too (it says which field is wrong)."""

    url = StringField(
        _l("Receiving address (https://)"),
        validators=[InputRequired(), Length(max=2000)],
        render_kw={"placeholder": "https://erp.example.vn/ocopfair/webhooks", "inputmode": "url"},
    )
    event_types = MultiCheckboxField(
        _l("Events to send"),
        choices=[(t, f"{t}: {TYPE_LABELS[t]}") for t in EVENT_TYPES],
        validate_choice=False,
    )
