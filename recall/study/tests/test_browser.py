"""The study flow in Chromium: Study button, Space shows, 1-4 rate, htmx swaps, axe."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from recall.lib.resource_text import parse_resource_text
from recall.library.actions import resource_import
from recall.library.tests.test_browser import logged_in_context
from recall.study.models import ReviewLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, reference_text):
    resource_import(parse_resource_text(reference_text), default_author="recall")
    return live_server.url


def test_a_student_studies_the_reference_page_with_the_keyboard(site, browser, other):
    context = logged_in_context(browser, site, other)
    page = context.new_page()
    page.goto(f"{site}/resources/the-rise-of-kruschev/")
    page.get_by_role("button", name="Study").click()
    page.goto(f"{site}/study/review/")
    expect(page.locator(".study-prompt")).to_contain_text("Kruschev")
    expect(page.locator(".study-count")).to_contain_text("0 of")

    page.keyboard.press("Space")
    expect(page.locator(".study-answer")).to_be_visible()
    page.keyboard.press("3")
    expect(page.locator(".study-count")).to_contain_text("1 of")
    page.keyboard.press("Space")
    expect(page.locator(".study-answer")).to_be_visible()
    page.keyboard.press("1")
    expect(page.locator(".study-count")).to_contain_text("2 of")

    ratings = list(
        ReviewLog.objects.filter(user=other).order_by("pk").values_list("rating", flat=True)
    )
    assert ratings == [3, 1]
    assert page.locator("h1").count() == 1  # htmx swapped the card, not the page
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", ["/study/", "/study/review/", "/study/stats/", "/study/settings/"])
def test_study_pages_have_no_accessibility_violations(site, browser, other, path, width):
    context = logged_in_context(browser, site, other, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/resources/the-rise-of-kruschev/")
    page.get_by_role("button", name="Study").click()
    page.goto(site + path)

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    if width == 375:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
