"""The coaching-privacy rule, written once. Coaching is not performance management.

- The teacher sees everything written about them.
- A coach sees the records of their current coachees made in their own coaching; earlier
  history only when the teacher has chosen to share it with that coach. Both need an active
  membership with the Coach role in the pair's school: access follows the role, not the pair
  (`accounts.viewer.coached_pairs`).
- The coaching lead sees narrative only for meetings submitted for review, unless the school
  has set `lead_note_access` to "all".
- Senior leaders, school admins, trust admins and line managers get nothing from their role:
  they see counts and patterns through the programme pages, never notes.

The exceptions, each a named function here and nowhere else:
- review sharing: a reviewer asked to review a coach reads that coach's meetings submitted for
  review, inside the review and on the meeting's own page (`meetings_visible_q`);
- walks: the person who led a walk, and the teacher's current coaches for visits made since
  their pairing started, read the visit (`walk_visits_visible_q`);
- steps: coaching leads see step titles and states (not notes) to run the programme
  (`steps_visible_q`);
- reviews of coaching: the reviewer, and the coach once the review is written
  (`reviews_visible_q`);
- thanks: the coach thanked and the teacher who sent them (`thanks_visible_q`);
- self-reviews: the teacher's own; their coach reads one only while the teacher shares that
  review, and no lead, tutor or leader ever does, whatever the school's settings
  (`self_reviews_visible_q`);
- induction reviews and assessments: the ECT, and the school's induction tutors and senior
  leaders (`induction_reviews_visible_q`);
- mentoring shared with the induction tutor: an ECT may share the records of their ECT
  mentoring with the tutor of their induction, who otherwise sees none of them: the mentor
  coaches, the tutor assesses (`_shared_mentoring_q`, part of `notes_visible_q`);
- subject access and the school's export: the data-protection lead takes a person's or the
  school's records out of Coachroom (`may_export_for_school`);
- counts and patterns: the programme pages count a school's records through
  `objects.activity_in(school)`, which defers every free-text field, so a count cannot carry
  a note (`GatedQuerySet`).

Every model that holds narrative has `objects.visible_to(viewer)` calling one of these, and
`can_read` answers for one record through the same filter, so one rule gives one answer.
Records about a teacher also take `visible_to(viewer, about=teacher)`: the same rule for one
teacher's records (`about_q`), as the timeline reads them.
Object pages resolve across all the viewer's schools through these filters; list pages narrow
them to the current school (README, "Which school").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, Self, TypeVar, cast

from django.db import models
from django.db.models import Exists, OuterRef, Q

from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.accounts.viewer import Viewer, coach_school_ids, coached_pairs

Who = User | Viewer
_M = TypeVar("_M", bound=models.Model)


def _user(who: Who) -> User:
    return who.user if isinstance(who, Viewer) else who


def _nothing() -> Q:
    return Q(pk__in=[])


def _member_schools(user: User) -> models.QuerySet[Membership, Any]:
    return Membership.objects.active().filter(user=user).values("school")


def _lead_schools(user: User) -> models.QuerySet[Membership]:
    return Membership.objects.active().filter(user=user, is_coaching_lead=True)


def _shared_mentoring_q(user: User, tutor_schools: Any) -> Q:
    """Records of an ECT's mentoring pairs, for the tutor of the ECT's induction at that school
    while the ECT shares them (`Induction.mentor_notes_shared`) and the tutor holds the role."""
    shared = User.objects.filter(
        pk=OuterRef("teacher"),
        inductions__school=OuterRef("school"),
        inductions__tutor=user,
        inductions__mentor_notes_shared=True,
    )
    return Q(
        Exists(shared),
        relationship__kind=CoachingRelationship.Kind.ECF,
        school__in=tutor_schools,
    )


def _viewer_notes_q(viewer: Viewer, *, review_field: str | None = None) -> Q:
    """`notes_visible_q` for a request's `Viewer`: the same rule, built from what the viewer
    already holds (its memberships and coached pairs, loaded once per request) as plain ids,
    so a page pays neither for compiling the rule's subqueries nor for running them."""
    visible = Q(teacher=viewer.user)
    if viewer.coached_pair_rows:
        # The pairs are already only those in schools where the viewer holds the Coach role,
        # and a record's school is its pair's, so the pair ids alone say it (and leave the
        # database free to use its index on the pair rather than scan the school).
        visible |= Q(relationship__in=sorted(viewer.coached_pair_ids))
        for pair in viewer.coached_pair_rows:
            if pair.history_shared:
                visible |= Q(teacher=pair.coachee_id, school=pair.school_id)
    if viewer.lead_all_school_ids:
        visible |= Q(school__in=sorted(viewer.lead_all_school_ids))
    if review_field and viewer.led_school_ids:
        visible |= Q(**{review_field: True}, school__in=sorted(viewer.led_school_ids))
    if viewer.tutor_school_ids:
        visible |= _shared_mentoring_q(viewer.user, sorted(viewer.tutor_school_ids))
    return visible


