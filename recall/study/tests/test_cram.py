"""Cram mode: an exam date brings learnt cards forward in the two weeks before it; the
answers are ordinary FSRS reviews at that time, logged as cram answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from recall.lib.study import scheduling
from recall.lib.study.cram import cram_retention
from recall.study.actions import (
    cards_due_for,
    exam_date_clear,
    exam_date_set,
    review_answer,
)
from recall.study.models import ExamDate, ReviewLog, ReviewState, StudiedResource, StudyItem

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def learnt(other, studying):
    """One cloze of the reference page answered Good at each due time until its stability
    passes 20 days; returns (item, clock time of the last answer)."""
    item = StudyItem.objects.get(resource=studying, answer="1953")
    moment = START
    with time_machine.travel(moment, tick=False):
        state = review_answer(other, item, scheduling.GOOD)
    while state.state != scheduling.REVIEW or state.stability < 20:
        moment = state.due
        with time_machine.travel(moment, tick=False):
            state = review_answer(other, item, scheduling.GOOD)
    return item, moment


def cram_ids(user, now):
    return [state.item_id for state in cards_due_for(user, now).cram]


def test_an_exam_brings_a_fading_card_forward_and_the_answer_is_a_plain_fsrs_review(other, learnt):
    item, last = learnt
    state = ReviewState.objects.get(user=other, item=item)
    exam_day = (state.due - timedelta(days=2)).date()  # the card is due after the exam
    exam_at = datetime(exam_day.year, exam_day.month, exam_day.day, tzinfo=UTC)
    before_window = exam_at - timedelta(days=15)
    in_window = exam_at - timedelta(days=5)
    with time_machine.travel(before_window, tick=False):
        exam_date_set(other, exam_day, resource=item.resource)
    assert cram_ids(other, before_window) == []  # too early
    recall = scheduling.retrievability(state.memory(), exam_at)
    assert recall < cram_retention(0.9)

    queue = cards_due_for(other, in_window)
    assert [s.item_id for s in queue.cram] == [item.pk]
    assert queue.cram[0].exam_on == exam_day and queue.cram[0].exam_recall == recall
    assert queue.next_item == item and queue.next_cram is not None  # before new cards
    assert queue.remaining == len(queue.new) + 1

    before = state.memory()
    with time_machine.travel(in_window, tick=False):
        after = review_answer(other, item, scheduling.GOOD)
    expected = scheduling.review(before, scheduling.GOOD, in_window)
    assert after.memory() == expected  # exactly what FSRS does for this early review
    assert after.due > before.due  # the long-term schedule moves on, not back
    log = ReviewLog.objects.filter(user=other, item=item).first()
    assert log.is_cram and log.reviewed_at == in_window
    assert cram_ids(other, in_window + timedelta(hours=1)) == []  # once a day at most
    assert cram_ids(other, exam_at + timedelta(hours=1)) == []  # the exam is over


def test_a_topic_exam_covers_the_studied_resources_of_the_topic(other, learnt):
    item, _ = learnt
    state = ReviewState.objects.get(user=other, item=item)
    exam_day = (state.due - timedelta(days=1)).date()
    now = datetime(exam_day.year, exam_day.month, exam_day.day, tzinfo=UTC) - timedelta(days=3)
    with time_machine.travel(now, tick=False):
        exam = exam_date_set(other, exam_day, topic=item.resource.topic)
        assert cram_ids(other, now) == [item.pk]
        exam_date_clear(other, exam)
        assert cram_ids(other, now) == []


def test_early_answers_without_an_exam_are_not_cram_answers(other, learnt):
    item, last = learnt
    with time_machine.travel(last + timedelta(days=2), tick=False):
        review_answer(other, item, scheduling.GOOD)
    assert not ReviewLog.objects.filter(is_cram=True).exists()


def test_exam_dates_are_checked(other, author, studying):
    with time_machine.travel(START, tick=False):
        with pytest.raises(ValidationError):
            exam_date_set(other, START.date(), resource=studying)  # today: too late
        with pytest.raises(ValidationError):
            exam_date_set(other, date(2029, 1, 1), resource=studying)
        exam = exam_date_set(other, date(2026, 3, 20), resource=studying)
        moved = exam_date_set(other, date(2026, 3, 21), resource=studying)
        assert moved.pk == exam.pk and ExamDate.objects.get().date == date(2026, 3, 21)
        with pytest.raises(PermissionDenied):
            exam_date_clear(author, exam)
        studying.status = "draft"
        studying.save()
        with pytest.raises(PermissionDenied):
            exam_date_set(author, date(2026, 3, 20), resource=studying)
    assert ExamDate.objects.count() == 1


# --- pages -----------------------------------------------------------------------------------


def test_setting_and_clearing_an_exam_date_from_the_pages(client, author, reference):
    client.force_login(author)
    page = "/resources/the-rise-of-kruschev/"
    with time_machine.travel(START, tick=False):
        html = client.get(page).content.decode()
        assert 'action="/study/exams/resources/the-rise-of-kruschev/"' in html
        response = client.post(
            "/study/exams/resources/the-rise-of-kruschev/", {"date": "2026-06-10", "next": page}
        )
        assert response.status_code == 302 and response["Location"] == page
        assert StudiedResource.objects.filter(user=author, resource=reference).exists()
        bad = client.post("/study/exams/resources/the-rise-of-kruschev/", {"date": "2026-01-10"})
        assert bad.status_code == 302 and ExamDate.objects.get().date == date(2026, 6, 10)
        topic = reference.topic
        topic_url = f"/study/exams/topics/{topic.subject.slug}/{topic.slug}/"
        assert topic_url in client.get(topic.get_absolute_url()).content.decode()
        client.post(topic_url, {"date": "2026-06-12", "next": "https://evil.example/"})
        assert ExamDate.objects.filter(topic=topic).exists()
        html = client.get("/study/").content.decode()
        assert "10 June 2026" in html and "12 June 2026" in html and "(topic)" in html
        exam = ExamDate.objects.get(resource=reference)
        assert client.post(f"/study/exams/{exam.pk}/clear/").status_code == 302
        assert not ExamDate.objects.filter(pk=exam.pk).exists()


def test_the_review_page_says_what_is_crammed(client, other, learnt):
    item, _ = learnt
    state = ReviewState.objects.get(user=other, item=item)
    exam_day = (state.due - timedelta(days=1)).date()
    now = datetime(exam_day.year, exam_day.month, exam_day.day, 9, tzinfo=UTC) - timedelta(days=4)
    client.force_login(other)
    with time_machine.travel(now, tick=False):
        exam_date_set(other, exam_day, resource=item.resource)
        html = client.get("/study/review/").content.decode()
        assert f"cramming for your exam on {exam_day.day} {exam_day:%B}" in html
        assert "1 to cram for an exam" in client.get("/study/").content.decode()


def test_cramming_costs_one_query_whatever_the_number_of_exams(
    client, other, learnt, library, django_assert_num_queries
):
    item, _ = learnt
    state = ReviewState.objects.get(user=other, item=item)
    exam_day = (state.due - timedelta(days=1)).date()
    now = datetime(exam_day.year, exam_day.month, exam_day.day, 9, tzinfo=UTC) - timedelta(days=4)
    client.force_login(other)
    with time_machine.travel(now, tick=False):
        exam_date_set(other, exam_day, resource=item.resource)
        client.get("/study/review/")
        with django_assert_num_queries(8):  # the review page's 7, and the crammed cards
            client.get("/study/review/")
        for name in ("blockade", "cuba", "weimar"):
            exam_date_set(other, exam_day, resource=library[name])
        exam_date_set(other, exam_day, topic=item.resource.topic)
        with django_assert_num_queries(8):
            html = client.get("/study/review/").content.decode()
    assert "cramming for your exam" in html


def test_new_cards_of_a_resource_with_an_exam_come_first(other, studying, library):
    from recall.study.actions import study_resource_add

    cuba = library["cuba"]
    study_resource_add(other, cuba)
    with time_machine.travel(START, tick=False):
        assert cards_due_for(other).new[0].resource == studying  # reading order
        exam = exam_date_set(other, START.date() + timedelta(days=20), resource=cuba)
        assert cards_due_for(other).new[0].resource == studying  # not yet in cram window
        exam_date_set(other, START.date() + timedelta(days=10), resource=cuba)
        new = cards_due_for(other).new
        assert new[0].resource == cuba and new[-1].resource == studying
        exam_date_clear(other, exam)
        assert cards_due_for(other).new[0].resource == studying
