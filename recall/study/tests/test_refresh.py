"""Study items follow a resource's saves; unchanged points keep their items."""

from __future__ import annotations

import pytest

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_save
from recall.study.models import StudyItem

pytestmark = pytest.mark.django_db


def test_it_generates_items_when_a_resource_is_imported(reference):
    items = StudyItem.objects.filter(resource=reference)
    assert items.filter(kind="cloze").count() == 19
    assert items.filter(kind="heading").count() == 2
    stalin = items.get(point__startswith="Stalin died in 1953")
    assert stalin.prompt.startswith("Stalin died in [...].")
    assert stalin.answer == "1953"
    assert stalin.card_position == 1


def test_it_keeps_items_of_unchanged_points_and_retires_the_others(author):
    content = ParsedResource(
        title="Kruschev",
        subject="History",
        topic="The Cold War",
        cards=(ParsedCard("Power", "- Stalin died in 1953.\n- Kruschev rose to power in 1955."),),
    )
    resource = resource_save(author, content)
    before = {item.point: item.pk for item in StudyItem.objects.filter(resource=resource)}

    changed = ParsedResource(
        title="Kruschev",
        subject="History",
        topic="The Cold War",
        cards=(ParsedCard("Power", "- Stalin died in 1953.\n- Kruschev led the USSR from 1956."),),
    )
    resource_save(author, changed, resource=resource)

    items = StudyItem.objects.filter(resource=resource)
    assert items.get(point="Stalin died in 1953.").pk == before["Stalin died in 1953."]
    old = items.get(pk=before["Kruschev rose to power in 1955."])
    assert old.retired_at is not None
    assert items.active().filter(point="Kruschev led the USSR from 1956.").count() == 1
    assert items.active().count() == 3  # the heading card kept its id, with a new answer
    heading = items.get(kind="heading")
    assert "1956" in heading.answer
