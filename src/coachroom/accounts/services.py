"""Writes about people, schools and pairs: each one transaction with one audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coachroom import audit
from coachroom.accounts import throttle
from coachroom.accounts.calendar import uk_default_closures, uk_default_terms, year_name
from coachroom.accounts.identity import IDENTITY_LOCKED, may_add_membership, may_change_identity
from coachroom.accounts.models import (
    ROLE_FIELDS,
    AcademicYear,
    Closure,
    CoachingRelationship,
    EmailChange,
    Membership,
    Role,
    School,
    Term,
    User,
)
from coachroom.accounts.signals import credentials_changed, pair_ended
from coachroom.accounts.signin_policy import password_refusal
from coachroom.core.errors import DomainError

EMAIL_CHANGE_DAYS = 3


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
        # Where the trust signs its staff in with Microsoft or Google and has turned passwords
        # off (integrations.sso), the email says so instead of asking for a password.
        "password_off": password_refusal(user.email),
        "sign_in_url": settings.SITE_URL + reverse("login"),
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
    by: User | None,
    email: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    job_title: str = "",
    is_ect: bool = False,
    subjects: str = "",
    send_email: bool = True,
) -> Membership | None:
    """Add a person to a school (creating their account if new) and email them a sign-in link.

    An existing account outside the school is linked only when `by` may add it (a trust admin
    of the trust holding all of the person's schools). Otherwise nothing changes, nobody is
    emailed and None is returned: the caller says the same as for a new invitation, so that an
    invitation never reveals whether an account exists. An existing account's names are kept.
    `by=None` is an automated add on the school's behalf (a SCIM token): it may never link an
    existing account, and it emails no one (there is nobody to name as the inviter).
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is not None and Membership.objects.filter(user=user, school=school).exists():
        raise DomainError(f"{email} is already on the staff list of {school.name}.")
    if user is not None and not may_add_membership(by, user, school=school):
        # Not in the school's own log: that would tell its admins that the account exists.
        audit.record(
            actor=by,
            action="accounts.staff.invite_refused",
            subject=user,
            data={"school": school.pk, "reason": "outside_school"},
        )
        return None
    if user is None:
        user = User.objects.create_user(email, first_name=first_name, last_name=last_name)
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
    if send_email and by is not None:
        inviter = by
        transaction.on_commit(lambda: send_invitation(membership=membership, by=inviter))
    return membership


def coach_pairs_of(membership: Membership) -> list[CoachingRelationship]:
    """The person's current pairs as coach in the membership's school."""
    return list(
        CoachingRelationship.objects.current()
        .filter(school=membership.school, coach=membership.user)
        .select_related("coach", "coachee")
        .order_by("coachee__last_name", "coachee__first_name", "pk")
    )


def pairs_of(membership: Membership) -> list[CoachingRelationship]:
    """The person's current pairs in the membership's school, as coach or as coachee."""
    return list(
        CoachingRelationship.objects.current()
        .filter(school=membership.school)
        .filter(Q(coach=membership.user) | Q(coachee=membership.user))
        .select_related("coach", "coachee")
        .order_by("coach__last_name", "coachee__last_name", "pk")
    )


def _end_pairs(
    pairs: Iterable[CoachingRelationship], *, by: User | None, on: dt.date | None = None
) -> list[int]:
    """End each pair and tell the apps that hang records on pairs (its steps are archived)."""
    ended: list[int] = []
    for pair in pairs:
        pair.ended_on = on or timezone.localdate()
        pair.save(update_fields=["ended_on"])
        pair_ended.send(sender=CoachingRelationship, relationship=pair, by=by)
        ended.append(pair.pk)
    return ended


@transaction.atomic
def staff_update(
    *, membership: Membership, by: User | None, end_coach_pairs: bool = False, **fields: Any
) -> Membership:
    """Change a person's details and roles in one school.

    Names change only where `may_change_identity` allows. Taking the Coach role away ends the
    person's current pairs as coach, and only when the caller confirms it (`end_coach_pairs`):
    access follows the role, so a former coach keeps no pair.
    """
    roles = fields.pop("roles", None)
    user = membership.user
    user_fields = {
        k: fields.pop(k)
        for k in ("first_name", "last_name")
        if k in fields and fields[k] != getattr(user, k)
    }
    for k in ("first_name", "last_name"):
        fields.pop(k, None)
    if user_fields and not may_change_identity(by, user, school=membership.school):
        raise DomainError(IDENTITY_LOCKED)
    was_coach = membership.is_coach
    for name, value in fields.items():
        setattr(membership, name, value)
    if roles is not None:
        _apply_roles(membership, roles)
    ended: list[int] = []
    if was_coach and not membership.is_coach:
        pairs = coach_pairs_of(membership)
        if pairs and not end_coach_pairs:
            raise DomainError(
                f"{user.full_name} still coaches {len(pairs)} teacher(s). "
                "Confirm that their pairs end before removing the Coach role."
            )
        ended = _end_pairs(pairs, by=by)
    membership.save()
    if user_fields:
        for name, value in user_fields.items():
            setattr(user, name, value)
        user.save(update_fields=list(user_fields))
    audit.record(
        actor=by,
        action="accounts.staff.updated",
        school=membership.school,
        target=membership,
        subject=user,
        data={"roles": [str(r) for r in membership.roles], "pairs_ended": ended},
    )
    return membership


@transaction.atomic
def staff_deactivate(*, membership: Membership, by: User | None) -> Membership:
    """Remove a person from a school's active staff. Nothing is deleted; history stays.
    `by=None`: an automated change on the school's behalf (a SCIM token)."""
    if by is not None and membership.user_id == by.pk:
        raise DomainError("You cannot deactivate yourself. Ask another school admin.")
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    ended = _end_pairs(pairs_of(membership), by=by)
    audit.record(
        actor=by,
        action="accounts.staff.deactivated",
        school=membership.school,
        target=membership,
        subject=membership.user,
        data={"pairs_ended": len(ended), "pairs": ended},
    )
    return membership


@transaction.atomic
def staff_reactivate(*, membership: Membership, by: User | None) -> Membership:
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
    by: User | None,
    coach: User,
    coachee: User,
    academic_year: AcademicYear,
    kind: str = CoachingRelationship.Kind.INSTRUCTIONAL,
    cadence: str = CoachingRelationship.Cadence.WEEKLY,
    started_on: dt.date | None = None,
    coach_is_line_manager: bool | None = None,
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
        coach_is_line_manager=coach_is_line_manager,
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
def relationship_set_line_manager(
    *, relationship: CoachingRelationship, by: User, coach_is_line_manager: bool
) -> CoachingRelationship:
    """Correct whether the coach line-manages the teacher. It grants nothing: the privacy rule
    never reads it; Insights compares pairs by it."""
    relationship.coach_is_line_manager = coach_is_line_manager
    relationship.save(update_fields=["coach_is_line_manager"])
    audit.record(
        actor=by,
        action="accounts.pair.line_manager_set",
        school=relationship.school,
        target=relationship,
        subject=relationship.coachee,
        data={"coach_is_line_manager": coach_is_line_manager},
    )
    return relationship


@transaction.atomic
def relationship_end(
    *, relationship: CoachingRelationship, by: User | None, on: dt.date | None = None
) -> CoachingRelationship:
    if not relationship.is_current:
        raise DomainError("This coaching pair has already ended.")
    _end_pairs([relationship], by=by, on=on)
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


def year_pairs(year: AcademicYear) -> list[CoachingRelationship]:
    """The year's pairs that are still current."""
    return list(
        CoachingRelationship.objects.current()
        .filter(academic_year=year)
        .select_related("coach", "coachee")
        .order_by("coach__last_name", "coachee__last_name", "pk")
    )


@transaction.atomic
def academic_year_close(*, year: AcademicYear, by: User | None) -> int:
    """Close a year: its current pairs end (today, or on the year's last day if that has
    passed) and their open steps are archived. Pairs for next year are made afresh."""
    on = min(timezone.localdate(), year.ends_on)
    ended = _end_pairs(year_pairs(year), by=by, on=on)
    audit.record(
        actor=by,
        action="accounts.year.closed",
        school=year.school,
        target=year,
        data={"pairs_ended": len(ended)},
    )
    return len(ended)


# Email changes --------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_email_change_mails(change: EmailChange, token: str, old_email: str) -> None:
    context = {
        "user": change.user,
        "new_email": change.new_email,
        "old_email": old_email,
        "url": settings.SITE_URL + reverse("accounts:email-confirm", args=[token]),
        "days": EMAIL_CHANGE_DAYS,
    }
    send_mail(
        subject="Confirm your new email address for Coachroom",
        message=render_to_string("accounts/email/email_change_confirm.txt", context),
        from_email=None,
        recipient_list=[change.new_email],
    )
    send_mail(
        subject="Your Coachroom email address is being changed",
        message=render_to_string("accounts/email/email_change_notice.txt", context),
        from_email=None,
        recipient_list=[old_email],
    )


@transaction.atomic
def email_change_request(
    *, person: User, new_email: str, by: User, school: School | None = None
) -> EmailChange | None:
    """Ask the new address to confirm a change of email; tell the old address.

    The person may ask for themselves; anyone else needs `may_change_identity` in `school`.
    Nothing changes until the link is followed. If the new address already belongs to another
    account nothing is sent and None is returned, so the caller can answer as for any request
    without revealing that the account exists.
    """
    if by.pk != person.pk and (
        school is None or not may_change_identity(by, person, school=school)
    ):
        raise DomainError(IDENTITY_LOCKED)
    new_email = new_email.strip().lower()
    if new_email == person.email:
        raise DomainError(f"{new_email} is already the email address of this account.")
    EmailChange.objects.filter(user=person, confirmed_at__isnull=True).delete()
    if User.objects.filter(email=new_email).exclude(pk=person.pk).exists():
        audit.record(actor=by, action="accounts.email_change.refused", subject=person)
        return None
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    change = EmailChange.objects.create(
        user=person,
        new_email=new_email,
        token_hash=_token_hash(token),
        requested_by=by,
        school=school if by.pk != person.pk else None,
        created_at=now,
        expires_at=now + dt.timedelta(days=EMAIL_CHANGE_DAYS),
    )
    audit.record(
        actor=by,
        action="accounts.email_change.requested",
        school=school,
        target=change,
        subject=person,
    )
    old_email = person.email
    transaction.on_commit(lambda: _send_email_change_mails(change, token, old_email))
    return change


def email_change_for_token(token: str) -> EmailChange | None:
    """The pending change a link's token stands for, if it can still be used."""
    change = (
        EmailChange.objects.filter(token_hash=_token_hash(token)).select_related("user").first()
    )
    return change if change is not None and change.is_usable else None


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    """Follow the link: the email changes, and the person's other sessions and calendar
    addresses stop working."""
    change = email_change_for_token(token)
    if change is None:
        raise DomainError("This link has expired or has already been used.")
    person = User.objects.select_for_update().get(pk=change.user_id)
    by = change.requested_by
    if (
        by is not None
        and by.pk != person.pk
        and (change.school is None or not may_change_identity(by, person, school=change.school))
    ):
        raise DomainError(IDENTITY_LOCKED)
    if User.objects.filter(email=change.new_email).exclude(pk=person.pk).exists():
        raise DomainError("This email address is already in use. Ask for the change again.")
    old_email = person.email
    person.email = change.new_email
    person.save(update_fields=["email"])
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    EmailChange.objects.filter(user=person, confirmed_at__isnull=True).delete()
    credentials_changed.send(sender=User, user=person, reason="email_changed")
    audit.record(
        actor=person,
        action="accounts.email_change.confirmed",
        target=change,
        subject=person,
        data={"old_email": old_email, "new_email": person.email},
    )
    return person


@transaction.atomic
def credentials_reset(*, person: User) -> None:
    """After a password reset: calendar addresses (which need no sign-in) stop working.
    Sessions end by themselves, because they are bound to the password."""
    credentials_changed.send(sender=User, user=person, reason="password_reset")
    audit.record(actor=person, action="accounts.password.reset", subject=person)
