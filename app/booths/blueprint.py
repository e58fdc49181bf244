"""The booths blueprint; its pages live in plan_routes, booking_routes and ebooth_routes."""

from flask import Blueprint

bp = Blueprint("booths", __name__)
