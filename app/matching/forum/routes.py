"""Networking forum pages: participants browse each other and request meetings; organisers manage
the requested pairs.

Thin: parse, authorise, call one service of app.matching.forum.services. The request boundary
commits (app.transaction); a ServiceError rolls it back and is flashed or shown by its field.

Who may use them:
- /my/events/<slug>/forum...: an exhibitor or buyer whose organisation has an approved
  registration for the event (403 otherwise); 404 when the event has no forum session.
- /manage/events/<id>/matching/<session>/forum...: the event's organisers and admins (403
  otherwise); 404 when the session is not this event's forum.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.permissions import roles_required
from app.data import vocab
from app.data.provinces import current_code, current_province_choices
from app.errors import ServiceError
from app.events.services import managed_event
from app.extensions import db
from app.inputs import page_arg, parse_id
from app.matching.blueprint import bp
from app.matching.forum import services
from app.matching.forum.forms import PairForm, RequestForm
from app.matching.guards import participant
from app.matching.models import PARTS_OF_DAY, MatchingSession
from app.transaction import service_errors

PARTICIPANTS = services.PARTICIPANT_ROLES
MINE = "/my/events/<slug>/forum/requests"
MANAGE = "/manage/events/<int:event_id>/matching/<int:session_id>/forum"


# ---------------------------------------------------------------- participants


def _participant(slug: str):
    """(event, forum session, the user's approved registration), or 404 / 403 (a registration
    still waiting for its decision reads why)."""
    event, latest, registration = participant(slug)
    session = latest if latest is not None and latest.kind == "forum" else services.forum_session_of(event)
    if session is None:
        abort(404)
    set_committed_value(session, "event", event)
    return event, session, registration


def _back(event) -> str:
    """Where a card's or a request's form came from (the browse page with its filters, or the
    requests page); nothing else."""
    back = request.form.get("back") or ""
    browse = url_for("matching.forum", slug=event.slug)
    if back.startswith(browse) and "//" not in back and "\\" not in back:
        return back
    return url_for("matching.forum_requests", slug=event.slug)


def _filters() -> services.Filters:
    args = request.args
    return services.Filters(
        role=args.get("role") if args.get("role") in PARTICIPANTS else None,
        province=current_code(args.get("province")),
        group=args.get("group") if args.get("group") in vocab.OCOP_GROUPS else None,
        text=" ".join(args.get("q", "").split())[:100] or None,
        sort=args.get("sort") if args.get("sort") in services.SORTS else "name",
    )


@bp.route("/my/events/<slug>/forum", endpoint="forum")
@roles_required(*PARTICIPANTS)
def forum(slug: str):
    """An approved participant: the other participants, filtered and sorted, to request meetings."""
    event, session, registration = _participant(slug)
    filters = _filters()
    page = services.browse(session, registration, filters, page_arg())
    return render_template(
        "matching/forum/browse.html",
        event=event,
        session=session,
        registration=registration,
        filters=filters,
        page=page,
        form=RequestForm(),
        provinces=current_province_choices(),
        state_labels=services.STATE_LABELS,
        back=request.full_path.rstrip("?"),
    )


@bp.route("/my/events/<slug>/forum/requests", endpoint="forum_requests")
@roles_required(*PARTICIPANTS)
def forum_requests(slug: str):
    """An approved participant: its own requests, incoming and outgoing, and its answers."""
    event, session, registration = _participant(slug)
    return render_template(
        "matching/forum/requests.html",
        event=event,
        session=session,
        registration=registration,
        mine=services.my_requests(current_user, session, registration),
    )


@bp.route("/my/events/<slug>/forum/request", methods=["POST"], endpoint="forum_request")
@roles_required(*PARTICIPANTS)
def forum_request(slug: str):
    """Request a meeting with another participant (with an optional note)."""
    event, session, registration = _participant(slug)
    form = RequestForm()
    with service_errors():
        if not form.validate_on_submit():
            raise ServiceError(_("Keep the note short (at most %(n)d characters).", n=services.NOTE_MAX))
        done = services.request_meeting(
            current_user, session, registration, parse_id(form.other.data), form.note.data
        )
        if done.outcome == "mutual":
            flash(_("They had already asked you: the meeting is accepted on both sides."), "success")
        else:
            flash(_("Your request was sent."), "success")
    return redirect(_back(event))


@bp.route(
    "/my/events/<slug>/forum/requests/<int:request_id>/answer", methods=["POST"], endpoint="forum_answer"
)
@roles_required(*PARTICIPANTS)
def forum_answer(slug: str, request_id: int):
    """Accept or decline a request one received."""
    event, session, registration = _participant(slug)
    answer = request.form.get("answer")
    with service_errors():
        if answer not in ("accept", "decline"):
            raise ServiceError(_("Choose accept or decline."))
        services.answer_request(current_user, session, registration, request_id, answer == "accept")
        flash(
            _("Accepted: this meeting will be scheduled.") if answer == "accept" else _("Declined."),
            "success",
        )
    return redirect(_back(event))


@bp.route(
    "/my/events/<slug>/forum/requests/<int:request_id>/cancel", methods=["POST"], endpoint="forum_cancel"
)
@roles_required(*PARTICIPANTS)
def forum_cancel(slug: str, request_id: int):
    """Cancel one's own open request."""
    event, session, registration = _participant(slug)
    with service_errors():
        services.cancel_request(current_user, session, registration, request_id)
        flash(_("Your request was cancelled."), "success")
    return redirect(_back(event))


