"""The organisers' page of an event's check-in staff: add an account by email, remove one after
a confirmation. Thin: parse, authorise, call app.onsite.staff.services. Added to the onsite
blueprint (imported by app/onsite/checkin_app/routes.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import ServiceError, attach_to_form
from app.events.services import managed_event
from app.inputs import page_arg
from app.onsite.routes import bp
from app.onsite.staff import services as staff
from app.onsite.staff.forms import RemoveStaffForm, StaffForm
from app.paging import counted_page

BASE = "/manage/events/<int:event_id>/checkin-staff"


@bp.route(BASE, methods=["GET", "POST"], endpoint="staff")
@roles_required("organiser")
def staff_list(event_id: int):
    """The event's organisers (and admins): its check-in staff, a page at a time, and the form to
    add one. Anonymous: login; other roles 403; another event's organiser 404."""
    event = managed_event(current_user, event_id)
    form = StaffForm()
    status = 200
    if form.validate_on_submit():
        try:
            member = staff.add_staff(current_user, event, form.email.data)
        except ServiceError as problem:
            attach_to_form(form, problem)
            status = 422
        else:
            flash(_("%(name)s is now check-in staff of this event.", name=member.user.full_name), "success")
            return redirect(url_for("onsite.staff", event_id=event.id))
    elif form.is_submitted():
        status = 422
    page = page_arg()
    members, total = staff.staff_page(current_user, event, page=page)
    return render_template(
        "onsite/staff.html",
        event=event,
        form=form,
        members=members,
        total=total,
        page=counted_page(members, total, page=page, per_page=staff.PER_PAGE),
    ), status


@bp.route(BASE + "/<int:member_id>/remove", methods=["GET", "POST"], endpoint="staff_remove")
@roles_required("organiser")
def staff_remove(event_id: int, member_id: int):
    """The event's organisers (and admins): confirm, then remove one account from its check-in
    staff. Another event's row: 404."""
    event = managed_event(current_user, event_id)
    member = staff.staff_member(current_user, event, member_id)
    if member is None:
        abort(404)
    form = RemoveStaffForm()
    if form.validate_on_submit():
        name = member.user.full_name
        staff.remove_staff(current_user, event, member)
        flash(_("%(name)s is no longer check-in staff of this event.", name=name), "success")
        return redirect(url_for("onsite.staff", event_id=event.id))
    return render_template("onsite/staff_remove.html", event=event, member=member, form=form)
