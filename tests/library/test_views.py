from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.library.models import LibraryStep, Strand, SubStrand
from coachroom.library.services import library_step_archive
from tests.factories import TrustFactory
from tests.library.factories import LibraryStepFactory

LIST = reverse("library:step-list")


def titles(response) -> list[str]:
    return [step.title for step in response.context["page"].object_list]


def all_titles(client, **params: Any) -> list[str]:
    """Every title over every page of results."""
    found: list[str] = []
    page = 1
    while True:
        response = client.get(LIST, {**params, "page": page})
        found += titles(response)
        if not response.context["page"].has_next():
            return found
        page += 1


def step_data(**overrides: Any) -> dict[str, Any]:
    strand = Strand.objects.get(slug="attention")
    data = {
        "title": "Count down from five to silence",
        "strand": strand.pk,
        "substrand": SubStrand.objects.get(strand=strand, slug="gaining").pk,
        "looks_like": "- Counts down aloud from five.\n\n- The room is silent by one.",
        "why": "",
        "drill": "",
        "pitfalls": "",
        "model_text": "",
        "video_url": "",
        "phase": "all",
        "subjects": "",
        "ittecf_sections": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def oak_step(oak, lead) -> LibraryStep:
    return LibraryStepFactory(
        school=oak,
        created_by=lead,
        title="Oak's lining-up routine",
        looks_like="Pupils line up in register order.\nThe line is silent before it moves.",
    )


# Browsing ---------------------------------------------------------------------------------------


def test_a_teacher_browses_the_starter_library_twenty_at_a_time(client, alice):
    client.force_login(alice)
    response = client.get(LIST)
    assert response.status_code == 200
    assert len(titles(response)) == 20
    assert response.context["page"].paginator.count == LibraryStep.objects.starter().count()
    assert b"Add a step" not in response.content
    assert client.get(LIST, {"page": 2}).context["page"].number == 2


def test_search_looks_in_titles_and_in_what_it_looks_like(client, alice):
    client.force_login(alice)
    assert titles(client.get(LIST, {"q": "stop scan"})) == ["Stop, scan, say"]
    by_criterion = titles(client.get(LIST, {"q": "90 seconds"}))
    assert "Ready-to-learn entry" in by_criterion


def test_filters_by_strand_problem_and_owner(client, lead, oak_step):
    client.force_login(lead)
    strand = all_titles(client, strand="feedback-assessment")
    assert "Planned circulation" in strand and "Stop, scan, say" not in strand
    assert all_titles(client, owner="ours") == ["Oak's lining-up routine"]
    starter = all_titles(client, owner="starter")
    assert "Oak's lining-up routine" not in starter and len(starter) == 78
    problem = client.get(LIST, {"problem": "assessment"}).context["page"]
    assert all(
        "assessment" in [p.slug for p in step.problems.all()] for step in problem.object_list
    )


def test_phase_filter_includes_all_phase_steps_but_not_the_other_phase(client, alice):
    client.force_login(alice)
    primary = all_titles(client, phase="primary")
    assert "Gather the class onto fixed carpet spots with a count" in primary
    assert "Ready-to-learn entry" in primary
    assert "Demonstrate the practical before any kit is collected" not in primary


def test_subject_filter_matches_whole_subject_names(client, oak, alice):
    LibraryStepFactory(school=oak, title="Chapel singing", subjects="Music, Religious education")
    client.force_login(alice)
    re_steps = all_titles(client, subject="RE")
    assert re_steps == ["Return to the enquiry question at each stage"]
    assert "Chapel singing" in all_titles(client, subject="Music")


def test_a_stale_filter_value_is_ignored(client, alice):
    client.force_login(alice)
    response = client.get(LIST, {"strand": "no-such-strand"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 78


def test_live_search_returns_only_the_results_partial(client, alice):
    client.force_login(alice)
    response = client.get(LIST, {"q": "zzzz"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b'id="step-results"' in response.content
    assert b"No steps match that search" in response.content


def test_a_full_page_search_works_without_javascript(client, alice):
    client.force_login(alice)
    response = client.get(LIST, {"q": "stop scan"})
    assert b"<html" in response.content
    assert b'value="stop scan"' in response.content
    assert b"Stop, scan, say" in response.content


def test_the_list_says_when_the_library_is_empty(client, alice):
    LibraryStep.objects.all().update(is_archived=True)
    client.force_login(alice)
    response = client.get(LIST)
    assert b"The library has no steps yet" in response.content


def test_curators_see_add_and_archived_filters(client, lead, alice):
    client.force_login(lead)
    response = client.get(LIST)
    assert b"Add a step" in response.content and b"Archived or hidden" in response.content
    client.force_login(alice)
    assert b"Archived or hidden" not in client.get(LIST).content


def test_another_schools_steps_never_appear(client, elm, alice):
    LibraryStepFactory(school=elm, title="Elm's secret step")
    client.force_login(alice)
    assert "Elm's secret step" not in all_titles(client, q="secret")
    assert not all_titles(client, q="secret")


# Detail -----------------------------------------------------------------------------------------


def test_detail_shows_the_whole_step(client, alice):
    step = LibraryStep.objects.get(key="question-pause-before-name")
    client.force_login(alice)
    response = client.get(step.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<h1") == 1
    for criterion in step.criteria:
        assert f"<li>{criterion}</li>".replace("'", "&#x27;") in content
    assert "Thinking &amp; questioning" in content and "Think time" in content
    assert "Kennedy: enlisting participation" in content
    assert "Coachroom starter library" in content and "CC BY 4.0" in content
    assert "Version</dt><dd>1" in content
    assert "Manage this step" not in content


def test_detail_shows_what_a_copy_was_copied_from(client, oak, lead, alice):
    starter = LibraryStep.objects.get(key="question-pause-before-name")
    copy = LibraryStepFactory(school=oak, copied_from=starter, title="Our pause")
    client.force_login(alice)
    content = client.get(copy.get_absolute_url()).content.decode()
    assert "Copied from" in content and starter.get_absolute_url() in content
    content = client.get(starter.get_absolute_url()).content.decode()
    assert "has its own version" in content and copy.get_absolute_url() in content


def test_outsider_gets_404_for_an_oak_step(client, outsider, oak_step):
    client.force_login(outsider)
    assert client.get(oak_step.get_absolute_url()).status_code == 404


def test_another_trusts_step_is_404(client, alice):
    step = LibraryStepFactory(school=None, trust=TrustFactory())
    client.force_login(alice)
    assert client.get(step.get_absolute_url()).status_code == 404


# Curating ---------------------------------------------------------------------------------------


def test_lead_adds_a_school_step(client, oak, lead):
    client.force_login(lead)
    response = client.post(reverse("library:step-create"), step_data(subjects="maths ,, PE"))
    step = LibraryStep.objects.get(title="Count down from five to silence")
    assert response.status_code == 302 and response["Location"] == step.get_absolute_url()
    assert step.school == oak and step.created_by == lead
    assert step.criteria == ["Counts down aloud from five.", "The room is silent by one."]
    assert step.subjects == "maths, PE"
    assert AuditEvent.objects.filter(action="library.step.created", school=oak).exists()
    assert "Count down from five to silence" in all_titles(client, owner="ours")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title for the step."),
        ({"title": "x" * 121}, "The title must be 120 characters or fewer."),
        ({"looks_like": "Only one thing.\n\n"}, "Write at least two success criteria"),
        ({"looks_like": "a\nb\nc\nd\ne"}, "Write no more than four success criteria"),
        ({"strand": ""}, "Choose the strand this step belongs to."),
        ({"video_url": "ftp://example.com/clip"}, "starting with https://"),
        ({"ittecf_sections": "2, 9"}, "from 1 to 8"),
    ],
)
def test_the_form_explains_each_mistake_and_keeps_the_input(client, lead, overrides, message):
    client.force_login(lead)
    data = step_data(why="Kept words", **overrides)
    response = client.post(reverse("library:step-create"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert message in content
    assert "Kept words" in content
    assert not LibraryStep.objects.filter(why="Kept words").exists()


def test_a_substrand_must_belong_to_the_strand(client, lead):
    client.force_login(lead)
    other = SubStrand.objects.get(strand__slug="feedback-assessment", slug="reteach")
    response = client.post(reverse("library:step-create"), step_data(substrand=other.pk))
    assert "“Reteach” is not part of Attention" in response.content.decode()


def test_copy_form_is_prefilled_and_saves_a_linked_school_copy(client, oak, lead):
    starter = LibraryStep.objects.get(key="question-pause-before-name")
    client.force_login(lead)
    page = client.get(reverse("library:step-copy", args=[starter.pk]))
    assert page.status_code == 200
    assert 'value="Pause before the name"' in page.content.decode()
    data = step_data(title="Pause, then name a Year 9 pupil", hide_original="on")
    response = client.post(reverse("library:step-copy", args=[starter.pk]), data)
    copy = LibraryStep.objects.get(title="Pause, then name a Year 9 pupil")
    assert response["Location"] == copy.get_absolute_url()
    assert copy.copied_from == starter and copy.school == oak
    assert "Pause before the name" not in all_titles(client, q="pause")


def test_edit_bumps_the_version(client, lead, oak_step):
    client.force_login(lead)
    url = reverse("library:step-edit", args=[oak_step.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, step_data(title="Oak's silent line"), follow=True)
    oak_step.refresh_from_db()
    assert (oak_step.title, oak_step.version) == ("Oak's silent line", 2)
    assert b"saved as version 2" in response.content


def test_a_failed_edit_keeps_the_saved_title_in_the_heading(client, lead, oak_step):
    client.force_login(lead)
    response = client.post(
        reverse("library:step-edit", args=[oak_step.pk]), step_data(looks_like="one")
    )
    assert "<h1>Edit “Oak&#x27;s lining-up routine”</h1>" in response.content.decode()
    oak_step.refresh_from_db()
    assert oak_step.version == 1


def test_starter_and_other_schools_steps_cannot_be_edited(client, lead, elm):
    client.force_login(lead)
    starter = LibraryStep.objects.get(key="question-pause-before-name")
    elm_step = LibraryStepFactory(school=elm)
    assert client.get(reverse("library:step-edit", args=[starter.pk])).status_code == 404
    assert client.get(reverse("library:step-edit", args=[elm_step.pk])).status_code == 404


def test_a_teacher_cannot_curate(client, alice, oak_step):
    client.force_login(alice)
    assert client.get(reverse("library:step-create")).status_code == 403
    assert client.post(reverse("library:step-edit", args=[oak_step.pk])).status_code == 403
    assert client.post(reverse("library:step-archive", args=[oak_step.pk])).status_code == 403
    oak_step.refresh_from_db()
    assert not oak_step.is_archived


def test_archiving_hides_an_own_step_from_the_list(client, lead, alice, oak_step):
    client.force_login(lead)
    confirm = client.get(reverse("library:step-archive", args=[oak_step.pk]))
    assert b"Nothing is deleted" in confirm.content
    response = client.post(reverse("library:step-archive", args=[oak_step.pk]))
    assert response["Location"] == LIST
    assert "Oak's lining-up routine" not in all_titles(client)
    assert "Oak's lining-up routine" in all_titles(client, status="archived")
    client.force_login(alice)
    assert client.get(oak_step.get_absolute_url()).status_code == 404


def test_hiding_a_starter_step_and_showing_it_again(client, lead, alice):
    starter = LibraryStep.objects.get(key="question-pause-before-name")
    client.force_login(lead)
    client.post(reverse("library:step-archive", args=[starter.pk]))
    assert "Pause before the name" not in all_titles(client, q="pause")
    page = client.get(starter.get_absolute_url())
    assert b"Hidden from Oak School" in page.content
    client.force_login(alice)
    assert client.get(starter.get_absolute_url()).status_code == 404
    client.force_login(lead)
    response = client.post(reverse("library:step-restore", args=[starter.pk]), follow=True)
    assert b"is showing in Oak School again" in response.content
    client.force_login(alice)
    assert client.get(starter.get_absolute_url()).status_code == 200


def test_restoring_a_live_step_is_explained_not_an_error(client, lead, oak_step):
    client.force_login(lead)
    response = client.post(reverse("library:step-restore", args=[oak_step.pk]), follow=True)
    assert response.status_code == 200
    assert b"is not archived" in response.content


def test_restore_is_post_only(client, lead, oak, oak_step):
    library_step_archive(step=oak_step, school=oak, by=lead)
    client.force_login(lead)
    assert client.get(reverse("library:step-restore", args=[oak_step.pk])).status_code == 405


# Query budgets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [5, 40])
def test_list_queries_do_not_grow(client, oak, lead, extra, django_assert_max_num_queries):
    LibraryStepFactory.create_batch(extra, school=oak, subjects="Maths, Science")
    client.force_login(lead)
    # session, user, memberships (3); strands, problems and subjects for the filters (3);
    # count; the page of steps joined to strand and sub-strand; their problem tags (3);
    # the session save, which Django wraps in a savepoint (3)
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"owner": "ours"})
    assert response.status_code == 200
    assert len(titles(response)) == min(extra, 20)


@pytest.mark.parametrize("extra", [5, 40])
def test_detail_queries_do_not_grow(
    client, oak, lead, extra, django_assert_max_num_queries, oak_step
):
    LibraryStepFactory.create_batch(extra, school=oak, copied_from=oak_step)
    client.force_login(lead)
    # session, user, memberships (3); the step joined to everything it shows; its problem
    # tags (2); the lead also coaches, so their pairs for "Use in a meeting" (1); the session
    # save in its savepoint (3). The copies made from it cost nothing.
    with django_assert_max_num_queries(9):
        response = client.get(oak_step.get_absolute_url())
    assert response.status_code == 200


def test_a_teacher_sees_the_name_of_a_hidden_original_but_no_link(client, oak, lead, alice):
    starter = LibraryStep.objects.get(key="question-pause-before-name")
    client.force_login(lead)
    data = step_data(title="Our pause", hide_original="on")
    client.post(reverse("library:step-copy", args=[starter.pk]), data)
    copy = LibraryStep.objects.get(title="Our pause")
    client.force_login(alice)
    content = client.get(copy.get_absolute_url()).content.decode()
    assert "Pause before the name" in content
    assert starter.get_absolute_url() not in content
    client.force_login(lead)
    assert starter.get_absolute_url() in client.get(copy.get_absolute_url()).content.decode()


@pytest.mark.parametrize("extra", [5, 40])
def test_search_queries_do_not_grow(client, oak, lead, extra, django_assert_max_num_queries):
    LibraryStepFactory.create_batch(extra, school=oak, title="Pause and wait", subjects="Maths")
    client.force_login(lead)
    # as the list, but a first page that holds every match needs no count (11); a longer
    # search still counts, for "Page 1 of 3" (12)
    with django_assert_max_num_queries(11 if extra < 20 else 12):
        response = client.get(LIST, {"q": "wait", "owner": "ours"})
    assert len(titles(response)) == min(extra, 20)
    page = response.content.decode()
    assert f"{extra} steps match" in page
    assert ("Page 1 of 2" in page) == (extra > 20)


def test_search_works_without_javascript_and_pages_on(client, oak, lead):
    LibraryStepFactory.create_batch(25, school=oak, title="Pause and wait")
    client.force_login(lead)
    first = client.get(LIST, {"q": "wait", "owner": "ours"}).content.decode()
    assert '<form method="get" action="/library/"' in first
    assert 'href="?q=wait&amp;owner=ours&amp;page=2"' in first
    second = client.get(LIST, {"q": "wait", "owner": "ours", "page": 2})
    assert len(titles(second)) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_each_row_shows_its_own_persistent_problems(client, oak, lead):
    tagged = LibraryStep.objects.get(key="question-pause-before-name")
    labels = [p.steplab_label for p in tagged.problems.order_by("pk")]
    assert labels
    client.force_login(lead)
    page = client.get(LIST, {"q": tagged.title}).content.decode()
    row = page[page.index(f">{tagged.title}</a>") :]
    row = row[: row.index("</tr>")]
    assert [f'<span class="tag">{label}</span>' in row for label in labels] == [True] * len(labels)
    assert row.index(labels[0]) <= row.index(labels[-1])
