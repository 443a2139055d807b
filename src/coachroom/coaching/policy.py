"""The coaching-privacy rule, written once. Coaching is not performance management.

- The teacher sees everything written about them.
- A coach sees the records of their current coachees made in their own coaching; earlier
  history only when the teacher has chosen to share it with that coach. Both need an active
  membership with the Coach role in the pair's school: access follows the role, not the pair.
- The coaching lead sees narrative only for meetings submitted for review, unless the school
  has set `lead_note_access` to "all".
- Senior leaders, school admins, trust admins and line managers get nothing from their role:
  they see counts and patterns through the programme pages, never notes.

`can_read_notes` answers for one record; `notes_visible_q` is the same rule as a filter for
querysets of records that carry `school`, `teacher` and `relationship` fields.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from coachroom.accounts.models import CoachingRelationship, Membership, School, User


def can_read_notes(
    viewer: User,
    *,
    teacher: User,
    school: School,
    relationship: CoachingRelationship | None = None,
    submitted_for_review: bool = False,
) -> bool:
    if not viewer.is_active:
        return False
    if viewer.pk == teacher.pk:
        return True
    membership = Membership.objects.active().filter(user=viewer, school=school).first()
    if membership is None:
        return False
    if membership.is_coach and _coaches(viewer, teacher, school, relationship):
        return True
    if membership.is_coaching_lead:
        return submitted_for_review or school.lead_note_access == School.LeadNoteAccess.ALL
    return False


def _coaches(
    viewer: User, teacher: User, school: School, relationship: CoachingRelationship | None
) -> bool:
    """The viewer is the current coach of this record's pair, or a current coach with whom
    the teacher shares their history."""
    if (
        relationship is not None
        and relationship.coach_id == viewer.pk
        and relationship.school_id == school.pk
        and relationship.is_current
    ):
        return True
    return (
        CoachingRelationship.objects.current()
        .filter(school=school, coach=viewer, coachee=teacher, history_shared=True)
        .exists()
    )


def notes_visible_q(viewer: User, *, review_field: str | None = None) -> Q:
    """A filter for records the viewer may read in full (see the module docstring)."""
    if not viewer.is_active:
        return Q(pk__in=[])
    schools = Membership.objects.active().filter(user=viewer, is_coach=True).values("school")
    current = CoachingRelationship.objects.current().filter(coach=viewer, school__in=schools)
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
    lead_schools = Membership.objects.active().filter(user=viewer, is_coaching_lead=True)
    lead_all = Q(
        school__in=lead_schools.filter(school__lead_note_access=School.LeadNoteAccess.ALL).values(
            "school"
        )
    )
    visible = Q(teacher=viewer) | own_pairs | shared_history | lead_all
    if review_field:
        visible |= Q(**{review_field: True}, school__in=lead_schools.values("school"))
    return visible
