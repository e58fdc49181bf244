"""Forms and labels of the organisers' event pages (events, halls, programme)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.data.provinces import province_choices
from app.forms import AppForm, DecimalField, within_years
from app.inputs import MAX_METRES, MAX_PLACES

EVENT_KIND_LABELS = {
    "physical_fair": _l("Physical fair"),
    "goods_week": _l("Vietnamese-goods week"),
    "conference": _l("Buyer–supplier conference"),
    "online_week": _l("Online product week"),
    "hybrid": _l("Hybrid (physical fair with an online part)"),
}
PROGRAMME_KIND_LABELS = {
    "opening": _l("Opening ceremony"),
    "seminar": _l("Seminar"),
    "tasting": _l("Tasting"),
    "matchmaking": _l("B2B matchmaking session"),
    "award": _l("Award ceremony"),
    "other": _l("Other"),
}
STATE_LABELS = {
    "draft": _l("Draft"),
    "registration_open": _l("Registration open"),
    "registration_closed": _l("Registration closed"),
    "scheduled": _l("Scheduled"),
    "running": _l("Running"),
    "finished": _l("Finished"),
    "cancelled": _l("Cancelled"),
}
MOVE_LABELS = {
    "registration_open": _l("Open registration"),
    "registration_closed": _l("Close registration"),
    "scheduled": _l("Mark as scheduled"),
    "running": _l("Start the event"),
    "finished": _l("Finish the event"),
    "cancelled": _l("Cancel the event"),
}
LOCAL = "%Y-%m-%dT%H:%M"


def _local_field(label, required=False):
    validators = [InputRequired()] if required else [Optional()]
    return DateTimeLocalField(label, format=LOCAL, validators=[*validators, within_years])


# What 0 places means in app/events/registrations/services.py (_place): no room among the approved.
PLACES_HINT = _l("0 = no places yet: every registration goes on the waiting list.")


class EventForm(AppForm):
    kind = SelectField(_l("Kind of event"), validators=[DataRequired()])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=80)],
        description=_l(
            "Optional: left empty, it is made from the Vietnamese name. "
            "Lower-case letters, digits and dashes: /events/<address>"
        ),
    )
    timezone = StringField(_l("Time zone"), default="Asia/Ho_Chi_Minh", validators=[DataRequired()])
    starts_at = _local_field(_l("Starts (local time)"), required=True)
    ends_at = _local_field(_l("Ends (local time)"), required=True)
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Venue address"), validators=[Optional(), Length(max=300)])
    province_code = SelectField(_l("Province"), validators=[Optional()])
    exhibitor_capacity = IntegerField(
        _l("Exhibitor places"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_PLACES)],
        description=PLACES_HINT,
    )
    buyer_capacity = IntegerField(
        _l("Buyer places"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_PLACES)],
        description=PLACES_HINT,
    )
    exhibitor_registration_opens_at = _local_field(_l("Exhibitor registration opens"))
    exhibitor_registration_closes_at = _local_field(_l("Exhibitor registration closes"))
    buyer_registration_opens_at = _local_field(_l("Buyer registration opens"))
    buyer_registration_closes_at = _local_field(_l("Buyer registration closes"))
    description_vi = TextAreaField(_l("Description in Vietnamese"), validators=[Optional(), Length(max=8000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=8000)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional(), Length(max=8000)])

    TIME_FIELDS = (
        "starts_at",
        "ends_at",
        "exhibitor_registration_opens_at",
        "exhibitor_registration_closes_at",
        "buyer_registration_opens_at",
        "buyer_registration_closes_at",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(EVENT_KIND_LABELS.items())
        self.province_code.choices = [("", "—"), *province_choices()]


class HallForm(AppForm):
    name = StringField(_l("Hall name"), validators=[DataRequired(), Length(max=80)])
    name_en = StringField(_l("Hall name in English"), validators=[Optional(), Length(max=80)])
    name_fr = StringField(_l("Hall name in French"), validators=[Optional(), Length(max=80)])
    width_m = DecimalField(
        _l("Width (m)"), places=2, validators=[InputRequired(), NumberRange(min=0.5, max=MAX_METRES)]
    )
    depth_m = DecimalField(
        _l("Depth (m)"), places=2, validators=[InputRequired(), NumberRange(min=0.5, max=MAX_METRES)]
    )


class ProgrammeItemForm(AppForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    title_vi = StringField(_l("Title in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=200)])
    starts_at = _local_field(_l("Starts (local time)"), required=True)
    ends_at = _local_field(_l("Ends (local time)"), required=True)
    location = StringField(_l("Location"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(PROGRAMME_KIND_LABELS.items())


class CloneEventForm(AppForm):
    """Next year's fair as a copy of this one: its new name, first day and web address."""

    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(
        _l("First day"),
        validators=[InputRequired(), within_years],
        description=_l("The programme and the registration windows move with it, at the same local times."),
    )
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=80)],
        description=_l(
            "Optional: left empty, it is made from the Vietnamese name. "
            "Lower-case letters, digits and dashes: /events/<address>"
        ),
    )
