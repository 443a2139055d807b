"""Demo library: the starter set, two of Elmwood's own steps and one Oakfield adaptation."""

from __future__ import annotations

from coachroom.core.demo import DemoContext
from coachroom.library.models import LibraryStep, Phase, Problem, Strand, SubStrand
from coachroom.library.services import library_step_copy, library_step_create
from coachroom.library.starter import load_starter_library


def _substrand(strand: Strand, slug: str) -> SubStrand:
    return SubStrand.objects.get(strand=strand, slug=slug)


def load(ctx: DemoContext) -> None:
    load_starter_library()
    problems = {p.slug: p for p in Problem.objects.all()}
    _add_elmwood_science_step(ctx, problems)
    _add_elmwood_history_step(ctx, problems)
    _add_oakfield_adaptation(ctx)


def _add_elmwood_science_step(ctx: DemoContext, problems: dict[str, Problem]) -> None:
    elm = ctx.schools["elm"]
    routines = Strand.objects.get(slug="culture-routines")
    library_step_create(
        school=elm,
        by=ctx.people["elm-lead"],
        strand=routines,
        substrand=_substrand(routines, "instructions"),
        title="Name the two biggest hazards before any kit comes out",
        looks_like="\n".join(
            [
                "Before equipment is collected, the teacher names the two main hazards of this "
                "practical and the one action that controls each, in under a minute.",
                "Two pupils picked without hands up restate a hazard and its control in their "
                "own words.",
                "Eye protection is on and bags are under benches before the first group is sent "
                "to collect kit.",
            ]
        ),
        why=(
            "Pupils remember a short, specific briefing far better than a long list, and "
            "checking two of them shows whether the class has heard it."
        ),
        drill=(
            "The teacher scripts the briefing for next week's practical. The coach times it, "
            "then plays a pupil who repeats the hazard but not the control. Three rounds; "
            "feedback covers keeping it under a minute and following up the half-answer."
        ),
        pitfalls="The briefing turns into a list of every rule in the lab, so nothing sticks.",
        phase=Phase.SECONDARY,
        subjects="Science",
        ittecf_sections="1, 4",
        problems=[problems["behaviour"]],
    )


def _add_elmwood_history_step(ctx: DemoContext, problems: dict[str, Problem]) -> None:
    elm = ctx.schools["elm"]
    questioning = Strand.objects.get(slug="thinking-questioning")
    library_step_create(
        school=elm,
        by=ctx.people["elm-lead"],
        strand=questioning,
        substrand=_substrand(questioning, "probing"),
        title="Question who made a source, when and why, before what it says",
        looks_like="\n".join(
            [
                "Before pupils read for content, the teacher asks who made the source, when and "
                "why, and pupils note those three points in the margin.",
                "Every pupil writes one sentence on how the source's origin might shape what it "
                "says before any discussion starts.",
                "At least two pupils use 'useful for' or 'reliable for' followed by a specific "
                "enquiry when they give their judgement.",
            ]
        ),
        why=(
            "Pupils who start with content tend to treat sources as facts; starting with origin "
            "makes them reason about the evidence, which is what the exam and the discipline ask."
        ),
        drill=(
            "The coach brings two short sources. The teacher asks the three origin questions of "
            "each while the coach answers, once vaguely and once with a date but no purpose. "
            "Feedback focuses on the follow-up that pins down purpose."
        ),
        pitfalls="The origin questions become a checklist that never feeds into the judgement.",
        phase=Phase.SECONDARY,
        subjects="History",
        ittecf_sections="3, 4",
        problems=[problems["thinking"], problems["curriculum"]],
    )


def _add_oakfield_adaptation(ctx: DemoContext) -> None:
    """Oakfield's own version of a starter step, hiding the original."""
    oak = ctx.schools["oak"]
    starter = LibraryStep.objects.starter().get(key="practise-daily-number-facts")
    library_step_copy(
        step=starter,
        school=oak,
        by=ctx.people["oak-lead"],
        hide_original=True,
        title="Five minutes of number bonds to 20 every morning in Year 2",
        looks_like="\n".join(
            [
                "Straight after the register, pupils answer number bonds to 20 on whiteboards "
                "for five minutes, with a tens frame on the board for the first three questions.",
                "The teacher mixes addition and missing-number questions and never asks the "
                "bonds in order.",
                "Bonds two or more pupils got wrong are written on a sticky note and asked "
                "again the next morning.",
            ]
        ),
        drill=(
            "The teacher plans ten questions. The coach answers, getting 7 + 6 and 20 − 8 "
            "wrong. Three rounds; feedback on pace and on bringing the two misses back within "
            "the same five minutes."
        ),
    )
