"""The study pages: the Study button, the queue, reviewing with and without htmx, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model

from recall.lib.study.scheduling import AGAIN, GOOD
from recall.study.actions import review_answer
from recall.study.models import ReviewLog, StudiedResource, StudyItem, StudyProfile

from .conftest import HTMX

pytestmark = pytest.mark.django_db

RESOURCE = "/resources/the-rise-of-kruschev/"


def test_the_resource_page_has_a_study_button_for_logged_in_users(client, other, reference):
    anonymous = client.get(RESOURCE).content.decode()
    assert 'action="/study/resources/' not in anonymous
    # An anonymous reader is asked to log in, and comes back to the resource.
    assert 'href="/accounts/login/?next=/resources/the-rise-of-kruschev/">Log in to study' in (
        anonymous.replace("%2F", "/")
    )
    client.force_login(other)
    html = client.get(RESOURCE).content.decode()
    assert 'action="/study/resources/the-rise-of-kruschev/"' in html


def test_the_study_button_adds_the_resource_and_opens_the_review(client, other, reference):
    client.force_login(other)
    response = client.post("/study/resources/the-rise-of-kruschev/")
    assert response.status_code == 302 and response["Location"] == "/study/review/"
    assert StudiedResource.objects.filter(user=other, resource=reference).exists()
    html = client.get("/study/review/").content.decode()
    assert "The Rise of Kruschev -Background: what were its key points?" in html
    assert "Show answer" in html
    assert 'value="0" max="20"' in html  # 20 new cards a day by default


def test_pages_need_a_login(client, reference):
    for url in ["/study/", "/study/review/", "/study/settings/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/study/resources/the-rise-of-kruschev/").status_code == 302
    item = StudyItem.objects.first()
    assert client.post(f"/study/review/{item.pk}/", {"rating": 3}).status_code == 302
    assert not StudiedResource.objects.exists() and not ReviewLog.objects.exists()


def test_another_users_draft_cannot_be_studied(client, other, author, reference):
    reference.status = "draft"
    reference.author = author
    reference.save()
    client.force_login(other)
    assert client.post("/study/resources/the-rise-of-kruschev/").status_code == 404


def test_answering_an_item_not_studied_is_forbidden(client, author, studying):
    client.force_login(author)
    item = StudyItem.objects.filter(resource=studying).first()
    assert client.post(f"/study/review/{item.pk}/", {"rating": 3}).status_code == 403
    assert not ReviewLog.objects.exists()


def test_show_then_rate_without_javascript(client, other, studying):
    client.force_login(other)
    first = StudyItem.objects.get(resource=studying, position=1)
    html = client.get("/study/review/", {"show": first.pk}).content.decode()
    assert "Answer" in html and 'data-rating="1"' in html
    response = client.post(f"/study/review/{first.pk}/", {"rating": "3", "duration_ms": "5100"})
    assert response.status_code == 302
    log = ReviewLog.objects.get()
    assert (log.user, log.item, log.rating, log.duration_ms) == (other, first, 3, 5100)
    html = client.get("/study/review/").content.decode()
    second = StudyItem.objects.get(resource=studying, position=2)
    assert second.prompt.replace('"', "&quot;")[:40] in html
    assert 'value="1" max="20"' in html


def test_htmx_gets_the_next_card_alone(client, other, studying):
    client.force_login(other)
    first = StudyItem.objects.get(resource=studying, position=1)
    shown = client.get("/study/review/", {"show": first.pk}, headers=HTMX).content.decode()
    assert shown.startswith('<section id="review"') and "<html" not in shown
    response = client.post(f"/study/review/{first.pk}/", {"rating": "4"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<section id="review"')
    assert "Stalin as a national hero" in html  # the first cloze comes next


def test_a_bad_rating_is_refused(client, other, studying):
    client.force_login(other)
    item = StudyItem.objects.filter(resource=studying).first()
    assert client.post(f"/study/review/{item.pk}/", {"rating": "9"}).status_code == 400


def test_the_queue_page_query_count(client, other, studying, django_assert_num_queries):
    client.force_login(other)
    user_model = get_user_model()
    for n in range(3):
        reader = user_model.objects.create_user(f"reader{n}")
        StudiedResource.objects.create(user=reader, resource=studying)
    # session, user, the studied resources, every exam date (the list), and the queue: the
    # settings with the exams in cram window, the counts, the due page, the new cards; and
    # whether the user moderates (the header)
    with django_assert_num_queries(9):
        response = client.get("/study/")
    assert response.status_code == 200
    assert "The Rise of Kruschev" in response.content.decode()
    with django_assert_num_queries(7):
        assert client.get("/study/review/").status_code == 200


def test_settings_change_the_desired_retention(client, other):
    client.force_login(other)
    assert 'value="0.9"' in client.get("/study/settings/").content.decode()
    response = client.post(
        "/study/settings/",
        {"desired_retention": "0.85", "new_per_day": "5", "reviews_per_day": "50"},
    )
    assert response.status_code == 302
    profile = StudyProfile.objects.get(user=other)
    assert (profile.desired_retention, profile.new_per_day) == (0.85, 5)
    bad = client.post(
        "/study/settings/",
        {"desired_retention": "1.5", "new_per_day": "5", "reviews_per_day": "50"},
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_stop_studying(client, other, studying):
    client.force_login(other)
    response = client.post("/study/resources/the-rise-of-kruschev/remove/")
    assert response.status_code == 302
    assert not StudiedResource.objects.exists()


def test_the_stats_page_draws_answers_retention_and_forecast(
    client, other, studying, django_assert_num_queries
):
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    items = list(StudyItem.objects.filter(resource=studying, kind="cloze")[:3])
    with time_machine.travel(start, tick=False) as clock:
        for item in items:
            review_answer(other, item, GOOD)
        clock.shift(timedelta(minutes=20))
        for item in items:
            review_answer(other, item, GOOD)
        clock.shift(timedelta(days=3))
        review_answer(other, items[0], AGAIN)
        review_answer(other, items[1], GOOD)
        client.force_login(other)
        with django_assert_num_queries(7):  # with the user's study settings (time zone)
            html = client.get("/study/stats/").content.decode()
    assert "8 answers in the last 30 days" in html
    assert "Remembered: 80.0%" in html  # 4 of the 5 answers on learnt cards
    assert html.count('class="study-bar"') == 60
    assert "<title>2 Mar: 6</title>" in html
    assert "<title>5 Mar: 2</title>" in html
    assert 'style="' not in html[html.index("<svg") :]
