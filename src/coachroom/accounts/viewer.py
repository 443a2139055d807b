"""Who is asking: the signed-in person, their current school and what their roles reach.

A `Viewer` is built once per request (`viewer_of`) from the memberships the request has already
loaded. Access by pair follows the role, not the pair: the pairs a viewer coaches are only the
current pairs in schools where they hold an active membership with the Coach role, so access
ends the moment the role ends (an import clearing it, an admin unticking it), even while the
pair stays open. Every check that grants something "because you coach this pair" uses
`coached_pairs` (or `Viewer.coached_pair_ids`), never `coach=user` by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple, cast

from django.db.models import QuerySet
from django.http import HttpRequest

from coachroom.accounts.models import CoachingRelationship, Membership, Role, School, User
from coachroom.core.http import AuthedRequest

SESSION_KEY = "coachroom_school_id"


def memberships_of(user: Any) -> list[Membership]:
    """The signed-in person's active memberships, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_coachroom_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("school", "school__trust")
            .order_by("school__name")
        )
        user._coachroom_memberships = cached
    return cast(list[Membership], cached)


def coach_school_ids(user: User) -> QuerySet[Membership, Any]:
    """The schools (as a subquery) where the person is an active coach."""
    return Membership.objects.active().filter(user=user, is_coach=True).values("school")


def coached_pairs(user: User) -> QuerySet[CoachingRelationship]:
    """The current pairs the person coaches, in schools where they still hold the Coach role.

    The one definition of "a pair you coach" for access; use it (or `Viewer.coached_pair_ids`)
    wherever coaching a pair opens something."""
    return CoachingRelationship.objects.current().filter(
        coach=user, school__in=coach_school_ids(user)
    )


class CoachedPair(NamedTuple):
    pk: int
    coachee_id: int
    school_id: int
    history_shared: bool


@dataclass(frozen=True)
class Viewer:
    """The person asking, with everything their access depends on, fixed for the request."""

    user: User
    membership: Membership | None  # the current school, chosen in the session
    memberships: tuple[Membership, ...]  # every active membership, by school name

    @cached_property
    def school_ids(self) -> frozenset[int]:
        return frozenset(m.school_id for m in self.memberships)

    @cached_property
    def coach_school_ids(self) -> frozenset[int]:
        return frozenset(m.school_id for m in self.memberships if m.is_coach)

    @cached_property
    def tutor_school_ids(self) -> frozenset[int]:
        """Schools where the viewer is an active induction tutor."""
        return frozenset(m.school_id for m in self.memberships if m.is_induction_tutor)

    @cached_property
    def led_school_ids(self) -> frozenset[int]:
        """Schools where the viewer is an active coaching lead."""
        return frozenset(m.school_id for m in self.memberships if m.is_coaching_lead)

    @cached_property
    def lead_all_school_ids(self) -> frozenset[int]:
        """Schools where the viewer is an active coaching lead and the school lets its leads
        read every coaching record (`School.lead_note_access`)."""
        return frozenset(
            m.school_id
            for m in self.memberships
            if m.is_coaching_lead and m.school.lead_note_access == School.LeadNoteAccess.ALL
        )

    @cached_property
    def coached_pair_rows(self) -> tuple[CoachedPair, ...]:
        """Current pairs they coach, in schools where they are an active coach: one query,
        kept for the request (the policy's filters and the home page read it)."""
        if not self.coach_school_ids:
            return ()
        pairs = CoachingRelationship.objects.current().filter(
            coach=self.user, school_id__in=self.coach_school_ids
        )
        return tuple(
            CoachedPair(*row)
            for row in pairs.order_by("pk").values_list(
                "pk", "coachee_id", "school_id", "history_shared"
            )
        )

    @cached_property
    def coached_pair_ids(self) -> frozenset[int]:
        """Current pairs they coach, in schools where they are an active coach."""
        return frozenset(pair.pk for pair in self.coached_pair_rows)

    def membership_in(self, school_id: int) -> Membership | None:
        for membership in self.memberships:
            if membership.school_id == school_id:
                return membership
        return None

    def has_role(self, role: Role, school_id: int | None = None) -> bool:
        """The role in the given school (default: the current school)."""
        membership = self.membership if school_id is None else self.membership_in(school_id)
        return membership is not None and membership.has_role(role)

    def coaches(self, pair: CoachingRelationship) -> bool:
        return pair.pk in self.coached_pair_ids


class MemberRequest(AuthedRequest):
    """A request that `member_required` has let through: the membership is really there."""

    membership: Membership
    viewer: Viewer


def _current(request: HttpRequest, memberships: list[Membership]) -> Membership | None:
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.school_id == chosen:
            return membership
    return memberships[0]


def viewer_of(request: HttpRequest) -> Viewer:
    """The request's viewer, built on first use and kept on the request."""
    cached = getattr(request, "viewer", None)
    user = request.user
    if isinstance(cached, Viewer) and cached.user.pk == user.pk:
        membership = _current(request, list(cached.memberships))
        if membership is cached.membership:
            return cached
    memberships = memberships_of(user)
    viewer = Viewer(
        user=cast(User, user),
        membership=_current(request, memberships),
        memberships=tuple(memberships),
    )
    request.__dict__["viewer"] = viewer
    return viewer
