from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from coachroom.library.models import LibraryStep, Strand
from tests.factories import SchoolFactory


def first_strand() -> Strand:
    """The starter strands are in every test database (loaded after migrations)."""
    strand = Strand.objects.order_by("order").first()
    assert strand is not None, "the starter library should be loaded by post_migrate"
    return strand


class LibraryStepFactory(DjangoModelFactory):
    """A school-owned step; pass school=None for a starter-like or trust=... for a trust step."""

    class Meta:
        model = LibraryStep
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    strand = factory.LazyFunction(first_strand)
    title = factory.Sequence(lambda n: f"School step {n}")
    looks_like = "The teacher waits for silence.\nEvery pupil is facing the front."
    source = "Written at school"