def notes_visible_q(who: Who, *, review_field: str | None = None) -> Q:
    """Records with `school`, `teacher` and `relationship` the viewer may read in full.

    Given the request's `Viewer`, the rule is built from the ids it holds; given a `User`
    (services, jobs, tests), from subqueries. Both give the same answer
    (tests/coaching/test_policy.py runs the table through each)."""
    if isinstance(who, Viewer):
        if not who.user.is_active:
            return _nothing()
        return _viewer_notes_q(who, review_field=review_field)
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    schools = coach_school_ids(viewer)
    current = coached_pairs(viewer)
    own_pairs = Q(relationship__in=current.values("pk"), school__in=schools)
    shared_history = Q(
        Exists(
            current.filter(
                history_shared=True,
                coachee=OuterRef("teacher"),
                school=OuterRef("school"),
            )
        ),
        school__in=schools,
    )
    lead_schools = _lead_schools(viewer)
    lead_all = Q(
        school__in=lead_schools.filter(school__lead_note_access=School.LeadNoteAccess.ALL).values(
            "school"
        )
    )
    tutor_schools = (
        Membership.objects.active().filter(user=viewer, is_induction_tutor=True).values("school")
    )
    visible = (
        Q(teacher=viewer)
        | own_pairs
        | shared_history
        | lead_all
        | _shared_mentoring_q(viewer, tutor_schools)
    )
    if review_field:
        visible |= Q(**{review_field: True}, school__in=lead_schools.values("school"))
    return visible


def about_q(who: Who, about: User | None, rule: Callable[[Who], Q]) -> Q:
    """`rule` narrowed to the records about one teacher (`visible_to(viewer, about=teacher)`).

    The teacher sees everything written about them, so for their own records the filter is
    just that: every other clause of every rule here is an alternative to it, and building them
    would only add conditions to compile and run."""
    if about is None:
        return rule(who)
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    if about.pk == viewer.pk:
        return Q(teacher=viewer)
    return Q(teacher=about) & rule(who)


def meetings_visible_q(who: Who) -> Q:
    """Feedback meetings: the rule, plus review sharing. A reviewer asked to review a coach
    reads that coach's meetings submitted for review (the teacher is told), in the review and
    on the meeting's own page alike."""
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    reviewing = User.objects.filter(
        pk=OuterRef("coach"),
        reviews_received__reviewer=viewer,
        reviews_received__school=OuterRef("school"),
    )
    schools = sorted(who.school_ids) if isinstance(who, Viewer) else _member_schools(viewer)
    shared_for_review = Q(Exists(reviewing), submitted_for_review=True, school__in=schools)
    return notes_visible_q(who, review_field="submitted_for_review") | shared_for_review


def steps_visible_q(who: Who) -> Q:
    """Step titles and states: the teacher, their coaches and the school's coaching leads.
    Steps are not notes: leads see titles and states to run the programme (domain §3)."""
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    if isinstance(who, Viewer):
        visible = notes_visible_q(who)
        if who.led_school_ids:
            visible |= Q(school__in=sorted(who.led_school_ids))
        return visible
    return notes_visible_q(viewer) | Q(school__in=_lead_schools(viewer).values("school"))


