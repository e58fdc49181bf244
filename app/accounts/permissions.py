"""Route guards: who may open a page."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Only logged-in users holding one of `roles` (or admin) pass; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles, "admin"):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require(allowed: bool) -> None:
    """Refuse the request with 403 unless `allowed` (a module's own rule, e.g. "manages this event")."""
    if not allowed:
        abort(403)
