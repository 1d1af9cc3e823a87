"""The whole story in a real browser: two people publish, discuss and rate; a moderator acts.

Screenshots of each step go to test-artifacts/story/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from recall.community.models import Comment, Rating, Report
from recall.lib.resource_text import parse_resource_text
from recall.library.actions import resource_import
from recall.library.models import Resource, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = settings.BASE_DIR / "test-artifacts" / "story"


@pytest.fixture
def shoot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return shoot


def sign_up(page, site: str, name: str) -> None:
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.org")
    page.locator("#id_password1").fill("story-Pass-2026")
    page.locator("#id_password2").fill("story-Pass-2026")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text(name)


CARDS = [
    ("Causes", "- Rivalry between the USA and the USSR.\n- Fear of the other side's missiles."),
    ("Sputnik", "- The USSR launched **Sputnik 1** in October 1957."),
    ("The Moon", "- Apollo 11 landed on the Moon in July 1969."),
]


def test_two_people_publish_discuss_and_rate_and_a_moderator_hides_abuse(
    live_server,
    browser,
    shoot,
    moderator,
    reference_text,  # noqa: F811 - the browser fixture
):
    site = live_server.url
    reference = resource_import(parse_resource_text(reference_text), default_author="recall")
    reference = reference.resource
    # Moderators exist already; make their one-time password known to log in with.
    moderator.set_password("mod-Pass-2026")
    moderator.save()

    # Alice signs up and writes a resource with three cards.
    alice = browser.new_context()
    page = alice.new_page()
    sign_up(page, site, "alice")
    shoot(page, "01-signed-up")
    page.get_by_role("link", name="New resource").first.click()
    page.get_by_label("Title").fill("The Space Race")
    page.get_by_label("Subject").fill("History")
    page.get_by_label("Topic").fill("The Cold War")
    page.get_by_label("Level").select_option("gcse")
    for number, (heading, body) in enumerate(CARDS):
        if number:
            page.get_by_role("button", name="Add a card").click()
        page.locator(f"#id_cards-{number}-heading").fill(heading)
        page.locator(f"#id_cards-{number}-body").fill(body)
    # The live preview (htmx) renders the Markdown as it is typed...
    expect(page.locator("#preview-3")).to_contain_text("Apollo 11")
    # ...and the Preview button renders every card (the way it works without JavaScript).
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-2 strong")).to_have_text("Sputnik 1")
    expect(page.locator("#preview-1")).to_contain_text("Rivalry")
    shoot(page, "02-editor-preview")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    resource = Resource.objects.get(title="The Space Race")
    assert resource.status == Status.PUBLISHED and resource.cards.count() == 3
    assert resource.topic == reference.topic  # picked the existing topic, no proposal
    shoot(page, "03-published")

    # Bob reads it: buttons, arrow keys, the resource information.
    bob = browser.new_context()
    reader = bob.new_page()
    sign_up(reader, site, "bob")
    reader.goto(f"{site}/subjects/history/the-cold-war/")
    reader.get_by_role("link", name="The Space Race").click()
    position = reader.locator("#card .position")
    expect(position).to_have_text("1 of 3")
    reader.get_by_role("link", name="Next card").click()
    expect(position).to_have_text("2 of 3")
    reader.keyboard.press("ArrowRight")
    expect(position).to_have_text("3 of 3")
    expect(reader.locator("#card-heading")).to_have_text("The Moon")
    reader.keyboard.press("ArrowLeft")
    expect(position).to_have_text("2 of 3")
    reader.locator(".resource-info summary").click()
    expect(reader.locator(".resource-info dl")).to_contain_text("alice")
    shoot(reader, "04-reading")

    # Bob rates it, comments, and Alice replies.
    reader.get_by_label("4").check()
    reader.get_by_role("button", name="Save rating").click()
    expect(reader.locator("#your-rating")).to_be_visible()
    reader.get_by_label("Add a comment").fill("Really clear, thanks! When did *Vostok 1* fly?")
    reader.get_by_role("button", name="Post comment").click()
    expect(reader.locator(".comment-body").first).to_contain_text("When did Vostok 1 fly?")
    shoot(reader, "05-commented")
    page.goto(site + resource.get_absolute_url())
    shoot(page, "05b-author-sees-comment")
    page.locator(".comment-reply summary").first.click()
    page.get_by_label("Your reply").fill("April 1961, with Yuri Gagarin.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".comment-replies")).to_contain_text("Yuri Gagarin")
    shoot(page, "06-replied")

    # Bob posts an abusive comment, and Alice reports it.
    reader.reload()
    reader.get_by_label("Add a comment").fill("Buy cheap essays at spam.example!!!")
    reader.get_by_role("button", name="Post comment").click()
    expect(reader.locator("#comments")).to_contain_text("cheap essays")
    page.reload()
    abusive = Comment.objects.get(body__contains="cheap essays")
    page.locator(f"#comment-{abusive.pk}").get_by_role("link", name="Report").click()
    page.get_by_label("What is wrong?").fill("Spam advertising.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".messages")).to_be_visible()
    assert Report.objects.filter(comment=abusive).exists()

    # Both log out.
    for person in (page, reader):
        person.get_by_role("button", name="Log out").click()
        expect(person.get_by_role("link", name="Log in")).to_be_visible()

    # The moderator finds the report in the queue and hides the comment.
    mod = browser.new_context().new_page()
    mod.goto(f"{site}/accounts/login/")
    mod.get_by_label("Username").fill("mod")
    mod.locator("#id_password").fill("mod-Pass-2026")
    mod.get_by_role("button", name="Log in").click()
    mod.get_by_role("link", name="Moderation").click()
    expect(mod.locator("#reports-heading")).to_contain_text("(1)")
    shoot(mod, "07-moderation-queue")
    mod.get_by_role("button", name="Hide the comment").click()
    abusive.refresh_from_db()
    assert abusive.is_hidden

    # Gone for everyone else at once; the rest of the discussion stays.
    anonymous = browser.new_context().new_page()
    anonymous.goto(site + resource.get_absolute_url())
    expect(anonymous.locator("#comments")).not_to_contain_text("cheap essays")
    expect(anonymous.locator("#comments")).to_contain_text("Yuri Gagarin")
    shoot(anonymous, "08-after-moderation")

    user_model = get_user_model()
    assert Rating.objects.get(user=user_model.objects.get(username="bob")).stars == 4
    anonymous.locator(".resource-info summary").click()
    info = anonymous.locator(".resource-info dl").inner_text()
    assert re.search(r"Rating\s+.*4\.0 out of 5", info), info
