"""A hall's floor plan as inline SVG, drawn in metres.

`hall_plan_svg` is the pure drawing: plain data in, markup out, no Flask, no database.
The viewBox is in metres (the hall's top-left corner is 0,0), so the drawing scales
to any width on screen and on paper. Translated words (legend, title) and links come
in as arguments, so the drawing never calls url_for.
Two conveniences read the database (through app.booths.plan.services) and feed the drawing:
`hall_svg(hall, highlight=...)`, and `render_hall_svg(event, hall, ...)`, which the plan
and electronic booth pages use inside a request (it links exhibitors to their published
electronic booths).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# fill colour of each status; chosen to stay distinct in greyscale print too
STATUS_COLOURS = {
    "free": "#ffffff",
    "requested": "#ffd166",
    "allocated": "#8ecae6",
    "confirmed": "#2a9d8f",
    "blocked": "#adb5bd",
}
DARK_FILLS = {"confirmed"}  # statuses whose label is written in white
PUBLIC_STATUS = {"free": "free", "requested": "free", "allocated": "allocated", "confirmed": "allocated"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"


@dataclass(frozen=True)
class PlanBooth:
    """One booth as drawn: metres, a status key of STATUS_COLOURS, optional name and link."""

    id: int
    code: str
    x: float
    y: float
    width: float
    depth: float
    status: str
    name: str | None = None
    href: str | None = None
    # A plan to pick from (the booth request form): the booth's accessible name ("Booth A12,
    # standard, free"), its type, and whether it can be picked, drawn as a focusable button.
    label: str | None = None
    type_id: int | None = None
    pickable: bool = False


def plan_booths(
    booths: Iterable,
    states: Mapping,
    *,
    show_names: bool = True,
    public: bool = False,
    link_for: Callable[[object, object], str | None] | None = None,
) -> list[PlanBooth]:
    """Booths (objects with id, code, x_m, y_m, width_m, depth_m) and their states as drawn.

    On the public plan a requested booth is shown free (requests are private) and allocated
    and confirmed look alike (payment is private). `link_for(booth, state)` may return a URL
    (what a click, Enter or Space on the booth opens).
    """
    drawn = []
    for booth in booths:
        state = states.get(booth.id)
        status = getattr(state, "status", "free")
        if public:
            status = PUBLIC_STATUS.get(status, status)
        organisation = getattr(state, "organisation", None)
        name = organisation.name if (show_names and organisation is not None) else None
        href = link_for(booth, state) if link_for is not None else None
        drawn.append(
            PlanBooth(
                id=booth.id,
                code=booth.code,
                x=float(booth.x_m),
                y=float(booth.y_m),
                width=float(booth.width_m),
                depth=float(booth.depth_m),
                status=status,
                name=name,
                href=href,
            )
        )
    return drawn


def hall_svg(
    hall,
    *,
    highlight: int | None = None,
    public: bool = True,
    link_for: Callable[[object, object], str | None] | None = None,
    status_labels: Mapping[str, str] | None = None,
) -> Markup:
    """One hall's plan as it stands now, ready for a template (public view unless told).

    `highlight` is a booth id to ring ("your place on the plan").
    """
    from flask_babel import gettext as _

    from app.booths.plan import services as plan  # the services read the database; the drawing does not
    from app.names import name_in

    states = plan.booth_states(hall.event, hall)
    booths = plan.booths_of(hall.event, hall)
    labels = status_labels or (plan.PUBLIC_STATUS_LABELS if public else plan.STATUS_LABELS)
    return Markup(  # noqa: S704 - every text and attribute is escaped while drawing
        hall_plan_svg(
            hall_name=name_in(hall),
            width=float(hall.width_m),
            depth=float(hall.depth_m),
            booths=plan_booths(booths, states, public=public, link_for=link_for),
            status_labels={key: str(label) for key, label in labels.items()},
            highlight_id=highlight,
            uid=f"plan-{hall.id}" + (f"-{highlight}" if highlight else ""),
            booths_label=_("Booths of %(hall)s", hall=name_in(hall)),
        )
    )


def ebooth_link_builder(event) -> Callable[[object, object], str | None]:
    """A function (booth, state) -> the holder's published electronic booth page, or None."""
    from flask import url_for

    from app.booths.ebooths import services as ebooths

    published = ebooths.published_by_registration(event)

    def link(booth, state) -> str | None:
        registration = getattr(state, "registration", None)
        if registration is None or registration.id not in published:
            return None
        return url_for("booths.ebooth_page", slug=event.slug, ebooth_id=published[registration.id].id)

    return link


