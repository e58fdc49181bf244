from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import AppForm
from app.onsite.gate.services import GATE_NAME_MAX


class GateForm(AppForm):
    gate = StringField(_l("Gate"), validators=[DataRequired(), Length(max=GATE_NAME_MAX)])
    token = StringField(_l("Type or scan the badge code"), validators=[DataRequired(), Length(max=200)])


class GateRuleForm(AppForm):
    meetings_need_gate = BooleanField(
        _l("Only participants checked in at the gate can be marked present at meetings")
    )
