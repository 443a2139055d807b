from __future__ import annotations

import pytest

from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError
from coachroom.library.models import LibraryStep, Phase, Problem, Strand
from coachroom.library.services import (
    library_step_archive,
    library_step_copy,
    library_step_create,
    library_step_restore,
    library_step_update,
    suggest_steps,
)
from tests.factories import SchoolFactory
from tests.library.factories import LibraryStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter() -> LibraryStep:
    return LibraryStep.objects.get(key="question-pause-before-name")


def test_create_makes_a_school_step_with_an_audit_entry(oak, lead):
    strand = Strand.objects.get(slug="attention")
    step = library_step_create(
        school=oak,
        by=lead,
        strand=strand,
        title="Count down from five",
        looks_like="Counts down aloud.\nSilence by one.",
        phase=Phase.PRIMARY,
        problems=[Problem.objects.get(slug="behaviour")],
    )
    assert step.school == oak and step.trust is None and step.created_by == lead
    assert step.version == 1 and not step.is_starter
    assert step.source == "Written at Oak School"
    assert [p.slug for p in step.problems.all()] == ["behaviour"]
    event = AuditEvent.objects.get(action="library.step.created")
    assert (event.school, event.actor, event.target_id) == (oak, lead, str(step.pk))


def test_copy_keeps_the_original_linked_and_attributed(oak, lead, starter):
    copy = library_step_copy(step=starter, school=oak, by=lead, title="Pause, then name")
    assert copy.copied_from == starter
    assert copy.school == oak and copy.key == ""
    assert copy.title == "Pause, then name"
    assert copy.looks_like == starter.looks_like and copy.drill == starter.drill
    assert set(copy.problems.all()) == set(starter.problems.all())
    assert copy.licence == starter.licence
    assert copy.source == "Oak School, adapted from Coachroom starter library"
    assert not starter.hidden_by.filter(pk=oak.pk).exists()
    assert AuditEvent.objects.filter(action="library.step.copied", school=oak).count() == 1


def test_copy_can_hide_the_shared_original_from_the_school(oak, lead, starter):
    copy = library_step_copy(step=starter, school=oak, by=lead, hide_original=True)
    available = LibraryStep.objects.available_to(oak)
    assert available.filter(pk=copy.pk).exists()
    assert not available.filter(pk=starter.pk).exists()


def test_copying_an_own_step_never_archives_it(oak, lead):
    own = LibraryStepFactory(school=oak)
    copy = library_step_copy(step=own, school=oak, by=lead, hide_original=True)
    own.refresh_from_db()
    assert not own.is_archived and copy.copied_from == own


def test_update_bumps_the_version_and_records_the_fields(oak, lead):
    step = LibraryStepFactory(school=oak)
    library_step_update(step=step, by=lead, title="Sharper title", why="Because.")
    step.refresh_from_db()
    assert (step.title, step.version) == ("Sharper title", 2)
    event = AuditEvent.objects.get(action="library.step.updated")
    assert event.data == {"fields": ["title", "why"], "version": 2}


def test_update_with_no_change_saves_nothing(oak, lead):
    step = LibraryStepFactory(school=oak)
    library_step_update(step=step, by=lead, title=step.title, problems=[])
    step.refresh_from_db()
    assert step.version == 1
    assert not AuditEvent.objects.filter(action="library.step.updated").exists()


def test_changing_only_the_problem_tags_is_a_new_version(oak, lead):
    step = LibraryStepFactory(school=oak)
    library_step_update(step=step, by=lead, problems=[Problem.objects.get(slug="thinking")])
    step.refresh_from_db()
    assert step.version == 2


def test_a_starter_step_is_never_edited_in_place(lead, starter):
    with pytest.raises(DomainError):
        library_step_update(step=starter, by=lead, title="Changed")
    starter.refresh_from_db()
    assert starter.title == "Pause before the name"


def test_archive_and_restore_an_own_step(oak, lead):
    step = LibraryStepFactory(school=oak)
    library_step_archive(step=step, school=oak, by=lead)
    assert not LibraryStep.objects.available_to(oak).filter(pk=step.pk).exists()
    with pytest.raises(DomainError, match="already archived"):
        library_step_archive(step=step, school=oak, by=lead)
    library_step_restore(step=step, school=oak, by=lead)
    assert LibraryStep.objects.available_to(oak).filter(pk=step.pk).exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["library.step.archived", "library.step.restored"]