def render_hall_svg(
    event, hall, *, public: bool, highlight_booth_id: int | None = None, states=None
) -> Markup:
    """A hall's plan as inline SVG markup for a page (the plan pages and the electronic booth's page)."""
    from flask import g
    from flask_babel import gettext as _

    from app.booths.plan import services as plan
    from app.names import name_in

    states = states if states is not None else plan.booth_states(event, hall)
    booths = plan.booths_of(event, hall)
    drawn = plan_booths(
        booths,
        states,
        show_names=True,
        public=public,
        link_for=ebooth_link_builder(event) if public else _booth_form_link(event),
    )
    labels = plan.PUBLIC_STATUS_LABELS if public else plan.STATUS_LABELS
    return Markup(  # noqa: S704 - every text and attribute is escaped while drawing
        hall_plan_svg(
            hall_name=name_in(hall),
            width=float(hall.width_m),
            depth=float(hall.depth_m),
            booths=drawn,
            status_labels={key: str(label) for key, label in labels.items()},
            highlight_id=highlight_booth_id,
            uid=f"plan-{hall.id}",
            description=_(
                "Floor plan of %(hall)s, %(event)s", hall=name_in(hall), event=event.name_in(g.locale)
            ),
            booths_label=_("Booths of %(hall)s", hall=name_in(hall)),
        )
    )


def _booth_form_link(event) -> Callable[[object, object], str | None]:
    """On the organiser's plan, a booth opens its own form (the same as its row's link)."""
    from flask import url_for

    return lambda booth, _state: url_for("booths.booth_form", event_id=event.id, booth_id=booth.id)


def _num(value: float) -> str:
    """A coordinate, short: 3, 2.5, 0.125."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _grid_step(size: float) -> float:
    """A round distance between grid lines: about 10–20 lines across the hall."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if size / step <= 20:
            return step
    return 1000


def _fit(text: str, width: float, font_size: float) -> str:
    """Cut a label so it fits `width` metres at `font_size` (a rough average glyph width)."""
    room = max(1, int(width / (font_size * 0.56)))
    return text if len(text) <= room else text[: max(1, room - 1)].rstrip() + "…"


