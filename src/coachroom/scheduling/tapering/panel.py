"""How often a pair meets, on the teacher's timeline (theirs and their coach's view of it):
the rhythm, Coachroom's suggestion, a proposal waiting for an answer, and the buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.accounts.viewer import viewer_of
from coachroom.scheduling.tapering import services
from coachroom.scheduling.tapering.models import WEEKS_APART, Cadence


@dataclass(frozen=True)
class PairRhythm:
    pair: CoachingRelationship
    suggestion: services.Suggestion | None
    proposal: services.Proposal | None
    awaits_me: bool  # the proposal is the other's, for the viewer to answer
    less_often: list[tuple[str, str]]  # (value, label) the viewer may propose
    more_often: list[tuple[str, str]]  # (value, label) the viewer may step up to

    @property
    def proposer_name(self) -> str:
        """The proposal came from one of the pair: the coach or the teacher."""
        if self.proposal is None:
            return ""
        if self.proposal.by_id == self.pair.coach_id:
            return self.pair.coach.full_name
        return self.pair.coachee.full_name


def _rungs(pair: CoachingRelationship) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    now = WEEKS_APART[pair.cadence]
    down = [(c.value, str(c.label)) for c in Cadence if WEEKS_APART[c] > now]
    up = [(c.value, str(c.label)) for c in Cadence if WEEKS_APART[c] < now]
    return down[:1], up


def rhythms(viewer_id: int, pairs: list[CoachingRelationship], school: School) -> list[PairRhythm]:
    """Each of the school's pairs that may taper, as the viewer (one of the pair) sees it:
    one query, however many pairs."""
    eligible = [p for p in pairs if services.may_taper(p) and p.school_id == school.pk]
    states = services.pair_states([p.pk for p in eligible])
    rows = []
    for pair in eligible:
        state = states[pair.pk]
        down, up = _rungs(pair)
        rows.append(
            PairRhythm(
                pair=pair,
                suggestion=services.suggestion_for(pair, state, school),
                proposal=state.proposal,
                awaits_me=bool(state.proposal and state.proposal.by_id != viewer_id),
                less_often=[] if state.proposal else down,
                more_often=up,
            )
        )
    return rows


class RhythmPanel:
    """On the timeline, for the teacher and for their coach: never for anyone else (a lead
    sets a pair's rhythm on the pairs page; tapering is the pair's own decision)."""

    def for_teacher(self, request: HttpRequest, teacher: User, school: School) -> SafeString:
        viewer = viewer_of(request)
        me = cast(User, request.user)
        pairs = CoachingRelationship.objects.current().filter(school=school, coachee=teacher)
        if me.pk != teacher.pk:
            pairs = pairs.filter(pk__in=sorted(viewer.coached_pair_ids))
        pairs = pairs.exclude(kind=CoachingRelationship.Kind.ECF)
        found = list(pairs.select_related("coach", "coachee").order_by("pk"))
        if not found:
            return SafeString("")
        context = {"rows": rhythms(me.pk, found, school), "is_teacher": me.pk == teacher.pk}
        return render_to_string("scheduling/rhythm_panel.html", context, request=request)


def needing_attention(
    viewer_id: int, pairs: list[CoachingRelationship], school: School
) -> list[PairRhythm]:
    """For the home page: the pairs with a suggestion, or a proposal for the viewer to answer
    (an ECT's mentoring follows their induction, never tapering)."""
    return [r for r in rhythms(viewer_id, pairs, school) if r.suggestion or r.awaits_me]
