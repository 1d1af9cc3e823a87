"""The database ranks due cards exactly as FSRS's recall probability does (recall.study.due)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from recall.lib.study.scheduling import LEARNING, RELEARNING, REVIEW
from recall.study.actions import _risk, cards_due_for, study_settings_save
from recall.study.due import DUE_PAGE, due_count, due_states
from recall.study.models import ReviewState, StudyItem

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def random_states(user, items, seed: int = 3) -> None:
    chance = random.Random(seed)  # noqa: S311 - fixed test data
    for item in items:
        state = chance.choice([REVIEW, REVIEW, REVIEW, LEARNING, RELEARNING])
        last = NOW - timedelta(days=chance.uniform(0, 90), minutes=chance.randint(0, 1440))
        ReviewState.objects.create(
            user=user,
            item=item,
            state=state,
            step=None if state == REVIEW else 0,
            stability=round(chance.uniform(0.5, 60), 3),
            difficulty=5.0,
            due=NOW - timedelta(minutes=chance.randint(1, 20000)),
            last_review=last,
        )


# The defaults, and parameters fitted to a real log (another forgetting curve: w20 = 0.26).
FITTED = (0.1919, 0.5415, 1.1136, 2.0579, 6.5693, 0.5172, 3.1462, 0.0542, 1.6568, 0.1906, 0.6109)
FITTED += (1.5961, 0.0423, 0.3985, 1.8148, 0.6031, 1.8729, 0.7987, 0.224, 0.1331, 0.2616)


@pytest.mark.parametrize("parameters", [None, FITTED])
def test_the_database_order_is_the_recall_probability_order(other, studying, parameters):
    items = list(StudyItem.objects.filter(resource=studying))
    random_states(other, items)
    states = list(ReviewState.objects.filter(user=other).select_related("item"))
    expected = sorted(states, key=lambda state: (*_risk(state, NOW, 0.9, parameters), state.pk))

    ranked = due_states(other, NOW, 100)

    assert [state.pk for state in ranked] == [state.pk for state in expected]
    assert due_count(other, NOW, 100) == len(items) == 21
    assert due_count(other, NOW, 5) == 5
    assert due_states(other, NOW, 3) == ranked[:3]


def test_the_queue_holds_a_page_and_counts_the_rest(other, studying, author):
    from recall.library.tests.conftest import make_resource
    from recall.study.actions import study_resource_add

    study_settings_save(other, desired_retention=0.9, new_per_day=0, reviews_per_day=70)
    extra = make_resource("The Berlin Wall", cards=30)
    study_resource_add(other, extra)
    items = list(StudyItem.objects.filter(resource__in=[studying, extra]))
    assert len(items) > DUE_PAGE + 10
    random_states(other, items)

    queue = cards_due_for(other, NOW)

    assert len(queue.due) == DUE_PAGE
    assert queue.due_count == min(70, len(items))
    assert queue.remaining == queue.due_count


def fields(instance) -> dict:
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}
    return {**values, "_adding": instance._state.adding, "_db": instance._state.db}


def test_the_queue_is_made_of_the_same_instances_the_orm_makes(other, studying):
    from recall.study.models import StudyProfile

    items = list(StudyItem.objects.filter(resource=studying))
    random_states(other, items)
    study_settings_save(
        other, desired_retention=0.85, new_per_day=5, reviews_per_day=300, time_zone="Asia/Tokyo"
    )

    queue = cards_due_for(other, NOW)

    orm = ReviewState.objects.select_related("item__resource").in_bulk()
    assert len(queue.due) == 21
    for state in queue.due:
        assert fields(state) == fields(orm[state.pk])
        assert fields(state.item) == fields(orm[state.pk].item)
        assert fields(state.item.resource) == fields(orm[state.pk].item.resource)
        assert state.item.resource.topic_id == studying.topic_id
    assert fields(queue.profile) == fields(StudyProfile.objects.get(user=other))
    assert queue.profile.fsrs_parameters == []  # JSON, decoded
    assert queue.profile.time_zone == "Asia/Tokyo"


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_exams_in_cram_window_are_those_of_the_users_time_zone(other, studying, library, zone):
    from recall.study.actions import exam_date_set, profile_zone, study_resource_add
    from recall.study.cram import cramming_exams

    cuba = library["cuba"]
    study_resource_add(other, cuba)
    study_settings_save(
        other, desired_retention=0.9, new_per_day=50, reviews_per_day=300, time_zone=zone
    )
    # From the day before now's UTC date to the day after the widest window (UTC+14's).
    seen = set()
    for days in range(-1, 17):
        day = NOW.date() + timedelta(days=days)
        exam_date_set(other, day, resource=cuba, now=NOW - timedelta(days=3))
        queue = cards_due_for(other, NOW)
        cramming = bool(cramming_exams(other, NOW, profile_zone(queue.profile)))
        assert (queue.new[0].resource == cuba) == cramming, days
        seen.add((days, cramming))
    first = min(days for days, cramming in seen if cramming)
    assert first == {"UTC": 1, "Pacific/Kiritimati": 1, "Pacific/Pago_Pago": 0}[zone]
    assert len([days for days, cramming in seen if cramming]) == 14


def test_the_queue_takes_four_queries_at_most(other, studying, django_assert_num_queries):
    from recall.study.actions import study_profile

    items = list(StudyItem.objects.filter(resource=studying))
    random_states(other, items[:10])
    study_profile(other)  # no settings saved: the defaults
    # the settings with the exams in cram window, today's answers with the due count, the
    # due page with items and resources, and the new cards with their resources
    with django_assert_num_queries(4):
        queue = cards_due_for(other, NOW)
    assert len(queue.due) == 10 and queue.due_count == 10
    assert len(queue.new) == len(items) - 10
    assert queue.profile.pk is None and queue.profile.reviews_per_day > 0
    with django_assert_num_queries(0):
        [(state.item.prompt, state.item.resource.title) for state in queue.due]
        [item.resource.title for item in queue.new]
