"""Account operations. They change objects and flush; the caller commits once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import ROLES, User
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.extensions import db

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


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise ServiceError(_l("The current password is not right."), field="current_password")
    _check_password_strength(new_password, field="new_password")
    user.set_password(new_password)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


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
    db.session.flush()
