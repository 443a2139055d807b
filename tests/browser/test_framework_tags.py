"""The mentor tags a step with the framework, with htmx and without reloading; the ECT then sees
the tag with the statement's wording. Every page checked with axe."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachroom.induction.models import FrameworkStatement, FrameworkTag
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_mentor_tags_a_step_and_the_ect_sees_it(live_server, phone: Page, pairing):
    pairing.kind = "ecf"
    pairing.save(update_fields=["kind"])
    step = make_step(pairing)
    FrameworkStatement.objects.create(
        section=2,
        number="2.3",
        kind="learn that",
        text="Made-up wording about memory.",
        loaded_at=timezone.now(),
    )
    url = live_server.url
    sign_in(phone, url, "bob@oak.example", PASSWORD)
    phone.goto(f"{url}{step.get_absolute_url()}")
    panel = phone.locator("#framework-tags")
    expect(panel.get_by_text("Not tagged with the framework yet.")).to_be_visible()
    assert_accessible(phone)

    phone.get_by_label("Framework section").select_option("2")
    phone.get_by_label("Statement number (optional)").fill("2.3")
    phone.get_by_role("button", name="Add tag").click()

    expect(panel.get_by_role("listitem").filter(has_text="Made-up wording")).to_be_visible()
    assert phone.url.endswith(step.get_absolute_url())  # swapped in place, no reload
    assert FrameworkTag.objects.filter(step=step, section=2, statement="2.3").exists()
    assert_accessible(phone)

    phone.get_by_role("button", name="Sign out").click()
    # signing out first sends what the device holds, then leaves: wait for it to finish
    expect(phone.get_by_role("heading", name="Sign in to Coachroom")).to_be_visible()
    sign_in(phone, url, "alice@oak.example", PASSWORD)
    phone.goto(f"{url}{step.get_absolute_url()}")
    expect(phone.get_by_role("listitem").filter(has_text="Made-up wording")).to_be_visible()
    expect(phone.get_by_role("button", name="Add tag")).to_have_count(0)
    assert_accessible(phone)
