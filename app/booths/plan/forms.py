"""Forms of the floor-plan pages: booth types, booths, moves and resizes, the block generator, zones."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.data import vocab
from app.data.provinces import current_province_choices
from app.forms import DecimalField
from app.inputs import MAX_METRES, MAX_VND


def _metres_field(label, required=True, default=None, description=None):
    within = NumberRange(min=0, max=MAX_METRES)
    validators = [InputRequired(), within] if required else [Optional(), within]
    return DecimalField(label, places=2, default=default, validators=validators, description=description)


class BoothTypeForm(FlaskForm):
    name = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=80)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=80)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=80)])
    is_electronic = BooleanField(_l("Electronic booth (no place on the plan)"))
    width_m = _metres_field(_l("Width (m)"), required=False)
    depth_m = _metres_field(_l("Depth (m)"), required=False)
    price_vnd = IntegerField(
        _l("Price (VND)"), default=0, validators=[InputRequired(), NumberRange(min=0, max=MAX_VND)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class BoothForm(FlaskForm):
    hall_id = SelectField(_l("Hall"), coerce=int, validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], description=_l("Like A-12"))
    booth_type_id = SelectField(_l("Booth type"), coerce=int, validators=[InputRequired()])
    x_m = _metres_field(_l("From the left wall (m)"), default=0)
    y_m = _metres_field(_l("From the top wall (m)"), default=0)
    width_m = _metres_field(_l("Width (m)"), required=False, description=_l("Empty: the type's width"))
    depth_m = _metres_field(_l("Depth (m)"), required=False, description=_l("Empty: the type's depth"))
    zone_tags = StringField(
        _l("Zone tags"),
        validators=[Optional(), Length(max=300)],
        description=_l("Comma-separated, e.g. food, premium, accessible, province:Lạng Sơn"),
    )


class MoveForm(FlaskForm):
    hall_id = SelectField(_l("Hall"), coerce=int, validators=[InputRequired()])
    x_m = _metres_field(_l("From the left wall (m)"))
    y_m = _metres_field(_l("From the top wall (m)"))


class ResizeForm(FlaskForm):
    width_m = _metres_field(_l("Width (m)"))
    depth_m = _metres_field(_l("Depth (m)"))


class GenerateForm(FlaskForm):
    hall_id = SelectField(_l("Hall"), coerce=int, validators=[InputRequired()])
    booth_type_id = SelectField(_l("Booth type"), coerce=int, validators=[InputRequired()])
    rows = IntegerField(_l("Rows"), default=2, validators=[InputRequired(), NumberRange(min=1, max=100)])
    columns = IntegerField(
        _l("Booths per row"), default=10, validators=[InputRequired(), NumberRange(min=1, max=200)]
    )
    origin_x = _metres_field(_l("First booth from the left wall (m)"), default=Decimal(2))
    origin_y = _metres_field(_l("First booth from the top wall (m)"), default=Decimal(2))
    aisle_m = _metres_field(_l("Aisle between rows (m)"), default=Decimal(3))
    double_sided = BooleanField(_l("Double-sided rows (two rows back to back, then an aisle)"))
    start_code = StringField(
        _l("First code"),
        default="A-01",
        validators=[DataRequired(), Length(max=20)],
        description=_l("Like A-01"),
    )
    zone_tags = StringField(
        _l("Zone tags"),
        validators=[Optional(), Length(max=300)],
        description=_l("Comma-separated, e.g. food, premium, accessible, province:Lạng Sơn"),
    )


class ZoneRuleForm(FlaskForm):
    who = SelectField(_l("Exhibitors"), validators=[DataRequired()])
    zone = StringField(
        _l("Must get a booth tagged"),
        validators=[Optional(), Length(max=60)],
        description=_l("Empty: the group's or category's own tag, or the province's pavilion"),
    )


class PlanSettingsForm(FlaskForm):
    first_come_booking = BooleanField(
        _l("Exhibitors may pick a free booth themselves (first come, first served)")
    )


def who_choices() -> dict:
    """The zone rule form's "who" choices, grouped: OCOP groups, provinces, categories."""
    return {
        str(_("OCOP group")): [(f"group:{code}", label) for code, label in vocab.choices(vocab.OCOP_GROUPS)],
        str(_("Province")): [(f"province:{code}", name) for code, name in current_province_choices()],
        str(_("Category")): [(f"category:{code}", label) for code, label in vocab.choices(vocab.CATEGORIES)],
    }
