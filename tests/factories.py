from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    School,
    Trust,
    User,
)

PASSWORD = "correct-horse-battery"


class TrustFactory(DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    urn = factory.Sequence(lambda n: f"{100000 + n}")
    phase = School.Phase.SECONDARY


class AcademicYearFactory(DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Year {n}")
    starts_on = dt.date(2026, 9, 1)
    ends_on = dt.date(2027, 7, 23)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@school.example")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    is_teacher = True


class RelationshipFactory(DjangoModelFactory):
    class Meta:
        model = CoachingRelationship

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.SubFactory(
        AcademicYearFactory, school=factory.SelfAttribute("..school")
    )
    coach = factory.SubFactory(UserFactory)
    coachee = factory.SubFactory(UserFactory)
    started_on = dt.date(2026, 9, 1)


def make_step(relationship: CoachingRelationship, *, state: str = "practising", **fields):
    """An action step already in `state`, made without walking the lifecycle."""
    from coachroom.coaching.models import ActionStep

    return ActionStep.objects.create(
        school=relationship.school,
        teacher=relationship.coachee,
        relationship=relationship,
        title=fields.pop("title", "Pause and scan before the key point"),
        success_criteria=fields.pop("success_criteria", "Stops talking\nScans the room"),
        proposed_by=relationship.coach,
        teacher_confirmed=True,
        coach_confirmed=True,
        state=state,
        **fields,
    )
