from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.data.provinces import current_province_choices, province_choices
from app.data.vocab import (
    BUYER_TYPES,
    CATEGORIES,
    OCOP_GROUPS,
    PRODUCER_KINDS,
    STANDARDS,
    UNITS,
    choices,
)
from app.forms import AppForm, DecimalField
from app.inputs import MAX_QUANTITY, MAX_VND

BLANK = [("", "—")]
# Browsers send ISO dates; people typing by hand in Vietnam write day/month/year.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _category_choices():
    """Categories ordered by their OCOP group."""
    order = list(OCOP_GROUPS)
    ordered = sorted(CATEGORIES.items(), key=lambda item: order.index(item[1][0]))
    return [(code, entry[1]) for code, entry in ordered]


class OrganisationForm(AppForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    producer_kind = SelectField(_l("Kind of producer"), validators=[Optional()])
    buyer_type = SelectField(_l("Type of buyer"), validators=[Optional()])
    province_code = SelectField(_l("Province"), validators=[DataRequired()])
    commune = StringField(_l("Commune / district"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=300)])
    tax_code = StringField(_l("Tax code"), validators=[Optional(), Length(max=20)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.producer_kind.choices = BLANK + choices(PRODUCER_KINDS)
        self.buyer_type.choices = BLANK + choices(BUYER_TYPES)
        self.province_code.choices = BLANK + province_choices()


class ProductForm(AppForm):
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    ocop_group = SelectField(_l("OCOP group"), validators=[DataRequired()])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    stars = SelectField(
        _l("OCOP stars"), coerce=int, choices=[(n, "★" * n) for n in range(1, 6)], validators=[DataRequired()]
    )
    certificate_date = DateField(_l("Certificate date"), format=DATE_FORMATS, validators=[InputRequired()])
    certificate_expiry = DateField(
        _l("Certificate expiry"),
        format=DATE_FORMATS,
        validators=[Optional()],
        description=_l("Leave empty: 36 months after the certificate date."),
    )
    standards = MultiCheckboxField(_l("Standards"), validators=[Optional()])
    capacity_per_month = DecimalField(
        _l("Supply capacity per month"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=MAX_QUANTITY)],
    )
    capacity_unit = SelectField(_l("Unit"), validators=[Optional()])
    price_min = IntegerField(
        _l("Lowest price (VND)"), validators=[Optional(), NumberRange(min=0, max=MAX_VND)]
    )
    price_max = IntegerField(
        _l("Highest price (VND)"), validators=[Optional(), NumberRange(min=0, max=MAX_VND)]
    )
    price_unit = SelectField(_l("Price per"), validators=[Optional()])
    traceability_code = StringField(_l("Traceability code"), validators=[Optional(), Length(max=64)])
    gtin = StringField(
        _l("GS1 barcode (GTIN-13)"),
        validators=[Optional(), Length(max=20)],
        description=_l("The 13 digits under the EAN barcode; Vietnamese codes start with 893."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    description_vi = TextAreaField(_l("Description in Vietnamese"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=5000)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional(), Length(max=5000)])
    photo = FileField(_l("Photo"), description=_l("JPEG, PNG, WebP or GIF, at most 5 MB."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ocop_group.choices = BLANK + choices(OCOP_GROUPS)
        self.category.choices = BLANK + _category_choices()
        self.standards.choices = choices(STANDARDS)
        self.capacity_unit.choices = BLANK + choices(UNITS)
        self.price_unit.choices = BLANK + choices(UNITS)

    def values(self) -> dict:
        """The submitted fields as plain values for the catalogue service."""
        capacity = self.capacity_per_month.data
        return {
            "name_vi": self.name_vi.data,
            "name_en": self.name_en.data,
            "name_fr": self.name_fr.data,
            "ocop_group": self.ocop_group.data,
            "category": self.category.data,
            "stars": self.stars.data,
            "certificate_date": self.certificate_date.data,
            "certificate_expiry": self.certificate_expiry.data,
            "gtin": self.gtin.data,
            "standards": self.standards.data or [],
            "capacity_per_month": float(capacity) if capacity is not None else None,
            "capacity_unit": self.capacity_unit.data or None,
            "price_min": self.price_min.data,
            "price_max": self.price_max.data,
            "price_unit": self.price_unit.data or None,
            "traceability_code": self.traceability_code.data,
            "description_vi": self.description_vi.data,
            "description_en": self.description_en.data,
            "description_fr": self.description_fr.data,
        }


class DemandLineForm(AppForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    monthly_volume = DecimalField(
        _l("Monthly volume"), places=2, validators=[DataRequired(), NumberRange(min=0.01, max=MAX_QUANTITY)]
    )
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    min_stars = SelectField(
        _l("Minimum OCOP stars"), coerce=int, default=3, choices=[(n, "★" * n) for n in range(1, 6)]
    )
    standards = MultiCheckboxField(_l("Required standards"), validators=[Optional()])
    # Ticked in a list (a multiple <select> needs Ctrl-click, which a phone can't do).
    provinces = MultiCheckboxField(_l("Preferred provinces"), validators=[Optional()])
    price_ceiling = IntegerField(
        _l("Price ceiling (VND per unit)"), validators=[Optional(), NumberRange(min=1, max=MAX_VND)]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = BLANK + _category_choices()
        self.unit.choices = BLANK + choices(UNITS)
        self.standards.choices = choices(STANDARDS)
        self.provinces.choices = current_province_choices()

    def values(self) -> dict:
        return {
            "category": self.category.data,
            "monthly_volume": float(self.monthly_volume.data),
            "unit": self.unit.data,
            "min_stars": self.min_stars.data,
            "standards": self.standards.data or [],
            "provinces": self.provinces.data or [],
            "price_ceiling": self.price_ceiling.data,
            "note": self.note.data,
        }


class SignupForm(AppForm):
    role = RadioField(
        _l("I am"),
        choices=[("exhibitor", _l("a producer (exhibitor)")), ("buyer", _l("a buyer"))],
        default="exhibitor",
        validators=[DataRequired()],
    )
    full_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    # how long and how common: checked by accounts' service, with the reason next to the field
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    organisation_name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    producer_kind = SelectField(
        _l("Kind of producer"), choices=[("", "—"), *choices(PRODUCER_KINDS)], validators=[Optional()]
    )
    buyer_type = SelectField(
        _l("Type of buyer"), choices=[("", "—"), *choices(BUYER_TYPES)], validators=[Optional()]
    )
    province_code = SelectField(_l("Province"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [("", "—"), *province_choices()]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.role.data == "exhibitor" and not self.producer_kind.data:
            self.producer_kind.errors.append(_l("Choose the kind of producer."))
            ok = False
        if self.role.data == "buyer" and not self.buyer_type.data:
            self.buyer_type.errors.append(_l("Choose the type of buyer."))
            ok = False
        return ok
