"""The "events" blueprint: the organisers' pages and the registration pages add their routes to it.

Sub-features (app/events/registrations/) import the blueprint from here, never from another
module's routes.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__)
MANAGE = "/manage/events"
