"""Exam dates through the API: set on a resource or a topic, list, move, forget; each
user's own, validated as on the pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from recall.study.models import ExamDate, StudiedResource

from .conftest import error_of

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SLUG = "the-rise-of-kruschev"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_an_exam_on_a_resource_adds_it_to_the_studies(api, token, author, reference):
    response = api.put(f"/study/resources/{SLUG}/exam", {"date": "2026-05-14"}, token=token)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date"] == "2026-05-14" and body["topic"] is None
    assert body["resource"]["slug"] == SLUG
    assert StudiedResource.objects.filter(user=author, resource=reference).exists()
    # Setting it again moves it: still one exam.
    moved = api.put(f"/study/resources/{SLUG}/exam", {"date": "2026-06-01"}, token=token)
    assert moved.json()["id"] == body["id"] and moved.json()["date"] == "2026-06-01"
    assert ExamDate.objects.filter(user=author).count() == 1


def test_an_exam_on_a_topic_then_list_and_forget(api, token, author, reference):
    response = api.put(
        "/study/topics/history/the-cold-war/exam", {"date": "2026-04-01"}, token=token
    )
    assert response.status_code == 200, response.content
    topic = response.json()["topic"]
    assert (topic["subject"], topic["topic"], topic["name"]) == (
        "history",
        "the-cold-war",
        "The Cold War",
    )

    listed = api.get("/study/exams", token=token).json()
    assert [exam["id"] for exam in listed] == [response.json()["id"]]

    deleted = api.delete(f"/study/exams/{listed[0]['id']}", token=token)
    assert deleted.status_code == 204
    assert not ExamDate.objects.filter(user=author).exists()


def test_dates_in_the_past_or_too_far_are_refused(api, token, reference):
    today = api.put(f"/study/resources/{SLUG}/exam", {"date": "2026-03-02"}, token=token)
    far = api.put(f"/study/resources/{SLUG}/exam", {"date": "2029-01-01"}, token=token)
    garbage = api.put(f"/study/resources/{SLUG}/exam", {"date": "next week"}, token=token)

    assert (today.status_code, far.status_code, garbage.status_code) == (422, 422, 422)
    assert "after today" in error_of(today)["message"] + str(error_of(today).get("fields"))
    assert not ExamDate.objects.exists()


def test_someone_elses_exam_cannot_be_forgotten(api, token, other_token, reference):
    exam = api.put(f"/study/resources/{SLUG}/exam", {"date": "2026-05-14"}, token=token).json()

    response = api.delete(f"/study/exams/{exam['id']}", token=other_token)

    assert response.status_code == 404
    assert ExamDate.objects.filter(pk=exam["id"]).exists()
    assert api.get("/study/exams", token=other_token).json() == []


def test_unknown_resource_or_topic(api, token):
    assert (
        api.put("/study/resources/nothing/exam", {"date": "2026-05-14"}, token=token).status_code
        == 404
    )
    assert (
        api.put("/study/topics/history/nothing/exam", {"date": "2026-05-14"}, token=token)
    ).status_code == 404
