"""The log's filters: a GET form (no CSRF token: it changes nothing). A value that is not one of
the choices, or a day that is not a date, is refused with a message beside its field."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from app.forms import AppForm


class LogFilterForm(AppForm):
    class Meta(AppForm.Meta):
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    actor = SelectField(_l("Person"), validate_choice=False)
    day = StringField(_l("Day"), render_kw={"type": "date"})

    def __init__(self, formdata, *, actions: dict, actors: list[tuple[int, str]]):
        super().__init__(formdata)
        self.action.choices = [("", _l("All actions")), *actions.items()]
        self.actor.choices = [("", _l("Everyone")), *((str(i), name) for i, name in actors)]

    def validate_action(self, field):
        if field.data and field.data not in {code for code, _label in field.choices}:
            raise ValidationError(_l("Choose an action from the list."))

    def validate_actor(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a person from the list."))

    def validate_day(self, field):
        if field.data and _parse(field.data) is None:
            raise ValidationError(_l("Give a day as YYYY-MM-DD, from 1900 to 2999."))

    def filters(self) -> dict:
        """The filters that passed their checks (a refused one is left out, its message shown)."""
        action = self.action.data if self.action.data and not self.action.errors else None
        actor = int(self.actor.data) if self.actor.data and not self.actor.errors else None
        day = _parse(self.day.data) if self.day.data and not self.day.errors else None
        return {"action": action, "actor_id": actor, "day": day}


def _parse(text: str | None) -> date | None:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None
