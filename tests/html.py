"""Helpers for reading rendered pages the way a person reads them."""

from __future__ import annotations

import re

_TAG = re.compile(r"<[^>]*>")


def visible_text(html: str) -> str:
    """The page's words without tags or attribute values (CSRF tokens are random letters)."""
    return " ".join(_TAG.sub(" ", html).split())
