"""Step 3: write the plan. The caller holds the transaction and records the audit entry."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    School,
    Term,
    Trust,
    User,
)
from coachroom.imports.models import SourceRecord
from coachroom.imports.oneroster.plan_types import Plan, YearPlan
from coachroom.imports.oneroster.teaching import guess_phase


def apply_plan(plan: Plan) -> list[School]:
    """Make the planned changes (the caller holds the transaction); return the schools."""
    for tp in plan.trusts:
        if tp.trust is None:
            tp.trust = Trust.objects.create(
                name=tp.name[:200], source_id=tp.org.sid if tp.org else ""
            )
        elif tp.fields:
            for name, value in tp.fields.items():
                setattr(tp.trust, name, value)
            tp.trust.save(update_fields=list(tp.fields))
    schools: dict[str, School] = {}
    for sid, sp in plan.schools.items():
        if sp.school is None:
            assert sp.trust is not None and sp.trust.trust is not None  # noqa: S101
            sp.school = School.objects.create(
                trust=sp.trust.trust,
                name=sp.org.name[:200],
                urn=sp.org.urn,
                phase=guess_phase(sp.org.name),
                source_id=sid,
            )
        elif sp.fields:
            for name, value in sp.fields.items():
                setattr(sp.school, name, value)
            sp.school.save(update_fields=list(sp.fields))
        schools[sid] = sp.school
    for yp in plan.years:
        _apply_year(yp, schools[yp.school_sid])
    for pp in plan.people:
        if pp.user is None:
            p = pp.person
            pp.user = User.objects.create_user(
                p.email, first_name=p.first_name, last_name=p.last_name
            )
        elif pp.fields:
            for name, value in pp.fields.items():
                setattr(pp.user, name, value)
            pp.user.save(update_fields=list(pp.fields))
    for mp in plan.memberships:
        school = schools[mp.school_sid]
        assert mp.person.user is not None  # noqa: S101
        if mp.membership is None:
            Membership.objects.create(user=mp.person.user, school=school, **mp.fields)
            continue
        m = mp.membership
        fields = dict(mp.fields)
        if mp.reactivate:
            fields.update(is_active=True, deactivated_at=None)
            SourceRecord.objects.filter(
                school=school, kind=SourceRecord.Kind.LEAVER, object_id=m.pk
            ).delete()
        if fields:
            for name, value in fields.items():
                setattr(m, name, value)
            m.save(update_fields=list(fields))
    for m in plan.deactivate:
        deactivate_membership(m)
    return list(schools.values())


def deactivate_membership(membership: Membership) -> int:
    """As `accounts.services.staff_deactivate`: the person leaves the school's active staff and
    their current pairs end today; nothing is deleted. The import's one audit entry stands in
    for the per-person entries. Returns the number of pairs ended."""
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    ended = (
        CoachingRelationship.objects.current()
        .filter(school=membership.school)
        .filter(Q(coach=membership.user) | Q(coachee=membership.user))
        .update(ended_on=timezone.localdate())
    )
    SourceRecord.objects.update_or_create(
        school=membership.school,
        kind=SourceRecord.Kind.LEAVER,
        sourced_id=membership.source_id,
        defaults={"object_id": membership.pk},
    )
    return ended


def _apply_year(yp: YearPlan, school: School) -> None:
    year = yp.year
    if year is None:
        year = AcademicYear.objects.create(school=school, **yp.fields)
    elif yp.fields:
        for name, value in yp.fields.items():
            setattr(year, name, value)
        year.save(update_fields=list(yp.fields))
    _remember(school, SourceRecord.Kind.ACADEMIC_YEAR, yp.key, year.pk)
    removed = [t.pk for t in yp.remove]
    if removed:
        Term.objects.filter(pk__in=removed).delete()  # calendar rows only; nothing hangs off them
        SourceRecord.objects.filter(
            school=school, kind=SourceRecord.Kind.TERM, object_id__in=removed
        ).delete()
    for tp in yp.terms:
        term = tp.term
        if term is None:
            term = Term.objects.create(school=school, academic_year=year, **tp.fields)
        elif tp.fields:
            for name, value in tp.fields.items():
                setattr(term, name, value)
            term.save(update_fields=list(tp.fields))
        _remember(school, SourceRecord.Kind.TERM, tp.session.sid, term.pk)


def _remember(school: School, kind: str, sourced_id: str, object_id: int) -> None:
    SourceRecord.objects.update_or_create(
        school=school, kind=kind, sourced_id=sourced_id, defaults={"object_id": object_id}
    )