def hall_plan_svg(
    *,
    hall_name: str,
    width: float,
    depth: float,
    booths: Iterable[PlanBooth],
    status_labels: Mapping[str, str],
    highlight_id: int | None = None,
    uid: str = "plan",
    unit_label: str = "m",
    description: str | None = None,
    role: str = "group",
    booths_label: str = "Booths",
) -> str:
    """The SVG markup of one hall: outline, metre grid and ruler, booths coloured by status, legend.

    `status_labels` orders the legend and translates it (only those statuses are listed).
    For assistive technology the drawing is a labelled group holding a list of booths (named by
    `booths_label`): each booth is a list item labelled with its code, holder and status, and a
    booth with a link is a link so labelled (its <title>), in the Tab order (Enter opens it;
    forms.js adds Space). The grid, ruler, drawn title and legend are hidden from it: each
    booth's label says it all. A plan whose booths carry their own `label` (the booth request's
    picker) is a group of booth buttons instead of a list.
    """
    width, depth = float(width), float(depth)
    booths = list(booths)
    picker = any(booth.label is not None for booth in booths)
    unit = max(width, depth) / 60  # text and margins grow with the hall
    stroke = max(width, depth) / 500
    left, top, right = 2.4 * unit, 4.4 * unit, 1.2 * unit
    legend_rows = 1
    legend_height = 3.6 * unit
    view = (-left, -top, width + left + right, depth + top + legend_height * legend_rows)
    step = _grid_step(max(width, depth))
    out: list[str] = []
    w = out.append
    title = f"{hall_name} · {_num(width)} × {_num(depth)} {unit_label}"
    w(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plan-svg" id="{escape(uid)}" '
        f'viewBox="{" ".join(_num(v) for v in view)}" role="{escape(role)}" data-plan '
        f'aria-labelledby="{escape(uid)}-title" preserveAspectRatio="xMidYMin meet" '
        f'font-family="{escape(FONT)}" data-width-m="{_num(width)}" data-depth-m="{_num(depth)}">'
    )
    w(f'<title id="{escape(uid)}-title">{escape(title)}</title>')
    if description:
        w(f"<desc>{escape(description)}</desc>")
    hatch = f"{escape(uid)}-hatch"
    w(
        f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="{_num(unit)}" '
        f'height="{_num(unit)}" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" '
        f'y2="{_num(unit)}" stroke="#6c757d" stroke-width="{_num(unit / 4)}"/></pattern></defs>'
    )
    # title above the ruler
    w(
        f'<text x="0" y="{_num(-2.9 * unit)}" font-size="{_num(1.3 * unit)}" font-weight="600" '
        f'fill="#212529" aria-hidden="true">{escape(title)}</text>'
    )
    # hall floor, grid and ruler
    w('<g aria-hidden="true">')
    w(
        f'<rect class="hall" x="0" y="0" width="{_num(width)}" height="{_num(depth)}" fill="#f8f9fa" '
        f'stroke="#212529" stroke-width="{_num(stroke * 2.5)}"/>'
    )
    w(f'<g class="grid" stroke="#dee2e6" stroke-width="{_num(stroke / 2)}">')
    for i in range(1, math.ceil(width / step)):
        w(f'<line x1="{_num(i * step)}" y1="0" x2="{_num(i * step)}" y2="{_num(depth)}"/>')
    for i in range(1, math.ceil(depth / step)):
        w(f'<line x1="0" y1="{_num(i * step)}" x2="{_num(width)}" y2="{_num(i * step)}"/>')
    w("</g>")
    ruler_size = 0.8 * unit
    w(
        f'<g class="ruler" fill="#495057" font-size="{_num(ruler_size)}" stroke="#495057" '
        f'stroke-width="{_num(stroke)}">'
    )
    for i in range(math.floor(width / step) + 1):
        x = i * step
        label = f"{_num(x)} {unit_label}" if i == math.floor(width / step) else _num(x)
        w(f'<line x1="{_num(x)}" y1="{_num(-0.6 * unit)}" x2="{_num(x)}" y2="0"/>')
        w(
            f'<text x="{_num(x)}" y="{_num(-0.9 * unit)}" text-anchor="middle" stroke="none">'
            f"{escape(label)}</text>"
        )
    for i in range(1, math.floor(depth / step) + 1):
        y = i * step
        w(f'<line x1="{_num(-0.6 * unit)}" y1="{_num(y)}" x2="0" y2="{_num(y)}"/>')
        w(
            f'<text x="{_num(-0.9 * unit)}" y="{_num(y)}" text-anchor="end" dominant-baseline="middle" '
            f'stroke="none">{_num(y)}</text>'
        )
    w("</g>")
    w("</g>")
    # booths
    w(
        f'<g class="booths" role="{"group" if picker else "list"}" '
        f'aria-label="{escape(booths_label)}" stroke="#343a40" '
        f'stroke-width="{_num(stroke)}">'
    )
    highlighted = None
    for booth in booths:
        if booth.id == highlight_id:
            highlighted = booth
        _draw_booth(
            w, booth, hatch=hatch, highlight=booth.id == highlight_id, status_labels=status_labels, unit=unit
        )
    w("</g>")
    if highlighted is not None:
        pad = max(0.25, min(highlighted.width, highlighted.depth) * 0.12)
        w(
            f'<rect class="highlight-ring" x="{_num(highlighted.x - pad)}" y="{_num(highlighted.y - pad)}" '
            f'width="{_num(highlighted.width + 2 * pad)}" height="{_num(highlighted.depth + 2 * pad)}" '
            f'fill="none" stroke="#d63384" stroke-width="{_num(stroke * 5)}" rx="{_num(pad)}" '
            'aria-hidden="true"/>'
        )
    # legend
    _draw_legend(w, status_labels, x=0, y=depth + 1.2 * unit, unit=unit, stroke=stroke, hatch=hatch)
    w("</svg>")
    return "".join(out)


