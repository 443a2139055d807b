"""The leaders' tools on the programme dashboard, each offered only to people who may open it.

Who may open a page is read from the page's own view: `member_required` records the roles
it checks as `required_roles`, so a link and the page it leads to can never disagree. A view
without that mark is open to every member of the school.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import resolve, reverse

from coachroom.accounts.models import Membership


@dataclass(frozen=True)
class Tool:
    label: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    tools: tuple[Tool, ...]


SECTIONS = (
    Section(
        "happening",
        "Is coaching happening?",
        (
            Tool("Completion", "reporting:completion"),
            Tool("Capacity planner", "reporting:capacity"),
            Tool("Coaching timetable", "scheduling:team-schedule"),
        ),
    ),
    Section(
        "practice",
        "Is practice changing?",
        (
            Tool("Whole-school priorities", "coaching:priority-list"),
            Tool("Steps by priority and strand", "coaching:priority-report"),
            Tool("Learning walks", "leading:walks"),
            Tool("What walks found, and did it stick?", "leading:walk-findings"),
            Tool("Insights: what works here?", "reporting:insights"),
        ),
    ),
    Section(
        "coaches",
        "Developing coaches",
        (
            Tool("Coaching-on-coaching reviews", "leading:reviews"),
            Tool("Quality signals", "leading:quality"),
            Tool("Recognition", "leading:recognition"),
        ),
    ),
    Section(
        "school",
        "People and school",
        (
            Tool("Staff", "accounts:staff-list"),
            Tool("Import staff", "imports:upload"),
            Tool("Staff provisioning (SCIM)", "provisioning:tokens"),
            Tool("Coaching pairs", "accounts:pair-list"),
            Tool("Early-career teachers", "induction:cohort"),
            Tool("School calendar", "accounts:year-list"),
            Tool("Settings", "accounts:school-settings"),
            Tool("Retention of coaching notes", "records:retention"),
            Tool("Exports and data", "records:index"),
            Tool("Audit log", "audit:log"),
        ),
    ),
)


def may_open(membership: Membership, url_name: str) -> bool:
    """Whether the page's own role check lets this membership in."""
    roles = getattr(resolve(reverse(url_name)).func, "required_roles", ())
    return not roles or any(membership.has_role(role) for role in roles)


def tools_for(membership: Membership) -> list[tuple[Section, list[Tool]]]:
    """Each section with the tools this person may open; sections left empty are dropped."""
    sections = [
        (section, [tool for tool in section.tools if may_open(membership, tool.url_name)])
        for section in SECTIONS
    ]
    return [(section, tools) for section, tools in sections if tools]
