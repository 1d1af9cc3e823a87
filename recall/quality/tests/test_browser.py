"""The issue's "done when" story in Chromium: paste the reference page, check, accept."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from recall.conftest import REFERENCE_PAGE
from recall.library.models import Resource, Status
from recall.library.tests.conftest import make_resource
from recall.library.tests.test_browser import logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_author_fixes_the_reference_page_in_a_few_clicks(live_server, browser, author):
    make_resource("The Berlin Blockade")  # History › The Cold War exists
    site = live_server.url
    context = logged_in_context(browser, site, author)
    page = context.new_page()
    page.goto(f"{site}/resources/new/")

    page.get_by_text("Paste a whole page of notes").click()
    page.get_by_label("Paste notes").fill(REFERENCE_PAGE.read_text())
    page.get_by_role("button", name="Split into cards").click()
    expect(page.get_by_label("Title")).to_have_value("The Rise of Kruschev")
    page.get_by_role("button", name="Check", exact=True).click()

    panel = page.locator("#quality-panel")
    expect(panel).to_contain_text("15 findings, 12 likely mistakes")
    expect(panel.locator("mark", has_text="greif")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    accept = panel.locator("button.accept")
    clicks = 0
    while accept.count():
        accept.first.click()  # the first (best) suggestion of the first finding
        expect(panel.locator(".quality-notice")).to_contain_text("Replaced")
        clicks += 1
        assert clicks <= 15
    expect(panel).to_contain_text("No findings.")

    assert clicks == 15
    expect(page.get_by_label("Title")).to_have_value("The Rise of Khrushchev")
    body = page.locator("#id_cards-0-body")
    expect(body).to_have_value(
        "- For many years the USSR pictured Stalin as a national hero for millions of "
        "Soviets. He had defeated Hitler and made the USSR a nuclear superpower\n"
        "- Stalin died in 1953. There was a lot of grief and moaning. People wondered who "
        "would take over the USSR.\n"
        "- In 1955 Nikita Khrushchev rose to power. He was very different to Stalin and he "
        "ended USSR's long rivalries with China and Yugoslavia.\n"
        '- He talked of "peaceful coexistence" with the west. He planned spending cuts on '
        "arms, and also went to the first post-war summit between the USSR, the USA, France "
        "and Britain in July 1955. He also wanted to improve standards of living for Soviets.\n"
        "- Khrushchev relaxed control of the Soviet Union. He shut down Cominform, released "
        "political prisoners from the Gulag and pulled Soviet troops out of Austria.\n"
        "- He seemed to be signalling to the countries of Eastern Europe that they would be "
        "allowed much greater independence to control their own affairs."
    )
    expect(page.locator("#id_cards-1-body")).to_contain_text("invited Marshal Tito to Moscow")
    expect(page.locator("#id_cards-2-body")).to_contain_text("a military alliance similar")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    resource = Resource.objects.get(title="The Rise of Khrushchev")
    assert resource.status == Status.PUBLISHED
    context.close()


def test_publishing_with_a_mistake_asks_first_and_ignoring_remembers(live_server, browser, author):
    make_resource("The Berlin Blockade")
    site = live_server.url
    context = logged_in_context(browser, site, author)
    page = context.new_page()
    page.goto(f"{site}/resources/new/")
    page.get_by_label("Title").fill("Grief")
    page.get_by_label("Subject").fill("History")
    page.get_by_label("Topic").fill("The Cold War")
    page.locator("#id_cards-0-body").fill("- There was a lot of greif.")

    page.get_by_role("button", name="Publish").click()
    panel = page.locator("#quality-panel")
    expect(panel).to_contain_text("Publish with 1 likely mistake?")
    panel.get_by_role("button", name="Ignore “greif” in this resource").click()
    expect(panel).to_contain_text("No findings (1 ignored).")
    page.get_by_role("button", name="Publish").click()

    expect(page.locator(".messages")).to_contain_text("Published")
    resource = Resource.objects.get(title="Grief")
    page.goto(f"{site}/resources/{resource.slug}/edit/?check=1")
    expect(page.locator("#quality-panel")).to_contain_text("No findings (1 ignored).")
    context.close()


def test_the_check_panel_fits_a_phone(live_server, browser, author):
    from recall.lib.resource_text import ParsedCard, ParsedResource
    from recall.library.actions import resource_save

    content = ParsedResource(
        "Notes", "History", "The Cold War", (ParsedCard("", "- A lot of greif and co-existance."),)
    )
    resource = resource_save(author, content)
    context = logged_in_context(
        browser, live_server.url, author, viewport={"width": 375, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/resources/{resource.slug}/edit/?check=1#quality-panel")
    expect(page.locator("#quality-panel")).to_contain_text("2 findings")

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
