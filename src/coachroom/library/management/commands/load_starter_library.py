from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from coachroom.library.starter import load_starter_library


class Command(BaseCommand):
    help = (
        "Create or update the shipped starter step library. Safe to rerun: schools' own steps "
        "and their copies are never touched, and steps gone from the file are archived."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Compare every row with the file even when this version is already loaded.",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to load into."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_starter_library(force=options["force"], using=options["database"])
        self.stdout.write(str(report))