@bp.route("/my/events/<slug>/forum/block", methods=["POST"], endpoint="forum_block")
@roles_required(*PARTICIPANTS)
def forum_block(slug: str):
    """Block another participant (no request either way), or lift one's own block."""
    event, session, registration = _participant(slug)
    other = parse_id(request.form.get("other"))
    with service_errors():
        if request.form.get("action") == "unblock":
            services.unblock(current_user, session, registration, other)
            flash(_("Unblocked."), "success")
        else:
            services.block(current_user, session, registration, other)
            flash(_("Blocked: no meeting requests between you and this participant."), "success")
    return redirect(_back(event))


# ---------------------------------------------------------------- organisers


def _managed_forum(event_id: int, session_id: int) -> MatchingSession:
    event = managed_event(current_user, event_id)
    session = db.get_or_404(MatchingSession, session_id)
    if session.event_id != event.id or session.kind != "forum":
        abort(404)
    set_committed_value(session, "event", event)
    return session


def _managed_row(session: MatchingSession, request_id: int):
    row = services.request_of(session, request_id)
    if row is None:
        abort(404)
    return row


def _list_url(session: MatchingSession) -> str:
    back = request.form.get("back") or ""
    base = url_for("matching.forum_manage", event_id=session.event_id, session_id=session.id)
    if back.startswith(base) and "//" not in back and "\\" not in back:
        return back
    return base


@bp.route(MANAGE, methods=["GET", "POST"], endpoint="forum_manage")
@roles_required("organiser")
def forum_manage(event_id: int, session_id: int):
    """The event's organisers: every requested pair of the forum, filtered and sorted; add one."""
    session = _managed_forum(event_id, session_id)
    people = services.participants(session)
    form = PairForm(people)
    if form.validate_on_submit():
        with service_errors(form):
            services.add_pair(
                current_user, session, form.first.data, form.second.data, form.part_of_day.data or None
            )
            flash(_("The pair was added, accepted."), "success")
            return redirect(url_for("matching.forum_manage", event_id=event_id, session_id=session_id))
    status = request.args.get("status") if request.args.get("status") in services.STATUS_LABELS else None
    participant = parse_id(request.args.get("participant"))
    sort = request.args.get("sort") if request.args.get("sort") in services.ORGANISER_SORTS else "newest"
    return render_template(
        "matching/forum/manage.html",
        event=session.event,
        session=session,
        form=form,
        people=people,
        status=status,
        participant=participant,
        sort=sort,
        page=services.requests_page(
            session, status=status, participant=participant, sort=sort, page=page_arg()
        ),
        counts=services.status_counts(session),
        status_labels=services.STATUS_LABELS,
        part_labels=services.PART_LABELS,
        back=request.full_path.rstrip("?"),
    )


@bp.route(MANAGE + "/<int:request_id>/status", methods=["POST"], endpoint="forum_set_status")
@roles_required("organiser")
def forum_set_status(event_id: int, session_id: int, request_id: int):
    session = _managed_forum(event_id, session_id)
    row = _managed_row(session, request_id)
    with service_errors():
        services.set_status(current_user, session, row, request.form.get("status", ""))
        flash(_("Saved."), "success")
    return redirect(_list_url(session))


@bp.route(MANAGE + "/<int:request_id>/part", methods=["POST"], endpoint="forum_set_part")
@roles_required("organiser")
def forum_set_part(event_id: int, session_id: int, request_id: int):
    session = _managed_forum(event_id, session_id)
    row = _managed_row(session, request_id)
    part = request.form.get("part_of_day") or None
    with service_errors():
        if part is not None and part not in PARTS_OF_DAY:
            raise ServiceError(_("Choose morning, afternoon or any time."))
        services.set_part_of_day(current_user, session, row, part)
        flash(_("Saved."), "success")
    return redirect(_list_url(session))


@bp.route(MANAGE + "/<int:request_id>/remove", methods=["GET", "POST"], endpoint="forum_remove")
@roles_required("organiser")
def forum_remove(event_id: int, session_id: int, request_id: int):
    """Ask for confirmation (GET), then remove the pair (POST)."""
    session = _managed_forum(event_id, session_id)
    row = _managed_row(session, request_id)
    if request.method == "POST":
        with service_errors():
            services.remove_pair(current_user, session, row)
            flash(_("The pair was removed."), "success")
        return redirect(url_for("matching.forum_manage", event_id=event_id, session_id=session_id))
    return render_template(
        "matching/forum/confirm_remove.html",
        event=session.event,
        session=session,
        row=row,
        status_labels=services.STATUS_LABELS,
    )
