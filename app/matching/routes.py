"""The matching blueprint; its pages live in session_routes and agenda_routes."""

from flask import Blueprint

bp = Blueprint("matching", __name__)
