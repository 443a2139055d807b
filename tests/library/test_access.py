from __future__ import annotations

import pytest

from coachroom.accounts.models import Membership
from coachroom.library.access import is_curator, steps_for
from coachroom.library.models import LibraryStep
from coachroom.library.services import library_step_archive
from tests.library.factories import LibraryStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def retired(oak, elm, lead):
    """Oak has archived one of its steps and hidden a starter step; Elm archived its own."""
    own = LibraryStepFactory(school=oak, is_archived=True)
    starter = LibraryStep.objects.get(key="pace-no-echoing")
    library_step_archive(step=starter, school=oak, by=lead)
    elm_archived = LibraryStepFactory(school=elm, is_archived=True)
    return own, starter, elm_archived


def ids(membership: Membership) -> set[int]:
    return set(steps_for(membership).values_list("pk", flat=True))


def test_a_teacher_sees_exactly_what_is_available_to_the_school(oak, alice, retired):
    membership = Membership.objects.get(user=alice, school=oak)
    available = set(LibraryStep.objects.available_to(oak).values_list("pk", flat=True))
    assert not is_curator(membership)
    assert ids(membership) == available
    assert not {step.pk for step in retired} & ids(membership)


def test_curators_also_see_what_their_school_retired_but_nothing_of_elms(oak, lead, retired):
    own, starter, elm_archived = retired
    membership = Membership.objects.get(user=lead, school=oak)
    assert is_curator(membership)
    visible = ids(membership)
    assert {own.pk, starter.pk} <= visible
    assert elm_archived.pk not in visible
    flagged = steps_for(membership).get(pk=starter.pk)
    assert flagged.is_hidden_here  # type: ignore[attr-defined]


def test_senior_leaders_are_readers_not_curators(oak, head):
    assert not is_curator(Membership.objects.get(user=head, school=oak))
