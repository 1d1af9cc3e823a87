"""The answer form's view: one item lookup, inside review_answer."""

from __future__ import annotations

import pytest

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
    # and the user's study settings), review state, saves of the state and the log, the
    # check for new cards left (a first answer only), and the transaction (a savepoint
    # here, BEGIN and COMMIT in production).
    with django_assert_num_queries(9):
        response = client.post(f"/study/review/{item.pk}/", {"rating": "3"})
    assert response.status_code == 302
    assert ReviewLog.objects.get().item == item
    with django_assert_num_queries(8):  # a later answer: no new-card check
        response = client.post(f"/study/review/{item.pk}/", {"rating": "3"})
    assert response.status_code == 302
