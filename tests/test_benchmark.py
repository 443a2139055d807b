"""A smoke test of the seeder and the benchmark at small scale. No timing assertions here:
speed targets live in `coachroom bench` and docs/performance.md."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command

from coachroom import benchmark
from coachroom.coaching.models import ActionStep, Observation, StepState
from coachroom.scheduling.models import SessionOccurrence
from coachroom.seed import seed


def _fingerprint() -> list[tuple[str, str, int]]:
    return list(ActionStep.objects.order_by("pk").values_list("title", "state", "streak"))


@pytest.mark.django_db(transaction=True)
def test_seed_small_is_deterministic_and_realistic():
    first = seed("small", seed=7)
    assert first.schools == 1 and first.staff == 30
    assert first.observations > 100 and first.meetings > 100
    states = set(ActionStep.objects.values_list("state", flat=True))
    assert {StepState.PRACTISING, StepState.SECURED} <= states
    assert SessionOccurrence.objects.filter(status="missed").exclude(reason="").exists()
    before = (Observation.objects.count(), _fingerprint())
    call_command("flush", interactive=False)
    seed("small", seed=7)
    assert (Observation.objects.count(), _fingerprint()) == before


def test_bench_measures_every_key_page(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    seed("small", seed=3)
    lines: list[str] = []
    summary = benchmark.run(requests=2, out=lines.append)
    assert json.loads(lines[-1]) == summary
    pages = summary["pages"]
    assert set(pages) == {
        "baseline",
        "coach home",
        "teacher timeline",
        "library search",
        "completion dashboard",
        "leader home",
        "ical feed",
    }
    assert all(page["status"] == 200 for page in pages.values())
    assert all(page["queries"] > 0 for page in pages.values())
    # A repeat view is served by the page cache: fewer queries than rendering the page.
    for name, page in pages.items():
        if name != "baseline":
            assert page["queries"] < page["cold_queries"], name
    assert all(page["cold_p95_ms"] >= page["cold_p50_ms"] > 0 for page in pages.values())
    cache.clear()
