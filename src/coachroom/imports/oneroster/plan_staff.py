"""Planning staff: who is already here, who is new, and who has left."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from coachroom.accounts.models import CoachingRelationship, Membership, User
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
from coachroom.imports.oneroster.teaching import join_key_stages, join_subjects


def plan_staff(roster: Roster, plan: Plan, problems: Problems, actor: User | None) -> None:
    schools = {sid: sp.school for sid, sp in plan.schools.items()}
    existing_schools = [s for s in schools.values() if s is not None]
    names = {
        sid: (sp.school.name if sp.school else sp.org.name) for sid, sp in plan.schools.items()
    }
    many = len(plan.schools) > 1
    memberships = list(
        Membership.objects.filter(school__in=existing_schools).select_related("user", "school")
    )
    by_user_school = {(m.user_id, m.school_id): m for m in memberships}
    by_source: dict[str, User] = {}
    for m in memberships:
        if m.source_id:
            by_source.setdefault(m.source_id, m.user)
    enabled = [p for p in roster.people.values() if p.enabled and p.schools]
    users_by_email: dict[str, User] = {}
    for batch in chunked([p.email for p in enabled]):
        users_by_email.update({u.email: u for u in User.objects.filter(email__in=batch)})
    leavers = set(
        SourceRecord.objects.filter(
            school__in=existing_schools, kind=SourceRecord.Kind.LEAVER
        ).values_list("school_id", "object_id")
    )
    kept: set[int] = set()
    claimed: dict[int, Person] = {}
    for person in enabled:
        by_sid = by_source.get(person.sid)
        by_email = users_by_email.get(person.email)
        if by_sid and by_email and by_sid.pk != by_email.pk:
            problems.add(
                "users.csv",
                person.line,
                "email",
                f"The email {person.email} already belongs to another person in Coachroom "
                f"({by_email.full_name}).",
            )
            continue
        user = by_sid or by_email
        if user is not None and user.pk in claimed:
            problems.add(
                "users.csv",
                person.line,
                "email",
                f"This row and line {claimed[user.pk].line} are both {user.full_name} "
                f"({user.email}) in Coachroom.",
            )
            continue
        if user is not None:
            claimed[user.pk] = person
        pp = PersonPlan(person, user)
        if user is not None:
            wanted: dict[str, Any] = {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
            }
            if not user.source_id:
                wanted["source_id"] = person.sid
            pp.fields = diff(user, wanted)
        plan.people.append(pp)
        for school_sid in person.schools:
            school = schools[school_sid]
            label = f"{person.first_name} {person.last_name} <{person.email}>"
            if many:
                label += f" at {names[school_sid]}"
            teaching = person.teaching.get(school_sid)
            membership = by_user_school.get((user.pk, school.pk)) if user and school else None
            if membership is None:
                mp = MembershipPlan(pp, school_sid, None, _new_membership_fields(person, teaching))
                plan.memberships.append(mp)
                plan.changes.append(Change("create", "staff", label, _new_detail(mp.fields)))
                continue
            kept.add(membership.pk)
            mp = MembershipPlan(pp, school_sid, membership)
            wanted = {"source_id": person.sid}
            wanted["is_teacher" if person.role == "teacher" else "is_school_admin"] = True
            if teaching is not None:
                wanted["subjects"] = join_subjects(teaching.subjects)
                wanted["key_stages"] = join_key_stages(teaching.key_stages)
            mp.fields = diff(membership, wanted)
            if not membership.is_active:
                if (membership.school_id, membership.pk) in leavers:
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
    for m in memberships:
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
    return fields


def _new_detail(fields: dict[str, Any]) -> str:
    parts = ["school admin" if fields["is_school_admin"] else "teacher"]
    if fields.get("subjects"):
        parts.append(fields["subjects"])
    if fields.get("key_stages"):
        parts.append(fields["key_stages"])
    return "; ".join(parts)
