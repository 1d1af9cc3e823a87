"""StudiedResource.has_new: the queue looks for new cards only where some are left, and
every write that can add one sets it again; StudyItem.updated_at follows what an item asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from recall.library.actions import resource_save
from recall.study.actions import (
    cards_due_for,
    review_answer,
    study_item_add,
    study_item_choose_span,
    study_item_edit,
    study_item_hide,
    study_item_revert,
    study_resource_add,
)
from recall.study.models import StudiedResource, StudyItem

from .test_authoring import POINTS, cloze_of, content, own  # noqa: F401

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)


def has_new(user, resource) -> bool:
    return StudiedResource.objects.get(user=user, resource=resource).has_new


def answer_all(user, resource) -> None:
    for item in StudyItem.objects.active().filter(resource=resource):
        review_answer(user, item, 3)


@pytest.fixture
def studied(author, other, own):  # noqa: F811
    own = resource_save(author, content(), resource=own, publish=True)
    study_resource_add(other, own)
    return own


def test_the_marker_clears_with_the_last_first_answer(other, studied):
    items = list(StudyItem.objects.active().filter(resource=studied))
    assert len(items) > 1 and has_new(other, studied)
    review_answer(other, items[0], 3)
    assert has_new(other, studied)  # some are left
    review_answer(other, items[0], 3)  # a second answer changes nothing
    for item in items[1:]:
        review_answer(other, item, 3)
    assert not has_new(other, studied)
    assert cards_due_for(other).new == []


def test_a_save_that_adds_a_point_brings_a_new_card(author, other, studied):
    answer_all(other, studied)
    resource_save(
        author, content(POINTS + "- In 1956 Hungary rose against Moscow.\n"), resource=studied
    )
    assert has_new(other, studied)
    new = cards_due_for(other).new
    assert [item.point for item in new] == ["In 1956 Hungary rose against Moscow."]
    # A save that changes nothing leaves a fully seen resource alone.
    review_answer(other, new[0], 3)
    resource_save(
        author, content(POINTS + "- In 1956 Hungary rose against Moscow.\n"), resource=studied
    )
    assert not has_new(other, studied)


def test_a_point_that_comes_back_is_new_again_if_never_answered(author, other, studied):
    stalin = cloze_of(studied, "Stalin died")
    without = POINTS.replace("- Stalin died in 1953 after thirty years in power.\n", "")
    resource_save(author, content(without), resource=studied)
    answer_all(other, studied)
    assert not has_new(other, studied)
    resource_save(author, content(), resource=studied)
    assert has_new(other, studied)
    assert stalin in cards_due_for(other).new


def test_restoring_a_hidden_item_and_adding_a_question_bring_new_cards(author, other, studied):
    stalin = cloze_of(studied, "Stalin died")
    study_item_hide(author, stalin)
    answer_all(other, studied)
    assert not has_new(other, studied)
    study_item_hide(author, stalin, hidden=False)
    assert has_new(other, studied)
    assert cards_due_for(other).new == [stalin]
    review_answer(other, stalin, 3)
    assert not has_new(other, studied)
    question = study_item_add(author, studied, question="Who followed Stalin?", answer="Kruschev")
    assert has_new(other, studied)
    assert cards_due_for(other).new == [question]


def test_a_hidden_last_new_card_leaves_a_stale_marker_that_costs_nothing(author, other, studied):
    items = list(StudyItem.objects.active().filter(resource=studied))
    for item in items[:-1]:
        review_answer(other, item, 3)
    study_item_hide(author, items[-1])
    assert has_new(other, studied)  # stale: true may be, false never is
    assert cards_due_for(other).new == []


def test_updated_at_moves_when_what_the_item_asks_changes(author, own):  # noqa: F811
    with time_machine.travel(MONDAY, tick=False):
        own = resource_save(author, content(), resource=own)
    stalin = cloze_of(own, "Stalin died")
    pact = cloze_of(own, "In 1955")

    def later(days: int, action) -> datetime:
        moment = MONDAY + timedelta(days=days)
        with time_machine.travel(moment, tick=False):
            action()
        return moment

    def updated(item) -> datetime:
        item.refresh_from_db()
        return item.updated_at

    unchanged = updated(stalin)
    later(1, lambda: resource_save(author, content(), resource=own))
    assert updated(stalin) == unchanged  # same text: not updated
    edited = later(
        2, lambda: study_item_edit(author, stalin, prompt="When did Stalin die?", answer="1953")
    )
    assert updated(stalin) == edited
    later(3, lambda: resource_save(author, content(), resource=own))
    assert updated(stalin) == edited  # the edit stays, nothing changed
    reverted = later(4, lambda: study_item_revert(author, stalin))
    assert updated(stalin) == reverted
    hidden = later(5, lambda: study_item_hide(author, stalin))
    assert updated(stalin) == hidden
    restored = later(6, lambda: study_item_hide(author, stalin, hidden=False))
    assert updated(stalin) == restored
    chosen = later(7, lambda: study_item_choose_span(author, pact, "Poland"))
    assert updated(pact) == chosen
    changed = POINTS.replace("thirty years", "three decades")
    retired = later(8, lambda: resource_save(author, content(changed), resource=own))
    assert updated(stalin) == retired  # its point is gone: retired
