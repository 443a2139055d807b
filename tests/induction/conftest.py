"""Alice's induction at Oak, set up by tess (her induction tutor) with bob as her mentor: the
starting point of the induction tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coachroom.induction import setup
from coachroom.induction.models import Induction
from coachroom.induction.setup import InductionDetails


@pytest.fixture
def induction(oak, oak_year, alice, bob, tess) -> Induction:
    made, _ = setup.induction_set_up(
        school=oak,
        ect=alice,
        details=InductionDetails(
            starts_on=dt.date(2026, 9, 7),
            fte=Decimal("1"),
            appropriate_body="Oakshire TSH",
            mentor=bob,
            tutor=tess,
            timetable_hours=Decimal("20"),
        ),
        by=tess,
    )
    return made
