"""A smoke test of the seeder and the benchmark at small scale. No timing assertions here:
speed targets live in `coachroom bench` and docs/performance.md."""

from __future__ import annotations

import json

import pytest
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


def test_bench_measures_every_key_page(db):
    seed("small", seed=3)
    lines: list[str] = []
    summary = benchmark.run(requests=2, out=lines.append)
    assert json.loads(lines[-1]) == summary
    pages = summary["pages"]
    assert set(pages) == {
        "baseline",
        "layout",
        "coach home",
        "teacher timeline",
        "library search",
        "completion dashboard",
        "leader home",
        "drop-in form",
        "meeting form",
        "week",
        "ical feed",
        "ical poll (304)",
    }
    statuses = {name: page["status"] for name, page in pages.items()}
    assert statuses == {name: 304 if name == "ical poll (304)" else 200 for name in pages}
    assert all(page["queries"] > 0 for page in pages.values())
    assert all(page["p95_ms"] >= page["p50_ms"] > 0 for page in pages.values())
    assert pages["coach home"]["gzip_bytes"] > pages["baseline"]["gzip_bytes"]
    # the poll answers from one aggregate; a plain GET takes its ETag from the rows it writes,
    # so the two make as many queries, and only the GET sends a feed
    assert pages["ical poll (304)"]["queries"] <= pages["ical feed"]["queries"]
    assert pages["ical poll (304)"]["gzip_bytes"] < pages["ical feed"]["gzip_bytes"]
    assert pages["layout"]["gzip_bytes"] > pages["baseline"]["gzip_bytes"]
