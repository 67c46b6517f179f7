"""Charts drawn on the server by pygal as inline SVG: a title and a description for screen
readers, no script, styles allowed by the page's CSP nonce. Every chart has a data table beside
it in the page; the chart only adds the picture.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

# Dark enough on white for WCAG AA (contrast above 4.5:1 for lines and text).
COLOURS = ("#1f4e8c", "#a6340f", "#2e6b30", "#6a1b9a", "#5d4037", "#00695c", "#37474f")
_STYLE = Style(
    font_family="system-ui, 'Segoe UI', Roboto, Arial, sans-serif",
    background="transparent",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#595959",
    colors=COLOURS,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
    tooltip_font_size=13,
)
_BASE = {
    "js": [],  # no script from a CDN: the page's CSP allows only our own
    "disable_xml_declaration": True,
    "style": _STYLE,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 3,
    "height": 320,
    "width": 720,
    "explicit_size": False,  # only a viewBox: the chart scales with the page
    "show_x_guides": False,
    "truncate_legend": -1,
    "truncate_label": -1,
}


def _finish(svg: str, *, title: str, description: str, nonce: str) -> Markup:
    """Give the SVG an accessible name and description and make it fit the page's CSP."""
    chart_id = f"chart-{uuid.uuid4().hex[:10]}"
    svg = svg.replace("<style", f'<style nonce="{nonce}"', 1)
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')
    svg = svg.replace('id="activate-serie-', f'id="{chart_id}-serie-')
    svg = re.sub(r"<title>[^<]*</title>", "", svg, count=1)  # pygal's own title element
    head = (
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false" '
        f'class="console-chart__svg"'
    )
    svg = svg.replace("<svg", head, 1)
    opening_end = svg.index(">") + 1
    svg = (
        svg[:opening_end]
        + f'<title id="{chart_id}-t">{escape(title)}</title>'
        + f'<desc id="{chart_id}-d">{escape(description)}</desc>'
        + svg[opening_end:]
    )
    return Markup(svg)  # noqa: S704 - pygal's escaped output plus our escaped texts


def line_over_time(
    series: Sequence[tuple[str, Sequence[tuple[date | datetime, float | None]]]],
    *,
    title: str,
    description: str,
    nonce: str,
    y_range: tuple[float, float],
    y_labels: Sequence[Any] | None = None,
    step: bool = False,
) -> Markup | None:
    """Values over time, one line per series (e.g. ladder self vs coach); None without data."""
    if not any(points for _, points in series):
        return None
    chart = pygal.DateLine(
        **_BASE,
        range=y_range,
        x_value_formatter=lambda d: d.strftime("%d-%m-%Y"),
        x_label_rotation=0,
        interpolate=None,
        stroke_style={"width": 3},
        dots_size=5,
    )
    if y_labels is not None:
        chart.y_labels = list(y_labels)
    for name, points in series:
        values = [(_as_date(x), y) for x, y in points]
        chart.add(name, values, stroke_style={"width": 3, "dasharray": "0" if not step else "6,3"})
    return _finish(chart.render(is_unicode=True), title=title, description=description, nonce=nonce)


def bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    description: str,
    nonce: str,
    stacked: bool = False,
) -> Markup | None:
    """Bars per label (month), one colour per series; None without data."""
    if not labels or not any(v for _, values in series for v in values if v):
        return None
    kind = pygal.StackedBar if stacked else pygal.Bar
    chart = kind(**_BASE, x_label_rotation=35 if len(labels) > 6 else 0, print_values=False)
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _finish(chart.render(is_unicode=True), title=title, description=description, nonce=nonce)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def estimates(
    labels: Sequence[str],
    points: Sequence[tuple[float, float, float] | None],
    *,
    title: str,
    description: str,
    nonce: str,
    unit: str = "",
) -> Markup | None:
    """Each arm's difference from control as a bar with its 95% interval; None without data."""
    if not any(p is not None for p in points):
        return None
    chart = pygal.Bar(
        **_BASE,
        x_label_rotation=0,
        print_values=False,
        show_legend=False,
        value_formatter=lambda v: f"{v:+.1f}{unit}",
    )
    chart.x_labels = list(labels)
    chart.add(
        title,
        [None if p is None else {"value": p[0], "ci": {"low": p[1], "high": p[2]}} for p in points],
    )
    return _finish(chart.render(is_unicode=True), title=title, description=description, nonce=nonce)
