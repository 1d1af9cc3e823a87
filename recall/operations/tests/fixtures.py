"""The `populated` fixture: a site in use, shared by operations and accounts tests."""

from __future__ import annotations

import pytest

from recall.api.actions import token_create
from recall.community.actions import comment_create, rating_set, report_resource
from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_save
from recall.library.models import Resource


@pytest.fixture
def populated(library, author, other, moderator) -> dict:
    """A site in use: the library, the author's published resource and draft, comments
    with a reply, ratings, a report, an API token and several revisions."""
    own = resource_save(
        author,
        ParsedResource(
            title="Author's Notes",
            subject="History",
            topic="The Cold War",
            level="gcse",
            exam_board="AQA",
            cards=(ParsedCard("Heading", "- *Emphasis* and `code`."),),
        ),
        publish=True,
    )
    own = resource_save(
        author,
        ParsedResource(
            title="Author's Notes",
            subject="History",
            topic="The Cold War",
            level="gcse",
            exam_board="AQA",
            cards=(ParsedCard("Heading", "- Edited."), ParsedCard("", "Second card.")),
        ),
        resource=own,
    )
    draft = resource_save(
        author,
        ParsedResource(
            title="Author's Draft",
            subject="History",
            topic="The Cold War",
            cards=(ParsedCard("", "Not finished."),),
        ),
    )
    kruschev = library["reference"]
    top = comment_create(author, kruschev, "A comment by the **author**.")
    reply = comment_create(other, kruschev, "A reply by the other user.", parent=top)
    other_top = comment_create(other, own, "The other user on the author's notes.")
    rating_set(author, kruschev, 4)
    rating_set(other, kruschev, 2)
    rating_set(other, own, 5)
    report = report_resource(author, library["cuba"], "A wrong date in card 2.")
    token_create(author, "laptop")
    return {
        "own": own,
        "draft": draft,
        "comment": top,
        "reply": reply,
        "other_comment": other_top,
        "report": report,
        "library": library,
        "resources": Resource.objects.count(),
    }
