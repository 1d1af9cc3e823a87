"""A resource's current content as the editor sees it, and the card edits the API makes
to it. Every change is then saved whole by library.actions.resource_save, so that card
edits keep revisions, limits, sanitising and conflict checks like any other save."""

from __future__ import annotations

from dataclasses import replace

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.models import Resource


def current_content(resource: Resource) -> ParsedResource:
    return ParsedResource(
        title=resource.title,
        subject=resource.subject.name,
        topic=resource.topic.name,
        kind=resource.kind,
        level=resource.level,
        exam_board=resource.exam_board,
        cards=tuple(ParsedCard(card.heading, card.body) for card in resource.cards.all()),
    )


def with_card_inserted(content: ParsedResource, card: ParsedCard, position: int | None):
    """The content with the card at position (1-based; the end when None or past it)."""
    cards = list(content.cards)
    index = len(cards) if position is None else min(position - 1, len(cards))
    cards.insert(index, card)
    return replace(content, cards=tuple(cards))


def with_card_changed(
    content: ParsedResource, position: int, heading: str | None, body: str | None
) -> ParsedResource:
    cards = list(content.cards)
    old = cards[position - 1]
    cards[position - 1] = ParsedCard(
        old.heading if heading is None else heading, old.body if body is None else body
    )
    return replace(content, cards=tuple(cards))


def with_card_removed(content: ParsedResource, position: int) -> ParsedResource:
    cards = list(content.cards)
    del cards[position - 1]
    return replace(content, cards=tuple(cards))
