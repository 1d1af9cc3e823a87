"""What needs a browser: the interactive docs run under the site's Content-Security-Policy
without loading anything from elsewhere, and the token page passes axe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_CSP = """
window.__blocked = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__blocked.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def test_the_docs_run_under_the_csp_and_load_nothing_from_elsewhere(live_server, browser):
    context = browser.new_context()
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    hosts, errors = set(), []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/api/v1/docs")

    expect(page.locator(".swagger-ui .title")).to_contain_text("Recall API")
    expect(page.get_by_text("/api/v1/resources/{slug}/cards/{position}").first).to_be_visible()
    page.get_by_text("/api/v1/subjects", exact=True).first.click()
    expect(page.get_by_text("Try it out").first).to_be_visible()
    assert hosts == {urlsplit(live_server.url).netloc}
    assert page.evaluate("window.__blocked") == []
    assert errors == []
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_token_page_has_no_accessibility_violations(live_server, browser, author, width):
    from recall.api.actions import token_create

    token_create(author, "laptop")
    client = Client()
    client.force_login(author)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.get_by_label("Token name").fill("flashcards script")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Token", exact=True)).to_have_value(re.compile(r"^rcl_"))

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    if width == 375:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
