"""The matching blueprint; its pages live in sessions/, participation/, agenda/ and outcomes/ routes."""

from flask import Blueprint, abort

from app.errors import PermissionDenied

bp = Blueprint("matching", __name__)


@bp.errorhandler(PermissionDenied)
def _forbidden(_error):
    abort(403)
