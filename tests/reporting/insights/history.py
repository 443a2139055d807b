"""A past year of coaching at a school, in bulk (the demo's own writer), for Insights and the
research export: enough teachers and steps for comparisons to show."""

from __future__ import annotations

import random

from coachroom.accounts.models import AcademicYear, CoachingRelationship, School
from coachroom.accounts.services import academic_year_create
from coachroom.library.models import LibraryStep
from coachroom.reporting.insights.demo import write_history
from tests.factories import MembershipFactory

SUBJECTS = ("Maths", "English", "Science")


def make_year_of_coaching(
    school: School, *, teachers: int = 8, coaches: int = 3, seed: int = 7
) -> AcademicYear:
    """Last year (2025–26): each teacher coached all year by one of `coaches` coaches, who
    line-manage every third teacher; subjects and phases recorded for everyone."""
    year = academic_year_create(school=school, by=None, start_year=2025)
    coach_people = [
        MembershipFactory(school=school, is_coach=True, subjects=SUBJECTS[i % 3], phase="secondary")
        for i in range(coaches)
    ]
    pairs = []
    for i in range(teachers):
        teacher = MembershipFactory(
            school=school, subjects=SUBJECTS[(i + 1) % 3], phase="secondary"
        ).user
        pair = CoachingRelationship.objects.create(
            school=school,
            academic_year=year,
            coach=coach_people[i % coaches].user,
            coachee=teacher,
            started_on=year.starts_on,
            ended_on=year.ends_on,
            coach_is_line_manager=i % 3 == 0,
        )
        pairs.append((pair, 1 + i % 3))
    library = list(LibraryStep.objects.starter().order_by("pk")[:20])
    write_history(pairs, year=year, rng=random.Random(seed), library=library)
    return year
