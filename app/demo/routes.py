"""Administrators load the demo data from a page: the button enqueues the job `demo.load`.

The demo's services read their data tables on import, so this module imports them when a
page is used, not when the app is built (as `flask demo` does).
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.tasks import services as tasks
from app.transaction import service_errors

bp = Blueprint("demo", __name__)


@bp.route("/admin/demo")
@roles_required("admin")
def index():
    """Administrators: whether the demo is loaded, its logins, and the button that loads it."""
    from app.demo import services as demo

    task = demo.latest_loading()
    return render_template(
        "demo/index.html",
        loaded=demo.demo_is_loaded(),
        logins=demo.DEMO_LOGINS,
        password=demo.DEMO_PASSWORD,
        job=(task, tasks.view(task)) if task is not None else (None, None),
    )


@bp.route("/admin/demo/load", methods=["POST"])
@roles_required("admin")
def load():
    """Administrators: load the demo data in the background, once per database."""
    from app.demo import services as demo

    with service_errors():
        demo.start_loading(current_user, current_app.config["DEMO_SEED"])
    return redirect(url_for("demo.index", _anchor="job"))
