"""What every router shares: the `school` filter and the responses every operation declares."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from ninja import Field, Schema
from pydantic import field_validator, model_validator

from coachroom.integrations.reporting_api.schemas import ERRORS

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
URN = r"^[0-9]{6}$"


def responses(ok: Any) -> dict[int, Any]:
    """The 200 shape, and every error an operation can answer with."""
    return {200: ok, **ERRORS}


class SchoolFilter(Schema):
    school: str | None = Field(
        None, pattern=URN, description="A school's URN; by default every school the token reads"
    )


class DateRange(SchoolFilter):
    from_date: dt.date | None = Field(
        None, description="The first day counted; by default 1 September of this school year"
    )
    to_date: dt.date | None = Field(None, description="The last day counted; by default today")

    @field_validator("from_date", "to_date")
    @classmethod
    def _sensible(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValueError(f"Give a date from {EARLIEST:%Y} to {LATEST:%Y}.")
        return value

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.from_date and self.to_date and self.from_date > self.to_date:
            raise ValueError("to_date must be on or after from_date.")
        return self
