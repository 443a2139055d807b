"""The capacity planner: does the coaching programme fit the time the school protects?

Needs come from the real pairs (each pair's rhythm) and the minutes a cycle takes; the time
available is what each coach has timetabled as slots. Every input can be overridden as a
what-if. The cost is the domain's calculator: cycles × coachees × (coach + teacher minutes)
× hourly cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.scheduling.models import ScheduledSlot
from coachroom.scheduling.tapering.models import WEEKS_APART

RECOMMENDED_COACHEES_PER_COACH = 10  # a 2020 survey's recommended ceiling; many coaches had 16+


@dataclass(frozen=True)
class Assumptions:
    drop_in_minutes: int = 15
    meeting_minutes: int = 30
    write_up_minutes: int = 10
    rhythm: str = "as-paired"  # "as-paired" | "weekly" | "fortnightly"
    extra_coaches: int = 0
    school_weeks: int = 38
    hourly_cost: Decimal = Decimal("35")

    @property
    def coach_minutes_per_cycle(self) -> int:
        return self.drop_in_minutes + self.meeting_minutes + self.write_up_minutes

    @property
    def teacher_minutes_per_cycle(self) -> int:
        return self.meeting_minutes

    def cycles_per_week(self, cadence: str) -> Decimal:
        chosen = cadence if self.rhythm == "as-paired" else self.rhythm
        # weekly 1, fortnightly ½, a self-directed pair's four-weekly check-in ¼
        return Decimal(1) / WEEKS_APART.get(chosen, 1)


@dataclass
class CoachLoad:
    coach: User
    coachees: int
    cycles_per_week: Decimal
    needed_minutes: int
    timetabled_minutes: int
    available_minutes: int

    @property
    def shortfall(self) -> int:
        return max(self.needed_minutes - self.available_minutes, 0)

    @property
    def fits(self) -> bool:
        return self.shortfall == 0

    @property
    def over_ratio(self) -> bool:
        return self.coachees > RECOMMENDED_COACHEES_PER_COACH


@dataclass
class Plan:
    school: School
    assumptions: Assumptions
    coaches: list[CoachLoad]
    teachers: int
    coached_teachers: int
    suggestions: list[str] = field(default_factory=list)

    @property
    def coachees(self) -> int:
        return sum(c.coachees for c in self.coaches)

    @property
    def needed_minutes(self) -> int:
        return sum(c.needed_minutes for c in self.coaches)

    @property
    def available_minutes(self) -> int:
        return sum(c.available_minutes for c in self.coaches)

    @property
    def coach_count(self) -> int:
        return len(self.coaches) + self.assumptions.extra_coaches

    @property
    def teachers_per_coach(self) -> Decimal | None:
        if not self.coach_count:
            return None
        return (Decimal(self.coachees) / self.coach_count).quantize(Decimal("0.1"))

    @property
    def cycles_per_year(self) -> Decimal:
        weekly = sum((c.cycles_per_week for c in self.coaches), Decimal(0))
        return weekly * self.assumptions.school_weeks

    @property
    def coach_hours_per_year(self) -> Decimal:
        minutes = self.cycles_per_year * self.assumptions.coach_minutes_per_cycle
        return _hours(minutes)

    @property
    def teacher_hours_per_year(self) -> Decimal:
        minutes = self.cycles_per_year * self.assumptions.teacher_minutes_per_cycle
        return _hours(minutes)

    @property
    def cost_per_year(self) -> Decimal:
        hours = self.coach_hours_per_year + self.teacher_hours_per_year
        return (hours * self.assumptions.hourly_cost).quantize(Decimal(1), ROUND_HALF_UP)


def _hours(minutes: Decimal) -> Decimal:
    return (minutes / 60).quantize(Decimal(1), ROUND_HALF_UP)


def _slot_minutes_per_week(school: School) -> dict[int, int]:
    """Minutes each coach has timetabled per week (a fortnightly slot counts half, a
    four-weekly one a quarter)."""
    minutes: dict[int, Decimal] = {}
    slots = ScheduledSlot.objects.filter(
        school=school, is_active=True, relationship__ended_on__isnull=True
    ).values_list("relationship__coach_id", "minutes", "cadence")
    for coach_id, length, cadence in slots:
        share = Decimal(1) / WEEKS_APART.get(cadence, 1)
        minutes[coach_id] = minutes.get(coach_id, Decimal(0)) + length * share
    return {k: int(v) for k, v in minutes.items()}


def build_plan(
    school: School, assumptions: Assumptions, available: dict[int, int] | None = None
) -> Plan:
    """The plan for a school. `available` overrides a coach's minutes per week (what-if)."""
    pairs = (
        CoachingRelationship.objects.for_school(school)
        .current()
        .values("coach_id", "cadence")
        .annotate(n=Count("pk"))
    )
    by_coach: dict[int, list[tuple[str, int]]] = {}
    for row in pairs:
        by_coach.setdefault(row["coach_id"], []).append((row["cadence"], row["n"]))
    coach_ids = set(by_coach) | set(
        Membership.objects.active()
        .for_school(school)
        .filter(is_coach=True)
        .values_list("user_id", flat=True)
    )
    people = {u.pk: u for u in User.objects.filter(pk__in=coach_ids)}
    timetabled = _slot_minutes_per_week(school)
    loads = []
    for coach_id in coach_ids:
        cycles = sum(
            (assumptions.cycles_per_week(cadence) * n for cadence, n in by_coach.get(coach_id, [])),
            Decimal(0),
        )
        slot_minutes = timetabled.get(coach_id, 0)
        loads.append(
            CoachLoad(
                coach=people[coach_id],
                coachees=sum(n for _, n in by_coach.get(coach_id, [])),
                cycles_per_week=cycles,
                needed_minutes=int(cycles * assumptions.coach_minutes_per_cycle),
                timetabled_minutes=slot_minutes,
                available_minutes=(available or {}).get(coach_id, slot_minutes),
            )
        )
    loads.sort(key=lambda c: (c.coach.last_name.lower(), c.coach.first_name.lower(), c.coach.pk))
    teachers = (
        Membership.objects.active()
        .for_school(school)
        .aggregate(all=Count("pk", filter=Q(is_teacher=True)))["all"]
    )
    plan = Plan(
        school=school,
        assumptions=assumptions,
        coaches=loads,
        teachers=teachers,
        coached_teachers=CoachingRelationship.objects.for_school(school)
        .current()
        .values("coachee")
        .distinct()
        .count(),
    )
    plan.suggestions = _suggestions(plan)
    return plan


