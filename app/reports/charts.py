"""Charts for the dashboards and the printed report, drawn on the server by pygal as SVG.

pygal (a well-kept Python SVG charting library, installed from the package registry like
everything else) renders each chart in Python; the page embeds the SVG, so nothing is
fetched from elsewhere, charts print, and they show without JavaScript. What pygal emits is
made to fit the site's Content-Security-Policy: its `<script>` (interactive tooltips) is
removed, its `<style>` element carries this request's nonce and the one `style` attribute
it writes (the hidden tooltip group) is dropped. Each chart is `role="img"` with its title
as its accessible name; the numbers are always in a table beside it (the template's job),
so nobody depends on reading the picture.

Rendering costs about 20 ms a chart; a page shows a handful.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from app.security_headers import csp_nonce

# Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics), in the
# site's green first.
PALETTE = ("#1f5130", "#1e6f66", "#b35c00", "#5c4b8a", "#a61e4d", "#2b5c8a", "#6b6b00", "#7a4a2e")

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _style():
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#495057",
        colors=PALETTE,
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
        label_font_size=13,
        major_label_font_size=13,
        value_font_size=13,
        value_label_font_size=13,
        title_font_size=16,
        legend_font_size=13,
        opacity="1",
        opacity_hover="1",
        transition="0ms",
    )


def _config(title: str, *, height: int, no_data: str) -> dict:
    return {
        "title": None,  # the page shows the title as a heading; the SVG is labelled with it
        "style": _style(),
        "disable_xml_declaration": True,
        "js": [],
        "width": 720,
        "height": height,
        "show_legend": False,
        "print_values": True,
        "print_zeroes": True,
        "no_data_text": no_data,
        "margin": 12,
        "truncate_label": 28,
        "pretty_print": False,
    }


def _finish(svg: str, title: str) -> Markup:
    svg = _SCRIPT.sub("", svg)
    svg = _STYLE_ATTR.sub("", svg)
    svg = _COMMENT.sub("", svg)
    svg = svg.replace("<style", f'<style nonce="{csp_nonce()}"', 1)
    label = escape(title)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704 - pygal's own SVG, with every text of ours escaped by pygal


def _format_int(value) -> str:
    return f"{int(value or 0):,}".replace(",", ".")


def bar(
    title: str,
    labels: Sequence[str],
    values: Sequence[int | float],
    *,
    horizontal: bool = True,
    no_data: str = "—",
    formatter=_format_int,
    value_labels: Sequence[int] | None = None,
) -> Markup:
    """One series of bars: horizontal (labels are long names, e.g. provinces) by default.
    `value_labels`: the ticks of the value axis (small counts: whole numbers, not 0.1 steps)."""
    import pygal

    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(160, 34 * len(labels) + 60) if horizontal else 360
    config = _config(title, height=height, no_data=no_data)
    if value_labels is not None:
        config["y_labels"] = list(value_labels)
    chart = kind(**config, value_formatter=formatter)
    if horizontal:
        # pygal draws a horizontal bar chart from the bottom up; reverse so it reads like the table
        labels, values = list(reversed(labels)), list(reversed(values))
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    return _finish(chart.render(is_unicode=True), title)


def line(
    title: str,
    x_labels: Sequence[str],
    series: dict[str, Sequence[int | float | None]],
    *,
    no_data: str = "—",
    formatter=_format_int,
) -> Markup:
    """A timeline: one line per series over `x_labels` (days, quarters), with a legend when
    there is more than one series."""
    import pygal

    config = _config(title, height=340, no_data=no_data)
    config.update(
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        print_values=False,
        x_label_rotation=-30 if len(x_labels) > 8 else 0,
        show_minor_x_labels=len(x_labels) <= 16,
        x_labels_major_every=max(1, len(x_labels) // 8) if len(x_labels) > 16 else None,
        dots_size=3,
        include_x_axis=True,  # counts: the axis starts at 0, so a lone day's points stay in view
    )
    chart = pygal.Line(**config, value_formatter=formatter)
    chart.x_labels = list(x_labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _finish(chart.render(is_unicode=True), title)


def funnel(title: str, labels: Sequence[str], values: Sequence[int], *, no_data: str = "—") -> Markup:
    """Stages from many to few (candidates → meetings → held → contracts), as bars of
    decreasing length, each labelled with its count."""
    return bar(title, labels, values, horizontal=True, no_data=no_data)


# A chart kept in the figure cache (app/reports/cache.py) outlives the request whose nonce it
# carries: `portable` swaps the nonce for a mark, `placed` puts this request's nonce back.
_NONCE_MARK = "__csp-nonce__"


def portable(chart: Markup | None) -> str | None:
    if chart is None:
        return None
    return str(chart).replace(f'nonce="{csp_nonce()}"', f'nonce="{_NONCE_MARK}"', 1)


def placed(chart: str | None) -> Markup | None:
    if chart is None:
        return None
    return Markup(chart.replace(f'nonce="{_NONCE_MARK}"', f'nonce="{csp_nonce()}"', 1))  # noqa: S704 - our SVG
