"""Whole-school priorities: the three-a-year rule, the pages, suggestions and the report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.accounts.services import academic_year_create
from coachroom.audit.models import AuditEvent
from coachroom.coaching.goals import services as goal_services
from coachroom.coaching.goals.queries import priority_report
from coachroom.coaching.models import StepState
from coachroom.core.errors import DomainError
from coachroom.library.models import LibraryStep, Priority, Problem, Strand
from coachroom.library.services import library_step_archive
from tests.coaching.access_rows_goals import make_priority
from tests.factories import RelationshipFactory, make_step
from tests.library.factories import LibraryStepFactory


def _strand(slug: str) -> Strand:
    return Strand.objects.get(slug=slug)


def _starter(key: str) -> LibraryStep:
    return LibraryStep.objects.starter().get(key=key)


def _create(oak, year, lead, title: str, **links) -> Priority:
    return goal_services.priority_create(
        school=oak,
        by=lead,
        academic_year=year,
        title=title,
        symptoms="Pupils stop after the first hard question",
        problem=Problem.objects.get(slug="thinking"),
        **links,
    )


# The rules ---------------------------------------------------------------------------------------


def test_a_school_sets_at_most_three_active_priorities_a_year(oak, oak_year, lead):
    for n in range(3):
        _create(oak, oak_year, lead, f"Priority {n}")
    with pytest.raises(DomainError, match="already has 3 active priorities for 2026"):
        _create(oak, oak_year, lead, "One too many")
    assert Priority.objects.count() == 3


def test_archiving_frees_a_place_and_restoring_needs_one(oak, oak_year, lead):
    first, *_ = [_create(oak, oak_year, lead, f"Priority {n}") for n in range(3)]
    goal_services.priority_archive(priority=first, by=lead)
    fourth = _create(oak, oak_year, lead, "A new focus")
    with pytest.raises(DomainError, match="archive one"):
        goal_services.priority_restore(priority=first, by=lead)
    goal_services.priority_archive(priority=fourth, by=lead)
    goal_services.priority_restore(priority=first, by=lead)
    first.refresh_from_db()
    assert not first.is_archived
    events = AuditEvent.objects.filter(target_type="library.priority", target_id=str(first.pk))
    actions = events.values_list("action", flat=True)
    assert set(actions) == {
        "programme.priority.created",
        "programme.priority.archived",
        "programme.priority.restored",
    }


def test_other_years_have_their_own_three(oak, oak_year, lead):
    next_year = academic_year_create(school=oak, by=None, start_year=2027)
    for n in range(3):
        _create(oak, oak_year, lead, f"This year {n}")
    assert _create(oak, next_year, lead, "Next year").academic_year == next_year


def test_moving_a_priority_into_a_full_year_is_refused(oak, oak_year, lead):
    next_year = academic_year_create(school=oak, by=None, start_year=2027)
    for n in range(3):
        _create(oak, next_year, lead, f"Next year {n}")
    moving = _create(oak, oak_year, lead, "This year")
    with pytest.raises(DomainError):
        goal_services.priority_update(priority=moving, by=lead, academic_year=next_year)


def test_a_priority_links_only_the_schools_own_library(oak, elm, oak_year, lead):
    elm_step = LibraryStepFactory(school=elm)
    with pytest.raises(DomainError, match="your school's library"):
        _create(oak, oak_year, lead, "Borrowed", library_steps=[elm_step])


# Suggestions for the meeting ---------------------------------------------------------------------


def test_priority_suggestions_put_linked_steps_first_then_their_strands(oak, oak_year, lead):
    linked = _starter("question-pause-before-name")
    make_priority(
        oak,
        oak_year,
        strands=[_strand("feedback-assessment")],
        library_steps=[linked],
    )
    steps = goal_services.priority_suggestions(school=oak, limit=5)
    assert steps[0] == linked
    assert all(s.strand.slug == "feedback-assessment" for s in steps[1:])
    assert len(steps) == 5


def test_priority_suggestions_respect_the_library_and_the_year(oak, oak_year, lead, admin):
    hidden = _starter("question-pause-before-name")
    library_step_archive(step=hidden, school=oak, by=admin)  # a shared step: hidden at Oak
    archived = make_priority(oak, oak_year, library_steps=[_starter("question-everyone-shows")])
    archived.is_archived = True
    archived.save()
    next_year = academic_year_create(school=oak, by=None, start_year=2027)
    make_priority(oak, next_year, library_steps=[_starter("question-partner-talk")])
    make_priority(oak, oak_year, library_steps=[hidden])
    assert goal_services.priority_suggestions(school=oak) == []


def test_priority_suggestions_offer_strand_steps_for_the_schools_phase(oak, oak_year):
    oak.phase = "primary"
    oak.save()
    make_priority(oak, oak_year, strands=[_strand("culture-routines")])
    steps = goal_services.priority_suggestions(school=oak, limit=50)
    assert steps
    assert {s.phase for s in steps} <= {"all", "primary"}


def test_priority_suggestions_can_leave_out_the_current_step(oak, oak_year):
    linked = _starter("question-pause-before-name")
    make_priority(oak, oak_year, library_steps=[linked])
    assert linked not in goal_services.priority_suggestions(school=oak, exclude_ids=[linked.pk])


def test_no_priorities_no_suggestions_and_two_queries(oak, oak_year, django_assert_num_queries):
    with django_assert_num_queries(2):  # the current year, then the steps
        assert goal_services.priority_suggestions(school=oak) == []


# Pages -------------------------------------------------------------------------------------------


def _form(**overrides) -> dict[str, object]:
    return {
        "title": "Pupils give up on tricky tasks",
        "symptoms": "- Pupils stop after the first hard question\n\n- Few attempt the extension",
        "problem": Problem.objects.get(slug="thinking").pk,
        "strands": [_strand("consolidation-practice").pk],
        "library_steps": [_starter("practise-hint-card").pk],
        **overrides,
    }


def test_lead_adds_a_priority(client, lead, oak, oak_year):
    client.force_login(lead)
    response = client.post(
        reverse("coaching:priority-new"), _form(academic_year=oak_year.pk), follow=True
    )
    priority = Priority.objects.get()
    assert priority.symptom_list == [
        "Pupils stop after the first hard question",
        "Few attempt the extension",
    ]
    assert list(priority.library_steps.all()) == [_starter("practise-hint-card")]
    assert "is now a priority" in response.content.decode()
    assert priority.created_by == lead


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": " "}, "Name the priority."),
        ({"symptoms": ""}, "Describe at least one symptom staff see here."),
        ({"problem": ""}, "Choose the persistent problem this priority narrows."),
        ({"symptoms": "\n".join(f"symptom {n}" for n in range(7))}, "Keep it to 6 symptoms"),
    ],
)
def test_priority_form_explains_what_is_wrong(client, admin, oak_year, overrides, message):
    client.force_login(admin)
    response = client.post(
        reverse("coaching:priority-new"), _form(academic_year=oak_year.pk, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Priority.objects.exists()


def test_a_fourth_priority_gets_a_clear_error(client, lead, oak, oak_year):
    for n in range(3):
        make_priority(oak, oak_year, title=f"Priority {n}")
    client.force_login(lead)
    page = client.get(reverse("coaching:priority-new")).content.decode()
    assert "already has 3 active priorities" in page
    response = client.post(reverse("coaching:priority-new"), _form(academic_year=oak_year.pk))
    assert response.status_code == 200
    assert "archive one before adding another" in response.content.decode()
    assert Priority.objects.count() == 3


def test_lead_edits_a_priority_and_the_audit_names_the_fields(client, lead, oak, oak_year):
    priority = make_priority(oak, oak_year)
    client.force_login(lead)
    data = _form(academic_year=oak_year.pk, title="Pupils give up when it gets hard")
    response = client.post(reverse("coaching:priority-edit", args=[priority.pk]), data)
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.title == "Pupils give up when it gets hard"
    event = AuditEvent.objects.get(action="programme.priority.updated")
    assert event.data["fields"] == ["library_steps", "problem", "strands", "symptoms", "title"]


def test_archive_asks_first(client, admin, oak, oak_year):
    priority = make_priority(oak, oak_year)
    client.force_login(admin)
    url = reverse("coaching:priority-archive", args=[priority.pk])
    assert "Archive “Pupils give up" in client.get(url).content.decode()
    priority.refresh_from_db()
    assert not priority.is_archived
    assert client.post(url).status_code == 302
    priority.refresh_from_db()
    assert priority.is_archived


def test_everyone_in_the_school_reads_the_priorities(client, alice, oak, oak_year):
    make_priority(oak, oak_year, library_steps=[_starter("practise-hint-card")])
    archived = make_priority(oak, oak_year, title="An old focus", is_archived=True)
    client.force_login(alice)
    page = client.get(reverse("coaching:priority-list")).content.decode()
    assert "Pupils give up on tricky tasks" in page
    assert "Pupils stop after the first hard question" in page
    assert _starter("practise-hint-card").title in page
    assert archived.title not in page  # teachers see this year's focus, not the history
    assert "Add a priority" not in page
    assert "Steps by priority" not in page


def test_another_schools_priorities_stay_hidden(client, outsider, oak, oak_year):
    priority = make_priority(oak, oak_year)
    client.force_login(outsider)
    assert priority.title not in client.get(reverse("coaching:priority-list")).content.decode()
    assert client.get(reverse("coaching:priority-edit", args=[priority.pk])).status_code == 404


def test_teachers_and_coaches_cannot_manage_priorities(client, alice, bob, oak, oak_year):
    priority = make_priority(oak, oak_year)
    for person in (alice, bob):
        client.force_login(person)
        assert client.get(reverse("coaching:priority-new")).status_code == 403
        url = reverse("coaching:priority-archive", args=[priority.pk])
        assert client.post(url).status_code == 403


# The report --------------------------------------------------------------------------------------


@pytest.fixture
def two_priorities(oak, oak_year):
    questioning = make_priority(
        oak,
        oak_year,
        title="Not every pupil is thinking",
        strands=[_strand("thinking-questioning")],
    )
    hard_tasks = make_priority(
        oak,
        oak_year,
        title="Pupils give up on tricky tasks",
        library_steps=[_starter("practise-hint-card"), _starter("question-how-do-you-know")],
    )
    return questioning, hard_tasks


def _steps(pair, key: str | None, states: list[str]) -> None:
    for state in states:
        make_step(pair, state=state, library_step=_starter(key) if key else None)


def test_report_counts_steps_by_priority_and_strand(oak, oak_year, pairing, two_priorities):
    _steps(pairing, "question-everyone-shows", ["practising", "secured", "secured"])
    _steps(pairing, "question-how-do-you-know", ["agreed"])  # in both priorities
    _steps(pairing, "practise-hint-card", ["paused"])
    _steps(pairing, "entry-ready-to-learn", ["practising", "secured"])  # outside
    _steps(pairing, None, ["reopened"])  # written by the pair: outside
    _steps(pairing, "question-everyone-shows", ["proposed", "withdrawn", "superseded"])
    report = priority_report(school=oak, year=oak_year)
    assert [row.priority for row in report.priorities] == list(two_priorities)
    rows = {row.label: (row.current, row.secured) for row in report.priority_rows}
    assert rows == {
        "Not every pupil is thinking": (2, 2),
        "Pupils give up on tricky tasks": (2, 0),
        "Outside the priorities": (2, 1),
    }
    assert (report.totals.current, report.totals.secured) == (5, 3)
    assert report.overlapping
    strands = {row.label: (row.current, row.secured) for row in report.strands}
    assert strands["Thinking & questioning"] == (2, 2)
    assert strands["Culture & routines"] == (1, 1)
    assert strands["Written by the pair (not from the library)"] == (1, 0)


def test_report_ignores_other_years_and_schools(oak, elm, oak_year, pairing, two_priorities):
    old_year = academic_year_create(school=oak, by=None, start_year=2025)
    old_pair = RelationshipFactory(school=oak, academic_year=old_year)
    _steps(old_pair, "question-everyone-shows", ["secured"])
    _steps(RelationshipFactory(school=elm), "question-everyone-shows", ["secured"])
    report = priority_report(school=oak, year=oak_year)
    assert report.totals.total == 0


def test_report_page_shows_counts_not_names(client, head, alice, oak, pairing, two_priorities):
    _steps(pairing, "question-everyone-shows", ["practising"])
    client.force_login(head)
    page = client.get(reverse("coaching:priority-report")).content.decode()
    assert "Outside the priorities" in page
    assert "<svg" in page and 'role="img"' in page
    assert "Current steps" in page and "Secured steps" in page
    assert alice.full_name not in page
    assert alice.first_name not in page
    assert _starter("question-everyone-shows").title not in page
    assert StepState.PRACTISING.label not in page


def test_plain_teachers_and_coaches_get_403_for_the_report(client, alice, bob):
    for person in (alice, bob):
        client.force_login(person)
        assert client.get(reverse("coaching:priority-report")).status_code == 403


@pytest.mark.parametrize("pairs", [1, 12])
def test_report_queries_do_not_grow(
    client, lead, oak, oak_year, two_priorities, pairs, django_assert_max_num_queries
):
    keys = ["question-everyone-shows", "practise-hint-card", "entry-ready-to-learn", None]
    for n in range(pairs):
        pair = RelationshipFactory(school=oak, academic_year=oak_year)
        _steps(pair, keys[n % len(keys)], ["practising", "secured"])
    client.force_login(lead)
    # session, user, memberships, the current year, priorities, their linked steps, their
    # strands, all strands, the step counts (grouped), session save in a savepoint (3)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("coaching:priority-report"))
    assert response.context["report"].totals.total == pairs * 2


@pytest.mark.parametrize("priorities", [1, 3])
def test_priority_list_queries_do_not_grow(
    client, alice, oak, oak_year, priorities, django_assert_max_num_queries
):
    for n in range(priorities):
        make_priority(
            oak,
            oak_year,
            title=f"Priority {n}",
            strands=[_strand("attention")],
            library_steps=[_starter("practise-hint-card")],
        )
    client.force_login(alice)
    # session, user, memberships, the current year, priorities, their strands, their steps,
    # session save in a savepoint (3)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("coaching:priority-list"))
    assert response.status_code == 200
