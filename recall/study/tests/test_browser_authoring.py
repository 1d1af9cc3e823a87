"""Quiz, card editing and exam dates in Chromium: htmx swaps, and axe finds nothing."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from recall.lib.resource_text import parse_resource_text
from recall.library.actions import resource_import
from recall.library.models import Resource
from recall.library.tests.test_browser import logged_in_context
from recall.study.models import StudyItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESOURCE = "/resources/the-rise-of-kruschev/"


@pytest.fixture
def site(live_server, reference_text, author):
    resource = resource_import(parse_resource_text(reference_text), default_author="recall")
    Resource.objects.filter(pk=resource.resource.pk).update(author=author)
    return live_server.url


def test_a_typed_quiz_with_htmx(site, browser, other):
    context = logged_in_context(browser, site, other)
    page = context.new_page()
    page.goto(site + RESOURCE)
    page.get_by_role("link", name="Quiz", exact=True).click()
    page.get_by_role("link", name="Type the answers").click()
    expect(page.locator(".study-count")).to_contain_text("Question 1 of 10")
    prompt = page.locator(".study-prompt").inner_text()
    item = StudyItem.objects.get(resource__slug="the-rise-of-kruschev", prompt=prompt.strip())
    page.get_by_label("Your answer").fill(item.answer.lower())
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".study-answer")).to_contain_text("Right.")
    page.get_by_role("link", name="Next question").click()
    expect(page.locator(".study-count")).to_contain_text("Question 2 of 10")
    assert page.locator("h1").count() == 1  # htmx swapped the quiz, not the page
    context.close()


def test_the_author_hides_a_question_in_place(site, browser, author):
    context = logged_in_context(browser, site, author)
    page = context.new_page()
    page.goto(site + RESOURCE)
    page.get_by_role("link", name="Edit study cards").click()
    first = page.locator(".study-card").nth(1)
    first.get_by_role("button", name="Hide", exact=True).click()
    expect(first).to_contain_text("hidden")
    assert StudyItem.objects.filter(is_hidden=True).count() == 1
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize(
    "path",
    [
        RESOURCE,
        "/study/resources/the-rise-of-kruschev/cards/",
        "/study/quiz/resources/the-rise-of-kruschev/?mode=choice&seed=4",
        "/study/quiz/resources/the-rise-of-kruschev/?mode=typed&seed=4",
    ],
)
def test_the_pages_have_no_accessibility_violations(site, browser, author, path, width):
    context = logged_in_context(browser, site, author, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site + path)

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    context.close()
