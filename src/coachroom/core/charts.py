"""Small server-rendered SVG charts: no package, no JavaScript, fine in a PDF.

Python works out the geometry; `components/chart_*.html` draw it, so every label is escaped by
the template engine. Each chart is an `<svg role="img">` named by its `<title>` and summarised by
its `<desc>`, and always sits beside a table of the same numbers: the chart is a picture of the
table, never the only place a figure appears.

Meaning never rests on colour alone: planned bars are hatched outlines, held bars are solid, and
the legend names both in words. Text is #1d2327 or #4f5b62 on white (over 7:1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.text import slugify

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 58, 16, 52, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
CHAR_W = 7.5  # rough width of a 13-unit character, to keep axis labels apart
INK, MUTED, BRAND, GRID = "#1d2327", "#4f5b62", "#0b5561", "#cfd6d3"


def percent(part: int, whole: int) -> int | None:
    """A whole-number percentage, rounded half up; None when nothing was planned."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class ChartPoint:
    label: str  # short, under the axis: "7 Sep", "Autumn 1"
    long_label: str  # in tooltips and the summary: "week beginning 7 Sep 2026"
    planned: int
    held: int

    @property
    def percent(self) -> int | None:
        return percent(self.held, self.planned)


def _nice_step(top: int, ticks: int = 4) -> int:
    """A round tick step (1, 2, 5, 10, 20, 25, 50…) giving about `ticks` intervals."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** max(math.floor(math.log10(raw)), 0)
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw and float(step).is_integer():
            return int(step)
    return int(10 * magnitude)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _x_labels(points: Sequence[ChartPoint], band: float) -> list[dict[str, str]]:
    longest = max((len(p.label) for p in points), default=1)
    every = max(1, math.ceil((longest * CHAR_W + 8) / band))
    return [
        {"x": _fmt(LEFT + band * (i + 0.5)), "text": p.label}
        for i, p in enumerate(points)
        if i % every == 0
    ]


def _frame(chart_id: str, title: str, desc: str) -> dict[str, object]:
    ident = slugify(chart_id) or "chart"
    return {
        "id": ident,
        "title": title,
        "desc": desc,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": TOP + PLOT_H,
        "label_y": TOP + PLOT_H + 22,
        "colours": {"ink": INK, "muted": MUTED, "brand": BRAND, "grid": GRID},
    }


def planned_held_chart(
    *, chart_id: str, title: str, points: Sequence[ChartPoint], period: str
) -> SafeString:
    """Grouped bars: planned (hatched outline) beside held (solid) for each period."""
    top = max([p.planned for p in points] + [p.held for p in points] + [1])
    step = _nice_step(top)
    y_max = step * math.ceil(top / step)
    band = PLOT_W / max(len(points), 1)
    bar_w = min(band * 0.38, 28.0)
    show_values = band >= 44

    def y(value: int) -> float:
        return TOP + PLOT_H - PLOT_H * value / y_max

    groups = []
    for i, p in enumerate(points):
        centre = LEFT + band * (i + 0.5)
        bars = []
        for offset, value, name in ((-bar_w - 1, p.planned, "planned"), (1, p.held, "held")):
            x = centre + offset
            bars.append(
                {
                    "kind": name,
                    "x": _fmt(x),
                    "y": _fmt(y(value)),
                    "w": _fmt(bar_w),
                    "h": _fmt(TOP + PLOT_H - y(value)),
                    "value": value,
                    "text_x": _fmt(x + bar_w / 2),
                    "text_y": _fmt(y(value) - 5),
                }
            )
        share = f" ({p.percent}%)" if p.percent is not None else ""
        groups.append(
            {"tip": f"{p.long_label}: {p.planned} planned, {p.held} held{share}", "bars": bars}
        )
    ticks = [{"y": _fmt(y(v)), "text": str(v)} for v in range(0, y_max + 1, step)]
    desc = _planned_held_description(points, period)
    context = {
        **_frame(chart_id, title, desc),
        "groups": groups,
        "ticks": ticks,
        "x_labels": _x_labels(points, band),
        "show_values": show_values,
        "legend": [
            {"kind": "planned", "x": LEFT, "text": "Planned (due so far)"},
            {"kind": "held", "x": LEFT + 190, "text": "Held"},
        ],
    }
    return render_to_string("components/chart_bars.html", context)


def _planned_held_description(points: Sequence[ChartPoint], period: str) -> str:
    planned = sum(p.planned for p in points)
    held = sum(p.held for p in points)
    if points:
        overall = percent(held, planned)
        share = f" ({overall}%)" if overall is not None else ""
        desc = (
            f"Planned and held sessions for each {period}, from {points[0].long_label} "
            f"to {points[-1].long_label}: {planned} planned and {held} held in all{share}. "
            "Hatched bars show sessions planned, solid bars sessions held. "
            "The table that follows gives every figure."
        )
    else:
        desc = f"No sessions were due in any {period} of this range."
    return desc


def completion_chart(
    *, chart_id: str, title: str, points: Sequence[ChartPoint], period: str
) -> SafeString:
    """Completion % as a line with labelled markers; a gap where nothing was planned."""
    band = PLOT_W / max(len(points), 1)
    show_values = band >= 40

    def y(value: int) -> float:
        return TOP + PLOT_H - PLOT_H * value / 100

    markers: list[dict[str, str]] = []
    segments: list[str] = []
    run: list[str] = []
    for i, p in enumerate(points):
        if p.percent is None:
            if len(run) > 1:
                segments.append(" ".join(run))
            run = []
            continue
        x, py = LEFT + band * (i + 0.5), y(p.percent)
        run.append(f"{_fmt(x)},{_fmt(py)}")
        markers.append(
            {
                "x": _fmt(x),
                "y": _fmt(py),
                "text_y": _fmt(py - 9 if p.percent < 90 else py + 20),
                "text": f"{p.percent}%",
                "tip": f"{p.long_label}: {p.percent}% held ({p.held} of {p.planned})",
            }
        )
    if len(run) > 1:
        segments.append(" ".join(run))
    known = [p for p in points if p.percent is not None]
    if known:
        low = min(known, key=lambda p: p.percent or 0)
        high = max(known, key=lambda p: p.percent or 0)
        overall = percent(sum(p.held for p in points), sum(p.planned for p in points))
        spread = (
            f"every {period} was {low.percent}%"
            if low.percent == high.percent
            else f"it ranged from {low.percent}% ({low.long_label}) "
            f"to {high.percent}% ({high.long_label})"
        )
        desc = (
            f"Completion, the share of planned sessions that were held, for each {period} "
            f"from {points[0].long_label} to {points[-1].long_label}: {spread}; "
            f"{overall}% overall. The table that follows gives every figure."
        )
    else:
        desc = f"No sessions were due in any {period} of this range, so there is no completion yet."
    context = {
        **_frame(chart_id, title, desc),
        "segments": segments,
        "markers": markers,
        "ticks": [{"y": _fmt(y(v)), "text": f"{v}%"} for v in (0, 25, 50, 75, 100)],
        "x_labels": _x_labels(points, band),
        "show_values": show_values,
    }
    return render_to_string("components/chart_line.html", context)
