"""The token owner's own coaching timeline, as their timeline page shows it
(`coaching.timeline.timeline_for`, through the privacy gate): drop-ins, meetings and step
changes, newest first, one academic year of one school at a time. Only their own: the timeline
of anyone else is not in the API. Every read is audited."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError

from coachroom import audit
from coachroom.accounts.models import AcademicYear, School, User
from coachroom.coaching.timeline import MOST, Entry, choose_year, timeline_for, year_window
from coachroom.integrations.reporting_api.access import Access
from coachroom.integrations.reporting_api.paging import Paging, next_url


def _school(access: Access, urn: str | None) -> School:
    """The school asked for, or the first of the person's schools (by name)."""
    if urn:
        return access.school(urn)
    if not access.schools:
        raise HttpError(404, "You have no school in Coachroom.")
    return access.schools[0]


def _year(school: School, start_year: int | None) -> tuple[AcademicYear | None, list[AcademicYear]]:
    year, years = choose_year(school, None)
    if start_year is None:
        return year, years
    for candidate in years:
        if candidate.starts_on.year == start_year:
            return candidate, years
    raise HttpError(404, "No such academic year at this school.")


def own_timeline(
    request: HttpRequest, access: Access, *, urn: str | None, year: int | None, paging: Paging
) -> dict[str, Any]:
    person = access.person
    if person is None:
        raise HttpError(403, "A trust token reads no one's coaching record.")
    school = _school(access, urn)
    chosen, years = _year(school, year)
    # The timeline reads back at most MOST entries (as the page does): past that, nothing.
    end = min(paging.offset + paging.limit, MOST)
    shown = timeline_for(
        viewer=person,
        teacher=person,
        school=school,
        window=year_window(chosen, years),
        shown=max(end, 1),
    )
    items = [_entry(request, entry) for entry in shown.entries[paging.offset : end]]
    _audit(person, school, access, len(items))
    return {
        "count": None,
        "limit": paging.limit,
        "offset": paging.offset,
        "next": next_url(request, paging) if shown.has_earlier and end < MOST else None,
        "school_urn": school.urn,
        "school_name": school.name,
        "academic_year": chosen.name if chosen else None,
        "current_steps": [
            {
                "title": step.title,
                "state": step.state,
                "stuck": step.stuck,
                "url": request.build_absolute_uri(step.url),
            }
            for step in shown.current_steps
        ],
        "items": items,
    }


def _entry(request: HttpRequest, entry: Entry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "id": entry.pk,
        "at": timezone.localtime(entry.at),  # as the page shows it: UK time, with its offset
        "url": request.build_absolute_uri(entry.url),
        "who": entry.who,
        "is_draft": entry.is_draft,
        "evidence": list(entry.evidence),
        "rehearsal_rounds": entry.rounds,
        "awaits_reflection": entry.awaits_reflection,
        "step_title": entry.step_title,
        "change": entry.change,
    }


def _audit(person: User, school: School, access: Access, entries: int) -> None:
    """Recorded even though the reader is the person it is about: a token reads without
    signing in, so the school's audit log shows each read by it."""
    audit.record(
        actor=person,
        action="api.timeline.exported",
        school=school,
        subject=person,
        target=access.token,
        data={"entries": entries},
    )
