"""The event log's entries for the dashboards' downloads: who took which table, in which format,
with which filters (signals.organiser_action, in the request's transaction: the request commits
once after the view, a GET as a POST; services flush, never commit).

An event dashboard's table or workbook is recorded on its event ("dashboard_downloaded"); a
programme table or report workbook spans events, so it is recorded outside any event
("programme_downloaded"), where the log of entries without an event shows it to its author and
to admins (app/eventlog).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app import signals
from app.data.provinces import CURRENT_PROVINCES
from app.events.services import ensure_can_manage

DASHBOARD_WORKBOOK = _l("The dashboard's workbook (every table)")
PROGRAMME_WORKBOOK = _l("The yearly report workbook")


def _province(code: str | None) -> str | None:
    return CURRENT_PROVINCES.get(code, code) if code else None


def _without_empty(changes: dict) -> dict:
    return {key: value for key, value in changes.items() if value not in (None, "")}


def record_dashboard_download(actor, event, title, fmt: str, filters) -> None:
    """An event dashboard's table (`title`; None for the workbook) downloaded, with the filters applied."""
    ensure_can_manage(actor, event)
    changes = {
        "format": fmt.upper(),
        "role": filters.role,
        "buyer type": filters.buyer_type,
        "province": _province(filters.province),
        "from": filters.date_from,
        "to": filters.date_to,
    }
    signals.organiser_action.send(
        actor,
        event_id=event.id,
        action="dashboard_downloaded",
        subject=str(title or DASHBOARD_WORKBOOK),
        changes=_without_empty(changes),
    )


def record_programme_download(actor, title, fmt: str, filters) -> None:
    """A programme table (`title`; None for the yearly report workbook) downloaded, with its filters."""
    changes = {
        "format": fmt.upper(),
        "year": filters.year,
        "province": _province(filters.province),
        "event kind": filters.kind,
    }
    signals.organiser_action.send(
        actor,
        event_id=None,
        action="programme_downloaded",
        subject=str(title or PROGRAMME_WORKBOOK),
        changes=_without_empty(changes),
    )
