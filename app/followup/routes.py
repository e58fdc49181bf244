"""The follow-up survey's pages.

- /manage/events/<id>/followup: the event's organisers and admins (managed_event): the waves'
  dates and the form changing their delays, invitations sent, answered and reminded, the
  survey's outcomes and the table of reasons that led to contracts.
- /survey/<token>: whoever holds a survey link from the mail (no login): the meetings to answer
  about; /survey/<token>/meetings/<id>: one meeting's answer. A forged or expired link, or a
  meeting that isn't the participant's, is a 404.
- /my/surveys: a logged-in exhibitor or buyer: the surveys of his organisation, with links.

Thin: parse, authorise, call app.followup.services; the request boundary commits.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.events.services import managed_event
from app.followup import services
from app.followup.forms import AnswerForm, WavesForm
from app.inputs import page_arg
from app.transaction import service_errors

bp = Blueprint("followup", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def _followup_helpers():
    return {"followup_results": services.RESULT_LABELS}


@bp.route("/manage/events/<int:event_id>/followup", methods=["GET", "POST"])
@roles_required("organiser")
def event_followup(event_id: int):
    """The event's organisers and admins: the follow-up survey's settings and results."""
    event = managed_event(current_user, event_id)
    form = WavesForm()
    if request.method == "POST":
        if form.validate_on_submit():
            with service_errors(form):
                services.update_settings(
                    current_user, event, form.first_wave_days.data, form.second_wave_days.data
                )
                flash(_("The survey dates were saved."), "success")
                return redirect(url_for("followup.event_followup", event_id=event.id))
    else:
        form.first_wave_days.data, form.second_wave_days.data = services.wave_days(event)
    report = services.followup_report(current_user, event, page_arg())
    status = 422 if request.method == "POST" else 200
    return render_template(
        "followup/event.html", event=event, form=form, report=report, strong=services.STRONG
    ), status


@bp.route("/manage/events/<int:event_id>/followup/reasons.<any(csv, xlsx):fmt>")
@roles_required("organiser")
def reasons_export(event_id: int, fmt: str):
    """The event's organisers and admins: the reasons that led to contracts, as CSV or XLSX."""
    from app.reports.tables import csv_bytes, xlsx_bytes

    event = managed_event(current_user, event_id)
    table = services.reasons_table(current_user, event, fmt)
    if fmt == "csv":
        data, mimetype = csv_bytes(table, event.timezone), "text/csv; charset=utf-8"
    else:
        data, mimetype = xlsx_bytes([table], event.timezone), XLSX
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-reasons.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _survey_or_404(token: str) -> services.Survey:
    survey = services.survey_for(token)
    if survey is None:
        abort(404)
    return survey


@bp.route("/survey/<token>")
def survey(token: str):
    """Whoever holds the signed link of a survey mail (no login): the meetings to answer about."""
    found = _survey_or_404(token)
    items = services.survey_items(found)
    return render_template("followup/survey.html", survey=found, items=items)


@bp.route("/survey/<token>/meetings/<int:meeting_id>", methods=["GET", "POST"])
def survey_answer(token: str, meeting_id: int):
    """Whoever holds the signed link (no login): answer about one meeting the participant held."""
    found = _survey_or_404(token)
    meeting = services.survey_meeting(found, meeting_id)
    if meeting is None:
        abort(404)
    existing = services.answer_of(found, meeting)
    form = AnswerForm()
    if request.method == "GET" and existing is not None:
        form.result.data = existing.result
        form.value_vnd.data = str(existing.value_vnd or "")
        form.rating.data = str(existing.rating)
        form.comment.data = existing.comment or ""
    if request.method == "POST" and form.validate_on_submit():
        with service_errors(form):
            services.answer(
                found, meeting, form.result.data, form.value_vnd.data, form.rating.data, form.comment.data
            )
            flash(_("Thank you: your answer was saved."), "success")
            return redirect(url_for("followup.survey", token=token))
    partner = meeting.producer if meeting.buyer_registration_id == found.registration.id else meeting.buyer
    return render_template(
        "followup/answer.html", survey=found, meeting=meeting, partner=partner, form=form
    ), (422 if request.method == "POST" else 200)


@bp.route("/my/surveys")
@roles_required("exhibitor", "buyer")
def mine():
    """A logged-in exhibitor or buyer: his organisation's follow-up surveys."""
    return render_template("followup/mine.html", surveys=services.surveys_of(current_user))
