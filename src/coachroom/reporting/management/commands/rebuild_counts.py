from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coachroom.reporting import counters


class Command(BaseCommand):
    help = (
        "Rebuild the dashboards' counters from the raw sessions, steps and step history. "
        "With --verify, rebuild nothing: compare them and fail on the first disagreement. "
        "Safe to rerun."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Check the counters against the raw rows instead of rebuilding them.",
        )
        parser.add_argument("--school", type=int, help="Only this school (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = counters.school_ids(options["school"])
        if options["school"] is not None and not ids:
            raise CommandError(f"No school has the id {options['school']}.")
        if options["verify"]:
            for school_id in ids:
                if difference := counters.first_difference(school_id):
                    raise CommandError(f"Counters disagree with the raw rows: {difference}")
            self.stdout.write(f"Counters agree with the raw rows in {len(ids)} school(s).")
            return
        for school_id in ids:
            counters.rebuild_school(school_id)
        self.stdout.write(f"Counters rebuilt for {len(ids)} school(s).")