def _draw_booth(w, booth: PlanBooth, *, hatch: str, highlight: bool, status_labels, unit: float) -> None:
    fill = STATUS_COLOURS.get(booth.status, "#ffffff")
    ink = "#ffffff" if booth.status in DARK_FILLS else "#212529"
    classes = f"booth status-{booth.status}" + (" highlight" if highlight else "")
    status_text = status_labels.get(booth.status, booth.status)
    tooltip = " · ".join(filter(None, (booth.code, booth.name, str(status_text))))
    w(
        f'<g class="{classes}" id="booth-{booth.id}" data-code="{escape(booth.code)}" '
        f'data-status="{escape(booth.status)}"'
        + (
            _pick_attributes(booth)
            if booth.label is not None
            else ' role="listitem"' + ("" if booth.href else f' aria-label="{escape(tooltip)}"')
        )
        + ">"
    )
    if booth.href:
        # the link's name is its <title> (SVG's own label, read before its text): code, holder,
        # status; the drawn text, which may be cut short, is what a sighted user reads of it
        w(f'<a href="{escape(booth.href)}" data-plan-booth><title>{escape(tooltip)}</title>')
        w("<g>")
    else:
        w(f"<title>{escape(tooltip)}</title>")
        w('<g aria-hidden="true">')
    w(
        f'<rect x="{_num(booth.x)}" y="{_num(booth.y)}" width="{_num(booth.width)}" '
        f'height="{_num(booth.depth)}" fill="{fill}"/>'
    )
    if booth.status == "blocked":
        w(
            f'<rect x="{_num(booth.x)}" y="{_num(booth.y)}" width="{_num(booth.width)}" '
            f'height="{_num(booth.depth)}" fill="url(#{hatch})" stroke="none"/>'
        )
    side = min(booth.width, booth.depth)
    code_size = min(side * 0.3, booth.width / max(3, len(booth.code)) * 1.7, max(0.9, unit * 1.2))
    cx = booth.x + booth.width / 2
    if booth.name:
        name_size = code_size * 0.62
        lines = _wrap(booth.name, booth.width * 0.9, name_size, max_lines=2 if booth.depth >= side else 1)
        block = code_size + name_size * 1.15 * len(lines)
        top = booth.y + (booth.depth - block) / 2 + code_size * 0.85
        w(
            f'<text x="{_num(cx)}" y="{_num(top)}" text-anchor="middle" font-size="{_num(code_size)}" '
            f'font-weight="700" fill="{ink}" stroke="none">{escape(booth.code)}</text>'
        )
        for i, line in enumerate(lines):
            y = top + name_size * 1.15 * (i + 1) + code_size * 0.05
            w(
                f'<text class="booth-name" x="{_num(cx)}" y="{_num(y)}" text-anchor="middle" '
                f'font-size="{_num(name_size)}" fill="{ink}" stroke="none">{escape(line)}</text>'
            )
    else:
        w(
            f'<text x="{_num(cx)}" y="{_num(booth.y + booth.depth / 2)}" text-anchor="middle" '
            f'dominant-baseline="central" font-size="{_num(code_size)}" font-weight="700" '
            f'fill="{ink}" stroke="none">{escape(booth.code)}</text>'
        )
    w("</g>")
    if booth.href:
        w("</a>")
    w("</g>")


def _pick_attributes(booth: PlanBooth) -> str:
    """A pickable booth is a toggle button (booth-request.js does the picking); another labelled
    booth is a picture with its name."""
    if booth.label is None:
        return ""
    label = f' aria-label="{escape(booth.label)}"'
    if not booth.pickable:
        return f' role="img"{label}'
    return (
        f' role="button" tabindex="0" aria-pressed="false" data-booth-id="{booth.id}"'
        f' data-booth-type="{booth.type_id if booth.type_id is not None else ""}"{label}'
    )


def _wrap(text: str, width: float, font_size: float, *, max_lines: int) -> list[str]:
    room = max(1, int(width / (font_size * 0.56)))
    words, lines, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= room or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1] + "…", width, font_size)
        if not lines[-1].endswith("…"):
            lines[-1] = lines[-1][:-1] + "…"
    return [_fit(line, width, font_size) for line in lines]


def _draw_legend(w, status_labels, *, x: float, y: float, unit: float, stroke: float, hatch: str) -> None:
    size = 1.1 * unit
    font = 0.95 * unit
    w(f'<g class="legend" font-size="{_num(font)}" aria-hidden="true">')
    for status, label in status_labels.items():
        label = str(label)
        fill = STATUS_COLOURS.get(status, "#ffffff")
        w(f'<g class="legend-item" data-status="{escape(status)}">')
        w(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(size)}" height="{_num(size)}" fill="{fill}" '
            f'stroke="#343a40" stroke-width="{_num(stroke)}"/>'
        )
        if status == "blocked":
            w(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(size)}" height="{_num(size)}" '
                f'fill="url(#{hatch})"/>'
            )
        w(
            f'<text x="{_num(x + size * 1.35)}" y="{_num(y + size / 2)}" dominant-baseline="central" '
            f'fill="#212529">{escape(label)}</text>'
        )
        w("</g>")
        x += size * 1.35 + len(label) * font * 0.56 + 1.6 * unit
    w("</g>")
