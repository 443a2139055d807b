"""How the subject-access sections write values: dates in ISO form (school time), people by
name, and the school a DPO's export is limited to (None: every school, for one's own data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from coachroom.accounts.models import School, User


def when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def name_of(user: User | None) -> str | None:
    return user.full_name if user is not None else None


def scoped(qs: QuerySet[Any], school: School | None) -> QuerySet[Any]:
    return qs.filter(school=school) if school is not None else qs
