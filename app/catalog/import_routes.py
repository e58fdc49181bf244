"""Organisers import producers and products from the spreadsheets provinces keep."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.accounts.permissions import roles_required

bp = Blueprint("imports", __name__, url_prefix="/import")


@bp.route("/", methods=["GET", "POST"])
@roles_required("organiser")
def upload():
    return render_template("errors/error.html", code=501)
