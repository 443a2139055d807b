"""Drop-ins that survive a classroom with no signal, in Chromium on a phone-sized screen.

Each test runs in a browser profile of its own on disk (`launch_persistent_context`), so the
service worker, the kept pages and the IndexedDB outbox outlive closing the browser, as on a
phone. `set_offline` cuts the network for the pages and the service worker alike; every page
is checked with axe-core, offline ones too."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from coachroom.coaching import services
from coachroom.coaching.models import Observation, StepState
from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Opener = Callable[[], BrowserContext]


@pytest.fixture
def open_phone(browser: Browser, tmp_path: Path) -> Iterator[Opener]:
    """Opens the same phone profile (cookies, storage, service worker) each time it is called."""
    opened: list[BrowserContext] = []

    def open_context() -> BrowserContext:
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=_chromium(),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
            headless=True,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="en-GB",
        )
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        with contextlib.suppress(Exception):  # the test closed it already
            context.close()


def _chromium() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "chromium"


@pytest.fixture
def step(pairing):
    return make_step(pairing, state=StepState.AGREED, title="Stop, scan, say")


def _page(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else context.new_page()


def _controlled(page: Page) -> None:
    """Wait until the service worker runs this page (it claims pages as it starts)."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _ready(page: Page) -> None:
    """Wait until the drop-in form is the outbox's (its script has read the device's copy)."""
    expect(page.locator("form[data-offline-ready]")).to_have_count(1)


def _start_online(page: Page, url: str) -> None:
    sign_in(page, url, "bob@oak.example", PASSWORD)
    _controlled(page)
    page.get_by_role("button", name="Drop in on Alice Example").click()
    expect(page.get_by_role("heading", name="Drop-in: Alice Example")).to_be_visible()
    _ready(page)


def _status(page: Page):
    return page.locator("#autosave-status")


