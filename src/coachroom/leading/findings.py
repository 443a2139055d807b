"""What the school's learning walks found: patterns as counts, never a person's name."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from coachroom.accounts.models import School
from coachroom.coaching.models import StepState
from coachroom.leading.models import SightingResult, WalkStepSighting, WalkVisit


@dataclass(frozen=True)
class Tally:
    """Counts for one row of the findings. A pattern for the school, never a person."""

    label: str
    seen: int
    not_seen: int
    no_opportunity: int

    @property
    def looked_for(self) -> int:
        return self.seen + self.not_seen + self.no_opportunity

    @property
    def seen_percent(self) -> int | None:
        """Seen as a share of the times there was a chance to see it."""
        chances = self.seen + self.not_seen
        return round(100 * self.seen / chances) if chances else None


@dataclass(frozen=True)
class Findings:
    walks: int
    visits: int
    by_focus: list[Tally]
    by_strand: list[Tally]
    stuck: Tally  # secured steps looked for on later walks
    stuck_by_strand: list[Tally]


OWN_STEPS = "Steps written by coaches and teachers"


def _tally_counts(field: str, *, secured_only: bool = False) -> dict[str, Count]:
    only = Q(step_state=StepState.SECURED) if secured_only else Q()
    return {
        name: Count("pk", filter=only & Q(**{field: value}))
        for name, value in (
            ("seen", SightingResult.SEEN),
            ("not_seen", SightingResult.NOT_SEEN),
            ("no_opportunity", SightingResult.NO_OPPORTUNITY),
        )
    }


def walk_findings(school: School) -> Findings:
    """Patterns from the school's walks in three grouped queries: counts only, no names."""
    totals = WalkVisit.objects.for_school(school).aggregate(
        visits=Count("pk"), walks=Count("walk", distinct=True)
    )
    by_strand, stuck_by_strand = _strand_tallies(school)
    stuck = Tally(
        "All secured steps",
        sum(t.seen for t in stuck_by_strand),
        sum(t.not_seen for t in stuck_by_strand),
        sum(t.no_opportunity for t in stuck_by_strand),
    )
    return Findings(
        walks=totals["walks"],
        visits=totals["visits"],
        by_focus=_focus_tallies(school),
        by_strand=by_strand,
        stuck=stuck,
        stuck_by_strand=stuck_by_strand,
    )


def _focus_tallies(school: School) -> list[Tally]:
    """How often each walk's focus was seen, in strand order, then by focus."""
    focus_rows = (
        WalkVisit.objects.for_school(school)
        .order_by()
        .values("walk__strand__name", "walk__strand__order", "walk__focus")
        .annotate(**_tally_counts("focus_seen"))
    )
    focus_sorted = sorted(
        focus_rows,
        key=lambda r: (
            r["walk__strand__order"] is None,
            r["walk__strand__order"] or 0,
            r["walk__strand__name"] or "",
            r["walk__focus"].lower(),
        ),
    )
    return [
        Tally(
            label=": ".join(x for x in (r["walk__strand__name"], r["walk__focus"]) if x)
            or "Open focus",
            seen=r["seen"],
            not_seen=r["not_seen"],
            no_opportunity=r["no_opportunity"],
        )
        for r in focus_sorted
    ]


def _strand_tallies(school: School) -> tuple[list[Tally], list[Tally]]:
    """Step sightings by strand, and the same for secured steps (did they stick?)."""
    secured = {f"secured_{k}": v for k, v in _tally_counts("result", secured_only=True).items()}
    strand_rows = (
        WalkStepSighting.objects.filter(school=school)
        .order_by()
        .values("step__library_step__strand__name", "step__library_step__strand__order")
        .annotate(**_tally_counts("result"), **secured)
    )
    strand_sorted = sorted(
        strand_rows,
        key=lambda r: (
            r["step__library_step__strand__order"] is None,
            r["step__library_step__strand__order"] or 0,
            r["step__library_step__strand__name"] or "",
        ),
    )
    by_strand: list[Tally] = []
    stuck_by_strand: list[Tally] = []
    for r in strand_sorted:
        label = r["step__library_step__strand__name"] or OWN_STEPS
        by_strand.append(Tally(label, r["seen"], r["not_seen"], r["no_opportunity"]))
        if r["secured_seen"] + r["secured_not_seen"] + r["secured_no_opportunity"]:
            stuck_by_strand.append(
                Tally(
                    label,
                    r["secured_seen"],
                    r["secured_not_seen"],
                    r["secured_no_opportunity"],
                )
            )
    return by_strand, stuck_by_strand
