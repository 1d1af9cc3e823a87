"""Studying through the API: the queue, answering (FSRS through study.actions), stats,
adding a resource; every study operation needs a token and sees only its user's studies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from recall.lib.study import scheduling
from recall.library.models import Resource, Status
from recall.study.actions import study_resource_add, study_settings_save
from recall.study.models import ReviewLog, ReviewState, StudyItem

from .conftest import error_of

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def studying(author, reference):
    study_resource_add(author, reference)
    return reference


def test_the_queue_lists_new_items_in_reading_order(api, token, studying):
    with time_machine.travel(START, tick=False):
        response = api.get("/study/queue?limit=5", token=token)

    assert response.status_code == 200
    body = response.json()
    assert (body["due_count"], body["new_count"], body["reviewed_today"]) == (0, 20, 0)
    assert len(body["items"]) == 5
    first = body["items"][0]
    assert first["state"] == "new" and first["due"] is None
    assert first["kind"] == "heading" and first["prompt"].endswith("what were its key points?")
    expected = StudyItem.objects.filter(resource=studying).order_by("position")[:5]
    assert [item["id"] for item in body["items"]] == [item.pk for item in expected]
    assert [item["answer"] for item in body["items"]] == [item.answer for item in expected]
    assert first["resource"] == {"slug": "the-rise-of-kruschev", "title": studying.title}


def test_answering_a_review_schedules_it_as_the_page_does(api, author, token, studying):
    item = StudyItem.objects.get(resource=studying, point__startswith="Stalin died")
    with time_machine.travel(START, tick=False):
        response = api.post(
            f"/study/items/{item.pk}/reviews", {"rating": 3, "duration_ms": 4200}, token=token
        )

    assert response.status_code == 200, response.content
    body = response.json()
    expected = scheduling.review(None, scheduling.GOOD, START)
    assert body["item_id"] == item.pk and body["state"] == "learning"
    assert datetime.fromisoformat(body["due"]) == expected.due
    assert body["reps"] == 1 and body["lapses"] == 0
    log = ReviewLog.objects.get(user=author, item=item)
    assert (log.rating, log.duration_ms, log.was_new) == (3, 4200, True)
    # It is now in the queue as a learning step.
    with time_machine.travel(START + timedelta(minutes=11), tick=False):
        queue = api.get("/study/queue", token=token).json()
    assert queue["items"][0]["id"] == item.pk and queue["items"][0]["state"] == "learning"
    assert queue["reviewed_today"] == 1 and queue["new_today"] == 1


@pytest.mark.parametrize(
    "body",
    [{"rating": 0}, {"rating": 5}, {"rating": "3"}, {"rating": 3, "duration_ms": -1}, {}],
)
def test_invalid_answers_are_refused(api, token, studying, body):
    item = StudyItem.objects.filter(resource=studying).first()
    response = api.post(f"/study/items/{item.pk}/reviews", body, token=token)
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"
    assert not ReviewLog.objects.exists()


def test_items_of_resources_you_dont_study_are_forbidden(api, other_token, studying):
    item = StudyItem.objects.filter(resource=studying).first()
    response = api.post(f"/study/items/{item.pk}/reviews", {"rating": 3}, token=other_token)
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert not ReviewState.objects.exists()


def test_an_answer_reads_its_item_once(api, token, studying):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = StudyItem.objects.filter(resource=studying).first()
    api.post(f"/study/items/{item.pk}/reviews", {"rating": 3}, token=token)  # a first answer
    with CaptureQueriesContext(connection) as queries:
        response = api.post(f"/study/items/{item.pk}/reviews", {"rating": 3}, token=token)
    assert response.status_code == 200
    # review_answer's one query for the item, its resource and the user's studies; no
    # lookup of the item before it.
    table = StudyItem._meta.db_table
    assert [q["sql"] for q in queries.captured_queries if table in q["sql"]] == [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT i.resource_id")
    ]


def test_unknown_items_are_not_found(api, token):
    response = api.post("/study/items/999999/reviews", {"rating": 3}, token=token)
    assert response.status_code == 404


def test_a_hidden_draft_cant_be_studied_or_answered(api, author, other, other_token, studying):
    item = StudyItem.objects.filter(resource=studying).first()
    study_resource_add(other, studying)
    Resource.objects.filter(pk=studying.pk).update(status=Status.DRAFT, author=author)
    assert (
        api.post(f"/study/items/{item.pk}/reviews", {"rating": 3}, token=other_token).status_code
        == 403
    )
    assert api.post("/study/resources/the-rise-of-kruschev", token=other_token).status_code == 404


def test_it_adds_a_resource_to_your_studies(api, other, other_token, reference):
    response = api.post("/study/resources/the-rise-of-kruschev", token=other_token)
    assert response.status_code == 201
    assert response.json()["item_count"] == 21
    assert api.get("/study/queue", token=other_token).json()["new_count"] == 20


def test_stats_count_answers_states_and_the_forecast(api, author, token, studying):
    study_settings_save(author, desired_retention=0.9, new_per_day=20, reviews_per_day=200)
    items = list(StudyItem.objects.filter(resource=studying)[:2])
    with time_machine.travel(START, tick=False):
        for item in items:
            api.post(f"/study/items/{item.pk}/reviews", {"rating": 4}, token=token)
        stats = api.get("/study/stats", token=token).json()
    assert stats["total_reviews"] == 2
    assert stats["cards_by_state"] == {"new": 19, "learning": 0, "review": 2, "relearning": 0}
    assert stats["reviews_per_day"][-1] == {"day": "2026-03-02", "count": 2}
    assert sum(day["count"] for day in stats["forecast"]) == 2
    assert stats["parameters_optimised_at"] is None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/study/queue", None),
        ("get", "/study/stats", None),
        ("get", "/study/deck", None),
        ("post", "/study/items/1/reviews", {"rating": 3}),
        ("post", "/study/resources/the-rise-of-kruschev", None),
    ],
)
def test_every_study_operation_needs_a_token(api, studying, method, path, body):
    response = api.call(method, path, body)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    bad = api.call(method, path, body, token="not-a-token")
    assert bad.status_code == 401
    assert not ReviewLog.objects.exists()


def test_a_queue_is_its_token_users_own(api, other_token, studying):
    body = api.get("/study/queue", token=other_token).json()
    assert body["items"] == [] and body["new_count"] == 0


def test_it_exports_what_you_study_as_an_anki_package_or_csv(api, token, studying):
    response = api.get("/study/deck", token=token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/apkg"
    assert response["Content-Disposition"] == 'attachment; filename="recall-author.apkg"'
    assert response.content[:2] == b"PK"  # a zip, as .apkg files are
    csv = api.get("/study/deck?format=csv&resource=the-rise-of-kruschev", token=token)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "1953" in csv.content.decode()


def test_a_deck_of_nothing_or_of_a_hidden_draft_is_not_found(api, author, other_token, draft):
    assert api.get("/study/deck", token=other_token).status_code == 404
    hidden = api.get(f"/study/deck?resource={draft.slug}", token=other_token)
    assert hidden.status_code == 404
    assert api.get("/study/deck?format=docx", token=other_token).status_code == 422


def test_unknown_query_parameters_are_refused(api, token, studying):
    response = api.get("/study/queue?limits=5", token=token)
    assert response.status_code == 422
    assert api.get("/study/deck?fromat=csv", token=token).status_code == 422
