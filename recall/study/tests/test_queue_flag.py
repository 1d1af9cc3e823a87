"""ReviewState.is_queued follows every write that takes a card out of the due queue or
puts it back (retire, hide, restore, stop and start studying), and the queue follows it."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recall.library.actions import resource_save
from recall.library.models import Resource, Subject, Topic
from recall.study.actions import (
    cards_due_for,
    review_answer,
    study_item_hide,
    study_resource_add,
    study_resource_remove,
)
from recall.study.due import due_count, due_states
from recall.study.models import ReviewState, StudyItem

from .conftest import content

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(author):
    """`author`'s published resource, studied by nobody yet."""
    resource = resource_save(author, content())
    Subject.objects.update(is_approved=True)
    Topic.objects.update(is_approved=True)
    return resource_save(
        author, content(), resource=Resource.objects.get(pk=resource.pk), publish=True
    )


@pytest.fixture
def answered(other, own):
    """`other` studies `own` and has answered every card of it once: all due in a week."""
    study_resource_add(other, own)
    for item in StudyItem.objects.filter(resource=own):
        review_answer(other, item, 3)
    return own


def later():
    return timezone.now() + timedelta(days=400)


def due_items(user) -> set[int]:
    return {state.item_id for state in cards_due_for(user, later()).due}


def queued(user, item) -> bool:
    return ReviewState.objects.get(user=user, item=item).is_queued


def stalin(resource) -> StudyItem:
    return StudyItem.objects.get(resource=resource, kind="cloze", point__startswith="Stalin")


def test_answered_cards_are_queued(other, answered):
    items = set(StudyItem.objects.filter(resource=answered).values_list("pk", flat=True))
    assert len(items) == 5
    assert set(ReviewState.objects.filter(user=other).values_list("is_queued", flat=True)) == {True}
    assert due_items(other) == items
    assert due_count(other, later(), 100) == 5


def test_hiding_takes_the_card_out_and_restoring_puts_it_back(author, other, answered):
    item = stalin(answered)

    study_item_hide(author, item)

    assert not queued(other, item)
    assert item.pk not in due_items(other)
    assert due_count(other, later(), 100) == 4

    study_item_hide(author, item, hidden=False)

    assert queued(other, item)
    assert item.pk in due_items(other)
    assert due_count(other, later(), 100) == 5


def test_retiring_takes_the_card_out_and_reviving_puts_it_back(author, other, answered):
    item = stalin(answered)

    resource_save(
        author,
        content("- In 1955 Kruschev created the Warsaw Pact with Poland.\n"),
        resource=answered,
    )

    item.refresh_from_db()
    assert item.retired_at is not None
    assert not queued(other, item)
    assert item.pk not in due_items(other)
    assert due_count(other, later(), 100) == 4

    resource_save(author, content(), resource=Resource.objects.get(pk=answered.pk))

    item.refresh_from_db()
    assert item.retired_at is None
    assert queued(other, item)
    assert item.pk in due_items(other)


def test_a_hidden_item_stays_out_when_its_point_comes_back(author, other, answered):
    item = stalin(answered)
    study_item_hide(author, item)
    resource_save(
        author,
        content("- In 1955 Kruschev created the Warsaw Pact with Poland.\n"),
        resource=answered,
    )
    resource_save(author, content(), resource=Resource.objects.get(pk=answered.pk))

    assert not queued(other, item)
    assert item.pk not in due_items(other)


def test_a_retired_item_stays_out_when_restored(author, other, answered):
    item = stalin(answered)
    study_item_hide(author, item)
    resource_save(
        author,
        content("- In 1955 Kruschev created the Warsaw Pact with Poland.\n"),
        resource=answered,
    )

    study_item_hide(author, item, hidden=False)

    assert not queued(other, item)
    assert item.pk not in due_items(other)


def test_unstudying_takes_the_cards_out_and_studying_again_puts_them_back(author, other, answered):
    hidden = stalin(answered)
    study_item_hide(author, hidden)

    study_resource_remove(other, answered)

    assert not ReviewState.objects.filter(user=other, is_queued=True).exists()
    assert due_items(other) == set()
    assert due_count(other, later(), 100) == 0

    study_resource_add(other, answered)

    assert set(ReviewState.objects.filter(user=other, is_queued=False)) == {
        ReviewState.objects.get(user=other, item=hidden)
    }
    assert len(due_items(other)) == 4


def test_restoring_an_item_of_an_unstudied_resource_keeps_it_out(author, other, answered):
    item = stalin(answered)
    study_item_hide(author, item)
    study_resource_remove(other, answered)

    study_item_hide(author, item, hidden=False)

    assert not queued(other, item)
    study_resource_add(other, answered)
    assert queued(other, item)
    assert item.pk in due_items(other)


def test_one_users_studies_leave_anothers_queue_alone(author, other, moderator, answered):
    study_resource_add(moderator, answered)
    item = stalin(answered)
    review_answer(moderator, item, 3)

    study_resource_remove(other, answered)

    assert queued(moderator, item)
    assert item.pk in due_items(moderator)


def test_a_flag_left_true_by_a_race_never_shows_an_unaskable_card(author, other, answered):
    item = stalin(answered)
    StudyItem.objects.filter(pk=item.pk).update(is_hidden=True)  # as if racing an answer

    assert item.pk not in {state.item_id for state in due_states(other, later(), 50)}


def test_the_due_count_reads_the_index_alone(other, answered):
    with CaptureQueriesContext(connection) as queries:
        assert due_count(other, later(), 100) == 5

    (query,) = queries.captured_queries
    assert "study_studyitem" not in query["sql"]
    assert "study_studiedresource" not in query["sql"]


def test_the_migration_fills_the_flag(author, other, answered):
    hidden, retired = stalin(answered), StudyItem.objects.filter(resource=answered)[1]
    StudyItem.objects.filter(pk=hidden.pk).update(is_hidden=True)
    StudyItem.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    ReviewState.objects.update(is_queued=True)
    migration = importlib.import_module("recall.study.migrations.0005_queued_flag")

    migration.fill(apps, None)

    out = set(ReviewState.objects.filter(is_queued=False).values_list("item_id", flat=True))
    assert out == {hidden.pk, retired.pk}
    study_resource_remove(other, answered)
    ReviewState.objects.update(is_queued=True)
    migration.fill(apps, None)
    assert not ReviewState.objects.filter(is_queued=True).exists()
