"""The matching blueprint; its pages live in sessions/, participation/, agenda/ and outcomes/ routes."""

from flask import Blueprint

bp = Blueprint("matching", __name__)