def test_a_drop_in_written_offline_survives_a_reload_and_a_closed_browser(
    live_server, open_phone, pairing, step
):
    url = live_server.url
    context = open_phone()
    page = _page(context)
    _start_online(page, url)
    page.get_by_label("What went well").fill("Calm entry.")
    expect(_status(page)).to_contain_text("Saved at")
    assert_accessible(page)

    # No signal: what is typed stays on the phone, and the page says so.
    context.set_offline(True)
    page.get_by_label("Notes").fill("Back table waited for the recap.")
    page.get_by_role("radio", name="Partly").check()
    expect(_status(page)).to_contain_text("Saved on this phone at")

    # A reload with no signal: the kept page, with everything typed.
    page.reload()
    _ready(page)
    expect(page.get_by_label("Notes")).to_have_value("Back table waited for the recap.")
    expect(page.get_by_role("radio", name="Partly")).to_be_checked()
    page.get_by_label("Notes").press_sequentially(" Pens out by 90 s.")
    page.get_by_role("button", name="Save drop-in").click()
    expect(_status(page)).to_contain_text("It will be sent when you are back online")
    assert_accessible(page)
    context.close()

    # The browser closed (its sign-in went with it). Reopened with no signal: home, kept.
    context = open_phone()
    context.set_offline(True)
    page = _page(context)
    page.goto(f"{url}/")
    expect(page.get_by_text("1 drop-in waiting to be sent from this device")).to_be_visible()
    assert_accessible(page)
    assert Observation.objects.get().notes == ""  # nothing has reached the server yet

    # Signal again: sign back in, and the outbox sends the drop-in, once.
    context.set_offline(False)
    sign_in(page, url, "bob@oak.example", PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Bob")).to_be_visible()
    # Sent, and removed from the phone only once the server confirmed it.
    expect(page.locator("body")).to_have_attribute("data-outbox-waiting", "0")
    expect(page.locator("[data-outbox-badge]")).to_be_hidden()
    observation = Observation.objects.get()
    assert observation.status == Observation.Status.SUBMITTED
    assert observation.went_well == "Calm entry."
    assert observation.notes == "Back table waited for the recap. Pens out by 90 s."
    assert [e.rating for e in observation.evidence.all()] == ["partly"]


def test_a_drop_in_can_be_started_with_no_signal(live_server, open_phone, pairing, step):
    url = live_server.url
    context = open_phone()
    page = _page(context)
    sign_in(page, url, "bob@oak.example", PASSWORD)
    _controlled(page)
    page.reload()  # the worker keeps the coachee's blank form as the home page opens
    expect(page.locator("body")).to_have_attribute("data-offline-kept", "true")
    context.set_offline(True)
    page.get_by_role("button", name="Drop in on Alice Example").click()
    expect(page.get_by_role("heading", name="Drop-in: Alice Example")).to_be_visible()
    _ready(page)
    page.get_by_role("radio", name="Seen").check()
    page.get_by_label("What went well").fill("Started offline.")
    page.get_by_role("button", name="Save drop-in").click()
    expect(_status(page)).to_contain_text("Saved on this phone at")
    assert_accessible(page)
    assert not Observation.objects.exists()

    context.set_offline(False)  # the page sends it as the signal returns
    expect(page.get_by_text("Drop-in for Alice Example saved.")).to_be_visible()
    observation = Observation.objects.get()
    assert (observation.went_well, observation.is_draft) == ("Started offline.", False)


def test_a_page_never_opened_here_says_there_is_no_connection(live_server, open_phone, pairing):
    context = open_phone()
    page = _page(context)
    sign_in(page, live_server.url, "bob@oak.example", PASSWORD)
    _controlled(page)
    context.set_offline(True)
    page.goto(f"{live_server.url}/coaching/teachers/{pairing.coachee_id}/")
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    assert_accessible(page)


def test_a_double_tap_and_two_tabs_make_one_drop_in(live_server, open_phone, pairing, step):
    context = open_phone()
    first = _page(context)
    _start_online(first, live_server.url)
    second = context.new_page()
    second.goto(first.url)
    _ready(second)

    first.get_by_label("Notes").fill("Typed in the first tab.")
    expect(_status(first)).to_contain_text("Saved at")
    second.bring_to_front()
    second.get_by_label("Notes").fill("Typed in the second tab, last.")
    second.get_by_role("radio", name="Seen").check()
    second.get_by_role("button", name="Save drop-in").dblclick()
    expect(second.get_by_text("Drop-in for Alice Example saved.")).to_be_visible()

    observation = Observation.objects.get()
    assert observation.status == Observation.Status.SUBMITTED
    assert observation.notes == "Typed in the second tab, last."
    assert observation.evidence.count() == 1


def test_a_change_made_elsewhere_while_offline_is_shown_for_the_coach_to_choose(
    live_server, open_phone, pairing, step, bob
):
    context = open_phone()
    page = _page(context)
    _start_online(page, live_server.url)
    page.get_by_label("Notes").fill("On the phone.")
    expect(_status(page)).to_contain_text("Saved at")

    context.set_offline(True)
    page.get_by_label("Notes").fill("On the phone, more words offline.")
    expect(_status(page)).to_contain_text("Saved on this phone at")
    observation = Observation.objects.get()  # meanwhile, the laptop saves the same drop-in
    services.observation_autosave(observation=observation, by=bob, notes="On the laptop.")

    context.set_offline(False)
    conflict = page.get_by_role("region", name="Two versions of this drop-in")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("On the phone, more words offline.")
    expect(conflict).to_contain_text("On the laptop.")
    expect(_status(page)).to_contain_text("two versions")
    assert_accessible(page)
    assert Observation.objects.get().notes == "On the laptop."  # nothing written over

    page.get_by_role("button", name="Keep this device's version").click()
    expect(_status(page)).to_contain_text("Saved at")
    expect(conflict).to_be_hidden()
    assert Observation.objects.get().notes == "On the phone, more words offline."


def test_signing_out_with_unsent_notes_warns_then_clears_the_device(
    live_server, open_phone, pairing, step
):
    context = open_phone()
    page = _page(context)
    _start_online(page, live_server.url)
    page.route("**/coaching/drop-ins/sync/", lambda route: route.abort())  # the school Wi-Fi drops
    page.get_by_label("Notes").fill("Not sent yet.")
    expect(_status(page)).to_contain_text("Not saved — will retry")

    page.get_by_role("button", name="Sign out").click()
    warning = page.get_by_role("alert").filter(has_text="Not everything has been sent")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("1 drop-in (Alice Example)")
    assert_accessible(page)
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out and delete them").click()
    expect(page.get_by_role("heading", name="Sign in to Coachroom")).to_be_visible()
    left = page.evaluate(
        """(async () => ({
          databases: (await indexedDB.databases())
            .map((d) => d.name)
            .filter((n) => n.startsWith('coachroom-')),
          pages: (await caches.keys()).filter((n) => n.startsWith('coachroom-pages-')),
        }))()"""
    )
    assert left == {"databases": [], "pages": []}
    assert Observation.objects.get().notes == ""


def test_the_last_words_typed_survive_leaving_at_once(live_server, open_phone, pairing, step):
    """Before, only what an autosave 1.5 s after the last keystroke had sent was kept."""
    context = open_phone()
    page = _page(context)
    _start_online(page, live_server.url)
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave site?", if a write is under way
    page.get_by_label("Notes").fill("Typed a moment before leaving.")
    page.get_by_role("radio", name="Not yet").check()
    page.reload()
    _ready(page)
    expect(page.get_by_label("Notes")).to_have_value("Typed a moment before leaving.")
    expect(page.get_by_role("radio", name="Not yet")).to_be_checked()
    expect(_status(page)).to_contain_text("Saved at")
    observation = Observation.objects.get()
    assert observation.notes == "Typed a moment before leaving."
    assert observation.draft_ratings == {str(step.pk): "not_yet"}
