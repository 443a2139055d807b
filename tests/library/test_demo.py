from __future__ import annotations

import pytest

from coachroom.demo import load_demo
from coachroom.library.models import LibraryStep

pytestmark = pytest.mark.django_db


def test_the_demo_adds_school_steps_and_an_adaptation_to_the_starter_library():
    ctx = load_demo()
    oak, elm = ctx.schools["oak"], ctx.schools["elm"]
    assert LibraryStep.objects.starter().count() >= 60
    elm_steps = LibraryStep.objects.filter(school=elm)
    assert elm_steps.count() == 2
    assert {s.created_by for s in elm_steps} == {ctx.people["elm-lead"]}
    assert all(len(s.criteria) in (2, 3, 4) for s in elm_steps)
    adaptation = LibraryStep.objects.get(school=oak)
    assert adaptation.copied_from is not None and adaptation.copied_from.is_starter
    assert adaptation.created_by == ctx.people["oak-lead"]
    assert adaptation.title != adaptation.copied_from.title
    available = LibraryStep.objects.available_to(oak)
    assert available.filter(pk=adaptation.pk).exists()
    assert not available.filter(pk=adaptation.copied_from.pk).exists()
