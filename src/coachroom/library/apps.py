from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LibraryConfig(AppConfig):
    name = "coachroom.library"
    verbose_name = "Step library"

    def ready(self) -> None:
        from coachroom.core.demo import register_loader
        from coachroom.library import demo

        post_migrate.connect(
            load_starter_after_migrate, sender=self, dispatch_uid="coachroom.library.starter"
        )
        register_loader(20, demo.load)


def load_starter_after_migrate(
    sender: AppConfig,
    *,
    using: str,
    verbosity: int = 1,
    apps: Any = None,
    plan: list[tuple[Any, bool]] | None = None,
    **kwargs: Any,
) -> None:
    """Every migrated database has the starter library: fresh installs, test databases, and
    databases flushed between transactional tests (`flush` sends post_migrate too)."""
    if plan and any(backwards for _migration, backwards in plan):
        return  # unapplying migrations: the tables may be gone or older than the models
    if apps is not None:
        try:
            apps.get_model("library", "LibraryStep")
        except LookupError:
            return  # migrated to before the library existed
    from coachroom.library.starter import load_starter_library

    report = load_starter_library(using=using)
    if verbosity >= 1 and report.changed:
        print(f"  {report}")
