"""Writes about people, schools and pairs: each one transaction with one audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coachroom import audit
from coachroom.accounts import throttle
from coachroom.accounts.calendar import uk_default_closures, uk_default_terms, year_name
from coachroom.accounts.models import (
    ROLE_FIELDS,
    AcademicYear,
    Closure,
    CoachingRelationship,
    Membership,
    Role,
    School,
    Term,
    User,
)
from coachroom.errors import DomainError


def set_password_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


def send_invitation(*, membership: Membership, by: User) -> None:
    throttle.check_invitation(membership=membership, by=by)  # DomainError: too many this hour
    user = membership.user
    context = {
        "user": user,
        "school": membership.school,
        "inviter": by,
        "url": set_password_url(user),
    }
    send_mail(
        subject=f"You're invited to Coachroom at {membership.school.name}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    membership.invited_at = timezone.now()
    membership.save(update_fields=["invited_at"])
    audit.record(
        actor=by,
        action=throttle.INVITATION_SENT,
        school=membership.school,
        target=membership,
        subject=user,
    )


def _apply_roles(membership: Membership, roles: list[Role] | list[str]) -> None:
    wanted = {Role(r) for r in roles}
    for role, field in ROLE_FIELDS.items():
        setattr(membership, field, role in wanted)


@transaction.atomic
def staff_invite(
    *,
    school: School,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    job_title: str = "",
    is_ect: bool = False,
    subjects: str = "",
    send_email: bool = True,
) -> Membership:
    """Add a person to a school (creating their account if new) and email them a sign-in link."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, first_name=first_name, last_name=last_name)
    if Membership.objects.filter(user=user, school=school).exists():
        raise DomainError(f"{email} is already on the staff list of {school.name}.")
    membership = Membership(
        user=user, school=school, job_title=job_title, is_ect=is_ect, subjects=subjects
    )
    _apply_roles(membership, roles)
    membership.save()
    audit.record(
        actor=by,
        action="accounts.staff.invited",
        school=school,
        target=membership,
        subject=user,
        data={"roles": [str(r) for r in roles]},
    )
    if send_email:
        transaction.on_commit(lambda: send_invitation(membership=membership, by=by))
    return membership


@transaction.atomic
def staff_update(*, membership: Membership, by: User, **fields: Any) -> Membership:
    roles = fields.pop("roles", None)
    user_fields = {k: fields.pop(k) for k in ("first_name", "last_name") if k in fields}
    for name, value in fields.items():
        setattr(membership, name, value)
    if roles is not None:
        _apply_roles(membership, roles)
    membership.save()
    if user_fields:
        for name, value in user_fields.items():
            setattr(membership.user, name, value)
        membership.user.save(update_fields=list(user_fields))
    audit.record(
        actor=by,
        action="accounts.staff.updated",
        school=membership.school,
        target=membership,
        subject=membership.user,
        data={"roles": [str(r) for r in membership.roles]},
    )
    return membership


@transaction.atomic
def staff_deactivate(*, membership: Membership, by: User) -> Membership:
    """Remove a person from a school's active staff. Nothing is deleted; history stays."""
    if membership.user_id == by.pk:
        raise DomainError("You cannot deactivate yourself. Ask another school admin.")
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    today = timezone.localdate()
    ended = (
        CoachingRelationship.objects.current()
        .filter(school=membership.school)
        .filter(coach=membership.user)
        .update(ended_on=today)
    )
    ended += (
        CoachingRelationship.objects.current()
        .filter(school=membership.school, coachee=membership.user)
        .update(ended_on=today)
    )
    audit.record(
        actor=by,
        action="accounts.staff.deactivated",
        school=membership.school,
        target=membership,
        subject=membership.user,
        data={"pairs_ended": ended},
    )
    return membership


