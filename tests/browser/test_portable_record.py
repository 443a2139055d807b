"""The portable record end to end: alice downloads her induction record at Oak; at Elm, her new
school, the induction tutor uploads it, checks whose it is, attaches it and reads it, with the
original PDF. Every page checked with axe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coachroom.induction.models import EarlierInductionRecord
from tests.browser.helpers import assert_accessible, assert_fits, sign_in
from tests.factories import PASSWORD
from tests.induction.portable_data import EVIDENCE, induction_at, make_history, members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_record_moves_with_the_ect_to_a_new_school(
    live_server,
    phone: Page,
    desktop: Page,
    tmp_path,
    oak,
    oak_year,
    elm,
    alice,
    bob,
    tess,
    head,
    carol,
    outsider,
):
    induction = induction_at(
        oak, alice, starts_on=dt.date(2026, 9, 7), by=tess, mentor=bob, tutor=tess
    )
    make_history(induction, alice=alice, bob=bob, tess=tess, head=head, carol=carol)
    url = live_server.url
    sign_in(desktop, url, "alice@oak.example", PASSWORD)
    desktop.get_by_role("link", name="My induction").click()
    assert_accessible(desktop)
    with desktop.expect_download() as download:
        desktop.get_by_role("button", name="Download your induction record").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "induction-record-alice-example-2026-11-04.zip"

    elm_induction = induction_at(elm, alice, starts_on=dt.date(2027, 1, 4), by=outsider)
    sign_in(phone, url, "outsider@elm.example", PASSWORD)
    phone.goto(f"{url}{elm_induction.get_absolute_url()}")
    phone.get_by_role("link", name="Attach an earlier induction record").click()
    assert_accessible(phone)
    phone.get_by_label("The induction record (.zip)").set_input_files(str(saved))
    phone.get_by_role("button", name="Check the file").click()
    expect(phone.get_by_text("Alice Example (alice@oak.example)")).to_be_visible()
    expect(phone.get_by_text("Oak School (URN 111111)")).to_be_visible()
    assert_accessible(phone)
    assert_fits(phone)
    phone.get_by_role("button", name="Attach it to Alice Example's induction").click()

    expect(
        phone.get_by_role("heading", name="Earlier induction record from Oak School")
    ).to_be_visible()
    expect(phone.get_by_text(EVIDENCE)).to_be_visible()
    assert_accessible(phone)
    assert_fits(phone)
    with phone.expect_download() as pdf:
        phone.get_by_role("link", name="Download the original PDF").click()
    assert Path(pdf.value.path()).read_bytes() == members(saved.read_bytes())["induction.pdf"]
    assert EarlierInductionRecord.objects.get().induction == elm_induction
