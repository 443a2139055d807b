"""Server-rendered SVG charts: accessible names, escaped labels, and meaning beyond colour."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from coachroom.core.charts import ChartPoint, _nice_step, completion_chart, planned_held_chart

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = [
    ChartPoint("7 Sep", "week beginning 7 Sep 2026", planned=4, held=4),
    ChartPoint("14 Sep", "week beginning 14 Sep 2026", planned=5, held=2),
    ChartPoint("21 Sep", "week beginning 21 Sep 2026", planned=0, held=0),
    ChartPoint("28 Sep", "week beginning 28 Sep 2026", planned=4, held=3),
]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well formed


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


@pytest.fixture(params=[planned_held_chart, completion_chart])
def chart(request):
    return request.param


def test_chart_is_a_named_image_with_title_and_desc(chart):
    svg = chart(chart_id="weeks", title="Sessions each week", points=WEEKS, period="week")
    assert isinstance(svg, SafeString)
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "weeks-title weeks-desc"
    assert root.find(f"{SVG}title").get("id") == "weeks-title"
    assert root.find(f"{SVG}title").text == "Sessions each week"
    assert "7 Sep 2026" in root.find(f"{SVG}desc").text
    assert root.get("viewBox") == "0 0 640 320"
    assert root.get("width") == "100%"


def test_labels_and_titles_are_escaped(chart):
    nasty = [ChartPoint('<script>alert("x")</script>', "Autumn & <b>1</b>", planned=2, held=1)]
    svg = chart(chart_id="t", title="Half-terms <i>&</i>", points=nasty, period="half-term")
    assert "<script>" not in svg
    assert "<b>" not in svg and "<i>" not in svg
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "Half-terms <i>&</i>"
    assert any(t.text == '<script>alert("x")</script>' for t in root.iter(f"{SVG}text"))


def test_chart_ids_are_slugged(chart):
    svg = chart(chart_id='a" onload="x', title="T", points=WEEKS, period="week")
    assert 'onload="' not in svg
    assert _parse(svg).get("aria-labelledby") == "a-onloadx-title a-onloadx-desc"


def test_text_contrast_is_at_least_4_5_to_1(chart):
    root = _parse(chart(chart_id="c", title="T", points=WEEKS, period="week"))
    fills = {t.get("fill") for t in root.iter(f"{SVG}text")}
    assert fills
    assert all(_contrast_on_white(fill) >= 4.5 for fill in fills)


def test_planned_and_held_differ_by_pattern_and_are_named_in_the_legend():
    root = _parse(planned_held_chart(chart_id="w", title="T", points=WEEKS, period="week"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Planned (due so far)" in texts and "Held" in texts
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert "url(#w-hatch)" in fills  # planned bars are hatched, not just another colour
    assert root.find(f".//{SVG}pattern").get("id") == "w-hatch"


def test_bars_carry_their_figures_as_text():
    svg = planned_held_chart(chart_id="w", title="T", points=WEEKS, period="week")
    root = _parse(svg)
    tips = [t.text for t in root.iter(f"{SVG}title")][1:]
    assert tips[1] == "week beginning 14 Sep 2026: 5 planned, 2 held (40%)"
    assert "13 planned and 9 held in all (69%)" in root.find(f"{SVG}desc").text


def test_completion_line_breaks_where_nothing_was_planned():
    root = _parse(completion_chart(chart_id="c", title="T", points=WEEKS, period="week"))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1  # 7 Sep to 14 Sep; 28 Sep stands alone after the gap
    markers = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.endswith("%")]
    assert "100%" in markers and "40%" in markers and "75%" in markers
    desc = root.find(f"{SVG}desc").text
    assert "from 40% (week beginning 14 Sep 2026) to 100% (week beginning 7 Sep 2026)" in desc


def test_empty_charts_say_so(chart):
    root = _parse(chart(chart_id="e", title="T", points=[], period="week"))
    assert root.find(f"{SVG}desc").text.startswith("No sessions were due")


def test_many_weeks_thin_the_axis_labels():
    many = [ChartPoint(f"{d} Sep", f"week {d}", planned=3, held=2) for d in range(40)]
    root = _parse(planned_held_chart(chart_id="m", title="T", points=many, period="week"))
    axis = [t for t in root.iter(f"{SVG}text") if t.text and t.text.endswith(" Sep")]
    assert 5 < len(axis) < 40


@pytest.mark.parametrize(
    ("top", "step"), [(1, 1), (3, 1), (7, 2), (10, 5), (40, 10), (90, 25), (1000, 250)]
)
def test_axis_steps_are_round(top, step):
    assert _nice_step(top) == step


def test_every_chart_draws_its_frame_from_the_one_base_template():
    """One chart template set: only components/chart_base.html opens an <svg>; each chart
    template extends it and fills in its legend and plot."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "src" / "coachroom" / "templates"
    with_svg = sorted(
        str(p.relative_to(templates)) for p in templates.rglob("*.html") if "<svg" in p.read_text()
    )
    assert with_svg == ["components/chart_base.html"]
    charts = sorted(templates.glob("components/chart_*.html"))
    assert len(charts) == 6
    for chart in charts:
        if chart.name != "chart_base.html":
            assert chart.read_text().startswith('{% extends "components/chart_base.html" %}')


def test_coordinates_are_never_localised(chart, settings):
    """Numbers in SVG attributes are written as SVG reads them, whatever the active language's
    decimal and thousands separators (the charts switch localisation off)."""
    settings.USE_THOUSAND_SEPARATOR = True
    many = [
        ChartPoint(f"{d} Sep", f"day {d}", planned=1500 + d, held=1000 + d) for d in range(1, 9)
    ]
    with translation.override("de"):
        root = _parse(chart(chart_id="c", title="T", points=many, period="week"))
    numeric = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"}
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in numeric and not value.endswith("%"):
                float(value)  # "123,5" or "1.500" would not parse, or parse wrongly
                assert "," not in value, (element.tag, name, value)
        if element.tag == f"{SVG}polyline":
            for pair in element.attrib["points"].split():
                x, y = pair.split(",")
                float(x), float(y)
