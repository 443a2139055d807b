"""Page weight on a phone: what the coach home costs to download, first time and after.

The static files are built as production builds them (`collectstatic` with whitenoise's
compressed, fingerprinted storage, into a temporary folder) and served by whitenoise as in
production. The coach home is rendered for the demo's busiest Oak coach; its HTML is gzipped as
the reverse proxy in docs/deploy.md sends it, and every stylesheet and script the page names is
fetched by its fingerprinted address with `Accept-Encoding: gzip`, and counted as sent.

- first load (nothing cached): HTML + CSS + JS ≤ 100 KB;
- a later page (the fingerprinted files are cached for good): its HTML ≤ 30 KB.

The figures are in docs/performance.md ("Page weight").
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.coaching.models import Observation
from coachroom.demo import load_demo

FIRST_LOAD_BUDGET = 100 * 1024
LATER_PAGE_BUDGET = 30 * 1024
RACHEL = "rachel.hughes@oakfield.example"  # the demo's Oak coach with three coachees
PROXY_GZIP_LEVEL = 6  # `gzip_comp_level 6` in docs/deploy.md's nginx example
FINGERPRINT = re.compile(r"\.[0-9a-f]{12}\.(css|js|svg|png)$")
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


@dataclass
class Weight:
    html: int
    assets: dict[str, int]

    @property
    def total(self) -> int:
        return self.html + sum(self.assets.values())


PRODUCTION_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """`collectstatic` as production runs it, once for this module: fingerprinted, gzipped."""
    root = tmp_path_factory.mktemp("static")
    storages = {**django_settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, collected):
    """The collected files, served by whitenoise as in production (settings with DATABASE_URL)."""
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    settings.WHITENOISE_USE_FINDERS = False
    return collected


@pytest.fixture
def rachel(db) -> User:
    load_demo()
    return User.objects.get(email=RACHEL)


def _gzipped(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=PROXY_GZIP_LEVEL))


def _fetch_asset(client: Client, url: str) -> int:
    """The bytes whitenoise sends for one static file, and that it may be cached for good."""
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200, url
    assert FINGERPRINT.search(url), f"{url} is not fingerprinted"
    assert "immutable" in response["Cache-Control"], (url, response["Cache-Control"])
    assert "max-age=315360000" in response["Cache-Control"], url
    body = b"".join(response.streaming_content)
    if url.endswith((".css", ".js")):
        assert response["Content-Encoding"] == "gzip", url
        assert gzip.decompress(body)  # really the compressed file, whole
    return len(body)


def page_weight(client: Client, url: str, *, with_assets: bool) -> Weight:
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200, url
    html = response.content
    assets = {}
    if with_assets:
        for asset in ASSET.findall(html.decode()):
            assets[asset] = _fetch_asset(client, asset)
    return Weight(html=_gzipped(html), assets=assets)


def test_the_coach_home_is_light_on_first_load(production_static, rachel):
    client = Client()
    client.force_login(rachel)

    weight = page_weight(client, reverse("home"), with_assets=True)

    # What a phone downloads: the page, the stylesheet, htmx, the enhancements script and the
    # offline scripts (docs/offline.md); the home-screen icon is counted though only iOS
    # fetches it, when the site is added to the home screen.
    names = sorted(re.sub(r"\.[0-9a-f]{12}", "", a.rsplit("/", 1)[1]) for a in weight.assets)
    assert names == [
        "apple-touch-icon.png",
        "coachroom.css",
        "coachroom.js",
        "device.js",
        "dropin.js",
        "favicon.svg",
        "htmx-2.min.js",
        "outbox.js",
    ]
    assert weight.total <= FIRST_LOAD_BUDGET, weight


def later_pages(coach: User) -> dict[str, str]:
    pair = CoachingRelationship.objects.filter(coach=coach).order_by("pk").first()
    assert pair is not None
    # The newest drop-in in a current pair: the demo's past years end their pairs, and access
    # ends with the pair
    current = CoachingRelationship.objects.current().filter(coach=coach)
    drop_in = Observation.objects.filter(relationship__in=current).order_by("-pk").first()
    assert drop_in is not None
    return {
        "coach home": reverse("home"),
        "teacher timeline": reverse("coaching:timeline", args=[pair.coachee_id]),
        "drop-in": reverse("coaching:drop-in-detail", args=[drop_in.pk]),
        "week": reverse("scheduling:week"),
        "library": reverse("library:step-list"),
    }


def test_later_pages_send_only_their_html(production_static, rachel):
    client = Client()
    client.force_login(rachel)

    weights = {
        name: page_weight(client, url, with_assets=False)
        for name, url in later_pages(rachel).items()
    }

    heavy = {name: w.html for name, w in weights.items() if w.html > LATER_PAGE_BUDGET}
    assert heavy == {}, f"over {LATER_PAGE_BUDGET} bytes gzipped: {heavy}"
