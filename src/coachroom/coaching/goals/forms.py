"""Forms for whole-school priorities, goals and goal readings.

The goal form helps write a PEERS goal (powerful, easy, emotionally compelling, reachable,
student-focused) with hints, never rules: a teacher-focused goal or one without a measure is
saved, with a gentle note. Text that may name a pupil gets a soft warning the writer can
confirm once ("save anyway"); readings are aggregates, never a pupil's result.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.goals.queries import name_like_phrases
from coachroom.coaching.models import ActionStep, StepState
from coachroom.library.models import LibraryStep, Priority, Problem, Strand
from coachroom.library.services import phases_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_SYMPTOMS = 6


class NameCheckMixin(forms.Form):
    """A soft warning for text that looks like it names someone; confirmed once, it saves."""

    names_checked = forms.BooleanField(required=False, widget=forms.HiddenInput)
    name_fields: tuple[str, ...] = ()

    def collect_name_warnings(self) -> list[str]:
        phrases: list[str] = []
        for name in self.name_fields:
            for phrase in name_like_phrases(str(self.cleaned_data.get(name) or "")):
                if phrase not in phrases:
                    phrases.append(phrase)
        return phrases

    @property
    def name_warnings(self) -> list[str]:
        return self.collect_name_warnings() if hasattr(self, "cleaned_data") else []

    def ask_about_names(self) -> bool:
        """True when the writer should look again first; the re-shown form then carries the
        confirmation, so pressing "save anyway" saves."""
        if not self.name_warnings or self.cleaned_data.get("names_checked"):
            return False
        data = cast(Any, self.data).copy()  # a QueryDict: keeps every value of a list field
        data["names_checked"] = "1"
        self.data = data
        return True


# Priorities --------------------------------------------------------------------------------------


class ProblemChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.steplab_label} (Kennedy: {obj.kennedy_label.lower()})"


class PriorityForm(forms.ModelForm):  # type: ignore[type-arg]
    problem = ProblemChoiceField(
        queryset=Problem.objects.none(),
        label="Persistent problem of practice",
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="Steplab's name, with Kennedy's (2016) in brackets.",
        error_messages={"required": "Choose the persistent problem this priority narrows."},
    )

    class Meta:
        model = Priority
        fields = ["academic_year", "title", "symptoms", "problem", "strands", "library_steps"]
        labels = {
            "academic_year": "Academic year",
            "title": "Priority",
            "symptoms": "What it looks like here",
            "strands": "Strands of the step library",
            "library_steps": "Library steps to start from",
        }
        help_texts = {
            "title": "A short name staff will recognise, for example “Pupils give up on "
            "tricky tasks”.",
            "symptoms": "The local symptoms staff gathered, one per line, for example "
            "“Pupils stop after the first hard question”. Up to six.",
            "strands": "Coaches are offered steps from these strands first.",
            "library_steps": "Steps you want coaches to consider first. Teachers may still "
            "choose any step: work outside the priorities is counted separately, not blocked.",
        }
        error_messages = {
            "title": {
                "required": "Name the priority.",
                "max_length": "Keep the name to 120 characters or fewer.",
            },
            "symptoms": {"required": "Describe at least one symptom staff see here."},
            "academic_year": {"required": "Choose the academic year."},
        }
        widgets = {
            "symptoms": forms.Textarea(attrs={"rows": 4}),
            "strands": forms.CheckboxSelectMultiple,
            "library_steps": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self, *args: Any, school: School, linked_steps: list[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        year: Any = self.fields["academic_year"]
        year.queryset = school.academic_years.order_by("-starts_on")
        year.empty_label = None
        cast(ProblemChoiceField, self.fields["problem"]).queryset = Problem.objects.order_by("pk")
        strands: Any = self.fields["strands"]
        strands.queryset = Strand.objects.order_by("order", "name")
        available = LibraryStep.objects.available_to(school).filter(phase__in=phases_for(school))
        steps_qs = LibraryStep.objects.filter(
            Q(pk__in=available.values("pk")) | Q(pk__in=linked_steps or [])
        ).select_related("strand")
        steps: Any = self.fields["library_steps"]
        steps.queryset = steps_qs
        # Grouped by strand, so a long list stays readable without JavaScript.
        ordered = list(steps_qs.order_by("strand__order", "title", "pk"))
        groups: dict[str, list[tuple[int, str]]] = {}
        for step in ordered:
            groups.setdefault(step.strand.name, []).append((step.pk, step.title))
        steps.choices = list(groups.items())

    def clean_title(self) -> str:
        title = " ".join(str(self.cleaned_data["title"]).split())
        if not title:
            raise forms.ValidationError("Name the priority.")
        return title

    def clean_symptoms(self) -> str:
        lines = [line.strip(" -•*–\t") for line in str(self.cleaned_data["symptoms"]).splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError("Describe at least one symptom staff see here.")
        if len(lines) > MAX_SYMPTOMS:
            raise forms.ValidationError(
                f"Keep it to {MAX_SYMPTOMS} symptoms or fewer (you have {len(lines)}): "
                "the sharper the symptom, the easier the coaching."
            )
        return "\n".join(lines)


# Goals -------------------------------------------------------------------------------------------


class StepChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_state_display().lower()})"


class GoalForm(NameCheckMixin, forms.ModelForm):  # type: ignore[type-arg]
    name_fields = ("statement", "measure", "method")

    steps = StepChoiceField(
        queryset=ActionStep.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Action steps that serve this goal",
        help_text="The small moves the teacher is practising to reach it.",
    )

    class Meta:
        model = Goal
        fields = [
            "focus",
            "statement",
            "phase",
            "priority",
            "measure",
            "unit",
            "baseline",
            "target",
            "method",
            "target_date",
            "steps",
        ]
        labels = {
            "focus": "Who the goal is about",
            "statement": "The goal",
            "phase": "Where you are in the Impact Cycle",
            "priority": "Whole-school priority it serves",
            "measure": "What is measured",
            "unit": "Unit",
            "method": "How it is measured",
            "target_date": "Target date",
        }
        help_texts = {
            "focus": "Goals about pupils show whether the change in teaching made a "
            "difference. A teacher-focused goal is fine to start with.",
            "statement": "Aim for PEERS: powerful (it would make a real difference), easy "
            "(simple to explain), emotionally compelling (it matters to the teacher), "
            "reachable (in weeks, with a clear finish) and student-focused. For example: "
            "“By February half-term, 80% of the class answer the hinge question correctly.”",
            "phase": "Identify: get a clear picture and set the goal. Learn: study and adapt "
            "a strategy. Improve: use it, read the measure and adjust until the goal is met.",
            "measure": "For the class or group, for example “share of pupils answering the "
            "hinge question correctly”. Never about a named pupil.",
            "baseline": "Where it stands now.",
            "target": "Where you want it to be.",
            "method": "For example “mini-whiteboards on the hinge question, tallied at the "
            "end of the lesson”.",
        }
        error_messages = {
            "statement": {"required": "Write the goal in a sentence."},
            "focus": {"required": "Say whether the goal is about pupils or the teacher."},
            "phase": {"required": "Choose where you are in the Impact Cycle."},
        }
        widgets = {
            "focus": forms.RadioSelect,
            "phase": forms.RadioSelect,
            "unit": forms.RadioSelect,
            "statement": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 2}),
            "target_date": DATE,
            "baseline": forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
            "target": forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
        }

    def __init__(
        self,
        *args: Any,
        relationship: CoachingRelationship,
        pair_steps: QuerySet[ActionStep],
        **kwargs: Any,
    ) -> None:
        """`pair_steps`: the pair's steps as the person filling the form may see them."""
        super().__init__(*args, **kwargs)
        current_priority = (self.initial or {}).get("priority")
        priorities = Priority.objects.for_school(relationship.school).filter(
            academic_year=relationship.academic_year_id, is_archived=False
        )
        if current_priority:
            priorities = priorities | Priority.objects.filter(pk=current_priority)
        priority: Any = self.fields["priority"]
        priority.queryset = priorities.order_by("created_at", "pk")
        priority.empty_label = "None of them"
        # Steps the pair moved on from are offered only if the goal already links them.
        linked = [getattr(s, "pk", s) for s in (self.initial or {}).get("steps") or []]
        ended = (StepState.SUPERSEDED, StepState.WITHDRAWN, StepState.ARCHIVED)
        steps = cast(StepChoiceField, self.fields["steps"])
        steps.queryset = pair_steps.filter(~Q(state__in=ended) | Q(pk__in=linked)).order_by(
            "-created_at", "-pk"
        )
        unit: Any = self.fields["unit"]
        unit.choices = [("", "No measure yet"), *Goal.Unit.choices]
        date = cast(forms.DateField, self.fields["target_date"])
        date.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        for name in ("baseline", "target"):
            self.fields[name].validators.append(_not_negative)
            value = self.initial.get(name)
            if isinstance(value, Decimal):  # 45.0 shows as 45
                self.initial[name] = f"{value.normalize():f}"

    def clean_statement(self) -> str:
        statement = " ".join(str(self.cleaned_data["statement"]).split())
        if not statement:
            raise forms.ValidationError("Write the goal in a sentence.")
        return statement

    def clean_measure(self) -> str:
        return " ".join(str(self.cleaned_data.get("measure") or "").split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        measure, unit = data.get("measure"), data.get("unit")
        baseline, target = data.get("baseline"), data.get("target")
        has_numbers = baseline is not None or target is not None
        if (unit or has_numbers or data.get("method")) and not measure:
            self.add_error("measure", "Say what is measured, or clear the measure's details.")
        if measure and not unit:
            self.add_error("unit", "Choose the unit the measure is counted in.")
        if unit == Goal.Unit.PERCENT:
            for name in ("baseline", "target"):
                value = data.get(name)
                if value is not None and value > 100:
                    self.add_error(name, "A percentage is between 0 and 100.")
        if baseline is not None and target is not None and baseline == target:
            self.add_error("target", "Set a target different from the baseline.")
        return data


def _not_negative(value: Decimal) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError("Enter zero or more.")


class ReadingForm(NameCheckMixin, forms.ModelForm):  # type: ignore[type-arg]
    name_fields = ("note",)

    class Meta:
        model = GoalReading
        fields = ["taken_on", "value", "note"]
        labels = {"taken_on": "Date", "value": "Value", "note": "Note"}
        help_texts = {
            "note": "For example “after the second drop-in”. About the class or group; "
            "never a pupil's name or result.",
        }
        error_messages = {
            "taken_on": {
                "required": "Enter the date of the reading.",
                "invalid": "Enter a real date, for example 3/11/2026.",
            },
            "value": {"required": "Enter the value you measured."},
        }
        widgets = {
            "taken_on": DATE,
            "value": forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
        }

    def __init__(self, *args: Any, goal: Goal, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"taken_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.goal = goal
        units: dict[str, str] = {
            Goal.Unit.PERCENT: "%",
            Goal.Unit.MINUTES: "minutes",
            Goal.Unit.COUNT: "a count",
        }
        unit = units.get(goal.unit, "")
        self.fields["value"].label = f"Value ({unit})" if unit else "Value"
        self.fields["value"].help_text = f"{goal.measure}, for the whole class or group."
        date = cast(forms.DateField, self.fields["taken_on"])
        date.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def clean_taken_on(self) -> dt.date:
        day = cast(dt.date, self.cleaned_data["taken_on"])
        if day > timezone.localdate():
            raise forms.ValidationError("The date can't be in the future.")
        return day

    def clean_value(self) -> Decimal:
        value = cast(Decimal, self.cleaned_data["value"])
        if value < 0:
            raise forms.ValidationError("Enter zero or more.")
        if self.goal.unit == Goal.Unit.PERCENT and value > 100:
            raise forms.ValidationError("A percentage is between 0 and 100.")
        return value

    def clean_note(self) -> str:
        return " ".join(str(self.cleaned_data.get("note") or "").split())
