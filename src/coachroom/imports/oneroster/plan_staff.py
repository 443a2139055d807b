"""Planning staff: who is already here, who is new, and who has left.

People are matched only among the staff of the schools being imported (accounts.identity):
by the sourcedId on *that school's* membership, then by email among that school's staff. An
email that belongs to any other account is a problem, never a match. A person found at one
school of a trust-wide import may be placed at another school of the same trust; never of
another trust, and never someone with powers beyond a school. Their name and email change
only where `may_change_identity` allows; otherwise a note says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from coachroom.accounts.identity import (
    IDENTITY_LOCKED,
    OUTSIDE_SCHOOL,
    has_wider_powers,
    may_change_identity,
    school_staff_by_email,
)
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.imports.common import Change, Problems, chunked
from coachroom.imports.models import SourceRecord
from coachroom.imports.oneroster.plan_types import (
    MembershipPlan,
    PersonPlan,
    Plan,
    diff,
    fields_text,
)
from coachroom.imports.oneroster.roster import Person, Roster, Teaching
from coachroom.imports.oneroster.teaching import (
    join_key_stages,
    join_subjects,
    phase_from_key_stages,
)

FILE = "users.csv"


@dataclass
class Here:
    """What Coachroom already holds for the schools being imported."""

    schools: dict[str, School | None]  # by the file's school sourcedId; None: new
    names: dict[str, str]
    trusts: dict[str, int | None]  # the Coachroom trust each school is (or will be) in
    memberships: list[Membership]
    by_user_school: dict[tuple[int, int], Membership] = field(default_factory=dict)
    by_source: dict[tuple[int, str], Membership] = field(default_factory=dict)
    staff: dict[int, dict[str, User]] = field(default_factory=dict)  # school pk → email → user
    taken: set[str] = field(default_factory=set)  # every email that has an account
    leavers: set[tuple[int, int]] = field(default_factory=set)


def _here(roster: Roster, plan: Plan, enabled: list[Person]) -> Here:
    existing = [sp.school for sp in plan.schools.values() if sp.school is not None]
    here = Here(
        schools={sid: sp.school for sid, sp in plan.schools.items()},
        names={sid: (sp.school or sp.org).name for sid, sp in plan.schools.items()},
        trusts={
            sid: sp.school.trust_id
            if sp.school
            else (sp.trust.trust.pk if sp.trust and sp.trust.trust else None)
            for sid, sp in plan.schools.items()
        },
        memberships=list(
            Membership.objects.filter(school__in=existing).select_related("user", "school")
        ),
    )
    for m in here.memberships:
        here.by_user_school[(m.user_id, m.school_id)] = m
        if m.source_id:
            here.by_source.setdefault((m.school_id, m.source_id), m)
    emails = [p.email for p in enabled]
    for school in existing:
        here.staff[school.pk] = school_staff_by_email(school, emails)
    for batch in chunked(emails):
        here.taken.update(User.objects.filter(email__in=batch).values_list("email", flat=True))
    here.leavers = set(
        SourceRecord.objects.filter(school__in=existing, kind=SourceRecord.Kind.LEAVER).values_list(
            "school_id", "object_id"
        )
    )
    return here


def plan_staff(roster: Roster, plan: Plan, problems: Problems, actor: User | None) -> None:
    enabled = [p for p in roster.people.values() if p.enabled and p.schools]
    here = _here(roster, plan, enabled)
    kept: set[int] = set()
    claimed: dict[int, Person] = {}
    for person in enabled:
        matched, user = _match(person, here, problems)
        if not matched:
            continue
        if user is not None and user.pk in claimed:
            problems.add(
                FILE,
                person.line,
                "email",
                f"This row and line {claimed[user.pk].line} are both {user.full_name} "
                f"({user.email}) in Coachroom.",
            )
            continue
        if user is not None:
            claimed[user.pk] = person
            if not _may_link(person, user, here, problems):
                continue
        pp = PersonPlan(person, user)
        if user is not None:
            pp.fields = _identity_fields(person, user, here, actor, plan)
        plan.people.append(pp)
        for school_sid in person.schools:
            _plan_membership(pp, school_sid, here, plan, kept)
    _plan_leavers(here, plan, kept, actor)


def _match(person: Person, here: Here, problems: Problems) -> tuple[bool, User | None]:
    """The person's account among the staff of their schools here: (False, None) with a
    problem, else (True, the account or None for someone new)."""
    found: dict[int, User] = {}
    for school_sid in person.schools:
        school = here.schools[school_sid]
        if school is None:
            continue
        by_sid = here.by_source.get((school.pk, person.sid))
        by_email = here.staff[school.pk].get(person.email)
        if by_sid and by_email and by_sid.user_id != by_email.pk:
            problems.add(
                FILE,
                person.line,
                "email",
                f"The email {person.email} already belongs to another person at {school.name} "
                f"({by_email.full_name}).",
            )
            return False, None
        user = by_sid.user if by_sid else by_email
        if user is not None:
            found[user.pk] = user
    if len(found) > 1:
        names = " and ".join(sorted(u.full_name for u in found.values()))
        problems.add(
            FILE,
            person.line,
            "sourcedId",
            f"This row is {names} at different schools in Coachroom. Correct it in the MIS.",
        )
        return False, None
    user = next(iter(found.values()), None)
    if person.email in here.taken and (user is None or user.email != person.email):
        # The email is an account outside these schools' staff: never matched, never taken.
        name = here.names[person.schools[0]]
        problems.add(FILE, person.line, "email", OUTSIDE_SCHOOL.format(school=name))
        return False, None
    return True, user


def _is_member(user: User, here: Here, school_sid: str) -> bool:
    school = here.schools[school_sid]
    return school is not None and (user.pk, school.pk) in here.by_user_school


def _may_link(person: Person, user: User, here: Here, problems: Problems) -> bool:
    """A person found at one school of a trust-wide import, listed at another where they are
    not yet: placed there only within the same trust, and never someone with wider powers."""
    missing = [sid for sid in person.schools if not _is_member(user, here, sid)]
    if not missing:
        return True
    trusts = set(
        Membership.objects.filter(user=user).values_list("school__trust_id", flat=True)
    ) | {here.trusts[sid] for sid in missing}
    wider = has_wider_powers(user)
    if len(trusts) == 1 and None not in trusts and not wider:
        return True
    school = here.names[missing[0]]
    problems.add(FILE, person.line, "email", OUTSIDE_SCHOOL.format(school=school))
    return False


def _identity_fields(
    person: Person, user: User, here: Here, actor: User | None, plan: Plan
) -> dict[str, Any]:
    """The name and email changes to make: none, with a note, where the import may not."""
    wanted = {"first_name": person.first_name, "last_name": person.last_name}
    wanted["email"] = person.email
    fields = diff(user, wanted)
    if not fields:
        return fields
    # _match found the user at one (at least) of these schools
    school = next(
        s for sid in person.schools if _is_member(user, here, sid) and (s := here.schools[sid])
    )
    if may_change_identity(actor, user, school=school):
        return fields
    plan.notes.append(
        f"{user.full_name} <{user.email}>: the export has a different "
        f"{fields_text(fields).removesuffix(' changed')}, left as it is. {IDENTITY_LOCKED}"
    )
    return {}


def _plan_membership(
    pp: PersonPlan, school_sid: str, here: Here, plan: Plan, kept: set[int]
) -> None:
    person, user = pp.person, pp.user
    school = here.schools[school_sid]
    label = f"{person.first_name} {person.last_name} <{person.email}>"
    if len(here.schools) > 1:
        label += f" at {here.names[school_sid]}"
    teaching = person.teaching.get(school_sid)
    membership = here.by_user_school.get((user.pk, school.pk)) if user and school else None
    if membership is None:
        mp = MembershipPlan(pp, school_sid, None, _new_membership_fields(person, teaching))
        plan.memberships.append(mp)
        plan.changes.append(Change("create", "staff", label, _new_detail(mp.fields)))
        return
    kept.add(membership.pk)
    mp = MembershipPlan(pp, school_sid, membership)
    wanted: dict[str, Any] = {"source_id": person.sid}
    wanted["is_teacher" if person.role == "teacher" else "is_school_admin"] = True
    if teaching is not None:
        wanted["subjects"] = join_subjects(teaching.subjects)
        wanted["key_stages"] = join_key_stages(teaching.key_stages)
        if phase := phase_from_key_stages(teaching.key_stages):  # else keep what was set
            wanted["phase"] = phase
    mp.fields = diff(membership, wanted)
    if not membership.is_active:
        if (membership.school_id, membership.pk) in here.leavers:
            mp.reactivate = True
        else:
            plan.notes.append(
                f"{person.first_name} {person.last_name} is in the export but was "
                f"deactivated by hand at {membership.school.name}; reactivate them on "
                "the staff page if they are back."
            )
    plan.memberships.append(mp)
    if mp.fields or pp.fields or mp.reactivate:
        parts = [fields_text({**pp.fields, **mp.fields})] if mp.fields or pp.fields else []
        if mp.reactivate:
            parts.append("reactivated: back in the export")
        plan.changes.append(Change("update", "staff", label, "; ".join(parts)))


def _plan_leavers(here: Here, plan: Plan, kept: set[int], actor: User | None) -> None:
    many = len(here.schools) > 1
    for m in here.memberships:
        if not m.is_active or not m.source_id or m.pk in kept:
            continue
        if actor is not None and m.user_id == actor.pk:
            plan.notes.append(
                f"You are not in this export, so you would have left {m.school.name}; "
                "you have been kept. Another school admin can deactivate you."
            )
            continue
        pairs = (
            CoachingRelationship.objects.current()
            .filter(school=m.school)
            .filter(Q(coach=m.user) | Q(coachee=m.user))
            .count()
        )
        label = f"{m.user.full_name} <{m.user.email}>" + (f" at {m.school.name}" if many else "")
        detail = "not in the export"
        if pairs:
            detail += f"; {pairs} coaching {'pair ends' if pairs == 1 else 'pairs end'}"
        plan.deactivate.append(m)
        plan.changes.append(Change("deactivate", "staff", label, detail + "; history kept"))


def _new_membership_fields(person: Person, teaching: Teaching | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "is_teacher": person.role == "teacher",
        "is_school_admin": person.role == "administrator",
        "source_id": person.sid,
    }
    if teaching is not None:
        fields["subjects"] = join_subjects(teaching.subjects)
        fields["key_stages"] = join_key_stages(teaching.key_stages)
        fields["phase"] = phase_from_key_stages(teaching.key_stages)
    return fields


def _new_detail(fields: dict[str, Any]) -> str:
    parts = ["school admin" if fields["is_school_admin"] else "teacher"]
    if fields.get("subjects"):
        parts.append(fields["subjects"])
    if fields.get("key_stages"):
        parts.append(fields["key_stages"])
    return "; ".join(parts)
