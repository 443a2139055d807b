from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import School
from coachroom.audit.models import AuditEvent
from coachroom.coaching import meetings, services
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Observation, StepState
from coachroom.core.errors import DomainError
from coachroom.library.models import LibraryStep
from tests.factories import RelationshipFactory, make_step

NOTES = "Pupils settled within a minute of the bell."  # a drop-in needs words or step evidence


def _meeting_data(**overrides):
    data = {
        "praise": "Your instructions were under 20 words and everyone started at once.",
        "decision": "new",
        "new_title": "Stop, scan, say",
        "new_criteria": "Stops mid-sentence\nSweeps the room\nWaits for all eyes",
        "modelling": "I modelled the pause twice.",
        "plan": "Year 8 period 3, before introducing ratios.",
        "round_1_attempt": "Introduced the key point with a pause",
        "round_1_feedback": "Hold the pause a second longer",
        "next_drop_in": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
    }
    data.update(overrides)
    return data


def test_coach_starts_a_drop_in_in_one_tap(client, bob, pairing):
    client.force_login(bob)
    response = client.post(reverse("coaching:drop-in-start", args=[pairing.pk]))
    observation = Observation.objects.get(relationship=pairing)
    assert response["Location"] == reverse("coaching:drop-in-edit", args=[observation.pk])
    again = client.post(reverse("coaching:drop-in-start", args=[pairing.pk]))
    assert again["Location"] == response["Location"]  # the open draft is resumed, not doubled


