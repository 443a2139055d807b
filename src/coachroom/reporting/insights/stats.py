"""The statistics behind Insights, from SciPy rather than our own arithmetic.

- A proportion (steps secured, steps that stuck) with its Wilson score interval, which stays
  sensible for small groups and for rates near 0% or 100%, where the textbook ± formula fails.
- Time to secure as a Kaplan–Meier curve: a step still being worked on is *censored* (we know
  it took at least this long), not dropped and not counted as a failure. The median comes from
  the curve; its interval is where the curve's pointwise 95% band (log-log) crosses one half,
  as R's `survfit` reports it. When a band never gets down to one half, that bound is unknown.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

CONFIDENCE = 0.95


def _scipy_stats() -> ModuleType:
    """scipy.stats, imported on first use: it takes seconds to load, and every process that
    loads the URLs (the server, the CLI, each test run) would otherwise pay for it."""
    from scipy import stats

    return stats


@dataclass(frozen=True)
class Proportion:
    hits: int
    n: int
    low: float  # 0–1
    high: float

    @property
    def rate(self) -> float:
        return self.hits / self.n if self.n else 0.0


def wilson(hits: int, n: int) -> Proportion:
    """`hits` out of `n` with its 95% Wilson interval (n must be at least 1)."""
    interval = (
        _scipy_stats()
        .binomtest(hits, n)
        .proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    )
    return Proportion(hits=hits, n=n, low=float(interval.low), high=float(interval.high))


@dataclass(frozen=True)
class Median:
    """Median school weeks to secure; `None` where the curve (or its band) never reaches 1/2."""

    value: float | None
    low: float | None
    high: float | None
    events: int  # steps secured
    n: int  # steps followed


def _crossing(times: np.ndarray, survival: np.ndarray) -> float | None:
    below = (survival <= 0.5).nonzero()[0]
    return float(times[below[0]]) if below.size else None


def median_time(durations: Sequence[float], secured: Sequence[bool]) -> Median:
    """Kaplan–Meier median of `durations`, where `secured[i]` is False for a step still open
    (or ended unsecured) after `durations[i]`: a right-censored observation."""
    done = [d for d, s in zip(durations, secured, strict=True) if s]
    open_ = [d for d, s in zip(durations, secured, strict=True) if not s]
    if not done:
        return Median(None, None, None, events=0, n=len(durations))
    import numpy as np  # with scipy, on first use

    stats = _scipy_stats()
    data = stats.CensoredData(uncensored=done, right=open_)
    curve = stats.ecdf(data).sf
    with warnings.catch_warnings():
        # SciPy warns where the band is undefined (the curve at 0 or 1): as in R, a band that
        # is undefined there does not count as crossing one half.
        warnings.simplefilter("ignore", RuntimeWarning)
        # the stubs type the band's ends as numbers; SciPy returns two curves
        band: Any = curve.confidence_interval(CONFIDENCE, method="log-log")
    times, at = np.asarray(curve.quantiles), np.asarray(curve.probabilities)
    low_band = np.nan_to_num(np.asarray(band.low.probabilities), nan=1.0)
    high_band = np.nan_to_num(np.asarray(band.high.probabilities), nan=1.0)
    return Median(
        value=_crossing(times, at),
        # the lower curve falls through 1/2 first: the earliest the median could plausibly be
        low=_crossing(times, low_band),
        high=_crossing(times, high_band),
        events=len(done),
        n=len(durations),
    )


def percent(value: float) -> int:
    """0.4166 → 42: whole percentages, rounded half up, for labels."""
    return math.floor(value * 100 + 0.5)
