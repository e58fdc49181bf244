"""Badges pages: the organisers' list of approved participants and the printable sheets.

Thin: authorise, call app.onsite.badges.services, render. Nothing here writes.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.events.models import Registration
from app.events.services import managed_event
from app.extensions import db
from app.inputs import page_arg
from app.onsite.badges import services as badges
from app.paging import counted_page

bp = Blueprint("badges", __name__)

PER_SHEET = {"a6": 1, "a4": 4}


def _filters() -> tuple[str | None, str]:
    role = request.args.get("role")
    return (role if role in ("buyer", "exhibitor") else None), request.args.get("q", "").strip()[:100]


def _paper() -> str:
    paper = request.args.get("paper", "a4")
    return paper if paper in badges.FORMATS else "a4"


@bp.route("/manage/events/<int:event_id>/badges", endpoint="index")
@roles_required("organiser")
def badges_index(event_id: int):
    """The event's organisers (and admins): approved participants to print badges for, by role and name."""
    event = managed_event(current_user, event_id)
    role, text = _filters()
    page = page_arg()
    rows, total = badges.badges_page(current_user, event, role=role, text=text, page=page)
    return render_template(
        "onsite/badges.html",
        event=event,
        badges=rows,
        page=counted_page(rows, total, page=page, per_page=badges.PER_PAGE),
        total=total,
        role=role,
        text=text,
        paper=_paper(),
    )


@bp.route("/manage/events/<int:event_id>/badges/print", endpoint="print_sheet")
@roles_required("organiser")
def print_sheet(event_id: int):
    """The event's organisers (and admins): the badges to print, all of the filter or those ticked (ids)."""
    event = managed_event(current_user, event_id)
    role, text = _filters()
    # "Print selected" sends `selected` with the ticked ids (none ticked: no badge); "print all"
    # (`all`) every badge of the filter.
    chosen_only = "selected" in request.args and "all" not in request.args
    ids = request.args.getlist("ids") if chosen_only else None
    chosen = badges.badges_to_print(current_user, event, role=role, text=text, registration_ids=ids)
    return _sheet(event, chosen, single=False)


@bp.route("/manage/events/<int:event_id>/badges/<int:registration_id>", endpoint="reprint")
@roles_required("organiser")
def reprint(event_id: int, registration_id: int):
    """The event's organisers (and admins): one participant's badge, to print again."""
    event = managed_event(current_user, event_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id or registration.status != "approved":
        abort(404)
    chosen = badges.badges_to_print(current_user, event, registration_ids=[registration.id])
    return _sheet(event, chosen, single=True)


def _sheet(event, chosen, *, single: bool):
    paper = _paper()
    return render_template(
        "onsite/badges_sheet.html",
        event=event,
        badges=chosen,
        sheets=badges.sheets(chosen, PER_SHEET[paper]),
        paper=paper,
        single=single,
        limit=badges.PRINT_LIMIT,
    )
