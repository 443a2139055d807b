"""An ECT shares their mentoring records with their induction tutor, or not: the tutor reads
nothing of the mentoring until the ECT shares it, only the ECT decides, and a new tutor, the
end of the tutor role or the ECT's change of mind ends it at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.accounts.viewer import Viewer
from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import FeedbackMeeting, Observation
from coachroom.coaching.policy import can_read
from coachroom.core.errors import DomainError
from coachroom.induction import setup
from coachroom.induction.setup import InductionDetails
from coachroom.induction.sharing import mentoring_share
from tests.factories import make_step


def _mentoring_pair(induction) -> CoachingRelationship:
    return CoachingRelationship.objects.current().get(
        school=induction.school, coachee=induction.ect, kind=CoachingRelationship.Kind.ECF
    )


def _records(pair):
    meeting = FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        praise="Calm start",
        decision="new",
    )
    drop_in = Observation.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        observer=pair.coach,
        status="submitted",
    )
    return [meeting, drop_in, make_step(pair)]


def _viewer(person) -> Viewer:
    memberships = tuple(Membership.objects.active().filter(user=person).select_related("school"))
    return Viewer(user=person, membership=memberships[0], memberships=memberships)


def _reads(person, records) -> list[bool]:
    """Each record through `can_read` (the rule as subqueries) and the request's `Viewer`
    (the rule from ids); both must agree."""
    seen = []
    for record in records:
        listed = type(record).objects.visible_to(_viewer(person)).filter(pk=record.pk).exists()
        assert listed == can_read(person, record)
        seen.append(listed)
    return seen


def test_the_tutor_reads_the_mentoring_only_while_the_ect_shares_it(induction, alice, tess):
    records = _records(_mentoring_pair(induction))
    assert _reads(tess, records) == [False, False, False]

    mentoring_share(induction=induction, shared=True, by=alice)
    assert _reads(tess, records) == [True, True, True]

    mentoring_share(induction=induction, shared=False, by=alice)
    assert _reads(tess, records) == [False, False, False]


def test_sharing_reaches_only_the_mentoring_and_only_this_tutor(
    induction, oak, oak_year, alice, carol, head, tess
):
    """The ECT's other coaching stays private, and a senior leader or another tutor gets
    nothing from the ECT's choice."""
    other = CoachingRelationship.objects.create(
        school=oak, academic_year=oak_year, coach=carol, coachee=alice
    )
    Membership.objects.filter(user=carol, school=oak).update(is_coach=True)
    Membership.objects.filter(user=head, school=oak).update(is_induction_tutor=True)
    mentoring_share(induction=induction, shared=True, by=alice)
    assert _reads(tess, _records(other)) == [False, False, False]
    assert _reads(head, _records(_mentoring_pair(induction))) == [False, False, False]


def test_access_ends_with_the_tutor_role(induction, oak, alice, tess):
    records = _records(_mentoring_pair(induction))
    mentoring_share(induction=induction, shared=True, by=alice)
    Membership.objects.filter(user=tess, school=oak).update(is_induction_tutor=False)
    assert _reads(tess, records) == [False, False, False]


def test_a_new_tutor_starts_unshared(induction, oak, alice, bob, head, tess):
    Membership.objects.filter(user=head, school=oak).update(is_induction_tutor=True)
    mentoring_share(induction=induction, shared=True, by=alice)
    details = InductionDetails(
        starts_on=induction.starts_on,
        fte=induction.fte,
        appropriate_body=induction.appropriate_body,
        mentor=bob,
        tutor=head,
        timetable_hours=induction.timetable_hours,
    )
    setup.induction_update(induction=induction, details=details, by=head)
    induction.refresh_from_db()
    assert induction.mentor_notes_shared is False


def test_only_the_ect_decides_and_the_choice_is_audited(induction, alice, tess, bob):
    for person in (tess, bob):
        with pytest.raises(DomainError, match="Only the ECT"):
            mentoring_share(induction=induction, shared=True, by=person)
    mentoring_share(induction=induction, shared=True, by=alice)
    mentoring_share(induction=induction, shared=True, by=alice)  # a double tap: one event
    actions = list(
        AuditEvent.objects.filter(action__startswith="induction.mentoring.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["induction.mentoring.shared"]


def test_the_ect_shares_from_their_page_and_the_tutor_opens_the_timeline(
    client, induction, alice, tess
):
    meeting = _records(_mentoring_pair(induction))[0]
    meeting_page = reverse("coaching:meeting-detail", args=[meeting.pk])
    timeline = reverse("coaching:timeline", args=[alice.pk])
    client.force_login(tess)
    assert client.get(timeline).status_code == 404
    assert client.get(meeting_page).status_code == 404
    page = client.get(reverse("induction:detail", args=[induction.pk])).content.decode()
    assert "Not shared" in page

    client.force_login(alice)
    page = client.get(reverse("induction:mine")).content.decode()
    assert "Share my mentoring records with" in page
    response = client.post(reverse("induction:share-mentoring"), {"shared": "yes"}, follow=True)
    assert "can now read your mentoring records" in response.content.decode()

    client.force_login(tess)
    page = client.get(reverse("induction:detail", args=[induction.pk])).content.decode()
    assert timeline in page
    response = client.get(timeline)
    assert response.status_code == 200
    assert meeting_page in response.content.decode()
    assert "Calm start" in client.get(meeting_page).content.decode()


def test_sharing_needs_a_tutor(induction, alice):
    induction.tutor = None
    induction.save()
    with pytest.raises(DomainError, match="not been chosen"):
        mentoring_share(induction=induction, shared=True, by=alice)
