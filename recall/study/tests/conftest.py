from __future__ import annotations

import pytest

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.tests.conftest import library, make_resource, reference  # noqa: F401

HTMX = {"HX-Request": "true", "HX-Target": "review"}

# A short resource of two cards for the tests that save and re-save one (content(body)).
POINTS = (
    "- Stalin died in 1953 after thirty years in power.\n"
    "- In 1955 Kruschev created the Warsaw Pact with Poland.\n"
)


def content(body: str = POINTS) -> ParsedResource:
    return ParsedResource(
        title="Kruschev in power",
        subject="History",
        topic="The Cold War",
        cards=(ParsedCard("Power", body), ParsedCard("Thaw", "- He released Gulag prisoners.")),
    )


@pytest.fixture
def studying(other, reference):  # noqa: F811
    """`other` studies the reference page (19 clozes, 2 heading cards)."""
    from recall.study.actions import study_resource_add

    study_resource_add(other, reference)
    return reference
