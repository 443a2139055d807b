"""Who may see and curate which library steps. Views call these; they never filter by hand.

Every active member of a school browses the steps available to it: the starter library (less
any the school has hidden), its trust's steps and its own. Coaching leads and school admins
curate: they also see their school's archived steps and the starter or trust steps it has
hidden, so that they can restore them. A step of another school, or another trust, is a 404
for everyone, exactly like a step that does not exist.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from coachroom.accounts.access import member_required
from coachroom.accounts.models import Membership, Role, School
from coachroom.accounts.viewer import MemberRequest
from coachroom.library.models import LibraryStep, LibraryStepQuerySet

CURATOR_ROLES = (Role.COACHING_LEAD, Role.SCHOOL_ADMIN)

any_member = member_required()
curator_required = member_required(*CURATOR_ROLES)


def is_curator(membership: Membership) -> bool:
    return any(membership.has_role(role) for role in CURATOR_ROLES)


def hidden_here(school: School) -> Exists:
    """True for a step this school has hidden from its library."""
    return Exists(
        LibraryStep.hidden_by.through.objects.filter(librarystep_id=OuterRef("pk"), school=school)
    )


def shared_with(school: School) -> Q:
    """Starter steps and the school's trust's steps: shared, so hidden rather than archived."""
    return Q(school__isnull=True) & (Q(trust__isnull=True) | Q(trust=school.trust_id))


def steps_for(membership: Membership) -> LibraryStepQuerySet:
    """Every step this person may open, each annotated with `is_hidden_here`."""
    school = membership.school
    qs = LibraryStep.objects.annotate(is_hidden_here=hidden_here(school))
    visible = (shared_with(school) & Q(is_hidden_here=False)) | Q(school=school)
    visible &= Q(is_archived=False)
    if is_curator(membership):
        visible |= Q(school=school) | (shared_with(school) & Q(is_archived=False))
    return qs.filter(visible)


def get_step_for_member(request: MemberRequest, pk: int) -> LibraryStep:
    qs = steps_for(request.membership).select_related(
        "strand", "substrand", "school", "trust", "copied_from", "created_by"
    )
    return get_object_or_404(qs.prefetch_related("problems"), pk=pk)


def get_own_step_for_curator(request: MemberRequest, pk: int) -> LibraryStep:
    """A step the curator's school owns. Starter, trust and other schools' steps are 404:
    they are copied, never edited in place."""
    qs = steps_for(request.membership).filter(school=request.membership.school)
    return get_object_or_404(qs.select_related("strand", "substrand"), pk=pk)
