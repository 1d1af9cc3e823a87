"""Hostile titles and card bodies: stored, listed and shown without any script surviving."""

from __future__ import annotations

import pytest

from recall.lib.resource_text import (
    MAX_TITLE_LENGTH,
    ParsedCard,
    ParsedResource,
    ResourceFormatError,
)
from recall.library.actions import resource_save
from recall.library.models import Resource, Subject, Topic
from recall.tests.xss import audit_page, hostile_inputs

pytestmark = pytest.mark.django_db

CARDS_PER_RESOURCE = 100


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@pytest.fixture
def hostile(author):
    """Every hostile input as a card body, and as a title, saved through the editor's action."""
    # NUL characters are refused (test_a_nul_character_is_refused); without them the
    # payloads only get harsher ("<scr\x00ipt>" becomes "<script>").
    inputs = [payload.replace("\x00", "") for payload in hostile_inputs()]
    for n, group in enumerate(chunks(inputs, CARDS_PER_RESOURCE)):
        content = ParsedResource(
            title=f"Hostile cards {n}",
            subject="History",
            topic="Payloads",
            cards=tuple(ParsedCard(heading=p[:200], body=p) for p in group),
        )
        resource_save(author, content, publish=True)
    for payload in inputs:
        title = " ".join(payload.split())[:MAX_TITLE_LENGTH] or "blank"
        content = ParsedResource(
            title=title, subject="History", topic="Titles", cards=(ParsedCard("", "- x"),)
        )
        resource_save(author, content, publish=True)
    # New topics from the editor wait for a moderator; these are approved so they list.
    Subject.objects.update(is_approved=True)
    Topic.objects.update(is_approved=True)
    return inputs


def test_no_script_survives_in_stored_card_html(hostile):
    for resource in Resource.objects.filter(topic__name="Payloads"):
        for card in resource.cards.all():
            assert audit_page(card.body_html) == [], card.body


def test_no_script_survives_on_the_all_cards_pages(client, hostile):
    resources = Resource.objects.filter(topic__name="Payloads")
    assert resources.count() == len(chunks(hostile, CARDS_PER_RESOURCE))
    for resource in resources:
        html = client.get(resource.get_all_cards_url()).content.decode()
        assert audit_page(html) == [], resource.title


def test_no_script_survives_in_titles_on_lists_and_pages(client, settings, hostile):
    settings.RECALL_PAGE_SIZE = 2000
    listing = client.get("/subjects/history/titles/").content.decode()

    assert audit_page(listing) == []
    assert (
        listing.count('class="resource-summary"')
        == Resource.objects.filter(topic__name="Titles").count()
    )
    for resource in Resource.objects.filter(topic__name="Titles")[:200]:
        html = client.get(resource.get_absolute_url()).content.decode()
        assert audit_page(html) == [], resource.title


def test_hostile_input_through_the_editor_form(client, author):
    client.force_login(author)
    for payload in hostile_inputs()[:150]:
        data = {
            "title": " ".join(payload.split())[:200] or "blank",
            "subject": "History",
            "topic": "Editor",
            "kind": "notes",
            "level": "",
            "exam_board": "",
            "action": "publish",
            "cards-TOTAL_FORMS": "1",
            "cards-INITIAL_FORMS": "1",
            "cards-0-heading": payload[:200],
            "cards-0-body": payload,
            "cards-0-ORDER": "1",
        }
        response = client.post("/resources/new/", data, follow=True)
        # Saved and shown (200), or refused with form errors (422: e.g. a NUL character).
        assert response.status_code in {200, 422}
        assert audit_page(response.content.decode()) == [], payload


def test_a_nul_character_is_refused(author):
    content = ParsedResource("Title", "History", "Payloads", (ParsedCard("", "<scr\x00ipt>"),))

    with pytest.raises(ResourceFormatError, match="NUL character"):
        resource_save(author, content)

    assert not Resource.objects.exists()
