"""Per-user rate limits on comments (10 a minute) and reports (20 an hour)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from recall.community.models import Comment, Report

from .conftest import COMMENTS_URL, HTMX, URL

pytestmark = pytest.mark.django_db


def test_the_eleventh_comment_in_a_minute_is_refused(client, other, resource):
    client.force_login(other)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for n in range(10):
            assert client.post(COMMENTS_URL, {"body": f"Comment {n}"}).status_code == 302

        response = client.post(COMMENTS_URL, {"body": "One too many"})

        html = response.content.decode()
        assert response.status_code == 429
        assert "You can post at most 10 comments a minute: wait a moment and try again." in html
        assert "One too many" in html  # the text is kept for later
        assert Comment.objects.count() == 10

        traveller.shift(timedelta(minutes=1))
        assert client.post(COMMENTS_URL, {"body": "Later"}).status_code == 302
        assert Comment.objects.count() == 11


def test_replies_count_too(client, other, resource, comment):
    client.force_login(other)
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(10):
            client.post(COMMENTS_URL, {"body": f"Reply {n}", "parent": comment.pk})

        response = client.post(COMMENTS_URL, {"body": "Reply 11", "parent": comment.pk})

    assert response.status_code == 429
    assert Comment.objects.filter(parent=comment).count() == 10


def test_the_limit_is_per_user(client, other, moderator, resource):
    with time_machine.travel(timezone.now(), tick=False):
        client.force_login(other)
        for n in range(11):
            client.post(COMMENTS_URL, {"body": f"Comment {n}"})
        client.force_login(moderator)

        response = client.post(COMMENTS_URL, {"body": "Mine"})

    assert response.status_code == 302
    assert Comment.objects.filter(author=moderator).count() == 1


def test_htmx_shows_the_limit_in_the_form(client, other, resource):
    client.force_login(other)
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(10):
            client.post(COMMENTS_URL, {"body": f"Comment {n}"}, headers=HTMX)

        response = client.post(COMMENTS_URL, {"body": "One too many"}, headers=HTMX)

    html = response.content.decode()
    assert "You can post at most 10 comments a minute" in html
    assert html.lstrip().startswith('<section class="comments"')
    assert Comment.objects.count() == 10


def test_invalid_comments_do_not_use_up_the_limit(client, other, resource):
    client.force_login(other)
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(10):
            client.post(COMMENTS_URL, {"body": "x" * 5001})

        response = client.post(COMMENTS_URL, {"body": "Fine"})

    assert response.status_code == 302


def test_the_twenty_first_report_in_an_hour_is_refused(client, other, resource):
    client.force_login(other)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for n in range(20):
            assert client.post(URL + "report/", {"reason": f"Reason {n}"}).status_code == 302

        response = client.post(URL + "report/", {"reason": "Again"})

        assert response.status_code == 429
        assert "You can send at most 20 reports an hour" in response.content.decode()
        assert Report.objects.count() == 20

        traveller.shift(timedelta(hours=1))
        assert client.post(URL + "report/", {"reason": "Later"}).status_code == 302
