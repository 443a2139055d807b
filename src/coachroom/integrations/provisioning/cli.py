"""`coachroom scim-token create|list|revoke --school URN …`: a school's SCIM tokens.

`create` prints the new token alone on standard output (so that a script can capture it) and
everything else on standard error; it is never shown again. Every refusal is one line on
stderr and exit status 1 (cli.py prints the `DomainError`). Tokens made here are audited with
no person as their maker ("at the command line").
"""

from __future__ import annotations

import argparse
import re
import sys

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import School
from coachroom.core.errors import DomainError
from coachroom.integrations.provisioning.models import ScimToken
from coachroom.integrations.provisioning.services import (
    name_taken,
    scim_token_create,
    scim_token_revoke,
)

URN = re.compile(r"^\d{6}$")
DEFAULT_NAME = "Command line"


def run_scim_token(args: argparse.Namespace) -> int:
    school = _school(args.school)
    if args.action == "create":
        return _create(school, args.name)
    if args.action == "revoke":
        return _revoke(school, args.token)
    return _list(school)


def _school(urn: str) -> School:
    if not URN.match(urn or ""):
        raise DomainError(f"--school takes a six-digit URN, for example 143201, not {urn!r}")
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise DomainError(f"no school has the URN {urn}")
    return school


def _create(school: School, name: str) -> int:
    if not name.strip():
        name = DEFAULT_NAME
        number = 2
        while name_taken(school, name):
            name = f"{DEFAULT_NAME} {number}"
            number += 1
    token, secret = scim_token_create(school=school, by=None, name=name)
    tenant_url = str(settings.SITE_URL) + reverse("scim:root")
    print(
        f"Made the SCIM token “{token.name}” for {school.name} (URN {school.urn}). "
        "Copy it now: it is not shown again.",
        file=sys.stderr,
    )
    print(secret)
    print(f"Tenant URL: {tenant_url}", file=sys.stderr)
    return 0


def _revoke(school: School, which: str) -> int:
    tokens = ScimToken.objects.active().for_school(school)
    token = tokens.filter(name__iexact=" ".join(which.split())).first()
    if token is None and which.strip().isdigit() and len(which.strip()) <= 18:
        token = tokens.filter(pk=int(which)).first()
    if token is None:
        raise DomainError(
            f"{school.name} has no active SCIM token named or numbered {which!r}; "
            f"`coachroom scim-token list --school {school.urn}` lists them"
        )
    scim_token_revoke(token=token, by=None)
    print(f"Revoked the SCIM token “{token.name}” of {school.name}.")
    return 0


def _list(school: School) -> int:
    tokens = list(ScimToken.objects.active().for_school(school).order_by("created_at", "pk"))
    if not tokens:
        print(f"{school.name} has no active SCIM tokens.")
        return 0
    for token in tokens:
        created = timezone.localtime(token.created_at)
        used = (
            f"last used {timezone.localtime(token.last_used_at):%d/%m/%Y %H:%M}"
            if token.last_used_at
            else "not used yet"
        )
        print(
            f"{token.pk:>6}  {token.name}  (begins {token.prefix}…, "
            f"made {created:%d/%m/%Y %H:%M}, {used})"
        )
    return 0
