from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coachroom.accounts.models import School
from coachroom.accounts.pagecache import touch_all_schools


class Command(BaseCommand):
    help = (
        "Mark every school's data as changed, so that no server process serves a page it cached "
        "before. Run it after changing data with SQL or the shell."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        touch_all_schools()
        self.stdout.write(f"{School.objects.count()} schools touched: cached pages will be rebuilt")
