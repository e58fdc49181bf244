"""Account operations. They change objects and flush; the caller commits once."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta

from flask import current_app, has_request_context, request
from flask_babel import force_locale, format_datetime, gettext, lazy_ngettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.accounts import passwords, throttling
from app.accounts.models import ROLES, SECURITY_EVENT_KINDS, SecurityEvent, User
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.extensions import db
from app.ratelimit import minutes_left
from app.signals import account_mail, security_event
from app.urls import external_url

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _check_password_strength(
    password: str, *, email: str | None, organisation=None, field: str = "password"
) -> None:
    """Refuse a weak new password with the reason, next to `field` (app/accounts/passwords.py)."""
    name = organisation.name if organisation is not None else None
    if problem := passwords.problem(password, email=email, organisation_name=name):
        raise ServiceError(problem, field=field)


def create_user(
    *,
    email: str,
    password: str,
    full_name: str,
    role: str,
    locale: str | None = None,
    organisation=None,
) -> User:
    if role not in ROLES:
        raise ServiceError(_l("Unknown role."), field="role")
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise ServiceError(_l("An account with this e-mail already exists."), field="email")
    _check_password_strength(password, email=email, organisation=organisation)
    user = User(email=email, full_name=full_name.strip(), role=role, locale=locale, organisation=organisation)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the failure is counted and recorded.

    An unknown e-mail, a wrong password and a deactivated account get the same answer in
    the same time (a password hash is checked in each case). An e-mail locked out or waiting
    after failed attempts (app/accounts/throttling.py), known or not, is refused before
    anything is checked: a ServiceError saying how long to wait.
    """
    email = normalise_email(email)
    if refusal := throttling.refusal(email):
        raise ServiceError(_refusal_message(refusal), field="password")
    user = find_user_by_email(email)
    right = passwords.verify(user.password_hash if user is not None else None, password)
    if user is None or not right or not user.is_active_account:
        started = throttling.record_failure(email)
        security_event.send(user, kind="login_failed", email=email)
        if started is not None and started.locked:
            minutes = minutes_left(started.seconds)
            security_event.send(user, kind="locked", email=email, detail=f"{minutes} min")
        return None
    throttling.record_success(email)
    user.last_login_at = utcnow()
    security_event.send(user, kind="login")
    return user


