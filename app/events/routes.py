"""Organisers' event pages: create and edit, halls, programme, state moves."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import ServiceError, attach_to_form
from app.events import jobs, services
from app.events.blueprint import MANAGE, bp
from app.events.forms import (
    EVENT_KIND_LABELS,
    MOVE_LABELS,
    PROGRAMME_KIND_LABELS,
    STATE_LABELS,
    CloneEventForm,
    EventForm,
    HallForm,
    ProgrammeItemForm,
)
from app.events.models import Event, EventOrganiser, Hall, ProgrammeItem
from app.events.services import managed_event as _managed_event
from app.extensions import db
from app.inputs import page_arg
from app.tasks import services as tasks
from app.transaction import after_commit, service_errors


@bp.app_context_processor
def _labels():
    return {
        "event_kind_labels": EVENT_KIND_LABELS,
        "state_labels": STATE_LABELS,
        "move_labels": MOVE_LABELS,
        "programme_kind_labels": PROGRAMME_KIND_LABELS,
        "to_local": services.to_local,
    }


def _after_change(event: Event) -> None:
    """Keep the event's time-driven steps in line with its dates and state, once the change
    is committed (a job that is due at once must find the event saved; a change rolled back
    schedules nothing). Every process writes the jobs; only the one holding the scheduler
    lock runs them."""
    after_commit(lambda: jobs.schedule_event_jobs(event))


def _event_values(form: EventForm) -> dict:
    timezone = (form.timezone.data or "").strip()
    zone_name = timezone if services.valid_timezone(timezone) else "Asia/Ho_Chi_Minh"
    values = {
        name: getattr(form, name).data
        for name in services.EVENT_FIELDS
        if name not in EventForm.TIME_FIELDS and hasattr(form, name)
    }
    values["timezone"] = timezone
    for name in EventForm.TIME_FIELDS:
        values[name] = services.from_local(zone_name, getattr(form, name).data)
    return values


def _show_errors(form, errors: list[ServiceError]) -> None:
    for error in errors:
        attach_to_form(form, error)


def _fill_local_times(form: EventForm, event: Event) -> None:
    for name in EventForm.TIME_FIELDS:
        value = getattr(event, name)
        getattr(form, name).data = services.to_local(event, value).replace(tzinfo=None) if value else None


@bp.route(MANAGE + "/")
@roles_required("organiser")
def index():
    """Organisers: the events they manage."""
    return render_template("events/index.html", events=services.events_managed_by(current_user))


@bp.route(MANAGE + "/new", methods=["GET", "POST"])
@roles_required("organiser")
def create():
    """Organisers: create an event (a draft, or open for registration if its window has begun)."""
    form = EventForm()
    if form.validate_on_submit():
        values = _event_values(form)
        errors = services.validate_all(values)
        if errors:
            _show_errors(form, errors)
        else:
            with service_errors(form):
                event = services.create_event(current_user, open_if_due=True, **values)
                _after_change(event)
                if event.state == "registration_open":
                    flash(
                        _("The event was created with its registration open: its window has begun."),
                        "success",
                    )
                else:
                    flash(_("The event was created as a draft."), "success")
                return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route(MANAGE + "/<int:event_id>")
@roles_required("organiser")
def show(event_id: int):
    """The event's organisers: state, next moves, halls, programme, registrations."""
    event = _managed_event(current_user, event_id)
    return render_template(
        "events/show.html",
        event=event,
        moves=services.next_moves(event),
        approved={role: services.approved_count(event, role) for role in ("exhibitor", "buyer")},
        hall_form=HallForm(),
        # None for an admin who is not one of its organisers: no summary mail to turn on or off.
        summary_row=db.session.get(EventOrganiser, (event.id, current_user.id)),
    )


