"""What needs a real browser: keyboard paging, htmx swaps, the no-JS fallback, axe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from recall.lib.resource_text import parse_resource_text
from recall.library.actions import resource_import

from .conftest import make_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, reference_text):
    resource_import(parse_resource_text(reference_text), default_author="recall")
    make_resource("The Berlin Blockade", level="gcse", exam_board="AQA")
    make_resource("Animal Cells", subject="Biology", topic="Cells")
    return live_server.url


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def test_arrow_keys_page_through_cards(site, page):
    page.goto(f"{site}/resources/the-rise-of-kruschev/")
    position = page.locator("#card .position")
    expect(position).to_have_text("1 of 3")

    page.keyboard.press("ArrowRight")
    expect(position).to_have_text("2 of 3")
    expect(page).to_have_url(re.compile(r"\?card=2$"))
    expect(page.locator("#card")).to_contain_text("Marshall Tito")

    page.keyboard.press("ArrowRight")
    expect(page.locator("#card-heading")).to_have_text("The Warsaw Pact")
    page.keyboard.press("ArrowRight")  # past the last card: nothing happens
    expect(position).to_have_text("3 of 3")

    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text("2 of 3")
    expect(page).to_have_title(re.compile(r"The Rise of Kruschev \(2 of 3\)"))
    # htmx swapped the card alone: the page around it was not reloaded.
    assert page.locator("h1").count() == 1


def test_cards_page_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/resources/the-rise-of-kruschev/")

    page.get_by_role("link", name="Next card").click()
    expect(page).to_have_url(re.compile(r"\?card=2$"))
    expect(page.locator("#card .position")).to_have_text("2 of 3")
    page.get_by_text("resource information").click()
    expect(page.locator(".resource-info dl")).to_be_visible()
    context.close()


def test_resource_information_shows_and_hides(site, page):
    page.goto(f"{site}/resources/the-rise-of-kruschev/")
    details = page.locator(".resource-info dl")
    expect(details).to_be_hidden()
    expect(page.locator("summary")).to_have_text("Show resource information", use_inner_text=True)

    page.locator("summary").click()
    expect(details).to_be_visible()
    expect(page.locator("summary")).to_have_text("Hide resource information", use_inner_text=True)
    expect(details).to_contain_text("The Cold War")


def test_pages_make_no_external_requests(site, page):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    for path in ("/", "/subjects/history/", "/resources/the-rise-of-kruschev/?card=2"):
        page.goto(site + path)
    page.keyboard.press("ArrowRight")
    expect(page.locator("#card .position")).to_have_text("3 of 3")

    assert hosts == {urlsplit(site).netloc}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/subjects/history/",
        "/subjects/history/the-cold-war/",
        "/resources/the-rise-of-kruschev/?card=2",
        "/resources/the-rise-of-kruschev/all/",
        "/resources/missing/",
    ],
)
@pytest.mark.parametrize("width", [1280, 375])
def test_pages_have_no_accessibility_violations(site, browser, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site + path)
    page.locator("details").evaluate_all("nodes => nodes.forEach(d => d.open = true)")

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    if width == 375:
        # Nothing wider than a phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def logged_in_context(browser, site: str, user, **options):
    """A browser context holding a session for `user` (made by Django's test client)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}]
    )
    return context


@pytest.mark.parametrize("path", ["/resources/new/", "/users/author/", "/resources/{slug}/edit/"])
@pytest.mark.parametrize("width", [1280, 375])
def test_author_pages_have_no_accessibility_violations(site, browser, author, path, width):
    from recall.library.models import Resource

    resource = Resource.objects.get(title="The Berlin Blockade")
    Resource.objects.filter(pk=resource.pk).update(author=author)
    context = logged_in_context(browser, site, author, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site + path.format(slug=resource.slug))
    page.locator("details").evaluate_all("nodes => nodes.forEach(d => d.open = true)")

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    if width == 375:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


# Runs in every page before its own scripts: records any dialog a payload opens and any
# script the Content-Security-Policy had to block (which would mean one got through).
WATCH_SCRIPTS = """
window.__ran = [];
['alert', 'confirm', 'prompt', 'print'].forEach(function (name) {
  window[name] = function () { window.__ran.push(name); };
});
document.addEventListener('securitypolicyviolation', function (event) {
  window.__ran.push('csp:' + event.violatedDirective + ' ' + event.blockedURI);
});
"""


def test_no_payload_runs_script_in_the_browser(site, browser, author):
    from recall.lib.resource_text import ParsedCard, ParsedResource
    from recall.library.actions import resource_save
    from recall.library.models import Resource, Subject, Topic
    from recall.tests.xss import payloads

    hostile = payloads("owasp-xss-filter-evasion.json") + payloads("javascript-execution.json")
    hostile = [payload.replace("\x00", "") for payload in hostile]  # NUL is refused
    for n in range(0, len(hostile), 100):
        group = hostile[n : n + 100]
        title = " ".join(group[0].split())[:200]
        cards = tuple(ParsedCard(p[:200], p) for p in group)
        resource_save(author, ParsedResource(title, "History", "Payloads", cards), publish=True)
    Subject.objects.update(is_approved=True)
    Topic.objects.update(is_approved=True)
    context = browser.new_context()
    context.add_init_script(WATCH_SCRIPTS)
    dialogs = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    urls = ["/subjects/history/payloads/"]
    for resource in Resource.objects.filter(topic__name="Payloads"):
        urls += [resource.get_all_cards_url(), resource.get_absolute_url() + "?card=2"]
    for url in urls:
        page.goto(site + url)
        page.mouse.move(200, 300)  # hover and move handlers get their chance
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
        assert page.evaluate("window.__ran") == [], url
    assert dialogs == []
    context.close()
