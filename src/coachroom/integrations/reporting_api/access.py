"""What a token reaches: its schools, and in each what figures its roles show.

The rule is the pages' rule (README, "The privacy rule"). A personal token acts as its owner:
in each school where they hold an active membership, the roles there decide, exactly as on the
completion, programme and induction pages. A trust token sees each of its trust's schools as
the trust dashboard does: counts and patterns, never names of coachees or ECTs, never notes.

A school the token does not reach is a 404, the same as a school that does not exist; a school
it reaches where its roles show nothing of the kind asked for is a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from ninja.errors import HttpError

from coachroom.accounts.models import Membership, School, User
from coachroom.integrations.reporting_api.models import ApiToken, Scope


class Reach(StrEnum):
    SCHOOL = "school"  # the whole school's figures
    OWN_PAIRS = "own_pairs"  # the coach's own pairs only


Rule = Callable[[Membership], Reach | None]


def completion_reach(m: Membership) -> Reach | None:
    """The completion page: leaders see the school, coaches their own pairs."""
    if m.is_leader:
        return Reach.SCHOOL
    return Reach.OWN_PAIRS if m.is_coach else None


def coachee_reach(m: Membership) -> Reach | None:
    """The completion page's table by coachee: coaching leads see the school's, coaches their
    own; senior leaders and school admins see totals only (`Membership.sees_named_figures`)."""
    if not m.sees_named_figures:
        return None
    return completion_reach(m)


def leader_reach(m: Membership) -> Reach | None:
    """The programme dashboard and the priority report: coaching leads, school admins and
    senior leaders."""
    return Reach.SCHOOL if m.is_leader else None


def assessor_reach(m: Membership) -> Reach | None:
    """Induction reviews: the school's induction tutors and senior leaders, never the mentor."""
    return Reach.SCHOOL if m.is_induction_tutor or m.is_senior_leader else None


@dataclass(frozen=True)
class Dataset:
    """One kind of figure: the scope it needs, who sees it by role, what a trust token sees of
    it, and the endpoints that return it."""

    name: str
    scope: Scope
    rule: Rule
    trust: Reach | None
    endpoints: tuple[str, ...]


COMPLETION = Dataset(
    "completion",
    Scope.REPORTING,
    completion_reach,
    Reach.SCHOOL,
    ("completion/weeks", "completion/reasons"),
)
COACHEES = Dataset(
    "completion by coachee", Scope.REPORTING, coachee_reach, None, ("completion/coachees",)
)
STEPS = Dataset(
    "steps and stick rate",
    Scope.REPORTING,
    leader_reach,
    Reach.SCHOOL,
    ("steps/strands", "steps/priorities", "steps/stick-rate"),
)
INDUCTION_ECTS = Dataset(
    "induction reviews by ECT", Scope.INDUCTION, assessor_reach, None, ("induction/reviews",)
)
INDUCTION_COUNTS = Dataset(
    "induction review counts",
    Scope.INDUCTION,
    assessor_reach,
    Reach.SCHOOL,
    ("induction/summary",),
)
DATASETS = (COMPLETION, COACHEES, STEPS, INDUCTION_ECTS, INDUCTION_COUNTS)


@dataclass(frozen=True)
class Access:
    """A request's token and everything it reaches, fixed for the request."""

    token: ApiToken
    schools: tuple[School, ...]  # by name
    memberships: dict[int, Membership] = field(default_factory=dict)  # personal: by school id

    @property
    def person(self) -> User | None:
        """Whom a personal token acts as; None for a trust token."""
        return None if self.token.is_trust else self.token.owner

    def reach(self, school: School, dataset: Dataset) -> Reach | None:
        if self.token.is_trust:
            return dataset.trust
        membership = self.memberships.get(school.pk)
        return dataset.rule(membership) if membership is not None else None

    def school(self, urn: str) -> School:
        """One of the token's schools by URN; any other is a 404."""
        for school in self.schools:
            if school.urn == urn:
                return school
        raise HttpError(404, "No such school.")

    def schools_for(self, dataset: Dataset, urn: str | None = None) -> list[tuple[School, Reach]]:
        """The schools whose `dataset` this token reads (or just the one asked for)."""
        schools = [self.school(urn)] if urn else list(self.schools)
        found = [(s, r) for s in schools if (r := self.reach(s, dataset)) is not None]
        if not found:
            if self.token.is_trust:
                raise HttpError(403, f"A trust token does not read {dataset.name}.")
            where = "this school" if urn else "any of your schools"
            raise HttpError(403, f"Your roles do not show {dataset.name} at {where}.")
        return found


def access_for(token: ApiToken) -> Access:
    """The token's schools: one query."""
    if token.trust is not None:
        schools = School.objects.filter(trust=token.trust).select_related("trust")
        return Access(token=token, schools=tuple(schools.order_by("name", "pk")))
    memberships = list(
        Membership.objects.active()
        .filter(user=token.owner)
        .select_related("school", "school__trust")
        .order_by("school__name", "school__pk")
    )
    return Access(
        token=token,
        schools=tuple(m.school for m in memberships),
        memberships={m.school_id: m for m in memberships},
    )
