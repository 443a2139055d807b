"""The statistics against answers worked out by hand (the working is in each test)."""

from __future__ import annotations

import math

import pytest

from coachroom.reporting.insights.stats import median_time, percent, wilson

Z = 1.959964  # the 97.5th centile of the normal distribution


def _wilson_by_hand(hits: int, n: int) -> tuple[float, float]:
    p = hits / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def test_wilson_interval_for_7_of_10():
    # p = 0.7; z²/n = 0.38415; centre = (0.7 + 0.19207) / 1.38415 = 0.64449;
    # half = 1.96 × √(0.021 + 0.0096037) / 1.38415 = 0.24772 → 0.39677 to 0.89221
    result = wilson(7, 10)
    assert result.rate == 0.7
    assert result.low == pytest.approx(0.39677, abs=1e-4)
    assert result.high == pytest.approx(0.89221, abs=1e-4)


@pytest.mark.parametrize(("hits", "n"), [(0, 10), (10, 10), (1, 12), (57, 93)])
def test_wilson_matches_the_formula_even_at_the_edges(hits, n):
    low, high = _wilson_by_hand(hits, n)
    result = wilson(hits, n)
    assert result.low == pytest.approx(max(low, 0.0), abs=1e-6)
    assert result.high == pytest.approx(min(high, 1.0), abs=1e-6)
    assert 0.0 <= result.low <= result.rate <= result.high <= 1.0


def test_kaplan_meier_median_with_steps_still_open():
    # Secured after 2, 3, 3, 5 and 8 weeks; two steps still open at 4 and 6 weeks.
    # S(2) = 6/7 = 0.857; S(3) = 0.857 × 4/6 = 0.571; (4 censored) S(5) = 0.571 × 2/3 = 0.381:
    # the curve first reaches one half at 5 weeks.
    # Lower band at 2 weeks (log-log): Greenwood Σ = 1/(7×6) = 0.02381, se = √Σ / |ln S| =
    # 0.15430 / 0.15415 = 1.0010; ln(−ln S) = −1.8698 + 1.96 × 1.0010 = 0.0922, so the band's
    # lower end is exp(−exp(0.0922)) = 0.334 ≤ 0.5: the median could be as early as 2 weeks.
    # Upper band at 5 weeks: Σ = 0.02381 + 2/(6×4) + 1/(3×2) = 0.27381, se = 0.52327 / 0.96508 =
    # 0.54220; ln(−ln S) = −0.03554 − 1.06271 = −1.09825, so exp(−exp(−1.09825)) = 0.716 > 0.5;
    # at 8 weeks the curve is 0 and the band undefined: the upper end is not reached.
    result = median_time([2, 3, 3, 5, 8, 4, 6], [True] * 5 + [False] * 2)
    assert (result.value, result.low, result.high) == (5.0, 2.0, None)
    assert (result.events, result.n) == (5, 7)


def test_kaplan_meier_without_censoring_is_the_plain_median_with_an_interval():
    # Twelve steps secured after 1…12 weeks: S(t) = (12 − t) / 12 first reaches 0.5 at t = 6.
    result = median_time([float(t) for t in range(1, 13)], [True] * 12)
    assert result.value == 6.0
    assert result.low is not None and result.high is not None
    assert result.low < 6.0 < result.high


def test_no_step_secured_means_no_median():
    result = median_time([3.0, 4.0, 5.0], [False, False, False])
    assert (result.value, result.low, result.high, result.events) == (None, None, None, 0)


def test_percent_rounds_half_up():
    assert (percent(0.125), percent(0.4166), percent(0.995)) == (13, 42, 100)
