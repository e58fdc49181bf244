"""The hall plans drawn on the booth request form: free booths are buttons to rank, the rest are shown.

Reads through `services.request_plan` (two queries for all halls) and draws with the pure
`app.booths.plan.svg.hall_plan_svg`; booth-request.js turns clicks into preferences.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from app.booths.booking import services as booking
from app.booths.plan.svg import PlanBooth, hall_plan_svg
from app.names import name_in

# the plan's colour for each state an exhibitor sees
DRAWN_STATUS = {"free": "free", "taken": "allocated", "blocked": "blocked"}


def _labels() -> dict[str, str]:
    return {"free": _("Free"), "allocated": _("Taken"), "blocked": _("Not available")}


def _accessible_name(code: str, type_name: str, state: str) -> str:
    if state == "free":
        return _("Booth %(code)s, %(type)s, free", code=code, type=type_name)
    if state == "taken":
        return _("Booth %(code)s, %(type)s, taken", code=code, type=type_name)
    return _("Booth %(code)s, %(type)s, blocked", code=code, type=type_name)


def request_plan_svgs(event) -> list[Markup]:
    """One SVG per hall with floor booths; each free booth a button carrying its id and type."""
    labels = _labels()
    plans = []
    for plan_hall in booking.request_plan(event):
        hall = plan_hall.hall
        drawn = [
            PlanBooth(
                id=booth.id,
                code=booth.code,
                x=float(booth.x_m),
                y=float(booth.y_m),
                width=float(booth.width_m),
                depth=float(booth.depth_m),
                status=DRAWN_STATUS[state],
                label=_accessible_name(booth.code, booking.type_name(booth.booth_type), state),
                type_id=booth.booth_type_id,
                pickable=state == "free",
            )
            for booth, state in plan_hall.booths
        ]
        plans.append(
            Markup(  # noqa: S704 - every text and attribute is escaped while drawing
                hall_plan_svg(
                    hall_name=name_in(hall),
                    width=float(hall.width_m),
                    depth=float(hall.depth_m),
                    booths=drawn,
                    status_labels=labels,
                    uid=f"request-plan-{hall.id}",
                    description=_("Click free booths to rank them as your preferences."),
                    role="group",
                    booths_label=_("Booths of %(hall)s", hall=name_in(hall)),
                )
            )
        )
    return plans
