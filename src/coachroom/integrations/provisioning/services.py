"""Making and revoking a school's SCIM tokens: each one transaction with one audit entry.

What a token then does to people and roles is in `people.py` and `groups.py`.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import School, User
from coachroom.core.errors import DomainError
from coachroom.integrations.provisioning import tokens
from coachroom.integrations.provisioning.models import ScimGroup, ScimToken

NAME_MAX = 60


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the token a name, for example “Microsoft Entra ID”.")
    if len(name) > NAME_MAX:
        raise DomainError(f"A token's name can be at most {NAME_MAX} characters.")
    return name


def name_taken(school: School, name: str) -> bool:
    return ScimToken.objects.active().for_school(school).filter(name__iexact=name).exists()


@transaction.atomic
def scim_token_create(*, school: School, by: User | None, name: str) -> tuple[ScimToken, str]:
    """A new token for `school`, and its secret: the only time the secret exists outside the
    directory it is pasted into. `by=None`: made at the command line."""
    name = _clean_name(name)
    if name_taken(school, name):
        raise DomainError(f"{school.name} already has a SCIM token called “{name}”.")
    secret = tokens.new_secret()
    try:
        with transaction.atomic():
            token = ScimToken.objects.create(
                school=school,
                name=name,
                prefix=secret[: tokens.SHOWN],
                token_hash=tokens.digest(secret),
                created_by=by,
            )
    except IntegrityError:  # the same name made at the same moment
        raise DomainError(f"{school.name} already has a SCIM token called “{name}”.") from None
    ScimGroup.ensure_for(school)
    audit.record(
        actor=by,
        action="provisioning.token.created",
        school=school,
        target=token,
        data={"scim_token": token.pk},
    )
    return token, secret


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, by: User | None) -> ScimToken:
    """The token stops working at once; the people it provisioned stay as they are."""
    token = ScimToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError(f"The SCIM token “{token.name}” has already been revoked.")
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=by,
        action="provisioning.token.revoked",
        school=token.school,
        target=token,
        data={"scim_token": token.pk},
    )
    return token
