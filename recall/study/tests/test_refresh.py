"""Study items follow a resource's saves; unchanged points keep their items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_save, subject_save, topic_save
from recall.library.models import Subject, Topic
from recall.study.actions import study_item_add, study_refresh, study_relabel
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


def _kruschev(
    title: str = "Kruschev",
    first: str = "Power",
    second: str = "Later",
    subject: str = "History",
    topic: str = "The Cold War",
) -> ParsedResource:
    return ParsedResource(
        title=title,
        subject=subject,
        topic=topic,
        cards=(
            ParsedCard(first, "- Stalin died in 1953.\n- Kruschev rose to power in 1955."),
            ParsedCard(second, "- Kruschev fell from power in 1964."),
        ),
    )


def _updated(resource) -> dict[str, object]:
    items = StudyItem.objects.filter(resource=resource, retired_at__isnull=True)
    return {f"{item.kind}:{item.point}": item.updated_at for item in items}


def test_a_new_title_or_heading_moves_the_clozes_it_shows_in(author):
    """A cloze's Anki note shows the title and its card's heading (Back Extra): a change to
    either must move its updated_at, or a re-import in Anki keeps the old text."""
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        resource = resource_save(author, _kruschev())
    first = _updated(resource)
    assert set(first.values()) == {monday}

    with time_machine.travel(monday + timedelta(days=1), tick=False):
        resource_save(author, _kruschev(second="The fall"), resource=resource)
    second = _updated(resource)
    fell = "cloze:Kruschev fell from power in 1964."
    # The second card's cloze shows the new heading; the first card's items show nothing
    # that changed; the renamed card's heading card is a new item (its key is its heading).
    assert second[fell] == monday + timedelta(days=1)
    assert second["cloze:Stalin died in 1953."] == monday
    assert second["heading:Stalin died in 1953.\nKruschev rose to power in 1955."] == monday
    assert StudyItem.objects.get(
        resource=resource, kind="heading", retired_at=None, card_position=2
    )

    with time_machine.travel(monday + timedelta(days=2), tick=False):
        resource_save(author, _kruschev(title="Khrushchev", second="The fall"), resource=resource)
    third = _updated(resource)
    moved = {key for key, at in third.items() if at == monday + timedelta(days=2)}
    assert moved == {key for key in third if key.startswith("cloze:")}  # headings show no title

    # Refreshing again (refresh_study_items) changes nothing more.
    with time_machine.travel(monday + timedelta(days=3), tick=False):
        resource.refresh_from_db()
        study_refresh(resource)
    assert _updated(resource) == third


def test_a_marked_clozes_quoted_lines_move_it(author):
    def flashcards(extra: str) -> ParsedResource:
        return ParsedResource(
            title="Cards",
            subject="History",
            topic="The Cold War",
            kind="flashcards",
            cards=(ParsedCard("", f"{{{{c1::Stalin}}}} died in {{{{c2::1953}}}}\n\n> {extra}"),),
        )

    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        resource = resource_save(author, flashcards("The end of an era"))
    with time_machine.travel(monday + timedelta(days=1), tick=False):
        resource_save(author, flashcards("The end of an era."), resource=resource)
    items = StudyItem.objects.filter(resource=resource, retired_at__isnull=True)
    assert items.count() == 2
    assert {item.updated_at for item in items} == {monday + timedelta(days=1)}


def test_a_move_to_another_topic_or_subject_moves_every_item(author):
    """An Anki note's tags (and deck) show the resource's subject and topic: a move must
    move every item's updated_at, authored ones too, or a re-import keeps the old tags."""
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        resource = resource_save(author, _kruschev())
        study_item_add(author, resource, question="Who followed Stalin?", answer="Kruschev")

    def updated() -> set[datetime]:
        return set(StudyItem.objects.filter(resource=resource).values_list("updated_at", flat=True))

    day = timedelta(days=1)
    with time_machine.travel(monday + day, tick=False):
        resource_save(author, _kruschev(topic="The Soviet Union"), resource=resource)
    assert StudyItem.objects.filter(resource=resource, origin="authored").count() == 1
    assert updated() == {monday + day}

    # The same subject and topic typed otherwise (names match by slug) is no move.
    with time_machine.travel(monday + 2 * day, tick=False):
        resource_save(
            author, _kruschev(subject="history", topic="the soviet union"), resource=resource
        )
    assert updated() == {monday + day}

    with time_machine.travel(monday + 3 * day, tick=False):
        resource_save(
            author, _kruschev(subject="Politics", topic="the soviet union"), resource=resource
        )
    assert updated() == {monday + 3 * day}

    # Refreshing again (refresh_study_items) changes nothing more.
    with time_machine.travel(monday + 4 * day, tick=False):
        resource.refresh_from_db()
        study_refresh(resource)
    assert updated() == {monday + 3 * day}


def _updated_by_resource(library) -> dict[str, set[datetime]]:
    return {
        name: set(StudyItem.objects.filter(resource=resource).values_list("updated_at", flat=True))
        for name, resource in library.items()
    }


def test_renaming_a_topic_or_subject_moves_the_items_of_its_resources(
    library, django_assert_num_queries
):
    before = _updated_by_resource(library)
    cold_war = Topic.objects.get(subject__slug="history", slug="the-cold-war")
    in_topic = {"reference", "blockade", "cuba"}

    renamed_at = datetime(2026, 3, 3, 9, tzinfo=UTC)
    with time_machine.travel(renamed_at, tick=False):
        topic_save(cold_war)  # nothing changed: nothing moves
        assert _updated_by_resource(library) == before
        cold_war.name = "The Cold War, 1945-1991"
        topic_save(cold_war)
    after = _updated_by_resource(library)
    for name in library:
        assert after[name] == ({renamed_at} if name in in_topic else before[name]), name

    history = Subject.objects.get(slug="history")
    history.slug, history.name = "modern-history", "Modern History"
    with time_machine.travel(renamed_at + timedelta(days=1), tick=False):
        subject_save(history)
    after = _updated_by_resource(library)
    assert after["weimar"] == {renamed_at + timedelta(days=1)}  # another topic, same subject
    assert after["cuba"] == {renamed_at + timedelta(days=1)}
    assert after["cells"] == before["cells"]

    in_subject = StudyItem.objects.exclude(resource=library["cells"]).count()
    with django_assert_num_queries(1):  # one UPDATE, whatever the number of resources
        assert study_relabel(subject=history) == in_subject


def test_a_rename_in_the_admin_moves_the_items(admin_client, library):
    topic = Topic.objects.get(subject__slug="biology", slug="cells")
    renamed_at = datetime(2026, 3, 3, 9, tzinfo=UTC)
    with time_machine.travel(renamed_at, tick=False):
        response = admin_client.post(
            reverse("admin:library_topic_change", args=[topic.pk]),
            {"subject": topic.subject_id, "name": "Cell biology", "slug": "cells",
             "is_approved": "on", "proposed_by": ""},
        )  # fmt: skip
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Cell biology"
    items = StudyItem.objects.filter(resource=library["cells"])
    assert set(items.values_list("updated_at", flat=True)) == {renamed_at}
    assert not StudyItem.objects.filter(updated_at=renamed_at).exclude(resource=library["cells"])