def user_for_login(login_id: str | None) -> User | None:
    """The account a session or remember cookie stands for ("<id>:<session version>", see
    User.get_id), or None when its sessions were ended since, or it is deactivated."""
    user_id, _, version = (login_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None  # tampered, or a login issued before session versions: log in again
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active_account:
        return None
    return user


def _security_event(user: User, kind: str, actor: User | None, detail: str = "") -> None:
    security_event.send(user, kind=kind, actor=actor, detail=detail)


def log_out(user: User) -> None:
    """End the person's login server-side: the session cookie and the remember cookie they hold
    (or anyone copied) stop working. The version is per account, so their other devices are
    logged out too; the caller also clears this browser's cookies (logout_user)."""
    user.end_sessions()
    db.session.flush()
    _security_event(user, "logout", user)


def login_failure_messages(email: str) -> list:
    """What a person whose login just failed reads: the failure, then any wait it started."""
    messages = [_l("Wrong e-mail or password.")]
    if refusal := throttling.refusal(normalise_email(email)):
        messages.append(_refusal_message(refusal))
    return messages


def _refusal_message(refusal: throttling.Refusal):
    if refusal.locked:
        return lazy_ngettext(
            "Too many failed attempts for this account: try again in %(num)d minute.",
            "Too many failed attempts for this account: try again in %(num)d minutes.",
            minutes_left(refusal.seconds),
        )
    seconds = max(1, math.ceil(refusal.seconds))
    return lazy_ngettext(
        "Too many failed attempts for this account: wait %(num)d second before trying again.",
        "Too many failed attempts for this account: wait %(num)d seconds before trying again.",
        seconds,
    )


def _set_new_password(user: User, new_password: str, kind: str) -> None:
    """Check and set a new password, end every session of the account, and record `kind`."""
    _check_password_strength(
        new_password, email=user.email, organisation=user.organisation, field="new_password"
    )
    user.set_password(new_password)
    user.end_sessions()
    db.session.flush()
    _security_event(user, kind, user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A new password ends every session of the account; the caller logs the current one in
    again (login_user with the new session version), so only the other sessions end."""
    if not user.check_password(current_password):
        raise ServiceError(_l("The current password is not right."), field="current_password")
    _set_new_password(user, new_password, "password_changed")


def end_sessions(actor: User, user: User) -> None:
    """Admins: log an account out everywhere (a lost phone, a shared computer, a leaked password)."""
    if actor.role != "admin":
        raise PermissionDenied
    user.end_sessions()
    db.session.flush()
    _security_event(user, "sessions_ended", actor)


# ---------------------------------------------------------------- password reset by e-mail

_RESET_SALT = "ocopfair.password-reset"


class ResetLinkError(ServiceError):
    """A password-reset link that can't be used: expired, used already, or not one of ours."""


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _reset_fingerprint(user: User) -> str:
    """Changes with the password and the session version: a link works once, and not after a
    password change or a logout."""
    material = f"{user.id}|{user.password_hash}|{user.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def password_reset_token(user: User) -> str:
    """A signed, timestamped token for the reset link. itsdangerous stamps it with time.time(),
    which is the app clock's source too (and what the tests pin)."""
    return _reset_serializer().dumps({"user": user.id, "check": _reset_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The account a reset link is for, or ResetLinkError saying why it can't be used."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as error:
        raise ResetLinkError(
            _l("This link has expired: links to reset a password work for one hour.")
        ) from error
    except BadSignature as error:
        raise ResetLinkError(_l("This link is not valid. Copy the whole link from the mail.")) from error
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.is_active_account:
        raise ResetLinkError(_l("This link is not valid. Copy the whole link from the mail."))
    if not hmac.compare_digest(str(data.get("check", "")), _reset_fingerprint(user)):
        raise ResetLinkError(
            _l("This link has been used already, or the password has changed since it was sent.")
        )
    return user


def _reset_mail(user: User, link: str) -> tuple[str, str]:
    """Subject and body of the reset mail (call inside force_locale)."""
    until = clock.now() + timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"])
    subject = gettext("Choose a new ocopfair password")
    body = "\n".join(
        [
            gettext("Hello %(name)s,", name=user.full_name),
            "",
            gettext(
                "Someone, probably you, asked to reset the password of the ocopfair account %(email)s. "
                "To choose a new password, open this link before %(time)s (Vietnam time); it works once:",
                email=user.email,
                time=format_datetime(until, "short"),
            ),
            "",
            link,
            "",
            gettext("If you did not ask for this, ignore this mail: your password stays as it is."),
        ]
    )
    return subject, body


def request_password_reset(email: str) -> None:
    """Mail a reset link to the account with this address, if there is an active one.

    The caller answers the same either way, so the page tells nobody which addresses have an
    account. The mail is in the account's stored language, not the asking browser's."""
    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    link = external_url("accounts.reset_password", token=password_reset_token(user))
    with force_locale(user.locale or "vi"):
        subject, body = _reset_mail(user, link)
    # The outbox (app.notifications, a layer above accounts) queues it in this transaction.
    account_mail.send(user, subject=subject, body=body, kind="password_reset")


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link stops working and every session of the
    account ends. Returns the account (the caller logs it in)."""
    user = user_for_reset_token(token)
    _set_new_password(user, new_password, "password_reset")
    return user


def set_locale(user: User, locale: str) -> None:
    """The language the account's mail is written in (and its pages, until a visitor's switch)."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ServiceError(_l("Unknown language."), field="locale")
    user.locale = locale
    db.session.flush()


def users_query(*, text: str | None = None, role: str | None = None):
    query = select(User)
    if role in ROLES:
        query = query.where(User.role == role)
    if text:
        like = f"%{text.strip().lower()}%"
        query = query.where(func.lower(User.email).like(like) | func.lower(User.full_name).like(like))
    return query.order_by(User.created_at.desc(), User.id.desc())


def set_role(actor: User, user: User, role: str) -> None:
    """Admins give accounts their role; an admin can't take away its own admin role."""
    if actor.role != "admin":
        raise PermissionDenied
    if role not in ROLES:
        raise ServiceError(_l("Unknown role."), field="role")
    if user.id == actor.id and role != "admin":
        raise ServiceError(_l("You can't remove your own administrator role."), field="role")
    if role in ("exhibitor", "buyer"):
        wanted = "producer" if role == "exhibitor" else "buyer"
        if user.organisation is None or user.organisation.role != wanted:
            raise ServiceError(_l("This account has no organisation of that kind."), field="role")
    if user.role != role:
        security_event.send(user, kind="role_changed", actor=actor, detail=f"{user.role} → {role}")
    user.role = role
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.role != "admin":
        raise PermissionDenied
    if user.id == actor.id and not active:
        raise ServiceError(_l("You can't deactivate your own account."))
    if user.is_active_account != active:
        security_event.send(user, kind="reactivated" if active else "deactivated", actor=actor)
    user.is_active_account = active
    if not active:  # logged out at once, everywhere; reactivating doesn't bring old logins back
        user.end_sessions()
    db.session.flush()
    if not active:
        _security_event(user, "sessions_ended", actor, "deactivated")


# ---------------------------------------------------------------- the security audit trail


@security_event.connect
def _record_security_event(sender: User | None, *, kind: str, actor=None, detail: str = "", email=None, **_):
    """Store a security event (app.signals.security_event) in the sender's transaction."""
    if kind not in SECURITY_EVENT_KINDS:
        raise ValueError(f"unknown security event kind {kind!r}")
    # `current_user` is a proxy: the User behind it goes in the row
    sender, actor = (getattr(u, "_get_current_object", lambda u=u: u)() for u in (sender, actor))
    address = request.remote_addr if has_request_context() else None
    db.session.add(
        SecurityEvent(
            kind=kind,
            user=sender,
            actor=actor if actor is not None and actor is not sender else None,
            email=(sender.email if sender is not None else normalise_email(email or ""))[:254] or None,
            address=(address or "")[:64] or None,
            detail=(detail or "")[:500],
            at=utcnow(),
        )
    )
    db.session.flush()


def security_events_query(*, kind: str | None = None, email: str | None = None):
    """Security events, newest first, each with its account and actor loaded alongside."""
    query = select(SecurityEvent).options(joinedload(SecurityEvent.user), joinedload(SecurityEvent.actor))
    if kind in SECURITY_EVENT_KINDS:
        query = query.where(SecurityEvent.kind == kind)
    if email:
        query = query.where(func.lower(SecurityEvent.email).like(f"%{email.strip().lower()}%"))
    return query.order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
