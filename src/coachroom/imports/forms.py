from __future__ import annotations

import uuid
import zipfile
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from coachroom.imports.common import megabytes
from coachroom.imports.models import ImportKind
from coachroom.imports.services import max_upload_bytes


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you uploading?",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of file you are uploading."},
    )
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.csv,.txt"}),
        error_messages={
            "required": "Choose a file to upload.",
            "empty": "The file is empty.",
        },
    )

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A one-off key: the same form submitted twice (a double tap) makes one upload.
        self.fields["submission"].initial = uuid.uuid4().hex
        limit = megabytes(max_upload_bytes())
        self.fields[
            "file"
        ].help_text = f"A .zip for OneRoster, a .csv for the staff list; up to {limit}."

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size is not None and upload.size > limit:
            size = megabytes(upload.size)
            if size == megabytes(limit):
                size = f"just over {size}"
            raise forms.ValidationError(
                f"The file is {size}; the largest file you can upload is "
                f"{megabytes(limit)}. For a bigger OneRoster export, leave out files Coachroom "
                "does not read (such as demographics.csv), or ask your Coachroom administrator "
                "to run the import from the terminal."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        kind = data.get("kind")
        if upload is None or not kind:
            return data
        is_zip = zipfile.is_zipfile(upload)
        upload.seek(0)
        if kind == ImportKind.ONEROSTER and not is_zip:
            self.add_error(
                "file",
                "This is not a zip file. Upload the zip of CSV files your MIS made for OneRoster "
                "1.1, without unzipping it.",
            )
        elif kind == ImportKind.STAFF and is_zip:
            self.add_error(
                "file", "This is a zip file. Choose “OneRoster”, or upload the staff CSV itself."
            )
        elif kind == ImportKind.STAFF and not (upload.name or "").lower().endswith(
            (".csv", ".txt")
        ):
            self.add_error(
                "file", "Upload the staff list as a .csv file (in Excel: Save as, CSV UTF-8)."
            )
        return data
