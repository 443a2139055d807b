"""Browser journeys in Debian's Chromium, each page checked with axe-core.

One Chromium per test session (per xdist worker); each test gets a fresh context, so no
cookies or storage leak between tests. Shared helpers live in ``tests/browser/helpers.py``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# On SQLite the test database lives in memory and the live server's threads share its one
# connection: two requests at once (the offline worker keeping pages while the next page loads)
# would meet inside one transaction. Served one at a time instead, each connection closed after
# its answer. PostgreSQL keeps the threaded server.
class OneRequestAtATimeServer(WSGIServer):
    def __init__(self, *args: object, connections_override: object = None, **kwargs: object):
        # The live server thread has already taken the shared connection for itself.
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = OneRequestAtATimeServer

# Generous waits: CI shares two cores between the server, the browser and a second worker.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        raise RuntimeError("Chromium is needed for the browser tests: apt-get install chromium")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium_path(),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()
