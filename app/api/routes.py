"""The account page's API tokens: create (the secret shown once), list, revoke with confirmation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api import services
from app.api.forms import RevokeForm, TokenForm
from app.inputs import parse_id
from app.transaction import service_errors

bp = Blueprint("api_tokens", __name__)


def _event_choices(actor) -> list[tuple[str, str]]:
    events = services.events_for_scope(actor)
    return [("", _("All events"))] + [(str(event.id), event.name_in(g.locale)) for event in events]


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Any logged-in user: their API tokens, and a form to create one (its secret is shown once)."""
    form = TokenForm()
    form.event_id.choices = _event_choices(current_user)
    if form.validate_on_submit():
        with service_errors(form):
            new = services.create_token(
                current_user,
                name=form.name.data,
                scope=form.scope.data,
                event_id=parse_id(form.event_id.data) if form.event_id.data else None,
            )
            response = render_template("api/token_created.html", token=new.token, secret=new.secret)
            return response, 201, {"Cache-Control": "no-store"}
    return render_template("api/tokens.html", form=form, tokens=services.tokens_of(current_user))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int):
    """The token's owner: revoke it, after a confirmation (another user's token is a 403)."""
    token = services.own_token(current_user, token_id)
    if token is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        services.revoke_token(current_user, token)
        flash(_("The token “%(name)s” was revoked.", name=token.name), "success")
        return redirect(url_for("api_tokens.tokens"))
    return render_template("api/revoke_token.html", token=token, form=form)