def test_hiding_a_starter_step_affects_only_that_school(oak, elm, lead, starter):
    library_step_archive(step=starter, school=oak, by=lead)
    starter.refresh_from_db()
    assert not starter.is_archived
    assert not LibraryStep.objects.available_to(oak).filter(pk=starter.pk).exists()
    assert LibraryStep.objects.available_to(elm).filter(pk=starter.pk).exists()
    with pytest.raises(DomainError, match="already hidden"):
        library_step_archive(step=starter, school=oak, by=lead)
    library_step_restore(step=starter, school=oak, by=lead)
    assert LibraryStep.objects.available_to(oak).filter(pk=starter.pk).exists()
    with pytest.raises(DomainError, match="not hidden"):
        library_step_restore(step=starter, school=oak, by=lead)


def test_a_trust_step_can_be_hidden_by_one_of_its_schools(oak, lead):
    trust_step = LibraryStepFactory(school=None, trust=oak.trust)
    sister = SchoolFactory(trust=oak.trust)
    assert LibraryStep.objects.available_to(oak).filter(pk=trust_step.pk).exists()
    library_step_archive(step=trust_step, school=oak, by=lead)
    assert not LibraryStep.objects.available_to(oak).filter(pk=trust_step.pk).exists()
    assert LibraryStep.objects.available_to(sister).filter(pk=trust_step.pk).exists()


def test_another_schools_step_cannot_be_archived_or_restored(oak, elm, lead):
    elm_step = LibraryStepFactory(school=elm)
    with pytest.raises(DomainError):
        library_step_archive(step=elm_step, school=oak, by=lead)
    with pytest.raises(DomainError):
        library_step_restore(step=elm_step, school=oak, by=lead)


# suggest_steps ----------------------------------------------------------------------------------


def test_suggestions_put_the_same_strand_first_then_the_others(oak):
    strand = Strand.objects.get(slug="feedback-assessment")
    steps = suggest_steps(school=oak, strand=strand, limit=20)
    strands = [s.strand.slug for s in steps]
    same = strands.count("feedback-assessment")
    assert same >= 5
    assert strands[:same] == ["feedback-assessment"] * same
    assert "feedback-assessment" not in strands[same:]
    assert len(steps) == 20


def test_suggestions_suit_the_schools_phase(oak):
    primary = SchoolFactory(phase="primary")
    secondary_phases = {s.phase for s in suggest_steps(school=oak, limit=100)}
    primary_phases = {s.phase for s in suggest_steps(school=primary, limit=100)}
    assert secondary_phases == {"all", "secondary"}
    assert primary_phases == {"all", "primary"}
    all_through = SchoolFactory(phase="all-through")
    assert {s.phase for s in suggest_steps(school=all_through, limit=100)} == {
        "all",
        "primary",
        "secondary",
    }


def test_suggestions_skip_excluded_hidden_and_other_schools_steps(oak, elm, lead):
    strand = Strand.objects.get(slug="attention")
    first = suggest_steps(school=oak, strand=strand, limit=1)[0]
    elm_step = LibraryStepFactory(school=elm, strand=strand, title="AAA Elm only")
    ours = LibraryStepFactory(school=oak, strand=strand, title="AAA Oak's own")
    hidden = LibraryStep.objects.starter().filter(strand=strand).exclude(pk=first.pk).first()
    library_step_archive(step=hidden, school=oak, by=lead)
    steps = suggest_steps(school=oak, strand=strand, exclude_ids=[first.pk], limit=100)
    ids = {s.pk for s in steps}
    assert first.pk not in ids and hidden.pk not in ids and elm_step.pk not in ids
    assert ours.pk in ids


def test_suggestions_are_one_query(oak, django_assert_num_queries):
    strand = Strand.objects.get(slug="attention")
    with django_assert_num_queries(1):
        steps = suggest_steps(school=oak, strand=strand)
        names = [(s.strand.name, s.substrand.name if s.substrand else "") for s in steps]
    assert len(names) == 5
