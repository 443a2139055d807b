"""`{% once_field %}`: the hidden one-off key of a create form (accounts/submissions.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from coachroom.accounts.submissions import ONCE_FIELD, new_key, posted_key

register = template.Library()


@register.simple_tag(takes_context=True)
def once_field(context: dict[str, Any]) -> SafeString:
    """A new key on a fresh form; the posted key when the form is shown again with errors, so
    sending the corrected form still counts as the same submission."""
    request = context.get("request")
    key = (posted_key(request) if request is not None and request.method == "POST" else "") or (
        new_key()
    )
    return format_html('<input type="hidden" name="{}" value="{}">', ONCE_FIELD, key)
