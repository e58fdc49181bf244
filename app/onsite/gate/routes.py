"""Gate pages: checking participants in at the entrance by badge, and the counts.

Thin: parse, authorise, call app.onsite.gate.services. A refused badge re-renders the page
with status 422, which rolls the request back.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import ServiceError
from app.events import services as events
from app.events.services import managed_event
from app.onsite.gate import services as gate
from app.onsite.gate.forms import GateForm, GateRuleForm
from app.reports import charts

bp = Blueprint("gate", __name__)


@bp.route("/manage/events/<int:event_id>/gate", methods=["GET", "POST"], endpoint="checkin")
@roles_required("organiser")
def gate_checkin(event_id: int):
    """The event's organisers (and admins), phone-friendly: type or scan a badge to let its holder in."""
    event = managed_event(current_user, event_id)
    form = GateForm(gate=request.args.get("gate", "")[:60])
    result = None
    status = 200
    if form.validate_on_submit():
        try:
            result = gate.check_in_at_gate(current_user, event, form.token.data, form.gate.data)
        except ServiceError as problem:
            getattr(form, problem.field or "token").errors.append(problem.message)
            status = 422
        else:
            form.token.data = ""
    elif request.method == "POST":
        status = 422
    return render_template(
        "onsite/badges_gate.html",
        event=event,
        form=form,
        result=result,
        recent=gate.recent_gate_checkins(current_user, event),
        to_local=lambda moment: events.to_local(event, moment),
    ), status


@bp.route("/manage/events/<int:event_id>/gate/counts", endpoint="counts")
@roles_required("organiser")
def gate_counts(event_id: int):
    """The event's organisers (and admins): how many came in per gate and per hour, and the meetings rule."""
    event = managed_event(current_user, event_id)
    counts = gate.gate_counts(current_user, event)
    title = _("Check-ins per hour")
    values = [count for _hour, count in counts.by_hour]
    step = max(1, -(-max(values, default=0) // 5))  # about five whole-number ticks
    chart = charts.bar(
        title,
        [
            hour[-5:] if len({h[:10] for h, _c in counts.by_hour}) == 1 else hour
            for hour, _c in counts.by_hour
        ],
        values,
        horizontal=False,
        no_data=_("No one has been checked in at the gate yet."),
        value_labels=range(0, max(values, default=0) + step, step),
    )
    rule = GateRuleForm(meetings_need_gate=gate.meetings_need_gate(event))
    return render_template(
        "onsite/badges_gate_counts.html",
        event=event,
        counts=counts,
        chart=chart,
        chart_title=title,
        rule=rule,
    )


@bp.route("/manage/events/<int:event_id>/gate/rule", methods=["POST"], endpoint="rule")
@roles_required("organiser")
def gate_rule(event_id: int):
    """The event's organisers (and admins): switch "only who came in at the gate is present at meetings"."""
    event = managed_event(current_user, event_id)
    form = GateRuleForm()
    if form.validate_on_submit():
        gate.set_meetings_need_gate(current_user, event, form.meetings_need_gate.data)
        flash(_("Saved."), "success")
    return redirect(url_for("gate.counts", event_id=event.id))
