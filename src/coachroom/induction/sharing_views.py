"""The ECT's switch for sharing their mentoring records with their induction tutor."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from coachroom.accounts.access import member_required
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import DomainError
from coachroom.induction.access import own_induction
from coachroom.induction.sharing import mentoring_share


class ShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=[("yes", "Share"), ("no", "Stop sharing")], coerce=lambda v: v == "yes"
    )


@member_required()
@require_POST
def share_mentoring(request: MemberRequest) -> HttpResponse:
    """Only the ECT, for their own induction at their current school; anyone else finds
    nothing here."""
    induction = own_induction(request)
    if induction is None:
        raise Http404("No induction of yours here.")
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to share your mentoring records.")
        return redirect("induction:mine")
    shared = form.cleaned_data["shared"]
    try:
        mentoring_share(induction=induction, shared=shared, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("induction:mine")
    tutor = induction.tutor.full_name if induction.tutor else "your tutor"
    if shared:
        messages.success(request, f"{tutor} can now read your mentoring records.")
    else:
        messages.success(request, f"{tutor} can no longer read your mentoring records.")
    return redirect("induction:mine")
