"""The audit log for school admins, its CSV, and "who has viewed my coaching records"."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import School, User
from coachroom.audit.models import AuditEvent
from coachroom.audit.views import safe_cell
from coachroom.coaching.models import Observation
from tests.factories import MembershipFactory, UserFactory

LOG = reverse("audit:log")
CSV_URL = reverse("audit:log-csv")
MY_VIEWS = reverse("audit:my-views")
NOTE = "Pupil at the back table threw a rubber"


def event(
    school: School | None,
    actor: User | None,
    action: str,
    *,
    subject: User | None = None,
    at: dt.datetime | None = None,
    **data,
) -> AuditEvent:
    e = AuditEvent.objects.create(
        school=school, actor=actor, action=action, subject=subject, data=data
    )
    if at is not None:
        AuditEvent.objects.filter(pk=e.pk).update(created_at=at)
        e.refresh_from_db()
    return e


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# The school's log --------------------------------------------------------------------------------


def test_admin_sees_the_schools_events_newest_first_in_plain_english(
    client, admin, oak, alice, bob
):
    now = timezone.now()
    event(oak, bob, "coaching.observation.viewed", subject=alice, at=now - dt.timedelta(hours=2))
    event(oak, admin, "accounts.staff.invited", subject=alice, at=now - dt.timedelta(hours=1))
    client.force_login(admin)
    response = client.get(LOG)
    assert response.status_code == 200
    labels = [entry.label for entry in response.context["entries"]]
    assert labels == ["Invited a member of staff", "Viewed a drop-in"]
    assert b"Viewed a drop-in" in response.content
    assert b"Views of coaching notes" in response.content


def test_outsider_sees_their_own_schools_log_and_nothing_from_oak(client, outsider, oak, elm, bob):
    event(oak, bob, "coaching.timeline.viewed")
    event(elm, outsider, "accounts.year.created")
    client.force_login(outsider)
    response = client.get(LOG)
    assert response.status_code == 200
    assert [e.event.action for e in response.context["entries"]] == ["accounts.year.created"]
    assert b"Bob" not in response.content
    csv_rows = _csv(client.get(CSV_URL))
    assert [row[4] for row in csv_rows[1:]] == ["accounts.year.created"]


@pytest.mark.parametrize("who", ["alice", "bob", "lead", "head"])
def test_only_school_admins_see_the_school_log(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LOG).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_a_trust_admin_without_a_school_cannot_see_a_school_log(client, oak, admin):
    trust_admin = UserFactory()
    oak.trust.admins.add(trust_admin)
    client.force_login(trust_admin)
    assert client.get(LOG).status_code == 403


def test_filter_by_kind(client, admin, oak, alice, bob):
    event(oak, bob, "coaching.observation.viewed", subject=alice)
    event(oak, bob, "coaching.timeline.viewed", subject=alice)
    event(oak, bob, "coaching.step.proposed", subject=alice)
    event(oak, admin, "programme.completion.exported")
    event(oak, admin, "accounts.school.settings_changed")
    event(oak, admin, "imports.roster.applied")
    client.force_login(admin)

    def actions(kind: str) -> set[str]:
        response = client.get(LOG, {"kind": kind})
        return {e.event.action for e in response.context["entries"]}

    assert actions("views") == {"coaching.observation.viewed", "coaching.timeline.viewed"}
    assert actions("coaching") == {"coaching.step.proposed"}
    assert actions("exports") == {"programme.completion.exported"}
    assert actions("staff") == {"accounts.school.settings_changed"}
    assert actions("imports") == {"imports.roster.applied"}


def test_an_unknown_kind_is_a_form_error_not_a_crash(client, admin, oak, bob):
    event(oak, bob, "coaching.timeline.viewed")
    client.force_login(admin)
    response = client.get(LOG, {"kind": "everything"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["entries"] == []


def test_search_finds_a_person_as_actor_or_subject_by_name_or_email(client, admin, oak, alice, bob):
    carol = UserFactory(first_name="Carol", last_name="Jones", email="cj@oak.example")
    MembershipFactory(user=carol, school=oak)
    by_bob = event(oak, bob, "coaching.observation.viewed", subject=alice)
    about_carol = event(oak, admin, "accounts.staff.invited", subject=carol)
    by_carol = event(oak, carol, "coaching.timeline.viewed", subject=alice)
    client.force_login(admin)

    def found(q: str) -> set[int]:
        return {e.event.pk for e in client.get(LOG, {"q": q}).context["entries"]}

    assert found("carol") == {about_carol.pk, by_carol.pk}
    assert found("CJ@OAK") == {about_carol.pk, by_carol.pk}
    assert found("Carol Jones") == {about_carol.pk, by_carol.pk}
    assert found("alice example") == {by_bob.pk, by_carol.pk}
    assert found("bob") == {by_bob.pk}
    assert found("nobody") == set()


def test_filter_by_date_range_includes_both_days(client, admin, oak, bob):
    tz = timezone.get_current_timezone()
    days = {
        "before": dt.datetime(2026, 10, 4, 23, 59, tzinfo=tz),
        "first": dt.datetime(2026, 10, 5, 0, 0, tzinfo=tz),
        "last": dt.datetime(2026, 10, 9, 23, 59, tzinfo=tz),
        "after": dt.datetime(2026, 10, 10, 0, 0, tzinfo=tz),
    }
    ids = {name: event(oak, bob, "coaching.timeline.viewed", at=at).pk for name, at in days.items()}
    client.force_login(admin)
    response = client.get(LOG, {"from_date": "2026-10-05", "to_date": "2026-10-09"})
    assert {e.event.pk for e in response.context["entries"]} == {ids["first"], ids["last"]}


def test_a_backwards_date_range_explains_itself(client, admin, oak, bob):
    event(oak, bob, "coaching.timeline.viewed")
    client.force_login(admin)
    response = client.get(LOG, {"from_date": "2026-10-09", "to_date": "2026-10-05"})
    assert response.context["entries"] == []
    assert b"The end date must be on or after the start date." in response.content
    assert (
        client.get(CSV_URL, {"from_date": "2026-10-09", "to_date": "2026-10-05"}).status_code == 400
    )


def test_log_paginates_by_fifty(client, admin, oak, bob):
    for _ in range(60):
        event(oak, bob, "coaching.timeline.viewed")
    client.force_login(admin)
    first = client.get(LOG)
    assert len(first.context["entries"]) == 50
    assert b"Page 1 of 2" in first.content
    second = client.get(LOG, {"page": 2})
    assert len(second.context["entries"]) == 10


def test_pagination_keeps_the_filters(client, admin, oak, bob):
    for _ in range(51):
        event(oak, bob, "coaching.timeline.viewed")
    client.force_login(admin)
    response = client.get(LOG, {"kind": "views", "q": "bob"})
    assert b"?kind=views&amp;q=bob&amp;page=2" in response.content


def test_htmx_gets_only_the_results(client, admin, oak, bob):
    event(oak, bob, "coaching.timeline.viewed")
    client.force_login(admin)
    response = client.get(LOG, {"q": "bob"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="audit-results"')
    assert "<h1>" not in html
    assert "Viewed a coaching timeline" in html
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(client, admin, oak):
    client.force_login(admin)
    response = client.get(
        LOG, {"q": "bob"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert b"<h1>Audit log</h1>" in response.content


def test_the_page_works_without_javascript(client, admin, oak, bob):
    client.force_login(admin)
    html = client.get(LOG).content.decode()
    assert f'<form method="get" action="{LOG}"' in html
    assert 'type="submit"' in html


def test_note_text_never_reaches_the_log_or_its_csv(client, admin, oak, alice, bob):
    # record() masks known free-text keys; the viewer also refuses any value that reads as prose.
    from coachroom import audit

    audit.record(
        actor=bob,
        action="coaching.observation.submitted",
        school=oak,
        subject=alice,
        data={"notes": NOTE, "comment": NOTE, "steps_rated": 2, "roles": ["teacher", "coach"]},
    )
    client.force_login(admin)
    html = client.get(LOG).content.decode()
    assert NOTE not in html
    assert "Steps rated: 2" in html
    assert "Roles: teacher, coach" in html
    body = b"".join(client.get(CSV_URL).streaming_content).decode("utf-8-sig")
    assert NOTE not in body
    assert "Steps rated: 2" in body


# CSV ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Alice", "Alice"),
        (None, ""),
        (12, "12"),
    ],
)
def test_safe_cell_defuses_formulas(value, expected):
    assert safe_cell(value) == expected


def test_csv_downloads_the_filtered_log_with_formulas_defused(client, admin, oak, alice):
    sneaky = UserFactory(first_name="=cmd|' /C calc'!A0", last_name="", email="s@oak.example")
    MembershipFactory(user=sneaky, school=oak)
    event(oak, sneaky, "coaching.observation.viewed", subject=alice)
    event(oak, admin, "accounts.year.created")
    client.force_login(admin)
    response = client.get(CSV_URL, {"kind": "views"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-111111-')
    rows = _csv(response)
    assert rows[0][:5] == ["When", "Who", "Who (email)", "What", "Code"]
    assert len(rows) == 2
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][3:6] == ["Viewed a drop-in", "coaching.observation.viewed", "Alice Example"]


def test_csv_download_is_itself_recorded(client, admin, oak, bob):
    event(oak, bob, "coaching.timeline.viewed")
    event(oak, bob, "coaching.timeline.viewed")
    client.force_login(admin)
    rows = _csv(client.get(CSV_URL, {"q": "bob", "kind": "views", "from_date": "2026-01-01"}))
    exported = AuditEvent.objects.get(action="audit.log.exported")
    assert exported.actor == admin
    assert exported.school == oak
    assert exported.data == {
        "rows": 2,
        "kind": "views",
        "from": "2026-01-01",
        "to": "",
        "person": "bob",
    }
    assert len(rows) == 3  # the header and the two views; not the export itself
    assert client.get(LOG).context["entries"][0].label == "Downloaded the audit log"


# Query budgets -----------------------------------------------------------------------------------


def _fill(oak: School, rows: int) -> None:
    for n in range(rows):
        actor = UserFactory()
        subject = UserFactory()
        event(oak, actor, "coaching.observation.viewed", subject=subject, steps=n)


@pytest.mark.parametrize("rows", [1, 40])
def test_log_queries_do_not_grow(client, admin, oak, rows, django_assert_max_num_queries):
    _fill(oak, rows)
    client.force_login(admin)
    # session, user, memberships, bulk-access alerts, recent views for the bulk check, count,
    # one page of events joined to actor and subject, session save (savepoint, update, release)
    with django_assert_max_num_queries(10):
        response = client.get(LOG)
    assert len(response.context["entries"]) == rows
    # the htmx partial skips the bulk-access check
    with django_assert_max_num_queries(8):
        response = client.get(LOG, {"kind": "views"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 40])
def test_csv_queries_do_not_grow(client, admin, oak, rows, django_assert_max_num_queries):
    _fill(oak, rows)
    client.force_login(admin)
    # session, user, memberships, count, the export's own audit row, session save (savepoint,
    # update, release), then the events joined to actor and subject as the file streams
    with django_assert_max_num_queries(9):
        response = client.get(CSV_URL)
        assert len(_csv(response)) == rows + 1


# Who has viewed my coaching records --------------------------------------------------------------


def test_teacher_sees_who_viewed_her_drop_in_but_not_her_own_visits(
    client, oak, alice, bob, pairing
):
    observation = Observation.objects.create(
        school=oak,
        relationship=pairing,
        teacher=alice,
        observer=bob,
        status="submitted",
        submitted_at=timezone.now(),
        notes=NOTE,
    )
    client.force_login(bob)
    assert client.get(reverse("coaching:drop-in-detail", args=[observation.pk])).status_code == 200
    client.force_login(alice)
    client.get(reverse("coaching:drop-in-detail", args=[observation.pk]))  # her own: not listed
    response = client.get(MY_VIEWS)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(e.event.actor, e.label) for e in entries] == [(bob, "Viewed a drop-in")]
    assert entries[0].url == reverse("coaching:drop-in-detail", args=[observation.pk])
    assert NOTE not in response.content.decode()


def test_my_views_lists_views_exports_and_shares_by_others_only(client, oak, elm, alice, bob, lead):
    seen = [
        event(oak, bob, "coaching.feedbackmeeting.viewed", subject=alice),
        event(oak, lead, "coaching.timeline.viewed", subject=alice),
        event(oak, lead, "records.profile.exported", subject=alice),
        event(elm, UserFactory(), "coaching.timeline.viewed", subject=alice),  # any school
    ]
    event(oak, alice, "coaching.timeline.viewed", subject=alice)  # herself
    event(oak, alice, "accounts.pair.history_shared", subject=alice)  # her own choice
    event(oak, bob, "coaching.step.proposed", subject=alice)  # a change, not a view
    event(oak, bob, "coaching.observation.viewed", subject=lead)  # someone else's record
    client.force_login(alice)
    response = client.get(MY_VIEWS)
    assert [e.event.pk for e in response.context["entries"]] == [e.pk for e in reversed(seen)]
    assert b"Bob Example" in response.content
    assert b"Viewed a feedback meeting" in response.content


def test_my_views_for_someone_never_viewed(client, oak, alice):
    trust_admin = UserFactory()
    oak.trust.admins.add(trust_admin)
    client.force_login(trust_admin)
    response = client.get(MY_VIEWS)
    assert response.status_code == 200
    assert b"No one else has viewed your coaching records yet." in response.content


@pytest.mark.parametrize("rows", [1, 40])
def test_my_views_queries_do_not_grow(client, oak, alice, rows, django_assert_max_num_queries):
    for _ in range(rows):
        event(oak, UserFactory(), "coaching.observation.viewed", subject=alice)
    client.force_login(alice)
    # session, user, count, page joined to actor and school, memberships (for the school column
    # and the nav), session save (savepoint, update, release)
    with django_assert_max_num_queries(8):
        response = client.get(MY_VIEWS)
    assert len(response.context["entries"]) == rows
