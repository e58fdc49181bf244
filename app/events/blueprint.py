"""The "events" blueprint: the organisers' pages and the registration pages add their routes to it.

Sub-features (app/events/registrations/) import the blueprint from here, never from another
module's routes.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from werkzeug.exceptions import Forbidden

from app.errors import PermissionDenied

bp = Blueprint("events", __name__)
MANAGE = "/manage/events"


@bp.errorhandler(PermissionDenied)
def _forbidden(_error):
    """A service's PermissionDenied that no view caught is the 403 page.

    (Not abort(403): an exception raised inside an error handler becomes a 500.)
    """
    return current_app.handle_http_exception(Forbidden())
