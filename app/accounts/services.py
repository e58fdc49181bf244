"""Account operations. They change objects and flush; the caller commits once."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from app import clock
from app.accounts.models import ROLES, User
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.extensions import db
from app.signals import account_mail, security_event
from app.urls import external_url

MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _check_password_strength(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field)


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
    _check_password_strength(password)
    user = User(email=email, full_name=full_name.strip(), role=role, locale=locale, organisation=organisation)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None (same answer for unknown e-mail and bad password)."""
    user = find_user_by_email(email)
    if user is None or not user.is_active_account or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
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


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A new password ends every session of the account; the caller logs the current one in
    again (login_user with the new session version), so only the other sessions end."""
    if not user.check_password(current_password):
        raise ServiceError(_l("The current password is not right."), field="current_password")
    _check_password_strength(new_password, field="new_password")
    user.set_password(new_password)
    user.end_sessions()
    db.session.flush()
    _security_event(user, "password_changed", user)


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
    _check_password_strength(new_password, field="new_password")
    user.set_password(new_password)
    user.end_sessions()
    db.session.flush()
    _security_event(user, "password_reset", user)
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
    user.role = role
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.role != "admin":
        raise PermissionDenied
    if user.id == actor.id and not active:
        raise ServiceError(_l("You can't deactivate your own account."))
    user.is_active_account = active
    if not active:  # logged out at once, everywhere; reactivating doesn't bring old logins back
        user.end_sessions()
    db.session.flush()
    if not active:
        _security_event(user, "sessions_ended", actor, "deactivated")
