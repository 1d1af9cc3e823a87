"""The answer form's view: one item lookup, inside review_answer."""

from __future__ import annotations

import pytest
from django.db import connection

from recall.study.models import ReviewLog, StudyItem

pytestmark = pytest.mark.django_db


def test_an_unknown_item_is_not_found(client, other, studying):
    client.force_login(other)
    assert client.post("/study/review/999999/", {"rating": "3"}).status_code == 404
    assert not ReviewLog.objects.exists()


def test_an_answer_takes_one_item_query(client, other, studying, django_assert_num_queries):
    client.force_login(other)
    item = StudyItem.objects.filter(resource=studying).first()
    # session, user, item (with whether it is studied, its resource, topic and subject,
    # the user's study settings and review state), the saves of the state and the log
    # (one statement on PostgreSQL), the check for new cards left (a first answer only),
    # and the transaction (a savepoint here, BEGIN and COMMIT in production; on
    # PostgreSQL a first answer's only).
    postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(7 if postgresql else 8):
        response = client.post(f"/study/review/{item.pk}/", {"rating": "3"})
    assert response.status_code == 302
    assert ReviewLog.objects.get().item == item
    # A later answer: no new-card check, and on PostgreSQL no transaction.
    with django_assert_num_queries(4 if postgresql else 7):
        response = client.post(f"/study/review/{item.pk}/", {"rating": "3"})
    assert response.status_code == 302
    assert ReviewLog.objects.filter(item=item).count() == 2


@pytest.mark.parametrize(
    "post",
    [
        {},
        {"rating": ""},
        {"rating": "0"},
        {"rating": "5"},
        {"rating": " 3"},
        {"rating": "3.0"},
        {"rating": "Good"},
        {"rating": "3", "duration_ms": "-1"},
        {"rating": "3", "duration_ms": "soon"},
        {"rating": "3", "duration_ms": "2.5"},
    ],
)
def test_a_malformed_answer_is_refused_and_not_logged(client, other, studying, post):
    client.force_login(other)
    item = StudyItem.objects.filter(resource=studying).first()
    response = client.post(f"/study/review/{item.pk}/", post)
    assert response.status_code == 400
    assert not ReviewLog.objects.exists()


@pytest.mark.parametrize(
    ("post", "rating", "duration_ms"),
    [
        ({"rating": "1"}, 1, 0),
        ({"rating": "4", "duration_ms": ""}, 4, 0),
        ({"rating": "2", "duration_ms": " 2500 "}, 2, 2500),
        ({"rating": "3", "duration_ms": "2500.0"}, 3, 2500),
    ],
)
def test_an_answer_is_logged_with_its_rating_and_duration(
    client, other, studying, post, rating, duration_ms
):
    client.force_login(other)
    item = StudyItem.objects.filter(resource=studying).first()
    response = client.post(f"/study/review/{item.pk}/", post)
    assert response.status_code == 302
    assert response["Location"] == "/study/review/"
    log = ReviewLog.objects.get()
    assert (log.item, log.rating, log.duration_ms) == (item, rating, duration_ms)


def test_an_answer_needs_a_csrf_token(other, studying):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(other)
    item = StudyItem.objects.filter(resource=studying).first()
    assert client.post(f"/study/review/{item.pk}/", {"rating": "3"}).status_code == 403
    assert not ReviewLog.objects.exists()
