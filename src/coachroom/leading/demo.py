"""Demo learning walks, reviews of coaching and thanks, after the term of coaching.

One walk per school, led by the head, visiting about five classrooms and looking for each
teacher's current and secured steps; reviews of two coaches' coaching, each with a development
step; and a few thank-yous. Made through the real services under the demo clock.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coachroom.accounts.models import School, User
from coachroom.coaching.demo import demo_clock
from coachroom.coaching.models import ActionStep, FeedbackMeeting, StepState
from coachroom.coaching.services import StepDraft
from coachroom.core.demo import DemoContext
from coachroom.leading import walks
from coachroom.leading.models import CoachingReview, LearningWalk
from coachroom.library.models import Strand

VISITS_PER_WALK = 5
WHAT_SEEN = [
    "Recap questions were on the board as pupils came in; most were writing within a minute.",
    "Instructions were short and complete; the class moved into pairs without questions.",
    "The teacher paused before the key idea and waited for every pupil to look up.",
    "Mini-whiteboards came up together; the teacher named the common error and retaught it.",
    "Pupils at the side tables took longer to start; equipment was already out.",
]
NOTES = [
    "Thank you for having me in. The start of the lesson was calm and purposeful.",
    "Lovely to see the routine you've been practising: the class knew exactly what to do.",
    "The pause before the key point really worked: every pupil was looking at the board.",
    "Thank you. I saw the step in action; the pupils near the door answered first.",
    "A busy moment to drop in. I'd love to come back for the start of a lesson.",
]
THANKS = [
    ("oak-t1", "oak-lead", "Thank you for rehearsing the entry routine with me. It works!"),
    ("oak-t2", "oak-coach1", ""),
    ("oak-coach1", "oak-lead", "The reviews of my coaching have really helped. Thank you."),
    ("elm-t6", "elm-coach2", "Thanks for the drill on transitions; Year 9 are so much calmer."),
]


def _walk_day(today: dt.date) -> dt.date:
    day = today - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _walk_teachers(school: School, leader: User) -> list[User]:
    """Teachers with steps to look for first, then others, by name."""
    with_steps = set(
        ActionStep.objects.for_school(school)
        .filter(state__in=walks.WALK_STEP_STATES)
        .values_list("teacher", flat=True)
    )
    people = list(
        walks.walk_teachers(
            LearningWalk(school=school, led_by=leader, walked_on=timezone.localdate())
        )
    )
    people.sort(key=lambda u: (u.pk not in with_steps, u.last_name, u.first_name))
    return people[:VISITS_PER_WALK]


def _load_walk(ctx: DemoContext, key: str, school: School, day: dt.date) -> None:
    rng = ctx.rng
    leader = ctx.people[f"{key}-head"]
    strand = Strand.objects.order_by("order").first() if key == "oak" else None
    focus = "" if strand else "Pupils start work within two minutes of arriving"
    with demo_clock(day, 8, 30):
        walk = walks.walk_plan(school=school, by=leader, walked_on=day, strand=strand, focus=focus)
    for n, teacher in enumerate(_walk_teachers(school, leader)):
        sightings = {}
        for step in walks.walk_steps_for(school=school, teacher=teacher):
            if step.state == StepState.SECURED:
                sightings[step.pk] = rng.choice(["seen", "seen", "seen", "not_seen"])
            else:
                sightings[step.pk] = rng.choice(["seen", "not_seen", "no_opportunity"])
        with demo_clock(day, 9 + n, 10 * n):
            walks.walk_record_visit(
                walk=walk,
                by=leader,
                teacher=teacher,
                focus_seen=rng.choice(["seen", "seen", "not_seen", "no_opportunity"]),
                what_seen=WHAT_SEEN[n % len(WHAT_SEEN)],
                note=NOTES[n % len(NOTES)],
                sightings=sightings,
            )


def _ratings(seen: int, partly: int) -> dict[str, str]:
    keys = list(walks.RUBRIC_LABELS)
    return {
        key: "seen" if i < seen else "partly" if i < seen + partly else "not_yet"
        for i, key in enumerate(keys)
    }


def _review(
    *,
    school: School,
    lead: User,
    coach: User,
    day: dt.date,
    ratings: dict[str, str],
    notes: str,
    step: StepDraft | None,
) -> CoachingReview:
    shared = (
        FeedbackMeeting.objects.for_school(school)
        .filter(coach=coach, held_at__date__lt=day)
        .order_by("-held_at")
        .first()
    )
    with demo_clock(day, 12, 30):
        if shared is not None:
            walks.meeting_set_review_sharing(meeting=shared, by=coach, shared=True)
        review = walks.review_assign(school=school, by=lead, coach=coach, reviewer=lead)
        return walks.review_complete(
            review=review,
            by=lead,
            mode=CoachingReview.Mode.RECORD if shared else CoachingReview.Mode.LIVE,
            meeting=shared,
            ratings=ratings,
            notes=notes,
            held_on=day,
            step=step,
        )


def _load_reviews(ctx: DemoContext, day: dt.date) -> None:
    oak, elm = ctx.schools["oak"], ctx.schools["elm"]
    priya, rachel = ctx.people["oak-lead"], ctx.people["oak-coach2"]
    earlier = day - dt.timedelta(days=28)
    while earlier.weekday() >= 5:
        earlier -= dt.timedelta(days=1)
    _review(
        school=oak,
        lead=priya,
        coach=rachel,
        day=earlier,
        ratings=_ratings(seen=5, partly=3),
        notes="Your praise was precise and the step was one clear move. The rehearsal was a "
        "single run: try a second round with a change, such as a pupil interrupting.",
        step=StepDraft(
            title="Two rehearsal rounds, the second harder",
            criteria="At least two rounds in every meeting\n"
            "The second round adds a realistic complication\n"
            "Feedback after each round is one sentence",
        ),
    )
    _review(
        school=oak,
        lead=priya,
        coach=rachel,
        day=day,
        ratings=_ratings(seen=8, partly=2),
        notes="Two rounds every time now, and the second was the one that made it stick. Next "
        "time, let the teacher name the gap before you do.",
        step=None,
    )
    _review(
        school=elm,
        lead=ctx.people["elm-lead"],
        coach=ctx.people["elm-coach2"],
        day=day,
        ratings=_ratings(seen=6, partly=3),
        notes="A warm, focused meeting. The model was clear; book the next drop-in before you "
        "leave the room, so the step is looked for within the week.",
        step=StepDraft(
            title="Book the next drop-in in the meeting",
            criteria="A date and lesson agreed before the meeting ends\n"
            "The teacher knows what you'll look for",
        ),
    )
    with demo_clock(day, 13):
        walks.review_assign(  # arranged, not yet written
            school=oak, by=priya, coach=rachel, reviewer=ctx.people["oak-coach1"]
        )


def _load_thanks(ctx: DemoContext, day: dt.date) -> None:
    for n, (teacher_key, coach_key, message) in enumerate(THANKS):
        teacher, coach = ctx.people[teacher_key], ctx.people[coach_key]
        school = ctx.schools[teacher_key.split("-")[0]]
        pair = walks.current_coaches_of(school=school, teacher=teacher).filter(coach=coach).first()
        if pair is None:
            continue
        with demo_clock(day, 16, 5 * n):
            walks.thanks_send(relationship=pair, by=teacher, message=message)


def load(ctx: DemoContext) -> None:
    day = _walk_day(timezone.localdate())
    for key, school in ctx.schools.items():
        _load_walk(ctx, key, school, day)
    _load_reviews(ctx, day)
    _load_thanks(ctx, day)
