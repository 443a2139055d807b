"""Hardening: production settings pass `check --deploy`, every page carries the CSP, and no
template needs 'unsafe-inline' to work.

Settings are read once, at import, from the environment, so production values are checked in a
fresh interpreter with that environment rather than with `override_settings`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from coachroom.accounts.models import Membership
from coachroom.scheduling.models import CalendarFeed, SessionOccurrence
from tests.records.history import make_history, make_review, make_walk_visit

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "coachroom" / "templates"

PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://coachroom@127.0.0.1:5432/coachroom",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "coachroom.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def _python(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DATABASE_", "DATA_UPLOAD", "FILE_UPLOAD"))
        # the browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE, which --deploy rejects
        and k not in {"SECRET_KEY", "ALLOWED_HOSTS", "COACHROOM_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "coachroom.config.settings",
        "COACHROOM_DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings(env: dict[str, str], tmp_path: Path, *names: str) -> dict[str, object]:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    result = _python(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_deploy_check_passes_with_production_settings(tmp_path):
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = _python(code, PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout


def test_deploy_check_fails_without_https(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("SECURE_")}
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = _python(code, env, tmp_path)
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W004" in result.stderr  # HSTS


def test_production_cookies_are_secure_and_https_turns_on_hsts(tmp_path):
    values = _settings(
        PRODUCTION_ENV,
        tmp_path,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_a_laptop_keeps_plain_http(tmp_path):
    values = _settings({}, tmp_path, "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "DEBUG")
    assert values == {"SESSION_COOKIE_SECURE": False, "SECURE_HSTS_SECONDS": 0, "DEBUG": False}


def test_upload_limits_default_and_can_be_raised(tmp_path):
    names = ("DATA_UPLOAD_MAX_MEMORY_SIZE", "FILE_UPLOAD_MAX_MEMORY_SIZE")
    assert _settings({}, tmp_path, *names) == {names[0]: 10 * 1024**2, names[1]: 20 * 1024**2}
    raised = _settings({names[0]: "52428800"}, tmp_path, names[0])
    assert raised == {names[0]: 50 * 1024**2}


# Headers -----------------------------------------------------------------------------------------


def _directives(header: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in header.split(";") if p.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.mark.django_db
def test_every_page_carries_the_content_security_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "object-src": "'none'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
    }
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_styles_or_eval(client, alice):
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


# Templates ---------------------------------------------------------------------------------------

FORBIDDEN = {
    "an inline style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "an inline event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "an hx-on handler (needs eval)": re.compile(r"\shx-on[:-]", re.IGNORECASE),
}


# Written into the subject-access ZIP and opened from disk, never served: no CSP applies.
OFFLINE = {"records/subject_access/index.html"}


def _templates() -> list[Path]:
    return sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if "email" not in p.parts and str(p.relative_to(TEMPLATES)) not in OFFLINE
    )


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_need_no_unsafe_inline(path):
    text = path.read_text()
    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert not found, f"{path.relative_to(TEMPLATES)} has {', '.join(found)}"


def test_the_template_check_catches_what_it_should():
    bad = [
        '<svg style="display:block">',
        "<style>p{}</style>",
        "<script>alert(1)</script>",
        '<a href="javascript:void(0)">',
        '<button onclick="go()">',
        '<div hx-on:click="x()">',
    ]
    for snippet, pattern in zip(bad, FORBIDDEN.values(), strict=True):
        assert pattern.search(snippet), snippet
    assert not FORBIDDEN["an inline <script>"].search('<script src="/static/x.js" defer></script>')


def test_csrf_cookie_is_http_only_because_htmx_sends_the_token_in_a_header():
    assert settings.CSRF_COOKIE_HTTPONLY is True
    base = (TEMPLATES / "base.html").read_text()
    assert 'hx-headers=\'{"x-csrftoken": "{{ csrf_token }}"}\'' in base


# Caching -----------------------------------------------------------------------------------------

NO_STORE = "no-store, private"
MISSED_NOTE = "Covering Year 9 after a fire drill"


@pytest.fixture
def note_pages(oak, oak_year, alice, bob, head, lead, admin, dpo, pairing):
    """Every kind of page that shows notes: (who reads it, method, URL)."""
    history = make_history(pairing)
    visit = make_walk_visit(school=oak, leader=head, pair=pairing)
    review = make_review(school=oak, lead=lead, coach=bob, reviewer=lead)
    session = SessionOccurrence.objects.create(
        school=oak,
        relationship=pairing,
        kind="meeting",
        coach=bob,
        starts_at=dt.datetime(2026, 10, 12, 10, tzinfo=dt.UTC),
        status="missed",
        reason="other",
        reason_note=MISSED_NOTE,
    )
    person = {"person": Membership.objects.get(user=alice, school=oak).pk}
    return {
        "drop-in": (alice, "get", history.observation.get_absolute_url(), {}),
        "meeting": (bob, "get", history.meeting.get_absolute_url(), {}),
        "step": (bob, "get", history.step.get_absolute_url(), {}),
        "timeline": (bob, "get", reverse("coaching:timeline", args=[alice.pk]), {}),
        "session": (admin, "get", session.get_absolute_url(), {}),
        "walk visit": (alice, "get", reverse("leading:walk-visit-detail", args=[visit.pk]), {}),
        "review": (bob, "get", reverse("leading:review-detail", args=[review.pk]), {}),
        "home": (alice, "get", reverse("home"), {}),
        "who viewed": (alice, "get", reverse("audit:my-views"), {}),
        "my record": (alice, "get", reverse("records:my-record-pdf"), {}),
        "my data": (alice, "post", reverse("records:my-data"), {}),
        "subject access": (dpo, "post", reverse("records:subject-access"), person),
        "school export": (
            dpo,
            "post",
            reverse("records:school-export"),
            {"reason": "dpo", "confirm": "on"},
        ),
        "activity": (lead, "get", reverse("records:activity-export"), {"format": "xlsx"}),
    }


PAGES = [
    "drop-in",
    "meeting",
    "step",
    "timeline",
    "session",
    "walk visit",
    "review",
    "home",
    "who viewed",
    "my record",
    "my data",
    "subject access",
    "school export",
    "activity",
]


@pytest.mark.parametrize("page", PAGES)
def test_nothing_shown_to_a_signed_in_person_is_stored(client, note_pages, page):
    """Staffroom computers are shared: no page or download of notes stays in a cache."""
    reader, method, url, data = note_pages[page]
    client.force_login(reader)
    response = getattr(client, method)(url, data)
    assert response.status_code == 200, url
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


@pytest.mark.django_db
def test_a_view_that_sets_its_own_cache_control_keeps_it(client, alice):
    """The calendar feed (a secret address, read by calendar apps) allows a private copy."""
    feed = CalendarFeed.objects.create(user=alice)
    client.force_login(alice)
    response = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
    assert response["Cache-Control"].startswith("private, max-age=")
    assert "no-store" not in response["Cache-Control"]


@pytest.mark.django_db
def test_static_files_keep_their_own_caching(client, alice, settings):
    # Serve from the source folders, as on a laptop, whatever the database: a production-like
    # run (DATABASE_URL set) has no collected files. The client builds its middleware on its
    # first request, so WhiteNoise reads this setting.
    settings.WHITENOISE_USE_FINDERS = True
    client.force_login(alice)
    response = client.get("/static/coachroom/coachroom.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_pages_for_people_not_signed_in_are_left_alone(client):
    response = client.get(reverse("password_reset_done"))
    assert response.status_code == 200
    assert "Cache-Control" not in response
