"""One picture per comparison: for each group, the share of steps secured and the median school
weeks to secure, each a bar with its 95% interval drawn as a whisker.

Python works out the geometry and `components/chart_insights.html` draws an inline `<svg>` (no
style attributes, so the CSP's `style-src 'self'` holds). The chart is named by its `<title>`,
summarised in words by its `<desc>`, and the table under it gives every number.
"""

from __future__ import annotations

import math

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from coachroom.core.charts import BRAND, GRID, INK, MUTED
from coachroom.reporting.insights.comparisons import Comparison, Outcomes
from coachroom.reporting.insights.stats import percent

WIDTH = 640
LABEL_W = 150
PANEL_GAP = 40
PANEL_W = (WIDTH - LABEL_W - PANEL_GAP - 20) // 2
TOP, ROW_H, BOTTOM = 46, 40, 34


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def weeks(value: float | None) -> str:
    return "not reached" if value is None else _fmt(value)


def _weeks_top(groups: list[tuple[str, Outcomes]]) -> int:
    values = [
        v for _l, o in groups for v in (o.time.value, o.time.low, o.time.high) if v is not None
    ]
    return max(2, math.ceil(max(values, default=1) / 2) * 2)


def _row(i: int, label: str, o: Outcomes, w_top: int) -> dict[str, object]:
    y = TOP + ROW_H * i
    sx = LABEL_W  # secured panel
    tx = LABEL_W + PANEL_W + PANEL_GAP  # time panel

    def at_pct(v: float) -> str:
        return _fmt(sx + PANEL_W * v)

    def at_week(v: float | None) -> str:
        return _fmt(tx + PANEL_W * min(v if v is not None else w_top, w_top) / w_top)

    t = o.time
    return {
        "label": label,
        "y": y,
        "bar_y": y + 10,
        "mid": y + 20,
        "text_y": y + 24,
        "secured": {
            "w": _fmt(PANEL_W * o.secured.rate),
            "low": at_pct(o.secured.low),
            "high": at_pct(o.secured.high),
            "text": f"{percent(o.secured.rate)}%",
        },
        "time": {
            "shown": t.value is not None,
            "w": _fmt(float(at_week(t.value)) - tx) if t.value is not None else "0",
            "low": at_week(t.low if t.low is not None else 0),
            "high": at_week(t.high),
            "open": t.high is None,
            "text": weeks(t.value),
        },
        "tip": (
            f"{label}: {percent(o.secured.rate)}% of {o.steps} steps secured "
            f"(95% interval {percent(o.secured.low)}–{percent(o.secured.high)}%); "
            f"median {weeks(t.value)} school weeks to secure"
        ),
    }


def describe(comparison: Comparison) -> str:
    parts = [
        f"{label}: {percent(o.secured.rate)}% of {o.steps} steps secured, between "
        f"{percent(o.secured.low)}% and {percent(o.secured.high)}% (95% interval); median "
        f"{weeks(o.time.value)} school weeks to secure"
        for label, o in comparison.shown_groups
    ]
    return ". ".join(parts) + ". The table after the chart gives every figure."


def comparison_chart(comparison: Comparison) -> SafeString:
    groups = comparison.shown_groups
    w_top = _weeks_top(groups)
    height = TOP + ROW_H * len(groups) + BOTTOM
    sx, tx = LABEL_W, LABEL_W + PANEL_W + PANEL_GAP
    context = {
        "id": f"insight-{comparison.question.slug}",
        "font_size": 13,
        "title": f"{comparison.question.title}: steps secured and time to secure",
        "desc": describe(comparison),
        "width": WIDTH,
        "height": height,
        "rows": [_row(i, label, o, w_top) for i, (label, o) in enumerate(groups)],
        "panels": [
            {"x": sx, "title": "Steps secured (%)", "ticks": _ticks(sx, [0, 25, 50, 75, 100], 100)},
            {
                "x": tx,
                "title": "Median school weeks to secure",
                "ticks": _ticks(tx, _week_ticks(w_top), w_top),
            },
        ],
        "panel_w": PANEL_W,
        "plot_top": TOP - 6,
        "plot_bottom": TOP + ROW_H * len(groups),
        "tick_y": TOP + ROW_H * len(groups) + 18,
        "colours": {"ink": INK, "muted": MUTED, "brand": BRAND, "grid": GRID},
    }
    return render_to_string("components/chart_insights.html", context)


def _week_ticks(top: int) -> list[int]:
    step = max(1, top // 4)
    return list(range(0, top + 1, step))


def _ticks(x0: int, values: list[int], top: int) -> list[dict[str, str]]:
    return [{"x": _fmt(x0 + PANEL_W * v / top), "text": str(v)} for v in values]
