"""What the browser journeys share: signing in, and the two checks every page must pass.

Test modules import these from here, never from ``conftest`` (pytest imports a conftest
itself; importing it again as a module can load it twice under two names)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()


def assert_accessible(page: Page) -> None:
    """No axe-core violations at all, of any impact (minor and moderate too), on the page."""
    results = _axe.run(page)
    violations = results.response["violations"]
    assert violations == [], f"{page.url}\n{results.generate_report()}"


def assert_fits(page: Page) -> None:
    """Nothing makes the page wider than the screen: wide tables scroll in their own region."""
    width = page.evaluate("document.documentElement.clientWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide on a {width} px screen"


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/sign-in/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
