"""A school admin checks a staff CSV, sees the problem with another school's person, fixes
the file and imports it: every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coachroom.accounts.models import Membership
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "email,first_name,last_name,roles\n"


def test_admin_uploads_a_staff_csv_fixes_a_problem_and_imports(
    live_server, desktop: Page, admin, outsider, tmp_path
):
    sign_in(desktop, live_server.url, "admin@oak.example", PASSWORD)
    desktop.goto(f"{live_server.url}/imports/")
    assert_accessible(desktop)

    bad = tmp_path / "staff.csv"
    bad.write_text(HEADER + "outsider@elm.example,Out,Sider,teacher\n")
    desktop.get_by_role("radio", name="Staff CSV").check()
    desktop.get_by_label("File").set_input_files(str(bad))
    desktop.get_by_role("button", name="Check the file").click()
    expect(desktop.get_by_role("heading", name="1 problem found")).to_be_visible()
    expect(desktop.get_by_text("A trust admin must add them to this school.")).to_be_visible()
    assert_accessible(desktop)

    good = tmp_path / "staff-fixed.csv"
    good.write_text(HEADER + "sam.lee@oak.example,Sam,Lee,teacher\n")
    desktop.get_by_role("link", name="Upload a corrected file").click()
    desktop.get_by_role("radio", name="Staff CSV").check()
    desktop.get_by_label("File").set_input_files(str(good))
    desktop.get_by_role("button", name="Check the file").click()
    expect(desktop.get_by_role("heading", name="No problems found")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Import for real").click()
    expect(desktop.get_by_role("heading", name="Imported")).to_be_visible()
    assert_accessible(desktop)
    assert Membership.objects.filter(user__email="sam.lee@oak.example").exists()
    assert not Membership.objects.filter(user=outsider, school__urn="111111").exists()
