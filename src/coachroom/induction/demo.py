"""The demo's inductions: each ECT mentored in an ECT-mentoring pair has an induction, with
their mentor as that pair's coach and the school's induction tutor. Half are in their first
year and half in their second (mentored fortnightly); one part-time ECT has had an absence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from coachroom.accounts.calendar import academic_start_year, uk_default_terms
from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.core.demo import DemoContext
from coachroom.induction.models import Induction, InductionAbsence

APPROPRIATE_BODY = ("Riverside Teaching School Hub", "induction@riverside-tsh.example")
SECOND_YEAR = {"oak-t6", "elm-t6"}
PART_TIME = {"elm-t1": Decimal("0.8")}


def load(ctx: DemoContext) -> None:
    keys = {person.pk: key for key, person in ctx.people.items()}
    mentoring = CoachingRelationship.objects.filter(kind=CoachingRelationship.Kind.ECF)
    for pair in mentoring.select_related("academic_year", "school"):
        key = keys[pair.coachee_id]
        tutor = Membership.objects.filter(school=pair.school, is_induction_tutor=True).first()
        started = pair.started_on
        if key in SECOND_YEAR:
            # the first day of the autumn term a year earlier (a year the demo did not set up)
            started = uk_default_terms(academic_start_year(started) - 1)[0].starts_on
            pair.cadence = CoachingRelationship.Cadence.FORTNIGHTLY
            pair.save(update_fields=["cadence"])
        induction = Induction.objects.create(
            school=pair.school,
            ect=pair.coachee,
            starts_on=started,
            fte=PART_TIME.get(key, Decimal("1")),
            appropriate_body=APPROPRIATE_BODY[0],
            appropriate_body_contact=APPROPRIATE_BODY[1],
            mentor=pair.coach,
            tutor=tutor.user if tutor else None,
        )
        if key in PART_TIME:
            first = started + dt.timedelta(weeks=3)
            InductionAbsence.objects.create(
                induction=induction, first_day=first, last_day=first + dt.timedelta(days=4)
            )
