"""Who may change a person's identity, and who may add a person to a school. Written once.

A person's identity (email, names, password, active flag) crosses schools; a school's
authority does not. So:

- A school-level action (a school admin's staff edit or invite, an import, SSO, SCIM) matches
  existing accounts only among that school's own staff. An account that belongs to no school
  of ours, or to another school, is "outside the school": the school cannot link it.
- Identity fields change only when the actor is entitled in *every* school the person belongs
  to: the school's own admin when the person belongs to that school alone, otherwise a trust
  admin of the one trust that holds all of the person's schools.
- Accounts with powers beyond a school (Django staff, superusers, trust admins) are never
  changed by anyone but a superuser.
- Trust admins may link a person to several schools of their own trust, never another's.

Callers check the actor's role in `school` (school admin, coaching lead…) themselves; these
functions answer only the cross-school question. `actor=None` means an automated action on
the school's behalf (an import from the command line, a SCIM token).
"""

from __future__ import annotations

from collections.abc import Iterable

from coachroom.accounts.models import Membership, School, Trust, User

OUTSIDE_SCHOOL = (
    "This email address belongs to an account outside {school}. "
    "A trust admin must add them to this school."
)
IDENTITY_LOCKED = (
    "This person also belongs to another school (or has wider powers), so their name, email "
    "and password can only be changed by a trust admin."
)


def has_wider_powers(person: User) -> bool:
    """Django staff, superusers and trust admins: accounts no school-level action may touch."""
    return bool(person.is_staff or person.is_superuser) or (
        Trust.objects.filter(admins=person).exists()
    )


def _school_ids_of(person: User) -> set[int]:
    """Every school the person has ever belonged to: a deactivated membership still counts,
    because that school keeps their history."""
    return set(Membership.objects.filter(user=person).values_list("school_id", flat=True))


def _administers_every_trust(actor: User, school_ids: Iterable[int]) -> bool:
    trust_ids = set(School.objects.filter(pk__in=list(school_ids)).values_list("trust", flat=True))
    if len(trust_ids) != 1:
        return False
    return Trust.objects.filter(pk__in=trust_ids, admins=actor).exists()


def may_change_identity(actor: User | None, person: User, *, school: School) -> bool:
    """May `actor`, acting for `school`, change `person`'s email, names, password or active
    flag?"""
    if person.pk is None:
        return True
    if actor is not None and actor.is_superuser:
        return True
    if has_wider_powers(person):
        return False
    schools = _school_ids_of(person)
    if schools == {school.pk}:
        return True
    return actor is not None and _administers_every_trust(actor, schools | {school.pk})


def may_add_membership(actor: User | None, person: User, *, school: School) -> bool:
    """May `actor` link the existing account `person` to `school`? A school-level action
    never may; a trust admin may when the person belongs only to schools of that trust."""
    if actor is None:
        return False
    if actor.is_superuser:
        return True
    if has_wider_powers(person):
        return False
    return _administers_every_trust(actor, _school_ids_of(person) | {school.pk})


def school_staff_by_email(school: School, emails: Iterable[str]) -> dict[str, User]:
    """Existing accounts among `school`'s own staff (active or not), by lower-cased email.
    Imports and invites match people here and nowhere else."""
    wanted = sorted({e.strip().lower() for e in emails if e})
    found: dict[str, User] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        found.update(
            {
                m.user.email: m.user
                for m in Membership.objects.filter(school=school, user__email__in=batch)
                .select_related("user")
                .order_by("pk")
            }
        )
    return found


def emails_outside_school(school: School, emails: Iterable[str]) -> set[str]:
    """Which of `emails` belong to accounts that are not on `school`'s staff list."""
    wanted = sorted({e.strip().lower() for e in emails if e})
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        taken.update(User.objects.filter(email__in=batch).values_list("email", flat=True))
    return taken - set(school_staff_by_email(school, taken))
