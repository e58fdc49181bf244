"""Log in, log out, change or reset a password, the account page, switch language; admins' accounts pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_remembered, login_required, login_user, logout_user

from app.accounts import services
from app.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
)
from app.accounts.models import ROLES, SECURITY_EVENT_KINDS, User
from app.accounts.permissions import roles_required
from app.extensions import db
from app.ratelimit import limit_per_address
from app.transaction import service_errors
from config import Config

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limit_per_address("LOGIN_ADDRESS_LIMIT", failures_only=True)
def login():
    """Anyone: log in with e-mail and password (failures throttled per e-mail and per address)."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = LoginForm()
    if form.validate_on_submit():
        with service_errors(form):  # refused while the e-mail is locked out or must wait
            user = services.authenticate(form.email.data, form.password.data)
            if user is not None:
                login_user(user, remember=form.remember.data)
                flash(_("Welcome, %(name)s.", name=user.full_name), "success")
                return redirect(_safe_next(request.args.get("next")) or url_for("catalog.dashboard"))
            # the failure and its audit row are kept: the page answers 200, and the request commits
            form.password.errors.extend(services.login_failure_messages(form.email.data))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """A logged-in user: log out (POST only, CSRF-protected). The login ends server-side too, so
    a copy of the cookies no longer opens anything (on the person's other devices neither)."""
    services.log_out(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("catalog.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A logged-in user: change the password after giving the current one. Every other session
    (other devices, remember cookies) ends; this one stays logged in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        remembered = login_remembered()
        with service_errors(form):
            user = current_user._get_current_object()
            services.change_password(user, form.current_password.data, form.new_password.data)
            login_user(user, remember=remembered)  # this session, under the new session version
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("catalog.dashboard"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_per_address("PASSWORD_RESET_ADDRESS_LIMIT")
def forgot_password():
    """Anyone: ask for a link to choose a new password. The answer is the same whether the
    address has an account or not; requests are limited per client address (no mail flood)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account uses this address, a link to choose a new password is on its way to it. "
                "The link works for one hour."
            ),
            "info",
        )
        return redirect(url_for("accounts.forgot_password"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Anyone holding a reset link: choose a new password; every session of the account ends
    and this browser is logged in."""
    try:
        services.user_for_reset_token(token)
    except services.ResetLinkError as error:
        response = make_response(
            render_template("accounts/reset_link_invalid.html", message=error.message), 400
        )
        return _no_referrer(response)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with service_errors(form):
            user = services.reset_password(token, form.new_password.data)
            login_user(user)
            flash(_("Your password has been changed. You are logged in."), "success")
            return redirect(url_for("catalog.dashboard"))
    return _no_referrer(make_response(render_template("accounts/reset_password.html", form=form)))


def _no_referrer(response):
    """The reset link (in the address bar) is never sent to another page as the Referer."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """A logged-in user: their account, and the language their mail (and pages) are in."""
    form = LanguageForm(locale=current_user.locale or "vi")
    if form.validate_on_submit():
        with service_errors(form):
            services.set_locale(current_user, form.locale.data)
            session["lang"] = form.locale.data
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


@bp.route("/lang/<code>")
def switch_language(code: str):
    """Anyone: switch the interface language for this visit and return to the page they were on.

    Only the session changes: a GET (a link, an image another site embeds) never changes what an
    account has stored; the account page does that, by POST."""
    if code in Config.LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for("catalog.home"))


@bp.route("/admin/users")
@roles_required("admin")
def users():
    """Admins: every account, searchable, with its role and status."""
    role = request.args.get("role") or None
    text = (request.args.get("q") or "").strip() or None
    page = db.paginate(services.users_query(text=text, role=role), per_page=50, error_out=False)
    return render_template("accounts/users.html", page=page, role=role, text=text, roles=ROLES)


@bp.route("/admin/users/<int:user_id>", methods=["POST"])
@roles_required("admin")
def update_user(user_id: int):
    """Admins: change an account's role, or (de)activate it."""
    user = db.get_or_404(User, user_id)
    with service_errors():
        if "role" in request.form:
            services.set_role(current_user, user, request.form["role"])
        if "active" in request.form:
            services.set_active(current_user, user, request.form["active"] == "1")
        flash(_("Saved."), "success")
    return redirect(url_for("accounts.users", **request.args))


@bp.route("/admin/users/<int:user_id>/sessions", methods=["GET", "POST"])
@roles_required("admin")
def end_sessions(user_id: int):
    """Admins: log an account out on every device, after confirming on this page."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors():
            services.end_sessions(current_user, user)
            flash(_("%(name)s is logged out on every device.", name=user.full_name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/end_sessions.html", user=user, form=form)


@bp.route("/admin/security")
@roles_required("admin")
def security_events():
    """Admins: the security events (logins, failures, locks, password and role changes), newest first."""
    kind = request.args.get("kind") or None
    email = (request.args.get("email") or "").strip() or None
    query = services.security_events_query(kind=kind, email=email)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template(
        "accounts/security_events.html", page=page, kind=kind, email=email, kinds=SECURITY_EVENT_KINDS
    )
