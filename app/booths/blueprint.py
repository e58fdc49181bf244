"""The booths blueprint; its pages live in plan/routes.py, booking/routes.py and ebooths/routes.py."""

from flask import Blueprint

bp = Blueprint("booths", __name__)