@transaction.atomic
def staff_reactivate(*, membership: Membership, by: User) -> Membership:
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    audit.record(
        actor=by,
        action="accounts.staff.reactivated",
        school=membership.school,
        target=membership,
        subject=membership.user,
    )
    return membership


@transaction.atomic
def relationship_create(
    *,
    school: School,
    by: User,
    coach: User,
    coachee: User,
    academic_year: AcademicYear,
    kind: str = CoachingRelationship.Kind.INSTRUCTIONAL,
    cadence: str = CoachingRelationship.Cadence.WEEKLY,
    started_on: dt.date | None = None,
) -> CoachingRelationship:
    if coach.pk == coachee.pk and kind != CoachingRelationship.Kind.SELF:
        raise DomainError("A coach cannot coach themselves; choose self-coaching instead.")
    if (
        CoachingRelationship.objects.current()
        .filter(academic_year=academic_year, coach=coach, coachee=coachee)
        .exists()
    ):
        raise DomainError(f"{coach} already coaches {coachee} this year.")
    relationship = CoachingRelationship.objects.create(
        school=school,
        academic_year=academic_year,
        coach=coach,
        coachee=coachee,
        kind=kind,
        cadence=cadence,
        started_on=started_on or timezone.localdate(),
    )
    audit.record(
        actor=by,
        action="accounts.pair.created",
        school=school,
        target=relationship,
        subject=coachee,
        data={"coach": coach.pk, "kind": kind, "cadence": cadence},
    )
    return relationship


@transaction.atomic
def relationship_end(
    *, relationship: CoachingRelationship, by: User, on: dt.date | None = None
) -> CoachingRelationship:
    if not relationship.is_current:
        raise DomainError("This coaching pair has already ended.")
    relationship.ended_on = on or timezone.localdate()
    relationship.save(update_fields=["ended_on"])
    audit.record(
        actor=by,
        action="accounts.pair.ended",
        school=relationship.school,
        target=relationship,
        subject=relationship.coachee,
    )
    return relationship


@transaction.atomic
def relationship_set_history_sharing(
    *, relationship: CoachingRelationship, by: User, shared: bool
) -> CoachingRelationship:
    """Only the coachee decides whether a coach sees their earlier coaching history."""
    if by.pk != relationship.coachee_id:
        raise DomainError("Only the teacher being coached can share their history.")
    relationship.history_shared = shared
    relationship.save(update_fields=["history_shared"])
    audit.record(
        actor=by,
        action="accounts.pair.history_shared" if shared else "accounts.pair.history_unshared",
        school=relationship.school,
        target=relationship,
        subject=relationship.coachee,
    )
    return relationship


@transaction.atomic
def academic_year_create(*, school: School, by: User | None, start_year: int) -> AcademicYear:
    """Create a year with typical English half-terms and INSET days, ready to edit."""
    name = year_name(start_year)
    if AcademicYear.objects.filter(school=school, name=name).exists():
        raise DomainError(f"{school.name} already has the year {name}.")
    terms = uk_default_terms(start_year)
    year = AcademicYear.objects.create(
        school=school, name=name, starts_on=terms[0].starts_on, ends_on=terms[-1].ends_on
    )
    Term.objects.bulk_create(
        Term(
            school=school, academic_year=year, name=t.name, starts_on=t.starts_on, ends_on=t.ends_on
        )
        for t in terms
    )
    Closure.objects.bulk_create(
        Closure(school=school, academic_year=year, date=day, reason=reason)
        for day, reason in uk_default_closures(start_year)
    )
    audit.record(actor=by, action="accounts.year.created", school=school, target=year)
    return year


@transaction.atomic
def school_update_settings(*, school: School, by: User, **fields: Any) -> School:
    for name, value in fields.items():
        setattr(school, name, value)
    school.full_clean()
    school.save()
    audit.record(
        actor=by,
        action="accounts.school.settings_changed",
        school=school,
        target=school,
        data={k: str(v) for k, v in fields.items()},
    )
    return school