def self_reviews_visible_q(who: Who) -> Q:
    """Self-reviews: the teacher's own lesson, seen by them. The coach of the pair (or a later
    coach the teacher shares their history with) reads a review only while the teacher shares
    it (`shared_with_coach`); sharing is per review and can be taken back. Nobody else, by any
    role or school setting: leaders count reviews, never read them."""
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    if isinstance(who, Viewer):
        coaching = Q(relationship__in=sorted(who.coached_pair_ids))
        for pair in who.coached_pair_rows:
            if pair.history_shared:
                coaching |= Q(teacher=pair.coachee_id, school=pair.school_id)
    else:
        current = coached_pairs(viewer)
        coaching = Q(relationship__in=current.values("pk")) | Q(
            Exists(
                current.filter(
                    history_shared=True, coachee=OuterRef("teacher"), school=OuterRef("school")
                )
            )
        )
    return Q(teacher=viewer) | Q(coaching, shared_with_coach=True)


def walk_visits_visible_q(who: Who) -> Q:
    """Walk visits: the rule, plus the person who led the walk and the teacher's current
    coaches for visits made since their pairing started (the coach sees their coachees'
    visits)."""
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    schools = _member_schools(viewer)
    coaching = coached_pairs(viewer).filter(
        coachee=OuterRef("teacher"),
        school=OuterRef("school"),
        started_on__lte=OuterRef("walk__walked_on"),
    )
    walker = Q(walk__led_by=viewer, school__in=schools)
    return notes_visible_q(who) | walker | Q(Exists(coaching), school__in=schools)


def reviews_visible_q(who: Who) -> Q:
    """Reviews of coaching: the reviewer and, once written, the coach reviewed. Never leaders
    by role."""
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    return Q(
        Q(reviewer=viewer) | Q(coach=viewer, completed_at__isnull=False),
        school__in=_member_schools(viewer),
    )


def thanks_visible_q(who: Who) -> Q:
    """Thanks: only the coach thanked and the teacher who sent them read the message; others
    see counts."""
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    return Q(Q(coach=viewer) | Q(teacher=viewer), school__in=_member_schools(viewer))


def induction_reviews_visible_q(who: Who) -> Q:
    """Induction reviews and assessments: the ECT they are about, and the induction tutors and
    senior leaders of the school, who hold and sign them. Never the mentor by being the mentor:
    the mentor coaches and never assesses."""
    viewer = _user(who)
    if not viewer.is_active:
        return _nothing()
    assessors = (
        Membership.objects.active()
        .filter(user=viewer)
        .filter(Q(is_induction_tutor=True) | Q(is_senior_leader=True))
        .values("school")
    )
    ect = Q(induction__ect=viewer, school__in=_member_schools(viewer))
    return ect | Q(school__in=assessors)


def free_text_fields(model: type[models.Model]) -> list[str]:
    """The fields people write in: text, and short text that is not a choice."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField)
        or (isinstance(field, models.CharField) and not field.choices)
    ]


class GatedQuerySet(models.QuerySet[_M]):
    """Reads of a model that holds narrative: `visible_to(viewer)` for the records themselves
    (each model's own filter from this module), `activity_in(school)` for counts."""

    def activity_in(self, schools: School | Iterable[int] | models.QuerySet[Any]) -> Self:
        """A school's (or schools') rows for counts and patterns on the programme pages, with
        every free-text field deferred: leaders see activity, never what was written."""
        where = Q(school=schools) if isinstance(schools, School) else Q(school__in=schools)
        return self.filter(where).defer(*free_text_fields(self.model))


def may_export_for_school(who: Who, school: School) -> bool:
    """Subject access and the school's export: only the school's data-protection lead takes
    notes out of Coachroom for someone else."""
    viewer = _user(who)
    return (
        viewer.is_active
        and Membership.objects.active()
        .filter(user=viewer, school=school, is_data_protection_lead=True)
        .exists()
    )


class _VisibleQuerySet(Protocol):
    def visible_to(self, user: Who) -> models.QuerySet[Any]: ...


def can_read(who: Who, record: models.Model) -> bool:
    """One record, through the same filter its model's `visible_to` applies."""
    one = cast(_VisibleQuerySet, type(record)._default_manager.filter(pk=record.pk))
    return one.visible_to(who).exists()


def coaches_pair(who: Who, relationship: CoachingRelationship) -> bool:
    """The viewer coaches this current pair and still holds the Coach role in its school."""
    if isinstance(who, Viewer):
        return who.coaches(relationship)
    return coached_pairs(who).filter(pk=relationship.pk).exists()
