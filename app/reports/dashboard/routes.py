"""The event dashboard, its exports and its printable report: for the event's own organisers
and admins (managed_event: 404 for no such event, 403 for anyone else; roles_required sends
the logged-out to the login page). Thin: parse the filters, authorise, call the service."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.events.services import managed_event
from app.reports import cache, downloads
from app.reports import charts as draw
from app.reports.dashboard import services
from app.reports.dashboard.forms import DashboardFilterForm
from app.reports.tables import csv_bytes, xlsx_bytes

bp = Blueprint("dashboard", __name__)

MANAGE = "/manage/events/<int:event_id>"
FILTER_KEYS = ("role", "buyer_type", "province", "date_from", "date_to")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered(event_id: int):
    """The event (its organisers and admins only), the filter form, whether it was valid, the
    dashboard and its charts: from the figure cache (app/reports/cache.py) unless `?fresh=1`
    asks for them computed now; `board.computed_at` says when they were."""
    event = managed_event(current_user, event_id)
    form = DashboardFilterForm(request.args)
    valid = form.validate()
    filters = form.filters()

    def compute():
        board = services.event_dashboard(current_user, event, filters)
        return board, {name: draw.portable(chart) for name, chart in _charts(board).items()}

    (board, charts), computed_at = cache.cached(
        ("event", event.id, "dashboard", repr(filters), str(get_locale())),
        compute,
        fresh=request.args.get("fresh") == "1",
    )
    # A copy with this request's event (the cached one belongs to an earlier session).
    board = replace(board, event=event, computed_at=computed_at)
    return event, form, valid, board, {name: draw.placed(chart) for name, chart in charts.items()}


def _typed_filters() -> dict[str, str]:
    """The filters as typed (refused ones too: the dashboard shows their messages), and nothing
    else from the query string."""
    return {key: request.args[key] for key in FILTER_KEYS if key in request.args}


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _charts(board: services.Dashboard) -> dict:
    """The dashboard's three charts (pygal SVG, drawn in the request for its CSP nonce)."""
    nothing = _("Nothing to show yet.")
    timeline = None
    if board.timeline_days:
        timeline = draw.line(
            board.tables["registrations_per_day"].title,
            [format_date(day, "short") for day in board.timeline_days],
            {services.role_label(role): values for role, values in board.timeline.items()},
            no_data=nothing,
        )
    return {
        "timeline": timeline,
        "provinces": draw.bar(
            _("Exhibitors by province"),
            [label for label, _n in board.province_bars],
            [n for _label, n in board.province_bars],
            no_data=nothing,
        ),
        "funnel": draw.funnel(
            _("From candidates to contracts"),
            [label for label, _n in board.funnel],
            [n for _label, n in board.funnel],
            no_data=nothing,
        ),
    }


@bp.route(MANAGE + "/dashboard")
@roles_required("organiser")
def dashboard(event_id: int):
    """The event's organisers and admins: its figures, tables and charts, filtered (GET)."""
    event, form, valid, board, charts = _filtered(event_id)
    return render_template(
        "reports/dashboard/dashboard.html", event=event, form=form, board=board, charts=charts
    ), (200 if valid else 400)


@bp.route(MANAGE + "/report")
@roles_required("organiser")
def report(event_id: int):
    """The event's organisers and admins: its results on A4, to print (the same filters)."""
    event, form, valid, board, charts = _filtered(event_id)
    if not valid:
        return redirect(url_for("dashboard.dashboard", event_id=event.id, **_typed_filters()))
    return render_template(
        "reports/dashboard/report.html", event=event, form=form, board=board, charts=charts
    )


@bp.route(MANAGE + "/dashboard/<table_key>.<any(csv, xlsx):fmt>")
@roles_required("organiser")
def table_export(event_id: int, table_key: str, fmt: str):
    """The event's organisers and admins: one dashboard table as CSV or XLSX, filtered."""
    if table_key not in services.TABLE_KEYS:
        abort(404)
    event, _form, valid, board, _charts_drawn = _filtered(event_id)
    if not valid:
        return redirect(url_for("dashboard.dashboard", event_id=event.id, **_typed_filters()))
    table = board.table(table_key)
    downloads.record_dashboard_download(current_user, event, table.title, fmt, board.filters)
    name = f"{event.slug}-{table_key}.{fmt}"
    if fmt == "csv":
        return _download(csv_bytes(table, event.timezone), name, "text/csv; charset=utf-8")
    return _download(xlsx_bytes([table], event.timezone), name, XLSX)


@bp.route(MANAGE + "/dashboard.xlsx")
@roles_required("organiser")
def workbook(event_id: int):
    """The event's organisers and admins: every dashboard table in one workbook, a sheet each."""
    event, _form, valid, board, _charts_drawn = _filtered(event_id)
    if not valid:
        return redirect(url_for("dashboard.dashboard", event_id=event.id, **_typed_filters()))
    data = xlsx_bytes([board.table(key) for key in services.TABLE_KEYS], event.timezone)
    downloads.record_dashboard_download(current_user, event, None, "xlsx", board.filters)
    return _download(data, f"{event.slug}-dashboard.xlsx", XLSX)
