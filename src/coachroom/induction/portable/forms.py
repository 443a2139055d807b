"""The upload of an earlier induction record, and the confirmation that attaches what the
preview showed.

Between the two steps nothing is stored: the preview carries the checked zip in a hidden field
and the confirmation checks it again in full, as if uploaded anew. So a file nobody confirms
leaves nothing behind, and nothing saved can have skipped the checks. (An induction record is
tens of kilobytes; the 4 MB cap keeps the hidden field well under DATA_UPLOAD_MAX_MEMORY_SIZE.)
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from coachroom.induction.portable.archive import MAX_UPLOAD_BYTES, Reading, read_archive


class UploadForm(forms.Form):
    file = forms.FileField(
        label="The induction record (.zip)",
        help_text="The zip the ECT's earlier school gave you (or the ECT downloaded from "
        "Coachroom there), as it came.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
        error_messages={"required": "Choose the zip to upload.", "empty": "The file is empty."},
    )

    reading: Reading

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # Read one byte past the cap: a larger file is refused without being read whole.
        self.reading = read_archive(upload.read(MAX_UPLOAD_BYTES + 1))
        if not self.reading.ok:
            raise forms.ValidationError(list(self.reading.problems))
        return upload

    def confirmation(self) -> ConfirmForm:
        """The form that attaches this file, for the preview."""
        content = self.cleaned_data["file"]
        content.seek(0)
        return ConfirmForm(
            initial={
                "record": base64.b64encode(content.read()).decode("ascii"),
                "sha256": self.reading.sha256,
            }
        )


class ConfirmForm(forms.Form):
    record = forms.CharField(widget=forms.HiddenInput, max_length=MAX_UPLOAD_BYTES * 4 // 3 + 4)
    sha256 = forms.CharField(widget=forms.HiddenInput, min_length=64, max_length=64)

    reading: Reading

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "record" not in data or "sha256" not in data:
            raise forms.ValidationError("The preview was incomplete: upload the file again.")
        try:
            content = base64.b64decode(data["record"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise forms.ValidationError("The preview was damaged: upload the file again.") from (
                error
            )
        self.reading = read_archive(content)
        if not self.reading.ok:
            raise forms.ValidationError(list(self.reading.problems))
        if self.reading.sha256 != data["sha256"]:
            raise forms.ValidationError("The file is not the one previewed: upload it again.")
        return data
