"""Impact Cycle goals: the name-like warning, the readings chart, services, pages and access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from coachroom.accounts.models import School
from coachroom.audit.models import AuditEvent
from coachroom.coaching.goals import services as goal_services
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.goals.queries import (
    goal_notes,
    name_like_phrases,
    readings_chart,
    readings_chart_context,
)
from coachroom.core.errors import DomainError
from tests.coaching.access_rows_goals import make_goal
from tests.factories import RelationshipFactory, make_step

# Name-like text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Worked with Jane Smith on the hinge question", ["Jane Smith"]),
        ("Jane Smith answered first.", []),  # at the start of a sentence: too common to flag
        ("Good start. Tom Jones helped hand out boards", []),
        ("Good start, then Tom Jones and Amy Lee helped", ["Tom Jones", "Amy Lee"]),
        ("Year 9 Maths, Set 3, on a Monday Period 2", []),
        ("The pupils in Year Nine gave up", []),
        ("SEND and EAL pupils were supported", []),
        ("The pupil by the window needed a prompt", []),
        ("asked Mr Patel to cover", ["Mr Patel"]),
        ("first line\nthen Jane Smith", ["Jane Smith"]),
        ("Quiet, then “Jane Smith” read aloud", ["Jane Smith"]),
    ],
)
def test_name_like_phrases(text, expected):
    assert name_like_phrases(text) == expected


# The goal itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        ("percent", Decimal("45.0"), "45%"),
        ("percent", Decimal("52.5"), "52.5%"),
        ("minutes", Decimal("1"), "1 minute"),
        ("minutes", Decimal("3.5"), "3.5 minutes"),
        ("count", Decimal("12.0"), "12"),
    ],
)
def test_values_are_shown_in_the_goals_unit(unit, value, shown):
    assert Goal(unit=unit).format_value(value) == shown


def test_a_full_student_focused_goal_needs_no_notes(pairing):
    goal = make_goal(pairing, target_date=dt.date(2027, 2, 12))
    assert goal_notes(goal) == []


def test_teacher_focused_goal_without_measure_gets_gentle_notes(pairing):
    goal = make_goal(pairing, measured=False, focus=Goal.Focus.TEACHER)
    notes = " ".join(goal_notes(goal))
    assert "student-focused goal shows whether" in notes
    assert "There's no measure yet" in notes
    assert "target date" in notes


# The readings chart ------------------------------------------------------------------------------


def _read(goal: Goal, *pairs: tuple[dt.date, str]) -> list[GoalReading]:
    for day, value in pairs:
        GoalReading.objects.create(school=goal.school, goal=goal, taken_on=day, value=value)
    return list(goal.readings.all())


def test_readings_chart_places_readings_by_date_against_baseline_and_target(pairing):
    goal = make_goal(pairing, baseline=Decimal(40), target=Decimal(80))
    readings = _read(
        goal,
        (dt.date(2026, 10, 5), "40"),
        (dt.date(2026, 10, 12), "55"),
        (dt.date(2026, 11, 2), "70"),
    )
    chart = readings_chart_context(goal, readings)
    assert chart["y_max"] == 100.0  # percentages always run 0–100
    xs = [float(m["x"]) for m in chart["markers"]]
    ys = [float(m["y"]) for m in chart["markers"]]
    assert xs == sorted(xs)
    # a week, then three weeks: the gaps on the chart are in proportion
    assert (xs[2] - xs[1]) == pytest.approx(3 * (xs[1] - xs[0]))
    assert ys[0] > ys[1] > ys[2]  # rising values sit higher (smaller y)
    assert [m["text"] for m in chart["markers"]] == ["40%", "55%", "70%"]
    assert chart["polyline"].count(",") == 3
    lines = {line["kind"]: line for line in chart["lines"]}
    assert lines["baseline"]["text"] == "Baseline: 40%"
    assert lines["target"]["text"] == "Target: 80%"
    assert float(lines["target"]["y"]) < float(lines["baseline"]["y"])
    assert lines["baseline"]["y"] == chart["markers"][0]["y"]  # the first reading = baseline
    assert "going from 40% to 70%" in chart["desc"]
    assert [t["text"] for t in chart["ticks"]] == ["0%", "25%", "50%", "75%", "100%"]


def test_readings_chart_with_one_reading_centres_it_and_draws_no_line(pairing):
    goal = make_goal(pairing, unit=Goal.Unit.MINUTES, baseline=Decimal(6), target=Decimal(2))
    readings = _read(goal, (dt.date(2026, 10, 5), "6"))
    chart = readings_chart_context(goal, readings)
    assert chart["polyline"] == ""
    assert float(chart["markers"][0]["x"]) == pytest.approx(58 + (640 - 58 - 16) / 2)
    assert chart["y_max"] >= 6
    assert "one reading, 6 minutes" in chart["desc"]


def test_close_baseline_and_target_labels_do_not_overlap(pairing):
    goal = make_goal(pairing, baseline=Decimal(50), target=Decimal(53))
    chart = readings_chart_context(goal, _read(goal, (dt.date(2026, 10, 5), "50")))
    upper, lower = chart["lines"]
    assert float(lower["text_y"]) > float(lower["y"])  # the lower label goes underneath
    assert float(upper["text_y"]) < float(upper["y"])


def test_readings_chart_is_an_accessible_svg(pairing):
    goal = make_goal(pairing)
    svg = readings_chart(goal, _read(goal, (dt.date(2026, 10, 5), "40")))
    assert 'role="img"' in svg
    assert '<title id="goal-readings-title">Readings: Share of pupils' in svg
    assert "stroke-dasharray" in svg  # baseline and target differ by dash, not colour alone


# Services ----------------------------------------------------------------------------------------


def test_goal_create_belongs_to_the_teacher_and_is_audited_without_its_words(pairing, bob):
    step = make_step(pairing)
    goal = goal_services.goal_create(
        relationship=pairing,
        by=bob,
        statement="Most of the class answer the hinge question",
        focus=Goal.Focus.STUDENT,
        measure="Share answering correctly",
        unit=Goal.Unit.PERCENT,
        baseline=Decimal(30),
        steps=[step],
    )
    assert goal.teacher == pairing.coachee
    assert goal.school == pairing.school
    assert list(goal.steps.all()) == [step]
    event = AuditEvent.objects.get(action="programme.goal.created")
    assert event.subject == pairing.coachee
    assert "hinge" not in str(event.data)


def test_a_goal_links_only_its_own_pairs_steps(oak, oak_year, pairing, bob):
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
    with pytest.raises(DomainError, match="its own coaching pair"):
        goal_services.goal_create(
            relationship=pairing, by=bob, statement="A goal", steps=[make_step(other)]
        )


def test_only_the_pair_writes_goals(pairing, carol):
    with pytest.raises(DomainError):
        goal_services.goal_create(relationship=pairing, by=carol, statement="A goal")


def test_readings_need_a_measure(pairing, alice):
    goal = make_goal(pairing, measured=False)
    with pytest.raises(DomainError, match="before adding readings"):
        goal_services.goal_reading_add(
            goal=goal, by=alice, taken_on=dt.date(2026, 10, 5), value=Decimal(3)
        )


def test_goal_update_records_changed_field_names(pairing, alice):
    goal = make_goal(pairing)
    goal_services.goal_update(goal=goal, by=alice, phase=Goal.Phase.LEARN, target=Decimal(80))
    event = AuditEvent.objects.get(action="programme.goal.updated")
    assert event.data == {"fields": ["phase"]}


# Pages -------------------------------------------------------------------------------------------


def _goal_post(**overrides: str) -> dict[str, str]:
    return {
        "focus": "student",
        "statement": "By February, 80% of the class answer the hinge question correctly",
        "phase": "identify",
        "measure": "Share of pupils answering the hinge question correctly",
        "unit": "percent",
        "baseline": "40",
        "target": "80",
        "method": "Mini-whiteboards, tallied at the end of the lesson",
        "target_date": "2027-02-12",
        **overrides,
    }


def test_coach_creates_a_goal_with_steps(client, bob, pairing):
    step = make_step(pairing)
    client.force_login(bob)
    response = client.post(
        reverse("coaching:goal-new", args=[pairing.pk]), {**_goal_post(), "steps": [step.pk]}
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == goal.get_absolute_url()
    assert list(goal.steps.all()) == [step]
    page = client.get(goal.get_absolute_url()).content.decode()
    assert "Ideas to make this goal stronger" not in page
    assert step.title in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"statement": "  "}, "Write the goal in a sentence."),
        ({"unit": ""}, "Choose the unit the measure is counted in."),
        ({"measure": ""}, "Say what is measured, or clear the measure&#x27;s details."),
        ({"target": "120"}, "A percentage is between 0 and 100."),
        ({"baseline": "-5"}, "Enter zero or more."),
        ({"target": "40"}, "Set a target different from the baseline."),
        ({"focus": ""}, "Say whether the goal is about pupils or the teacher."),
    ],
)
def test_goal_form_explains_what_is_wrong(client, alice, pairing, overrides, message):
    client.force_login(alice)
    response = client.post(reverse("coaching:goal-new", args=[pairing.pk]), _goal_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Goal.objects.exists()


def test_teacher_focused_goal_without_a_measure_saves_with_a_gentle_note(client, alice, pairing):
    client.force_login(alice)
    data = {"focus": "teacher", "statement": "I give every instruction in 20 words or fewer"}
    response = client.post(
        reverse("coaching:goal-new", args=[pairing.pk]), {**data, "phase": "learn"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Ideas to make this goal stronger" in page
    assert "Suggestions only" in page


def test_a_name_in_the_goal_is_a_soft_warning(client, alice, pairing):
    client.force_login(alice)
    url = reverse("coaching:goal-new", args=[pairing.pk])
    data = _goal_post(statement="Help the group with Jane Smith answer the hinge question")
    first = client.post(url, data)
    assert first.status_code == 200
    page = first.content.decode()
    assert "Does this name a pupil?" in page
    assert "“Jane Smith”" in page
    assert "Save anyway" in page
    assert 'name="names_checked" value="True"' in page or 'name="names_checked" value="1"' in page
    assert not Goal.objects.exists()
    second = client.post(url, {**data, "names_checked": "1"})
    assert second.status_code == 302
    assert Goal.objects.count() == 1


def test_edit_with_no_change_saves_nothing(client, bob, pairing):
    goal = make_goal(pairing, phase="learn", target_date=dt.date(2027, 2, 12))
    client.force_login(bob)
    data = {
        "focus": goal.focus,
        "statement": goal.statement,
        "phase": goal.phase,
        "measure": goal.measure,
        "unit": goal.unit,
        "baseline": "40",
        "target": "80",
        "target_date": "2027-02-12",
    }
    response = client.post(reverse("coaching:goal-edit", args=[goal.pk]), data, follow=True)
    assert "Nothing had changed" in response.content.decode()
    assert not AuditEvent.objects.filter(action="programme.goal.updated").exists()
    data["phase"] = "improve"
    client.post(reverse("coaching:goal-edit", args=[goal.pk]), data)
    goal.refresh_from_db()
    assert goal.phase == "improve"


def test_reading_without_javascript_redirects_to_the_goal(client, alice, pairing):
    goal = make_goal(pairing)
    client.force_login(alice)
    response = client.post(
        reverse("coaching:goal-reading-add", args=[goal.pk]),
        {"taken_on": "2026-10-05", "value": "52.5", "note": "after the second drop-in"},
    )
    assert response.status_code == 302
    assert response["Location"] == goal.get_absolute_url()
    reading = goal.readings.get()
    assert reading.value == Decimal("52.5")
    assert reading.created_by == alice


def test_reading_with_htmx_returns_the_readings_section(client, bob, pairing):
    goal = make_goal(pairing)
    client.force_login(bob)
    response = client.post(
        reverse("coaching:goal-reading-add", args=[goal.pk]),
        {"taken_on": "2026-10-05", "value": "61"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="goal-readings"')
    assert "Reading saved: 61%" in page
    assert "<svg" in page and "<table>" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"taken_on": "2026-10-05", "value": ""}, "Enter the value you measured."),
        ({"taken_on": "", "value": "40"}, "Enter the date of the reading."),
        ({"taken_on": "2099-01-01", "value": "40"}, "The date can&#x27;t be in the future."),
        ({"taken_on": "2026-10-05", "value": "140"}, "A percentage is between 0 and 100."),
        ({"taken_on": "2026-10-05", "value": "-1"}, "Enter zero or more."),
    ],
)
def test_reading_form_explains_what_is_wrong(client, alice, pairing, data, message):
    goal = make_goal(pairing)
    client.force_login(alice)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(
            reverse("coaching:goal-reading-add", args=[goal.pk]), data, headers=headers
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not goal.readings.exists()


def test_a_name_in_a_reading_note_asks_once(client, alice, pairing):
    goal = make_goal(pairing)
    client.force_login(alice)
    url = reverse("coaching:goal-reading-add", args=[goal.pk])
    data = {"taken_on": "2026-10-05", "value": "40", "note": "all but Jane Smith"}
    first = client.post(url, data, headers={"HX-Request": "true"})
    assert "Does this name a pupil?" in first.content.decode()
    assert not goal.readings.exists()
    client.post(url, {**data, "names_checked": "1"})
    assert goal.readings.count() == 1


def test_goal_without_measure_refuses_readings(client, alice, pairing):
    goal = make_goal(pairing, measured=False)
    client.force_login(alice)
    response = client.post(
        reverse("coaching:goal-reading-add", args=[goal.pk]),
        {"taken_on": "2026-10-05", "value": "40"},
    )
    assert response.status_code == 409


def test_goal_list_shows_latest_reading_and_new_goal_button(client, alice, bob, pairing):
    goal = make_goal(pairing)
    _read(goal, (dt.date(2026, 10, 5), "40"), (dt.date(2026, 11, 2), "65"))
    client.force_login(alice)
    page = client.get(reverse("coaching:goal-list", args=[alice.pk])).content.decode()
    assert "65%" in page
    assert "2 readings" in page
    assert f"New goal with {bob.full_name}" in page


# Access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "setting", "detail", "edit"),
    [
        ("alice", "review", 200, 200),
        ("bob", "review", 200, 200),
        ("carol", "review", 404, 404),  # another coach
        ("lead", "review", 404, 404),
        ("lead", "all", 200, 403),  # the lead reads, but only the pair writes
        ("head", "all", 404, 404),  # senior leaders see counts, never goals
        ("admin", "all", 404, 404),
        ("outsider", "all", 404, 404),
    ],
)
def test_who_sees_a_goal(
    client, request, oak, pairing, lead, head, admin, carol, outsider, viewer, setting, detail, edit
):
    oak.lead_note_access = setting
    oak.save()
    goal = make_goal(pairing)
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(goal.get_absolute_url()).status_code == detail
    assert client.get(reverse("coaching:goal-edit", args=[goal.pk])).status_code == edit
    listing = client.get(reverse("coaching:goal-list", args=[pairing.coachee_id]))
    assert listing.status_code == (200 if detail == 200 else 404)


def test_senior_leader_sees_the_report_but_not_goals(client, head, pairing):
    goal = make_goal(pairing)
    client.force_login(head)
    assert client.get(goal.get_absolute_url()).status_code == 404
    assert client.get(reverse("coaching:priority-report")).status_code == 200


def test_coach_loses_the_goal_when_the_pair_ends(client, bob, pairing):
    goal = make_goal(pairing)
    pairing.ended_on = dt.date(2020, 1, 1)
    pairing.save()
    client.force_login(bob)
    assert client.get(goal.get_absolute_url()).status_code == 404
    assert client.get(reverse("coaching:goal-new", args=[pairing.pk])).status_code == 404


def test_lead_reading_goals_may_not_add_readings(client, oak, lead, pairing):
    oak.lead_note_access = School.LeadNoteAccess.ALL
    oak.save()
    goal = make_goal(pairing)
    client.force_login(lead)
    response = client.post(
        reverse("coaching:goal-reading-add", args=[goal.pk]),
        {"taken_on": "2026-10-05", "value": "40"},
    )
    assert response.status_code == 403
    assert not goal.readings.exists()


def test_reads_by_anyone_but_the_teacher_are_audited(client, alice, bob, pairing):
    goal = make_goal(pairing)
    client.force_login(alice)
    client.get(goal.get_absolute_url())
    client.get(reverse("coaching:goal-list", args=[alice.pk]))
    assert not AuditEvent.objects.filter(action__startswith="programme.goal").exists()
    client.force_login(bob)
    client.get(goal.get_absolute_url())
    client.get(reverse("coaching:goal-list", args=[alice.pk]))
    viewed = AuditEvent.objects.filter(actor=bob, subject=alice).values_list("action", flat=True)
    assert sorted(viewed) == ["programme.goal.viewed", "programme.goals.viewed"]


# Query budgets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("goals", [1, 15])
def test_goal_list_queries_do_not_grow(
    client, bob, alice, pairing, goals, django_assert_max_num_queries
):
    step = make_step(pairing)
    for n in range(goals):
        goal = make_goal(pairing, steps=[step])
        _read(goal, (dt.date(2026, 10, 5), "40"), (dt.date(2026, 10, 12), str(45 + n)))
    client.force_login(bob)
    # session, user, the teacher's membership, goals with their counts and latest readings,
    # the pairs for "new goal", the audit entry, the viewer's memberships (page header),
    # session save in a savepoint (3)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("coaching:goal-list", args=[alice.pk]))
    assert len(response.context["goals"]) == goals


@pytest.mark.parametrize("readings", [1, 20])
def test_goal_detail_queries_do_not_grow(
    client, bob, pairing, readings, django_assert_max_num_queries
):
    goal = make_goal(pairing, steps=[make_step(pairing)])
    _read(
        goal,
        *[(dt.date(2026, 9, 7) + dt.timedelta(days=7 * n), str(40 + n)) for n in range(readings)],
    )
    client.force_login(bob)
    # session, user, the goal, the audit entry, readings, the viewer's memberships (page
    # header), the linked steps, session save in a savepoint (3)
    with django_assert_max_num_queries(10):
        response = client.get(goal.get_absolute_url())
    assert len(response.context["readings"]) == readings
