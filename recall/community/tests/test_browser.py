"""What needs a browser: htmx posting in place, the no-JavaScript fallback, and axe on
every community page, at desktop and phone widths."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from recall.accounts.roles import MODERATORS_GROUP
from recall.community.models import Comment, Rating, Report
from recall.library.models import Topic

from .conftest import add_comment

PAGE = "/resources/the-berlin-wall/"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _moderators_group(transactional_db) -> None:
    # Transactional tests start from an emptied database: the migration's group is gone.
    Group.objects.get_or_create(name=MODERATORS_GROUP)


@pytest.fixture
def site(live_server, author, other, moderator, resource):
    """A discussion with replies, a hidden comment, ratings, a report and a proposal."""
    first = add_comment(resource, other, "Useful, **thanks**.\n\n- one\n- two")
    add_comment(resource, author, "Glad it helps.", parent=first)
    hidden = add_comment(resource, other, "Spam")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Rating.objects.create(resource=resource, user=moderator, stars=4)
    Report.objects.create(reporter=other, comment=first, reason="Testing the queue.")
    Topic.objects.create(
        subject=resource.subject, name="Space Race", slug="space-race", is_approved=False
    )
    return live_server.url


def logged_in(browser, site: str, user, **options):
    """A browser context with `user`'s session, made without the login form."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])
    return context


def test_a_comment_posts_in_place_with_htmx(site, browser, other):
    context = logged_in(browser, site, other)
    page = context.new_page()
    page.goto(site + PAGE)
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Add a comment").fill("Posted *in place*.")
    page.get_by_role("button", name="Post comment").click()

    expect(page.locator("#comments")).to_contain_text("Your comment is posted.")
    expect(page.locator("#comments em")).to_have_text("in place")
    assert page.evaluate("window.notReloaded") is True
    assert Comment.objects.filter(body="Posted *in place*.").exists()
    context.close()


def test_a_reply_and_a_rating_work_without_javascript(site, browser, other):
    context = logged_in(browser, site, other, java_script_enabled=False)
    page = context.new_page()
    page.goto(site + PAGE)

    page.get_by_text("Reply to other").click()
    page.get_by_label("Your reply").fill("Replying without JavaScript.")
    page.get_by_role("button", name="Post reply").click()

    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    expect(page.locator(".comment-replies")).to_contain_text("Replying without JavaScript.")
    page.get_by_text("resource information").click()
    page.get_by_label("5 stars").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator(".messages")).to_contain_text("Your rating of 5 out of 5 is saved.")
    assert Rating.objects.get(user=other).stars == 5
    context.close()


def test_a_rating_updates_the_average_in_place(site, browser, other):
    context = logged_in(browser, site, other)
    page = context.new_page()
    page.goto(site + PAGE)
    page.get_by_text("resource information").click()

    page.get_by_label("2 stars").check()
    page.get_by_role("button", name="Save rating").click()

    expect(page.locator("#your-rating")).to_contain_text("Your rating of 2 out of 5 is saved.")
    expect(page.locator("#rating-summary")).to_contain_text("3.0 out of 5 (2 ratings)")
    context.close()


def test_a_moderator_hides_a_comment_in_place(site, browser, moderator):
    context = logged_in(browser, site, moderator)
    page = context.new_page()
    page.goto(site + PAGE)

    page.get_by_role("button", name="Hide the comment by other").first.click()

    expect(page.locator("#comments")).to_contain_text("The comment is hidden.")
    assert Comment.objects.filter(is_hidden=True).count() == 2
    context.close()


@pytest.mark.parametrize(
    "who, path",
    [
        ("other", PAGE),
        ("author", PAGE),
        ("moderator", PAGE),
        ("moderator", "/moderation/"),
        ("other", PAGE + "comments/"),
        ("other", PAGE + "report/"),
        (None, PAGE),
    ],
)
@pytest.mark.parametrize("width", [1280, 375])
def test_community_pages_have_no_accessibility_violations(
    site, browser, author, other, moderator, who, path, width
):
    users = {"other": other, "author": author, "moderator": moderator}
    options = {"viewport": {"width": width, "height": 900}}
    context = (
        logged_in(browser, site, users[who], **options) if who else browser.new_context(**options)
    )
    page = context.new_page()
    page.goto(site + path)
    # Open every disclosure: the reply, edit and delete forms are checked too.
    page.locator("details").evaluate_all("nodes => nodes.forEach(d => d.open = true)")

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
