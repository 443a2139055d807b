"""Forms for lesson video: every input, the upload's and the player's, goes through one."""

from __future__ import annotations

import re
import uuid
from typing import Any, cast

from django import forms

from coachroom.accounts.models import Membership, School, User
from coachroom.coaching.models import ActionStep
from coachroom.induction.models import Section
from coachroom.video.models import UploadConsent, VideoSettings

ME = "me"
_TIME = re.compile(r"^\s*(?:(\d{1,3}):)?(\d{1,5})(?:\.\d+)?\s*$")


def new_key() -> str:
    return uuid.uuid4().hex


class UploadForm(forms.Form):
    title = forms.CharField(
        label="What is the clip of?",
        max_length=120,
        help_text="For example: Year 8 science, starting the practical. No pupils' names.",
    )
    owner = forms.ChoiceField(label="Whose lesson is it?", choices=[])
    file = forms.FileField(
        label="Video file",
        error_messages={"required": "Choose a video file."},
        help_text="From your phone's camera or a laptop.",
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
    )
    confirm_protocol = forms.BooleanField(
        label="I confirm that no pupil whose family has not consented to filming is in this clip."
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    # Sent by the chunked uploader instead of the file itself.
    size = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, consents: list[UploadConsent], chunked: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The chunked uploader sends the file's size here and the file itself afterwards.
        self.fields["file"].required = not chunked
        self.fields["size"].required = chunked
        self.consents = {str(c.teacher_id): c for c in consents}
        choices = [(ME, "My own lesson")]
        choices += [(key, c.teacher.full_name) for key, c in self.consents.items()]
        cast(forms.ChoiceField, self.fields["owner"]).choices = choices
        if len(choices) == 1:
            self.fields["owner"].widget = forms.HiddenInput()
        self.fields["owner"].initial = ME
        self.fields["key"].initial = new_key()

    def clean_key(self) -> str:
        key = str(self.cleaned_data["key"])
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise forms.ValidationError("Reload the page and try again.")
        return key

    def consent(self) -> UploadConsent | None:
        return self.consents.get(self.cleaned_data["owner"])


def parse_time(value: str) -> int | None:
    """'1:05', '65' or '65.4' → 65 seconds; None when it is not a time."""
    found = _TIME.match(value or "")
    if found is None:
        return None
    minutes, seconds = found.groups()
    return int(minutes or 0) * 60 + int(seconds)


class CommentForm(forms.Form):
    at = forms.CharField(
        label="Time in the clip",
        max_length=10,
        help_text="Minutes and seconds, for example 1:05.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label="Comment", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    tag = forms.ChoiceField(label="About a step or ITTECF section", required=False, choices=[])
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, steps: list[ActionStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = {str(s.pk): s for s in steps}
        choices: list[tuple[str, Any]] = [("", "Nothing in particular")]
        if steps:
            choices.append(("Step", [(f"step:{pk}", s.title) for pk, s in self.steps.items()]))
        choices.append(
            ("ITTECF section", [(f"section:{n}", f"{n}. {label}") for n, label in Section.choices])
        )
        cast(forms.ChoiceField, self.fields["tag"]).choices = choices
        self.fields["key"].initial = new_key()

    def clean_at(self) -> int:
        seconds = parse_time(self.cleaned_data["at"])
        if seconds is None:
            raise forms.ValidationError("Enter a time such as 1:05.")
        return seconds

    def tagged(self) -> dict[str, Any]:
        kind, _, value = str(self.cleaned_data.get("tag") or "").partition(":")
        if kind == "step":
            return {"step": self.steps[value]}
        if kind == "section":
            return {"framework_section": int(value)}
        return {}


class ColleagueForm(forms.Form):
    colleague = forms.ModelChoiceField(
        label="Share with a colleague", queryset=User.objects.none(), empty_label="Choose…"
    )

    def __init__(self, *args: Any, school: School, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.active().for_school(school).exclude(user=owner)
        field = cast(forms.ModelChoiceField, self.fields["colleague"])  # type: ignore[type-arg]
        field.queryset = User.objects.filter(pk__in=members.values("user")).order_by(
            "last_name", "first_name", "pk"
        )
        field.label_from_instance = lambda user: user.full_name  # type: ignore[method-assign,assignment]


class YesNoForm(forms.Form):
    """One on/off choice posted by a button (share with my coach, keep this clip)."""

    on = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes")


class ConsentForm(forms.Form):
    pair = forms.IntegerField(min_value=1)
    on = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes")


class VideoSettingsForm(forms.ModelForm[VideoSettings]):
    class Meta:
        model = VideoSettings
        fields = ["filming_protocol", "max_size_mb", "max_minutes", "keep_days"]
        widgets = {"filming_protocol": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "keep_days": "For clips uploaded from now on; each clip's date is set when it arrives."
        }
