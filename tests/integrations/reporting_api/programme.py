"""A term of Oak's programme for the API to report on, made through the real services
(`tests/integrations/reporting_api/conftest.py` makes it for each test that asks for `programme`).

bob coaches alice (weekly Wednesday drop-ins since 9 September: some held, one missed for
cover); carol coaches lead, whose coaching has a drop-in, a meeting and a step (`make_history`,
notes and all); alice is an ECT with tess as her induction tutor and a progress review started;
Oak has steps in several states (one of them secured, and still seen at its stick-check) and a
whole-school priority. Elm, the outsider's school, has figures of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from coachroom.accounts.models import CoachingRelationship, School, Trust, User
from coachroom.coaching.models import StepState
from coachroom.induction import reviews, setup
from coachroom.induction.dates import plan_for
from coachroom.induction.models import Induction, InductionReview
from coachroom.induction.setup import InductionDetails
from coachroom.library.models import Priority, Problem, Strand
from coachroom.reporting import counters
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import RelationshipFactory, make_step
from tests.records.history import History, make_history


@dataclass
class Programme:
    oak: School
    elm: School
    trust: Trust
    pair: CoachingRelationship
    lead_pair: CoachingRelationship
    history: History
    induction: Induction
    review: InductionReview


def _on(slot, day: dt.date) -> SessionOccurrence:
    return SessionOccurrence.objects.get(slot=slot, starts_at__date=day)


def drop_ins(pair: CoachingRelationship, coach: User) -> None:
    """Weekly Wednesday drop-ins from 9 September: 9, 16 and 23 Sep held, 30 Sep missed (cover),
    the rest not recorded."""
    slot = scheduling.slot_create(
        relationship=pair,
        by=coach,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(9, 0),
        starts_on=dt.date(2026, 9, 7),
    )
    for day in (9, 16, 23):
        scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, day)), by=coach)
    scheduling.session_mark_missed(
        session=_on(slot, dt.date(2026, 9, 30)), by=coach, reason="cover"
    )


def steps(pair: CoachingRelationship) -> None:
    """Steps in several states: one from the library, one secured that stuck, one agreed."""
    strand = Strand.objects.order_by("order").first()
    library_step = strand.steps.order_by("pk").first() if strand else None
    make_step(pair, state=StepState.PRACTISING, library_step=library_step)
    make_step(pair, state=StepState.SECURED, stuck_at=dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC))
    make_step(pair, state=StepState.AGREED)


def priority(school: School, year, by: User) -> Priority:
    made = Priority.objects.create(
        school=school,
        academic_year=year,
        title="Pupils give up on tricky tasks",
        symptoms="Pens down at the first hard question",
        problem=Problem.objects.order_by("pk").first(),
        created_by=by,
    )
    made.strands.set(Strand.objects.order_by("order")[:1])
    return made


def ect_induction(
    oak: School, alice: User, bob: User, tess: User
) -> tuple[Induction, InductionReview]:
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
    review = reviews.review_start(induction=made, point=plan_for(made).points[0], by=tess)
    return made, review


def make_programme(
    *, oak, elm, oak_year, pairing, alice, bob, carol, lead, tess, outsider
) -> Programme:
    drop_ins(pairing, bob)
    steps(pairing)
    priority(oak, oak_year, lead)
    lead_pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=lead)
    history = make_history(lead_pair)
    made, review = ect_induction(oak, alice, bob, tess)
    elm_pair = RelationshipFactory(school=elm, coach=outsider)
    drop_ins(elm_pair, outsider)
    counters.rebuild()
    return Programme(
        oak=oak,
        elm=elm,
        trust=oak.trust,
        pair=pairing,
        lead_pair=lead_pair,
        history=history,
        induction=made,
        review=review,
    )