def test_autosave_keeps_typed_text_and_ignores_bad_fields(client, bob, pairing):
    observation = services.observation_start(relationship=pairing, by=bob)
    client.force_login(bob)
    response = client.post(
        reverse("coaching:drop-in-autosave", args=[observation.pk]),
        {"went_well": "Calm start", "observed_at": "not a date"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Draft saved at" in response.content
    observation.refresh_from_db()
    assert observation.went_well == "Calm start"
    assert observation.is_draft


def test_submitting_a_drop_in_requires_the_step_rating(client, bob, pairing):
    step = make_step(pairing, state=StepState.PRACTISING)
    observation = services.observation_start(relationship=pairing, by=bob)
    client.force_login(bob)
    url = reverse("coaching:drop-in-edit", args=[observation.pk])
    form = {"observed_at": "2026-11-23T09:15", "went_well": "Good pace"}
    response = client.post(url, form)
    assert response.status_code == 200
    assert b"Say whether you saw the step" in response.content
    assert b"Good pace" in response.content  # nothing typed is lost
    response = client.post(url, {**form, f"step_{step.pk}": "seen"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.streak == 1
    observation.refresh_from_db()
    assert observation.status == Observation.Status.SUBMITTED


def test_meeting_with_a_new_library_step_and_a_rehearsal(client, bob, alice, pairing):
    library = LibraryStep.objects.starter().first()
    client.force_login(bob)
    response = client.post(
        reverse("coaching:meeting-new", args=[pairing.pk]),
        _meeting_data(library_step=library.pk, new_title="", new_criteria=""),
    )
    assert response.status_code == 302
    meeting = FeedbackMeeting.objects.get()
    assert meeting.step.library_step == library
    assert meeting.step.title == library.title
    assert meeting.step.state == StepState.PROPOSED
    assert meeting.rounds.count() == 1
    # the teacher agrees; the rehearsal already logged moves it straight to practising
    client.force_login(alice)
    client.post(reverse("coaching:step-agree", args=[meeting.step.pk]))
    meeting.step.refresh_from_db()
    assert meeting.step.state == StepState.PRACTISING


def _error_summary(response) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert found, "no error summary"
    return " ".join(found.group(0).split())


def test_meeting_needs_praise_a_step_and_a_rehearsal(client, bob, pairing):
    client.force_login(bob)
    response = client.post(
        reverse("coaching:meeting-new", args=[pairing.pk]),
        _meeting_data(praise="", new_title="", round_1_attempt="", round_1_feedback=""),
    )
    assert response.status_code == 200
    summary = _error_summary(response)
    assert "There is a problem" in summary
    # each problem names its field and links to it, the rehearsal too
    assert '<a href="#id_praise">Precise praise: Write what the teacher did well' in summary
    assert '<a href="#id_new_title">Or write the step: Choose a library step' in summary
    assert '<a href="#id_round_1_attempt">Round 1: what was tried: Add at least one' in summary
    assert not FeedbackMeeting.objects.exists()


def test_an_empty_meeting_names_every_field_to_fill(client, bob, pairing):
    client.force_login(bob)
    response = client.post(reverse("coaching:meeting-new", args=[pairing.pk]), {})
    summary = _error_summary(response)
    for field_id, name in [
        ("id_praise", "Precise praise"),
        ("id_decision", "The step from here"),
        ("id_round_1_attempt", "Round 1: what was tried"),
    ]:
        assert f'<a href="#{field_id}">{name}: ' in summary
    assert 'id="id_decision"' in response.content.decode()  # the link has somewhere to go


def test_meeting_records_a_teacher_proposed_step_which_she_must_still_agree(
    client, bob, alice, pairing
):
    client.force_login(bob)
    client.post(
        reverse("coaching:meeting-new", args=[pairing.pk]), _meeting_data(teacher_proposed="on")
    )
    step = ActionStep.objects.get()
    assert step.proposed_by == alice and step.teacher_proposed
    # ticking "the teacher proposed this step" is not the teacher agreeing to it
    assert step.state == StepState.PROPOSED and not step.teacher_confirmed
    proposed = step.transitions.get()
    assert (proposed.event, proposed.by, proposed.recorded_by) == ("proposed", alice, bob)
    page = client.get(step.get_absolute_url()).content.decode()
    assert "Waiting for Alice to agree" in page
    assert "by Alice Example, recorded by Bob Example" in page
    client.force_login(alice)
    home = client.get(reverse("home")).content.decode()
    assert "You proposed this step and Bob noted it down. Agree to it to start" in home
    client.post(reverse("coaching:step-agree", args=[step.pk]))
    step.refresh_from_db()
    assert step.state == StepState.PRACTISING  # agreed on her own device; rehearsed already
    assert step.transitions.get(event="agreed").by == alice


def test_coach_records_the_teachers_spoken_agreement_in_the_meeting(client, bob, alice, pairing):
    client.force_login(bob)
    client.post(
        reverse("coaching:meeting-new", args=[pairing.pk]),
        _meeting_data(teacher_proposed="on", teacher_agreement="meeting"),
    )
    step = ActionStep.objects.get()
    assert step.state == StepState.PRACTISING
    agreed = step.transitions.get(event="agreed")
    assert (agreed.by, agreed.recorded_by) == (alice, bob)
    assert agreed.reason == "Agreed by the teacher in the meeting, recorded by Bob Example"
    # every record agrees on who proposed it
    assert step.proposed_by == step.transitions.get(event="proposed").by == alice
    page = client.get(step.get_absolute_url()).content.decode()
    assert "Agreed by the teacher in the meeting, recorded by Bob Example" in page


def test_new_step_refused_while_one_is_active(client, bob, pairing):
    make_step(pairing, state=StepState.PRACTISING)
    client.force_login(bob)
    response = client.post(reverse("coaching:meeting-new", args=[pairing.pk]), _meeting_data())
    assert response.status_code == 200
    assert b"already has an active step" in response.content


def test_teacher_reflects_on_a_meeting(client, bob, alice, pairing):
    meeting = meetings.meeting_record(
        relationship=pairing,
        by=bob,
        praise="Sharp start",
        decision="new",
        rounds=[("Tried it", "Slower")],
        new_step=services.StepDraft(title="Stop, scan, say", criteria="Stops"),
    )
    client.force_login(alice)
    response = client.post(
        reverse("coaching:meeting-reflect", args=[meeting.pk]),
        {"reflection": "I will use it with Year 9 tomorrow."},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.reflection.startswith("I will use it")


def test_teacher_counter_proposes_from_the_step_page(client, bob, alice, pairing):
    step = services.step_propose(
        relationship=pairing, by=bob, draft=services.StepDraft(title="A", criteria="x")
    )
    client.force_login(alice)
    response = client.post(
        reverse("coaching:step-counter", args=[step.pk]),
        {"new_title": "Use a visual timer for transitions", "new_criteria": "Timer on board"},
    )
    new = ActionStep.objects.get(supersedes=step)
    assert response["Location"] == new.get_absolute_url()
    assert new.proposed_by == alice


def test_withdraw_needs_a_reason_in_the_form(client, alice, pairing):
    step = make_step(pairing, state=StepState.AGREED)
    client.force_login(alice)
    response = client.post(reverse("coaching:step-withdraw", args=[step.pk]), {"reason": ""})
    assert b"This field is required." in response.content
    step.refresh_from_db()
    assert step.state == StepState.AGREED


def test_illegal_action_is_a_409_with_a_message(client, alice, pairing):
    step = make_step(pairing, state=StepState.PRACTISING)
    client.force_login(alice)
    response = client.post(reverse("coaching:step-resume", args=[step.pk]))
    assert response.status_code == 409
    assert b"Only a paused step can be resumed." in response.content


def test_teacher_sees_the_drop_in_only_after_the_meeting_when_the_school_says_so(
    client, bob, alice, pairing
):
    pairing.school.drop_in_visibility = School.DropInVisibility.AFTER_MEETING
    pairing.school.save()
    observation = services.observation_start(relationship=pairing, by=bob)
    services.observation_submit(observation=observation, by=bob, ratings={}, notes=NOTES)
    client.force_login(alice)
    url = reverse("coaching:drop-in-detail", args=[observation.pk])
    assert client.get(url).status_code == 404
    meetings.meeting_record(
        relationship=pairing,
        by=bob,
        praise="Good",
        decision="new",
        rounds=[("a", "b")],
        observations=[observation],
        new_step=services.StepDraft(title="A step", criteria="x"),
    )
    assert client.get(url).status_code == 200


def test_a_forgotten_draft_becomes_visible_to_the_teacher(client, bob, alice, pairing):
    observation = services.observation_start(relationship=pairing, by=bob)
    client.force_login(alice)
    url = reverse("coaching:drop-in-detail", args=[observation.pk])
    assert client.get(url).status_code == 404
    Observation.objects.filter(pk=observation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    assert client.get(url).status_code == 200


def test_reading_someone_elses_notes_is_audited_and_the_teacher_sees_who(
    client, bob, alice, pairing
):
    observation = services.observation_start(relationship=pairing, by=bob)
    services.observation_submit(observation=observation, by=bob, ratings={}, notes=NOTES)
    client.force_login(bob)
    client.get(reverse("coaching:drop-in-detail", args=[observation.pk]))
    assert AuditEvent.objects.filter(
        action="coaching.observation.viewed", actor=bob, subject=alice
    ).exists()
    client.force_login(alice)
    client.get(reverse("coaching:drop-in-detail", args=[observation.pk]))
    assert not AuditEvent.objects.filter(action="coaching.observation.viewed", actor=alice).exists()


def test_lead_sees_step_titles_but_not_drop_in_notes(client, lead, bob, pairing):
    make_step(pairing, state=StepState.PRACTISING, title="Everyone shows")
    observation = services.observation_start(relationship=pairing, by=bob)
    services.observation_submit(
        observation=observation, by=bob, ratings={}, notes="Private narrative"
    )
    client.force_login(lead)
    response = client.get(reverse("coaching:timeline", args=[pairing.coachee.pk]))
    assert b"Everyone shows" in response.content
    assert b"Drop-in</a>" not in response.content


def test_lead_with_full_access_sees_drop_ins(client, lead, bob, pairing):
    pairing.school.lead_note_access = School.LeadNoteAccess.ALL
    pairing.school.save()
    observation = services.observation_start(relationship=pairing, by=bob)
    services.observation_submit(observation=observation, by=bob, ratings={}, notes=NOTES)
    client.force_login(lead)
    response = client.get(reverse("coaching:drop-in-detail", args=[observation.pk]))
    assert response.status_code == 200


def _history(pairing, bob, cycles):
    for _ in range(cycles):
        observation = services.observation_start(relationship=pairing, by=bob)
        steps = services.steps_to_look_for(pairing)
        services.observation_submit(
            observation=observation,
            by=bob,
            ratings={s.pk: "partly" for s in steps},
            notes=NOTES,
        )
        meetings.meeting_record(
            relationship=pairing,
            by=bob,
            praise="Good",
            decision="continue" if steps else "new",
            rounds=[("a", "b"), ("c", "d")],
            observations=[observation],
            new_step=None if steps else services.StepDraft(title="Stop, scan, say", criteria="x"),
            teacher_proposed=not steps,
            teacher_agreed_in_meeting=not steps,
        )


@pytest.mark.parametrize("cycles", [1, 12])
def test_timeline_queries_do_not_grow(
    client, bob, alice, pairing, cycles, django_assert_max_num_queries
):
    _history(pairing, bob, cycles)
    client.force_login(alice)
    # session, user, memberships, the school's years, drop-ins, their evidence, meetings, step
    # changes, self-reviews, current steps, the session's save (3), whether she has ECT
    # mentoring (induction's panel), her pairs and their rhythm (tapering's panel); no audit for
    # the teacher herself (more in tests/coaching/test_timeline.py)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("coaching:timeline", args=[alice.pk]))
    assert len(response.context["items"]) >= cycles * 2


@pytest.mark.parametrize("coachees", [1, 12])
def test_coach_home_with_history_queries_do_not_grow(
    client, oak, oak_year, bob, coachees, django_assert_max_num_queries
):
    for _ in range(coachees):
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
        make_step(pair, state=StepState.PRACTISING)
        _history(pair, bob, 2)
    ActionStep.objects.update(review_due=dt.date(2020, 1, 1))
    client.force_login(bob)
    # the same page as in tests/home/test_home.py, now with history behind each row, and the
    # pairs' rhythm (tapering: one query)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("home"))
    rows = response.context["coachees"]
    assert len(rows) == coachees
    assert all(row.review_overdue for row in rows)


def test_outsider_cannot_open_a_drop_in(client, outsider, bob, pairing):
    observation = services.observation_start(relationship=pairing, by=bob)
    client.force_login(outsider)
    assert client.get(observation.get_absolute_url()).status_code == 404


def test_timeline_shows_one_academic_year_at_a_time(client, bob, alice, pairing, oak):
    from coachroom.accounts.services import academic_year_create

    last_year = academic_year_create(school=oak, by=None, start_year=2025)
    old = services.observation_start(relationship=pairing, by=bob)
    services.observation_submit(observation=old, by=bob, ratings={}, notes=NOTES)
    Observation.objects.filter(pk=old.pk).update(
        observed_at=timezone.make_aware(dt.datetime(2026, 3, 4, 10, 0))
    )
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)):
        client.force_login(alice)  # signed in on the day: a session from earlier has expired
        this_year = client.get(reverse("coaching:timeline", args=[alice.pk]))
        earlier = client.get(reverse("coaching:timeline", args=[alice.pk]), {"year": last_year.pk})
    assert this_year.context["year"].name == "2026–27"
    assert ("drop-in", old.pk) not in {(item.kind, item.pk) for item in this_year.context["items"]}
    assert ("drop-in", old.pk) in {(item.kind, item.pk) for item in earlier.context["items"]}


def test_an_empty_drop_in_is_refused_and_not_held(client, bob, pairing):
    """With no step to look for and not a word written, a drop-in would count as held."""
    observation = services.observation_start(relationship=pairing, by=bob)
    client.force_login(bob)
    url = reverse("coaching:drop-in-edit", args=[observation.pk])
    response = client.post(url, {"observed_at": "2026-11-23T09:15", "class_set": "8X2"})
    assert response.status_code == 200
    assert "a drop-in with no step and no notes can&#x27;t be saved" in response.content.decode()
    assert b'value="8X2"' in response.content  # nothing typed is lost
    observation.refresh_from_db()
    assert observation.is_draft
    response = client.post(
        url, {"observed_at": "2026-11-23T09:15", "notes": "Pupils settled within a minute."}
    )
    assert response.status_code == 302
    observation.refresh_from_db()
    assert not observation.is_draft


def test_the_service_refuses_an_empty_drop_in_whoever_calls_it(bob, pairing):
    """The rule is the service's, not only the form's: an import or a script is held to it."""
    observation = services.observation_start(relationship=pairing, by=bob)
    with pytest.raises(DomainError, match="no step evidence and no notes can't be saved"):
        services.observation_submit(observation=observation, by=bob, ratings={}, notes="  ")
    observation.refresh_from_db()
    assert observation.is_draft
    assert not AuditEvent.objects.filter(action="coaching.observation.submitted").exists()
    services.observation_submit(observation=observation, by=bob, ratings={}, notes="Calm start.")
    observation.refresh_from_db()
    assert not observation.is_draft


def test_step_evidence_alone_is_enough_for_a_drop_in(client, bob, pairing):
    step = make_step(pairing, state=StepState.PRACTISING)
    observation = services.observation_start(relationship=pairing, by=bob)
    client.force_login(bob)
    response = client.post(
        reverse("coaching:drop-in-edit", args=[observation.pk]),
        {"observed_at": "2026-11-23T09:15", f"step_{step.pk}": "no_opportunity"},
    )
    assert response.status_code == 302