@bp.route(MANAGE + "/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def edit(event_id: int):
    """The event's organisers: edit its settings; nothing is saved if one value is wrong."""
    event = _managed_event(current_user, event_id)
    form = EventForm(obj=event)
    if request.method == "GET":
        _fill_local_times(form, event)
    if form.validate_on_submit():
        values = _event_values(form)
        if not values.get("slug"):
            del values["slug"]  # left empty: the event keeps its address
        merged = {key: getattr(event, key) for key in services.EVENT_FIELDS} | values
        errors = services.validate_all(merged, event)
        if errors:
            _show_errors(form, errors)
        else:
            with service_errors(form):
                services.update_event(current_user, event, **values)
                _after_change(event)
                flash(_("Saved."), "success")
                return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


@bp.route(MANAGE + "/<int:event_id>/move/<target>", methods=["GET", "POST"])
@roles_required("organiser")
def move(event_id: int, target: str):
    """The event's organisers: move the event to its next state (cancelling asks first)."""
    event = _managed_event(current_user, event_id)
    if target not in MOVE_LABELS:
        abort(404)
    if request.method == "GET":
        if target != "cancelled":
            return redirect(url_for("events.show", event_id=event.id))
        return render_template("events/confirm_cancel.html", event=event)
    with service_errors():
        services.move_event(current_user, event, target)
        _after_change(event)
        flash(_("The event is now: %(state)s.", state=STATE_LABELS[event.state]), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route(MANAGE + "/<int:event_id>/clone", methods=["GET", "POST"])
@roles_required("organiser")
def clone(event_id: int):
    """The event's organisers: start next year's fair as a draft copy of this one."""
    event = _managed_event(current_user, event_id)
    form = CloneEventForm()
    if request.method == "GET":
        first_day = services.first_local_day(event)
        form.starts_on.data = services.same_day_next_year(first_day)
        for field in (form.name_vi, form.name_en, form.name_fr):
            field.data = services.next_year_name(
                getattr(event, field.name), first_day.year, first_day.year + 1
            )
    if form.validate_on_submit():
        values = {
            "name_vi": form.name_vi.data,
            "name_en": form.name_en.data,
            "name_fr": form.name_fr.data,
            "starts_on": form.starts_on.data,
            "slug": form.slug.data,
        }
        errors = services.validate_clone(
            event, name_vi=values["name_vi"], starts_on=values["starts_on"], slug=values["slug"]
        )
        if errors:
            _show_errors(form, errors)
        else:
            with service_errors(form):
                copy = services.clone_event(current_user, event, **values)
                _after_change(copy)
                flash(
                    _("The event was copied as a draft: check its dates, then open its registration."),
                    "success",
                )
                return redirect(url_for("events.show", event_id=copy.id))
    return render_template("events/clone.html", form=form, event=event)


# ---------------------------------------------------------------- halls


@bp.route(MANAGE + "/<int:event_id>/halls", methods=["POST"])
@bp.route(MANAGE + "/<int:event_id>/halls/<int:hall_id>", methods=["GET", "POST"])
@roles_required("organiser")
def hall(event_id: int, hall_id: int | None = None):
    """The event's organisers: add or edit a hall (name, width and depth in metres)."""
    event = _managed_event(current_user, event_id)
    item = None
    if hall_id is not None:
        item = db.get_or_404(Hall, hall_id)
        if item.event_id != event.id:
            abort(404)
    form = HallForm(obj=item)
    if form.validate_on_submit():
        with service_errors(form):
            services.save_hall(
                current_user,
                event,
                name=form.name.data,
                name_en=form.name_en.data,
                name_fr=form.name_fr.data,
                width_m=float(form.width_m.data),
                depth_m=float(form.depth_m.data),
                hall=item,
            )
            flash(_("Saved."), "success")
            return redirect(url_for("events.show", event_id=event.id) + "#halls")
    return render_template("events/hall_form.html", form=form, event=event, hall=item)


@bp.route(MANAGE + "/<int:event_id>/halls/<int:hall_id>/delete", methods=["GET", "POST"])
@roles_required("organiser")
def delete_hall(event_id: int, hall_id: int):
    """The event's organisers: delete a hall after confirming."""
    event = _managed_event(current_user, event_id)
    item = db.get_or_404(Hall, hall_id)
    if item.event_id != event.id:
        abort(404)
    if request.method == "POST":
        services.delete_hall(current_user, item)
        flash(_("The hall was deleted."), "success")
        return redirect(url_for("events.show", event_id=event.id) + "#halls")
    return render_template(
        "catalog/confirm_delete.html", what=item.name, cancel_url=url_for("events.show", event_id=event.id)
    )


# ---------------------------------------------------------------- programme


@bp.route(MANAGE + "/<int:event_id>/programme/new", methods=["GET", "POST"])
@bp.route(MANAGE + "/<int:event_id>/programme/<int:item_id>", methods=["GET", "POST"])
@roles_required("organiser")
def programme_item(event_id: int, item_id: int | None = None):
    """The event's organisers: add or change a programme item; clashes are refused."""
    event = _managed_event(current_user, event_id)
    item = None
    if item_id is not None:
        item = db.get_or_404(ProgrammeItem, item_id)
        if item.event_id != event.id:
            abort(404)
    form = ProgrammeItemForm(obj=item)
    if request.method == "GET" and item is not None:
        form.starts_at.data = services.to_local(event, item.starts_at).replace(tzinfo=None)
        form.ends_at.data = services.to_local(event, item.ends_at).replace(tzinfo=None)
    if form.validate_on_submit():
        with service_errors(form):
            services.save_programme_item(
                current_user,
                event,
                kind=form.kind.data,
                title_vi=form.title_vi.data,
                title_en=form.title_en.data,
                title_fr=form.title_fr.data,
                description=form.description.data,
                starts_at=services.from_local(event.timezone, form.starts_at.data),
                ends_at=services.from_local(event.timezone, form.ends_at.data),
                location=form.location.data,
                item=item,
                locale=g.locale,
            )
            flash(_("Saved."), "success")
            return redirect(url_for("events.show", event_id=event.id) + "#programme")
    locations = sorted({p.location for p in event.programme} | {h.name for h in event.halls})
    return render_template(
        "events/programme_form.html", form=form, event=event, item=item, locations=locations
    )


@bp.route(MANAGE + "/<int:event_id>/programme/<int:item_id>/cancel", methods=["GET", "POST"])
@roles_required("organiser")
def cancel_programme_item(event_id: int, item_id: int):
    """The event's organisers: remove a programme item (calendars see it cancelled)."""
    event = _managed_event(current_user, event_id)
    item = db.get_or_404(ProgrammeItem, item_id)
    if item.event_id != event.id:
        abort(404)
    if request.method == "POST":
        services.cancel_programme_item(current_user, item)
        flash(_("The item was removed from the programme."), "success")
        return redirect(url_for("events.show", event_id=event.id) + "#programme")
    return render_template(
        "catalog/confirm_delete.html",
        what=item.title_in(g.locale),
        cancel_url=url_for("events.show", event_id=event.id),
    )


# ---------------------------------------------------------------- the event's background jobs


@bp.route(MANAGE + "/<int:event_id>/jobs")
@roles_required("organiser")
def jobs_list(event_id: int):
    """The event's organisers: its recent jobs, their state, who started them and how long they took."""
    event = _managed_event(current_user, event_id)
    page = tasks.event_tasks(event.id, page=page_arg())
    views = {task.id: tasks.view(task) for task in page.items}
    return render_template("events/jobs.html", event=event, page=page, views=views)


@bp.route(MANAGE + "/<int:event_id>/jobs/<int:task_id>")
@roles_required("organiser")
def job(event_id: int, task_id: int):
    """One of the event's jobs: its progress while it runs, then its outcome."""
    event = _managed_event(current_user, event_id)
    task = tasks.event_task(event.id, task_id)
    return render_template("tasks/task.html", task=task, view=tasks.view(task), event=event)


@bp.route(MANAGE + "/<int:event_id>/jobs/<int:task_id>/progress.json")
@roles_required("organiser")
def job_progress(event_id: int, task_id: int):
    event = _managed_event(current_user, event_id)
    response = jsonify(tasks.view(tasks.event_task(event.id, task_id)).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response
