"""Fill the counters from the rows that exist. Self-contained (no app code, as migrations
must be); the same rules as reporting/counters.py, which `coachroom manage rebuild_counts
--verify` checks against afterwards."""

import datetime as dt
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import Count, Exists, OuterRef, Q

TALLY = ("planned", "held", "missed", "rebooked", "cancelled", "unrecorded")
CONTRIBUTION = {
    "done": (1, 1, 0, 0, 0, 0),
    "missed": (1, 0, 1, 0, 0, 0),
    "cancelled": (1, 0, 0, 0, 1, 0),
    "planned": (1, 0, 0, 0, 0, 1),
}
REBOOKED = (0, 0, 0, 1, 0, 0)


def fill(apps, schema_editor):
    zone = ZoneInfo(settings.TIME_ZONE)
    School = apps.get_model("accounts", "School")
    Session = apps.get_model("scheduling", "SessionOccurrence")
    ActionStep = apps.get_model("coaching", "ActionStep")
    StepTransition = apps.get_model("coaching", "StepTransition")
    PairSessionCount = apps.get_model("reporting", "PairSessionCount")
    SchoolSessionCount = apps.get_model("reporting", "SchoolSessionCount")
    StepCount = apps.get_model("reporting", "StepCount")
    SecuredCount = apps.get_model("reporting", "SecuredCount")
    for school_id in School.objects.order_by("pk").values_list("pk", flat=True):
        pairs = defaultdict(lambda: [0] * len(TALLY))
        rows = (
            Session.objects.filter(school_id=school_id)
            .order_by()
            .values_list(
                "relationship_id", "starts_at", "kind", "status", "reason", "rescheduled_to_id"
            )
            .iterator(chunk_size=5000)
        )
        for pair_id, starts_at, kind, status, reason, rescheduled_to in rows:
            tally = CONTRIBUTION.get(status)
            if status == "missed" and rescheduled_to is not None:
                tally = REBOOKED
            if tally is None:
                continue
            bucket = pairs[(pair_id, starts_at.astimezone(zone).date(), kind, reason)]
            for i, n in enumerate(tally):
                bucket[i] += n
        schools = defaultdict(lambda: [0] * len(TALLY))
        for (_pair, day, kind, reason), tally in pairs.items():
            bucket = schools[(day, kind, reason)]
            for i, n in enumerate(tally):
                bucket[i] += n

        def week(day):
            return day - dt.timedelta(days=day.weekday())

        PairSessionCount.objects.bulk_create(
            (
                PairSessionCount(
                    school_id=school_id,
                    relationship_id=pair_id,
                    day=day,
                    week=week(day),
                    kind=kind,
                    reason=reason,
                    **dict(zip(TALLY, tally, strict=True)),
                )
                for (pair_id, day, kind, reason), tally in pairs.items()
            ),
            batch_size=2000,
        )
        SchoolSessionCount.objects.bulk_create(
            (
                SchoolSessionCount(
                    school_id=school_id,
                    day=day,
                    week=week(day),
                    kind=kind,
                    reason=reason,
                    **dict(zip(TALLY, tally, strict=True)),
                )
                for (day, kind, reason), tally in schools.items()
            ),
            batch_size=2000,
        )
        slipped = StepTransition.objects.filter(
            school_id=school_id,
            step=OuterRef("pk"),
            event="reopened",
            reason__startswith="Stick-check",
        )
        steps = (
            ActionStep.objects.filter(school_id=school_id)
            .values("state")
            .annotate(
                steps=Count("pk"),
                stuck=Count("pk", filter=Q(stuck_at__isnull=False)),
                slipped=Count("pk", filter=Q(Exists(slipped))),
            )
            .order_by()
        )
        StepCount.objects.bulk_create(
            StepCount(
                school_id=school_id,
                state=row["state"],
                steps=row["steps"],
                stuck=row["stuck"],
                slipped=row["slipped"],
            )
            for row in steps
        )
        secured = Counter(
            at.astimezone(zone).date()
            for at in StepTransition.objects.filter(school_id=school_id, event="secured")
            .order_by()
            .values_list("at", flat=True)
        )
        SecuredCount.objects.bulk_create(
            (SecuredCount(school_id=school_id, day=day, secured=n) for day, n in secured.items()),
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_counters"),
        ("coaching", "0001_initial"),
        ("scheduling", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
