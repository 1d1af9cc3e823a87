"""Reporting a resource or a comment to the moderators."""

from __future__ import annotations

import pytest

from recall.community.models import MAX_REPORT_LENGTH, Report
from recall.library.models import Resource, Status

from .conftest import URL, section

pytestmark = pytest.mark.django_db

REPORT_URL = URL + "report/"


def test_it_reports_a_resource(client, other, resource):
    client.force_login(other)

    page = client.get(REPORT_URL)
    response = client.post(REPORT_URL, {"reason": "Copied from a textbook."})

    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Report a resource</h1>" in html and "The Berlin Wall" in html
    assert '<label for="id_reason">' in html
    assert response.status_code == 302 and response["Location"] == URL
    report = Report.objects.get()
    assert (report.reporter, report.resource, report.comment) == (other, resource, None)
    assert report.reason == "Copied from a textbook." and report.is_open
    assert "Thank you: the moderators will look at your report." in client.get(URL).content.decode()


def test_it_reports_a_comment(client, other, comment):
    client.force_login(other)

    page = client.get(f"/comments/{comment.pk}/report/")
    response = client.post(f"/comments/{comment.pk}/report/", {"reason": "Rude."})

    assert "<h1>Report a comment</h1>" in page.content.decode()
    assert "The dates on card 2 are worth learning." in page.content.decode()
    assert response["Location"] == f"{URL}#comment-{comment.pk}"
    report = Report.objects.get()
    assert (report.comment, report.resource, report.reason) == (comment, None, "Rude.")


def test_the_page_links_to_both_reports(client, other, comment):
    client.force_login(other)

    html = section(client.get(URL).content.decode())

    assert f'<a href="/comments/{comment.pk}/report/">Report' in html
    assert '<a href="/resources/the-berlin-wall/report/">Report this resource</a>' in html


def test_nobody_is_offered_to_report_their_own_comment(client, author, comment):
    client.force_login(author)

    assert f"/comments/{comment.pk}/report/" not in client.get(URL).content.decode()


def test_a_reason_is_limited(client, other, resource):
    client.force_login(other)

    response = client.post(REPORT_URL, {"reason": "r" * (MAX_REPORT_LENGTH + 1)})

    assert response.status_code == 422
    assert "at most 1000 characters (it has 1001)" in response.content.decode()
    assert not Report.objects.exists()


def test_a_reason_is_required(client, other, resource):
    client.force_login(other)

    response = client.post(REPORT_URL, {"reason": " "})

    assert response.status_code == 422
    assert not Report.objects.exists()


def test_an_unseen_resource_cannot_be_reported(client, other, resource):
    Resource.objects.filter(pk=resource.pk).update(status=Status.DRAFT)
    client.force_login(other)

    assert client.post(REPORT_URL, {"reason": "Hm"}).status_code == 404
    assert not Report.objects.exists()


def test_a_hidden_comment_cannot_be_reported_by_others(client, other, comment):
    comment.is_hidden = True
    comment.save()
    client.force_login(other)

    assert client.post(f"/comments/{comment.pk}/report/", {"reason": "x"}).status_code == 404
    assert not Report.objects.exists()


def test_anonymous_readers_are_not_offered_reports(client, comment):
    html = section(client.get(URL).content.decode())

    assert "/report/" not in html
