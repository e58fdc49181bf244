"""The organiser's forms: a session's settings, and moving a meeting by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import DecimalField, ErrorGroup
from app.matching.engine import scoring
from app.matching.engine.slots import BreakError, parse_breaks
from app.matching.sessions import services

TERM_LABELS = {
    "category": _l("Category fit"),
    "capacity": _l("Supply capacity"),
    "standards": _l("Standards"),
    "stars": _l("OCOP stars"),
    "province": _l("Province"),
    "mutual": _l("Mutual interest"),
    "price": _l("Price"),
    "history": _l("Earlier meetings"),
}
# The seven profile terms, then memory across events (its weight is kept apart: see scoring).
WEIGHTED = (*scoring.TERMS, "history")


KIND_LABELS = {
    "bipartite": _l("Buyers meet producers"),
    "forum": _l("Networking forum (anyone meets anyone)"),
}


class SessionForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=list(KIND_LABELS.items()),
        default="bipartite",
        description=_l("Can't be changed once the session has meetings or forum requests."),
    )
    name = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    day_start = TimeField(_l("Meetings start at"), validators=[InputRequired()])
    day_end = TimeField(_l("Meetings end by"), validators=[InputRequired()])
    meeting_minutes = IntegerField(_l("Meeting length (minutes)"), validators=[InputRequired()])
    gap_minutes = IntegerField(_l("Gap between meetings (minutes)"), validators=[InputRequired()])
    breaks = TextAreaField(
        _l("Breaks"),
        validators=[Optional()],
        description=_l("One a line, or separated by commas, e.g. 12:00-13:30 lunch."),
        render_kw={"rows": 2},
    )
    tables = IntegerField(_l("Tables"), validators=[InputRequired()])
    table_names = TextAreaField(
        _l("Table names in Vietnamese"),
        validators=[Optional()],
        description=_l("One a line, e.g. Hall B · table 12; tables without a name are numbered."),
        render_kw={"rows": 3},
    )
    table_names_en = TextAreaField(
        _l("Table names in English"),
        validators=[Optional()],
        description=_l("Optional, in the same order as the Vietnamese names."),
        render_kw={"rows": 3},
    )
    table_names_fr = TextAreaField(
        _l("Table names in French"),
        validators=[Optional()],
        description=_l("Optional, in the same order."),
        render_kw={"rows": 3},
    )
    max_meetings_per_buyer = IntegerField(_l("Most meetings per buyer"), validators=[InputRequired()])
    max_meetings_per_producer = IntegerField(_l("Most meetings per producer"), validators=[InputRequired()])
    weight_category = DecimalField(
        TERM_LABELS["category"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_capacity = DecimalField(
        TERM_LABELS["capacity"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_standards = DecimalField(
        TERM_LABELS["standards"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_stars = DecimalField(TERM_LABELS["stars"], places=2, validators=[Optional(), NumberRange(0, 1)])
    weight_province = DecimalField(
        TERM_LABELS["province"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_mutual = DecimalField(TERM_LABELS["mutual"], places=2, validators=[Optional(), NumberRange(0, 1)])
    weight_price = DecimalField(TERM_LABELS["price"], places=2, validators=[Optional(), NumberRange(0, 1)])
    weight_history = DecimalField(
        TERM_LABELS["history"],
        places=2,
        validators=[Optional(), NumberRange(0, 1)],
        description=_l(
            "Pairs that met at earlier events of the programme: talks ongoing count for, "
            "no interest or a no-show against; 0 turns it off."
        ),
    )

    def validate_breaks(self, field) -> None:
        """The breaks as the parser reads them, its refusal told in the organiser's language."""
        try:
            parse_breaks(field.data or "")
        except BreakError as error:
            raise ValidationError(services.break_error_message(error)) from None

    WEIGHT_FIELDS = tuple(f"weight_{name}" for name in scoring.TERMS)  # "at least one above zero"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The service's refusals about the weights together ("at least one above zero")
        self.weights = ErrorGroup(_l("Weights of the score terms"), self.WEIGHT_FIELDS[0], "weights-error")
        self.error_groups = [self.weights]

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in services.SESSION_FIELDS}
        values["kind"] = self.kind.data
        values["breaks"] = values["breaks"] or ""
        for name in ("table_names", "table_names_en", "table_names_fr"):
            values[name] = values[name] or ""
        values["weights"] = {
            name: float(getattr(self, f"weight_{name}").data)
            for name in WEIGHTED
            if getattr(self, f"weight_{name}").data is not None
        }
        return values

    def fill(self, values: dict, weights: dict) -> None:
        for name in services.SESSION_FIELDS:
            getattr(self, name).data = values.get(name)
        self.kind.data = values.get("kind") or "bipartite"
        for name, weight in weights.items():
            getattr(self, f"weight_{name}").data = weight


class MoveForm(FlaskForm):
    slot = SelectField(_l("Slot"), coerce=int)
    table = IntegerField(_l("Table"), validators=[InputRequired()])
