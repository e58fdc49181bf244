"""The programme dashboard across events, for organisers (their own events) and admins (all):
the page, each of its tables as CSV or XLSX, and the province's yearly report workbook."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from app import clock
from app.accounts.permissions import roles_required
from app.events.forms import EVENT_KIND_LABELS, STATE_LABELS
from app.events.models import EVENT_KINDS
from app.inputs import page_arg
from app.reports import cache, charts, downloads
from app.reports.programme import services
from app.reports.programme.forms import ProgrammeFilterForm
from app.reports.tables import csv_chunks, xlsx_bytes

bp = Blueprint("programme", __name__)
PER_PAGE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(years: list[int] | None = None) -> ProgrammeFilterForm:
    years = services.years_with_events(current_user) if years is None else years
    form = ProgrammeFilterForm(request.args, years)
    form.validate()
    return form


def _charts(result: services.Programme) -> dict:
    lines = result.by_quarter
    labels = [line.label for line in lines]
    figures = lambda name: [line.figures[name] for line in lines]  # noqa: E731
    provinces = result.by_province
    return {
        "trend": charts.line(
            str(services.TABLE_TITLES["by_quarter"]),
            labels,
            {
                str(services.MEASURE_LABELS["events"]): [line.events for line in lines],
                str(services.MEASURE_LABELS["exhibitors"]): figures("exhibitors"),
                str(services.MEASURE_LABELS["buyers"]): figures("buyers"),
                str(services.MEASURE_LABELS["meetings_held"]): figures("meetings_held"),
                str(services.MEASURE_LABELS["contracts"]): figures("contracts"),
            },
        ),
        "provinces": charts.bar(
            str(services.MEASURE_LABELS["events"]),
            [line.label for line in provinces],
            [line.events for line in provinces],
        ),
        # Contract value per province, once some contract has a value (bars of 0 say nothing).
        "province_value": charts.bar(
            str(services.MEASURE_LABELS["contract_vnd"]),
            [line.label for line in provinces],
            [line.figures["contract_vnd"] for line in provinces],
        )
        if result.totals["contract_vnd"]
        else None,
    }


def typed_filters() -> dict[str, str]:
    """The filters as typed (refused ones too: the page shows their messages), nothing else."""
    return {key: request.args[key] for key in ("year", "province", "kind", "when") if key in request.args}


@bp.route("/manage/programme")
@roles_required("organiser")
def dashboard():
    """Organisers (the events they organise) and admins (every event): the programme's figures."""
    years = services.years_with_events(current_user)
    form = _form(years)
    filters = form.filters()
    locale, page = g.get("locale") or "vi", page_arg()
    # From the figure cache (app/reports/cache.py): the key names the user, whose events count.

    def compute():
        found = services.programme(
            current_user, filters, page=page, per_page=PER_PAGE, locale=locale, years=years
        )
        drawn = (
            {name: charts.portable(chart) for name, chart in _charts(found).items()} if found.events else None
        )
        return found, drawn

    (result, drawn), computed_at = cache.cached(
        ("programme", current_user.id, repr(filters), page, locale, tuple(years)),
        compute,
        fresh=request.args.get("fresh") == "1",
    )
    return render_template(
        "reports/programme/dashboard.html",
        form=form,
        result=result,
        filters=filters,
        charts={name: charts.placed(chart) for name, chart in drawn.items()} if drawn else None,
        measures=services.MEASURES,
        measure_labels=services.MEASURE_LABELS,
        kinds=EVENT_KINDS,
        kind_labels=EVENT_KIND_LABELS,
        when_labels=services.WHEN_LABELS,
        state_labels=STATE_LABELS,
        titles=services.TABLE_TITLES,
        province_title=services.province_title,
        is_admin=current_user.role == "admin",
        computed_at=computed_at,
        fresh_args={**typed_filters(), "page": page, "fresh": 1},
    ), (400 if form.errors else 200)  # a refused filter: named beside its field, the others applied


def _filters_or_redirect():
    form = _form()
    if form.errors:  # the page says what is wrong, beside the field
        return None, redirect(url_for("programme.dashboard", **typed_filters()))
    return form.filters(), None


def _name(filters: services.ProgrammeFilters, stem: str, extension: str) -> str:
    parts = [stem, filters.province, filters.year, filters.kind, filters.args().get("when")]
    return "-".join(str(part) for part in parts if part) + "." + extension


@bp.route("/manage/programme/<table_key>.csv", defaults={"extension": "csv"})
@bp.route("/manage/programme/<table_key>.xlsx", defaults={"extension": "xlsx"})
@roles_required("organiser")
def export(table_key: str, extension: str):
    """Organisers and admins: one table of the programme page (the same events) as CSV or XLSX."""
    if table_key not in services.TABLE_KEYS or extension not in ("csv", "xlsx"):
        abort(404)
    filters, refused = _filters_or_redirect()
    if refused:
        return refused
    table = services.programme_table(current_user, filters, table_key, g.get("locale") or "vi")
    downloads.record_programme_download(current_user, services.TABLE_TITLES[table_key], extension, filters)
    name = _name(filters, f"programme-{table_key}", extension)
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if extension == "csv":
        return Response(
            stream_with_context(csv_chunks(table)), mimetype="text/csv; charset=utf-8", headers=disposition
        )
    return Response(xlsx_bytes([table]), mimetype=XLSX, headers=disposition)


@bp.route("/manage/programme/workbook.xlsx")
@roles_required("organiser")
def workbook():
    """Organisers and admins: the province's yearly report, one sheet per table after a cover."""
    filters, refused = _filters_or_redirect()
    if refused:
        return refused
    tables = services.workbook_tables(
        current_user, filters, current_user.full_name, clock.now(), g.get("locale") or "vi"
    )
    downloads.record_programme_download(current_user, None, "xlsx", filters)
    name = _name(filters, "programme-report", "xlsx")
    return Response(
        xlsx_bytes(tables), mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
