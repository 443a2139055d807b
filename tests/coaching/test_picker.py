"""The step picker in the feedback meeting (issue item 4)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import escape

from coachroom.accounts.models import Membership
from coachroom.coaching import picker
from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.library.models import LibraryStep, Phase, Strand
from tests.coaching.access_rows_goals import make_priority
from tests.factories import make_step
from tests.library.factories import LibraryStepFactory


def _meeting_url(pairing):
    return reverse("coaching:meeting-new", args=[pairing.pk])


def _picker_url(pairing):
    return reverse("coaching:step-picker", args=[pairing.pk])


def _shown(response) -> list[str]:
    """The library steps listed under a strand (read from the page: htmx gets a fragment)."""
    body = response.content.decode()
    listed = body[body.find('<fieldset class="picker__strand">') :]
    return [unescape(t) for t in re.findall(r'<label for="id_library_step_\d+">([^<]*)', listed)]


def _matches(response) -> int:
    found = re.search(r"(\d+) library steps?\b", response.content.decode())
    return int(found.group(1)) if found else 0


@pytest.fixture
def oak_steps(oak, pairing):
    """Alice teaches maths at Oak, a secondary school."""
    Membership.objects.filter(user=pairing.coachee, school=oak).update(subjects="Maths")
    strand = Strand.objects.order_by("-order").first()
    return {
        "primary": LibraryStepFactory(school=oak, title="Phonics chant", phase=Phase.PRIMARY),
        "music": LibraryStepFactory(school=oak, title="Warm-up scales", subjects="Music"),
        "maths": LibraryStepFactory(
            school=oak,
            strand=strand,
            title="Worked example, then a twin",
            subjects="Maths, Science",
            drill="Model the first example aloud, then hand over the twin.",
        ),
    }


def test_the_meeting_opens_with_a_few_suggested_steps_not_the_library(
    client, bob, oak, pairing, oak_steps
):
    LibraryStepFactory.create_batch(30, school=oak)
    client.force_login(bob)
    response = client.get(_meeting_url(pairing))
    step_picker = response.context["picker"]
    assert not step_picker.searching and step_picker.groups == []
    assert 0 < len(step_picker.suggested) <= picker.SUGGESTED
    body = response.content.decode()
    # the suggestions and "None: I'll write the step below", nothing more
    assert body.count('name="library_step"') == len(step_picker.suggested) + 1
    assert "<legend>Suggested steps</legend>" in body
    assert 'name="find_steps"' in body and 'name="q"' in body


def test_a_search_is_grouped_by_strand_in_library_order(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.get(_meeting_url(pairing), {"q": "", "find_steps": "1"})
    groups = response.context["picker"].groups
    orders = [g.strand.order for g in groups]
    assert orders == sorted(orders) and len(set(orders)) == len(orders) > 1
    assert all(s.strand_id == g.strand.pk for g in groups for s in g.steps)
    body = response.content.decode()
    first = escape(groups[0].strand.name)
    assert f'<fieldset class="picker__strand"><legend>{first}</legend>' in body


def test_it_suits_the_schools_phase_and_the_teachers_subjects(client, bob, pairing, oak_steps):
    client.force_login(bob)

    def shown(**query):
        return _shown(client.get(_meeting_url(pairing), query))

    assert shown(q="twin") == ["Worked example, then a twin"]
    assert shown(q="chant") == []  # a primary step at a secondary school
    assert shown(q="scales") == []  # a music step for a maths teacher
    assert shown(q="chant", show_all="on") == ["Phonics chant"]
    assert shown(q="scales", show_all="on") == ["Warm-up scales"]


def test_each_step_shows_what_it_looks_like_and_its_drill(client, bob, pairing, oak_steps):
    client.force_login(bob)
    body = client.get(_meeting_url(pairing), {"q": "twin"}).content.decode()
    option = body[body.index("Worked example, then a twin") :]
    option = option[: option.index("</details>")]
    assert "<summary>What it looks like and the drill" in option
    assert "<li>The teacher waits for silence.</li>" in option
    assert "Model the first example aloud" in option


def _every_page_without_javascript(client, pairing) -> list[int]:
    """Tick "show every step", press "Find steps", then "More steps" until the last page."""
    seen: list[int] = []
    data = {"praise": "Kept while paging", "q": "", "show_all": "on", "find_steps": "1"}
    while True:
        response = client.post(_meeting_url(pairing), data)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Kept while paging" in body and "There is a problem" not in body
        step_picker = response.context["picker"]
        assert step_picker.shown <= picker.PAGE_SIZE
        seen += [s.pk for g in step_picker.groups for s in g.steps]
        if step_picker.next_page is None:
            assert 'name="page"' not in body
            return seen
        assert f'name="page" value="{step_picker.next_page}"' in body
        data = {**data, "page": str(step_picker.next_page)}
        data.pop("find_steps", None)


def test_without_javascript_a_coach_can_reach_every_library_step(
    client, bob, oak, pairing, oak_steps
):
    LibraryStepFactory.create_batch(25, school=oak)
    client.force_login(bob)
    seen = _every_page_without_javascript(client, pairing)
    available = set(LibraryStep.objects.available_to(oak).values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) and set(seen) == available
    assert not FeedbackMeeting.objects.exists()
    # and any one of them can be chosen and saved with the meeting
    last = LibraryStep.objects.get(pk=seen[-1])
    response = client.post(
        _meeting_url(pairing),
        {
            "praise": "Everyone started at once.",
            "decision": "new",
            "library_step": last.pk,
            "round_1_attempt": "Tried it",
        },
    )
    assert response.status_code == 302
    assert ActionStep.objects.get().library_step == last


def test_more_steps_with_htmx_returns_the_next_page(client, bob, oak, pairing, oak_steps):
    LibraryStepFactory.create_batch(25, school=oak, title="Cold call step")
    client.force_login(bob)
    first = client.get(_picker_url(pairing), {"q": "cold call"}, HTTP_HX_REQUEST="true")
    body = first.content.decode()
    assert "Steps 1 to 20 of 25 library steps" in body and "<html" not in body
    assert 'name="page" value="2"' in body
    second = client.get(
        _picker_url(pairing), {"q": "cold call", "page": "2"}, HTTP_HX_REQUEST="true"
    )
    assert len(_shown(first)) == 20 and len(_shown(second)) == 5
    assert 'name="page"' not in second.content.decode()
    ids = re.compile(r'id="id_library_step_(\d+)"')
    assert set(ids.findall(first.content.decode())).isdisjoint(ids.findall(second.content.decode()))


def test_search_as_you_type_returns_only_the_results(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.get(_picker_url(pairing), {"q": "twin WORKED"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="step-picker"' in body
    assert _shown(response) == ["Worked example, then a twin"]
    none = client.get(_picker_url(pairing), {"q": "zzzz"}, HTTP_HX_REQUEST="true")
    assert "No library steps match" in none.content.decode()


def test_without_javascript_the_search_is_a_plain_get(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.get(_picker_url(pairing), {"q": "twin"})
    assert response.status_code == 302
    assert response["Location"].startswith(_meeting_url(pairing) + "?q=twin")
    page = client.get(_meeting_url(pairing), {"q": "twin"})
    assert _shown(page) == ["Worked example, then a twin"]


def test_finding_steps_without_javascript_keeps_what_was_typed(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.post(
        _meeting_url(pairing),
        {"praise": "Crisp, 12-word instruction.", "q": "twin", "find_steps": "1"},
    )
    assert response.status_code == 200
    assert "Crisp, 12-word instruction." in response.content.decode()
    assert "There is a problem" not in response.content.decode()
    assert _shown(response) == ["Worked example, then a twin"]
    assert not FeedbackMeeting.objects.exists()


def test_a_chosen_step_stays_chosen_through_a_search(client, bob, pairing, oak_steps):
    chosen = oak_steps["maths"]
    client.force_login(bob)
    response = client.get(
        _picker_url(pairing), {"q": "zzzz", "library_step": chosen.pk}, HTTP_HX_REQUEST="true"
    )
    assert f'value="{chosen.pk}" id="id_library_step_{chosen.pk}" checked' in (
        response.content.decode()
    )


def test_the_chosen_step_is_saved_with_the_meeting(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.post(
        _meeting_url(pairing),
        {
            "praise": "Everyone started at once.",
            "decision": "new",
            "library_step": oak_steps["maths"].pk,
            "round_1_attempt": "Ran the worked example",
        },
    )
    assert response.status_code == 302
    assert ActionStep.objects.get().library_step == oak_steps["maths"]


@pytest.mark.parametrize("extra", [3, 60])
def test_picker_queries_do_not_grow_with_the_library(
    client, bob, oak, pairing, extra, django_assert_max_num_queries
):
    LibraryStepFactory.create_batch(extra, school=oak)
    client.force_login(bob)
    # session, user, memberships (3); the pairs the coach coaches, then this one; the
    # teacher's subjects; the library joined to its strands; the session save (3)
    with django_assert_max_num_queries(10):
        response = client.get(_picker_url(pairing), {"q": "step"}, HTTP_HX_REQUEST="true")
    assert len(_shown(response)) == min(_matches(response), picker.PAGE_SIZE)
    assert _matches(response) >= extra


@pytest.mark.parametrize("extra", [3, 60])
def test_meeting_page_queries_do_not_grow_with_the_library(
    client, bob, oak, pairing, extra, django_assert_max_num_queries
):
    LibraryStepFactory.create_batch(extra, school=oak)
    client.force_login(bob)
    # session, user (2); the pairs the coach coaches, then this one with its school and
    # people; its current step, its latest drop-ins; the suggestions:
    # the year, the priorities, the steps (3); booking the next drop-in: the calendar's terms
    # and closures, the pair's planned drop-in, then (none planned) its slot and the free
    # times (5); the memberships; the session save (3)
    with django_assert_max_num_queries(18):
        response = client.get(_meeting_url(pairing))
    assert len(response.content) < 40_000


def test_suggestions_are_the_priorities_then_steps_like_the_current_one(
    client, bob, oak, oak_year, pairing
):
    current_step = LibraryStep.objects.starter().get(key="question-pause-before-name")
    make_step(pairing, library_step=current_step)
    linked = LibraryStep.objects.starter().get(key="question-everyone-shows")
    make_priority(
        oak,
        oak_year,
        strands=[Strand.objects.get(slug="feedback-assessment")],
        library_steps=[linked],
    )
    client.force_login(bob)
    suggested = client.get(_meeting_url(pairing)).context["picker"].suggested
    assert len(suggested) == picker.SUGGESTED
    assert suggested[0] == linked and suggested[0].serves_priority
    assert [s.strand.slug for s in suggested[1:3]] == ["feedback-assessment"] * 2
    assert all(s.serves_priority for s in suggested[:3])
    like = suggested[3:]
    assert all(s.strand_id == current_step.strand_id for s in like)
    assert not any(getattr(s, "serves_priority", False) for s in like)
    assert current_step not in suggested
    body = client.get(_meeting_url(pairing)).content.decode()
    assert body.count('<span class="tag">School priority</span>') == 3


def test_with_no_priorities_and_no_step_the_library_fills_the_suggestions(
    client, bob, oak, pairing
):
    client.force_login(bob)
    suggested = client.get(_meeting_url(pairing)).context["picker"].suggested
    first = list(LibraryStep.objects.available_to(oak).order_by("strand__order", "title"))
    assert len(suggested) == picker.SUGGESTED
    assert suggested[0].strand == first[0].strand


def test_a_meeting_shown_again_to_correct_keeps_to_the_suggestions(
    client, bob, pairing, oak_steps, django_assert_max_num_queries
):
    client.force_login(bob)
    response = client.post(_meeting_url(pairing), {"q": "", "praise": "", "decision": "new"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not response.context["picker"].searching
    cleared = client.get(_picker_url(pairing), {"q": ""}, HTTP_HX_REQUEST="true")
    assert "<legend>Suggested steps</legend>" in cleared.content.decode()
    browse = client.get(_picker_url(pairing), {"q": "", "find_steps": "1"}, HTTP_HX_REQUEST="true")
    assert _shown(browse) and "Suggested steps" not in browse.content.decode()
