"""A stored record as the pages show it: dates as dates (for the `date` filter), states and
outcomes in words. Templates only format; what a value means is decided here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coachroom.induction.portable.pdf import outcome_label, state_label

_DATE_KEYS = {"as_of", "on", "first_day", "last_day"}


def _dates(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _dates(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    if isinstance(value, str) and (key in _DATE_KEYS or key.endswith("_on")):
        return dt.date.fromisoformat(value)  # checked on import: always a date
    return value


def shown(data: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = _dates(data)
    for review in record["reviews"]:
        review["outcome_label"] = outcome_label(review["outcome"]) or "Not recorded"
    for step in record["steps"]:
        step["state_label"] = state_label(step["state"])
    return record