def _suggestions(plan: Plan) -> list[str]:
    """Ways to make the plan fit, in plain words."""
    a = plan.assumptions
    short = [c for c in plan.coaches if not c.fits]
    tips: list[str] = []
    if not short:
        tips.append("Every coach has enough timetabled time for their coachees.")
    else:
        total_short = sum(c.shortfall for c in short)
        who = "1 coach needs" if len(short) == 1 else f"{len(short)} coaches need"
        tips.append(f"{who} {total_short} more minutes a week in total than is timetabled.")
        if a.rhythm != "fortnightly":
            fortnightly = sum(
                int(Decimal("0.5") * c.coachees * a.coach_minutes_per_cycle) for c in plan.coaches
            )
            tips.append(
                f"Moving everyone to a fortnightly rhythm would need {fortnightly} minutes a week "
                f"across all coaches, against {plan.available_minutes} timetabled."
            )
        per_cycle = a.coach_minutes_per_cycle
        moves = sum(-(-c.shortfall // per_cycle) for c in short)
        tips.append(
            f"Alternatively, about {moves} coachee{'s' if moves != 1 else ''} could move to "
            "coaches with spare time, or to new coaches."
        )
    if plan.coach_count and plan.coachees / plan.coach_count > RECOMMENDED_COACHEES_PER_COACH:
        needed = -(-plan.coachees // RECOMMENDED_COACHEES_PER_COACH) - plan.coach_count
        tips.append(
            f"To keep to about {RECOMMENDED_COACHEES_PER_COACH} coachees per coach, recruit "
            f"{needed} more coach{'es' if needed != 1 else ''}."
        )
    uncoached = plan.teachers - plan.coached_teachers
    if uncoached > 0:
        tips.append(
            f"{uncoached} teacher{'s are' if uncoached != 1 else ' is'} not coached yet; each "
            f"would need {a.coach_minutes_per_cycle} coach minutes a week on a weekly rhythm."
        )
    return tips
