from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.validators import URLValidator

from coachroom.core.widgets import QuickSelect
from coachroom.library.models import LibraryStep, Phase, Problem, Strand, SubStrand
from coachroom.library.starter import join_list

MIN_CRITERIA, MAX_CRITERIA = 2, 4
BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
# The eight ITTECF (2024) sections, which follow the Teachers' Standards.
ITTECF_SECTIONS = {
    1: "High expectations",
    2: "How pupils learn",
    3: "Subject and curriculum",
    4: "Classroom practice",
    5: "Adaptive teaching",
    6: "Assessment",
    7: "Managing behaviour",
    8: "Professional behaviours",
}


class SearchInput(forms.TextInput):
    input_type = "search"


class ProblemChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.steplab_label} (Kennedy: {obj.kennedy_label.lower()})"


class LibraryStepForm(forms.ModelForm):  # type: ignore[type-arg]
    """Add, copy or edit a school's step. Shared steps are never edited through this form."""

    problems = ProblemChoiceField(
        queryset=Problem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Persistent problems it helps with",
        help_text="Labelled as Steplab does, with Kennedy's (2016) name in brackets.",
    )

    video_url = forms.URLField(
        label="Link to a model video",
        required=False,
        assume_scheme="https",
        help_text="For example a clip on your school's video platform. Never pupils' names.",
        error_messages={
            "invalid": "Enter the full web address of the video, starting with https://"
        },
    )

    class Meta:
        model = LibraryStep
        fields = [
            "title",
            "strand",
            "substrand",
            "looks_like",
            "why",
            "drill",
            "pitfalls",
            "model_text",
            "video_url",
            "phase",
            "subjects",
            "problems",
            "ittecf_sections",
        ]
        labels = {
            "title": "Title",
            "substrand": "Sub-strand",
            "looks_like": "What it looks like done well",
            "model_text": "Model",
            "phase": "Phase",
            "ittecf_sections": "ITTECF sections",
        }
        help_texts = {
            "title": "One observable teacher action, in 120 characters or fewer.",
            "looks_like": (
                "Two to four success criteria a coach could see in the room, one per line."
            ),
            "why": "A sentence or two a teacher would find convincing.",
            "drill": "How the teacher rehearses it with their coach, round by round.",
            "pitfalls": "What usually goes wrong when teachers first try it.",
            "model_text": "A short script or description of the step done well.",
            "subjects": "Leave blank if it suits any subject. Separate subjects with commas.",
            "ittecf_sections": "Section numbers from 1 to 8, separated by commas, e.g. 2, 4.",
        }
        error_messages = {
            "title": {
                "required": "Enter a title for the step.",
                "max_length": "The title must be 120 characters or fewer.",
            },
            "strand": {"required": "Choose the strand this step belongs to."},
            "looks_like": {"required": "Describe what the step looks like done well."},
            "phase": {"required": "Choose a phase."},
        }
        widgets = {
            "looks_like": forms.Textarea(attrs={"rows": 5}),
            "why": forms.Textarea(attrs={"rows": 3}),
            "drill": forms.Textarea(attrs={"rows": 4}),
            "pitfalls": forms.Textarea(attrs={"rows": 3}),
            "model_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        strands = list(Strand.objects.order_by("order", "name"))
        substrands = list(SubStrand.objects.order_by("strand__order", "order", "name"))
        strand_field: Any = self.fields["strand"]
        strand_field.queryset = Strand.objects.order_by("order", "name")
        strand_field.choices = [("", "Choose a strand"), *((s.pk, s.name) for s in strands)]
        substrand_field: Any = self.fields["substrand"]
        substrand_field.queryset = SubStrand.objects.all()
        # Grouped by strand, so the choice makes sense without JavaScript.
        substrand_field.choices = [
            ("", "None"),
            *(
                (strand.name, [(ss.pk, ss.name) for ss in substrands if ss.strand_id == strand.pk])
                for strand in strands
            ),
        ]
        substrand_field.help_text = "Choose one from the strand above, or leave it as none."
        problems_field: Any = self.fields["problems"]
        problems_field.queryset = Problem.objects.order_by("pk")
        cast(forms.ChoiceField, self.fields["phase"]).choices = Phase.choices

    def clean_title(self) -> str:
        title: str = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Enter a title for the step.")
        return title

    def clean_looks_like(self) -> str:
        lines = self.cleaned_data["looks_like"].split("\n")
        criteria = [BULLET.sub("", line).strip() for line in lines if line.strip()]
        criteria = [line for line in criteria if line]
        if len(criteria) < MIN_CRITERIA:
            raise forms.ValidationError(
                "Write at least two success criteria under “what it looks like”, one per line."
            )
        if len(criteria) > MAX_CRITERIA:
            raise forms.ValidationError(
                f"Write no more than four success criteria (you have {len(criteria)}). "
                "If it needs more, it may be two steps."
            )
        return "\n".join(criteria)

    def clean_video_url(self) -> str:
        url: str = self.cleaned_data["video_url"].strip()
        if url:
            URLValidator(
                schemes=["https", "http"],
                message="Enter the full web address of the video, starting with https://",
            )(url)
        return url

    def clean_subjects(self) -> str:
        subjects: str = self.cleaned_data["subjects"]
        return join_list([s.strip() for s in subjects.split(",")])

    def clean_ittecf_sections(self) -> str:
        raw: str = self.cleaned_data["ittecf_sections"]
        parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        numbers: list[int] = []
        for part in parts:
            if not part.isdigit() or int(part) not in ITTECF_SECTIONS:
                raise forms.ValidationError(
                    "Enter ITTECF section numbers from 1 to 8, separated by commas."
                )
            if int(part) not in numbers:
                numbers.append(int(part))
        return join_list(sorted(numbers))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        strand, substrand = data.get("strand"), data.get("substrand")
        if strand and substrand and substrand.strand_id != strand.pk:
            self.add_error(
                "substrand",
                f"“{substrand.name}” is not part of {strand.name}. "
                "Choose a sub-strand from that strand, or none.",
            )
        return data


class CopyStepForm(LibraryStepForm):
    """A copy may also hide its shared original from the school, so coaches see one version."""

    hide_original = forms.BooleanField(
        label="Hide the original from our school's library",
        required=False,
        initial=True,
        help_text="Coaches then see only your version. You can show the original again later.",
    )

    def __init__(self, *args: Any, can_hide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_hide:
            del self.fields["hide_original"]


class LibrarySearchForm(forms.Form):
    """The list page's search box and filters. Every choice comes from the database, so a
    stale or hand-typed value simply makes the form invalid and the filter is ignored."""

    OWNER_CHOICES = [("", "All steps"), ("ours", "Our school's steps"), ("starter", "Starter")]
    STATUS_CHOICES = [("", "In use"), ("archived", "Archived or hidden")]
    PHASE_CHOICES = [("", "Any phase"), (Phase.PRIMARY, "Primary"), (Phase.SECONDARY, "Secondary")]

    q = forms.CharField(
        label="Search titles and what it looks like",
        required=False,
        max_length=100,
        widget=SearchInput,
    )
    # QuickSelect: the same markup as forms.Select, without a template per option.
    strand = forms.ChoiceField(required=False, widget=QuickSelect)
    # Primary or secondary includes the steps written for all phases.
    phase = forms.ChoiceField(
        label="Phase", choices=PHASE_CHOICES, required=False, widget=QuickSelect
    )
    subject = forms.ChoiceField(required=False, widget=QuickSelect)
    problem = forms.ChoiceField(label="Persistent problem", required=False, widget=QuickSelect)
    owner = forms.ChoiceField(
        label="Library", choices=OWNER_CHOICES, required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label="Status", choices=STATUS_CHOICES, required=False, widget=QuickSelect
    )

    def __init__(
        self,
        *args: Any,
        strands: list[Strand],
        problems: list[Problem],
        subjects: list[str],
        can_see_archived: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choice: dict[str, forms.ChoiceField] = {
            name: cast(forms.ChoiceField, self.fields[name])
            for name in ("strand", "problem", "subject")
        }
        choice["strand"].choices = [("", "Any strand"), *((s.slug, s.name) for s in strands)]
        choice["problem"].choices = [
            ("", "Any problem"),
            *((p.slug, f"{p.steplab_label} ({p.kennedy_label.lower()})") for p in problems),
        ]
        choice["subject"].choices = [("", "Any subject"), *((s, s) for s in subjects)]
        if not can_see_archived:
            del self.fields["status"]
