"""The moderation queue: reports, hiding and restoring, proposed subjects and topics, and
the audit trail every action leaves."""

from __future__ import annotations

import pytest

from recall.community.models import Comment, ModerationAction, Report
from recall.library.models import Resource, Subject, Topic
from recall.library.tests.conftest import make_resource

from .conftest import HTMX, URL, add_comment, section

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"


@pytest.fixture
def proposed(author):
    """A proposed subject with a proposed topic, as the editor leaves them."""
    subject = Subject.objects.create(
        name="Astronomy", slug="astronomy", is_approved=False, proposed_by=author
    )
    topic = Topic.objects.create(
        subject=subject, name="Stars", slug="stars", is_approved=False, proposed_by=author
    )
    return subject, topic


def log() -> list[tuple]:
    return list(
        ModerationAction.objects.order_by("id").values_list(
            "moderator__username", "kind", "target_type", "target_label", "note"
        )
    )


def test_anonymous_readers_are_sent_to_log_in(client):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/moderation/"


def test_other_users_are_refused(client, other):
    client.force_login(other)

    assert client.get(QUEUE).status_code == 403


def test_it_lists_open_reports_with_links(client, moderator, resource, report):
    Report.objects.create(reporter=report.reporter, resource=resource, reason="Wrong dates.")
    Report.objects.create(
        reporter=report.reporter, resource=resource, reason="Old.", resolved_at=resource.created_at
    )
    client.force_login(moderator)

    response = client.get(QUEUE)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="reports-heading">Open reports <span class="count">(2)</span></h2>' in html
    assert f'href="{URL}#comment-{report.comment.pk}"' in html
    assert f'<a href="{URL}">The Berlin Wall</a>' in html
    assert "Off topic." in html and "Wrong dates." in html and "Old." not in html
    assert f'action="/moderation/comments/{report.comment.pk}/hide/"' in html
    assert 'action="/moderation/resources/the-berlin-wall/hide/"' in html
    assert f'action="/moderation/reports/{report.pk}/resolve/"' in html
    assert f'<label for="resolve-{report.pk}-note">' in html


def test_the_queue_is_linked_for_moderators_only(client, moderator, other):
    client.force_login(other)
    assert 'href="/moderation/"' not in client.get("/").content.decode()
    client.force_login(moderator)
    assert 'href="/moderation/"' in client.get("/").content.decode()


def test_hiding_a_comment_hides_it_from_everyone_else(client, author, other, moderator, comment):
    reply = add_comment(comment.resource, other, "A reply under it.", parent=comment)
    client.force_login(moderator)

    response = client.post(
        f"/moderation/comments/{comment.pk}/hide/",
        {"note": "Spoilers.", "next": f"{URL}#comment-{comment.pk}"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.is_hidden
    assert log() == [("mod", "hide", "comment", "by author on “The Berlin Wall”", "Spoilers.")]
    # Other readers: gone, with the replies under it, and not counted.
    client.force_login(other)
    html = client.get(URL).content.decode()
    assert "worth learning" not in html and reply.body not in html
    assert "<dt>Comments</dt><dd>0</dd>" in html
    client.logout()
    assert "worth learning" not in client.get(URL).content.decode()
    # The moderator sees it, marked.
    client.force_login(moderator)
    html = section(client.get(URL).content.decode())
    assert "worth learning" in html and "is-hidden" in html
    assert "<strong>Hidden by a moderator</strong>: other readers can't see it." in html
    assert f'action="/moderation/comments/{comment.pk}/restore/"' in html
    # Its author sees it, marked, and can no longer edit it.
    client.force_login(author)
    html = section(client.get(URL).content.decode())
    assert "worth learning" in html and "only you and the moderators can see it" in html
    assert f"/comments/{comment.pk}/edit/" not in html


def test_restoring_a_comment_shows_it_again(client, other, moderator, comment):
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    client.force_login(moderator)

    client.post(f"/moderation/comments/{comment.pk}/restore/")

    comment.refresh_from_db()
    assert not comment.is_hidden
    assert log()[-1][:3] == ("mod", "restore", "comment")
    client.force_login(other)
    assert "worth learning" in client.get(URL).content.decode()


def test_htmx_hide_returns_the_comments_section(client, moderator, comment):
    client.force_login(moderator)

    response = client.post(f"/moderation/comments/{comment.pk}/hide/", headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="comments"')
    assert "The comment is hidden." in html and "is-hidden" in html


def test_hiding_a_resource_hides_it_from_others(client, author, other, moderator, resource):
    client.force_login(moderator)

    response = client.post("/moderation/resources/the-berlin-wall/hide/", {"note": ""})

    assert response.status_code == 302 and response["Location"] == QUEUE
    resource.refresh_from_db()
    assert resource.is_hidden
    assert log() == [("mod", "hide", "resource", "The Berlin Wall", "")]
    client.force_login(other)
    assert client.get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 404
    assert "The Berlin Wall" not in client.get("/subjects/history/the-cold-war/").content.decode()
    client.force_login(moderator)
    page = client.get(URL).content.decode()
    assert "Hidden by a moderator" in page
    assert 'action="/moderation/resources/the-berlin-wall/restore/"' in page
    assert "/moderation/resources/the-berlin-wall/restore/" in client.get(QUEUE).content.decode()
    client.force_login(author)
    assert client.get(URL).status_code == 200


def test_restoring_a_resource_shows_it_again(client, other, moderator, resource):
    Resource.objects.filter(pk=resource.pk).update(is_hidden=True)
    client.force_login(moderator)

    client.post("/moderation/resources/the-berlin-wall/restore/", {"note": "Fixed."})

    client.force_login(other)
    assert client.get(URL).status_code == 200
    assert log() == [("mod", "restore", "resource", "The Berlin Wall", "Fixed.")]


def test_resolving_a_report_with_a_note(client, moderator, report):
    client.force_login(moderator)

    response = client.post(f"/moderation/reports/{report.pk}/resolve/", {"note": "Talked to them."})

    assert response.status_code == 302
    report.refresh_from_db()
    assert not report.is_open
    assert report.resolved_by == moderator and report.resolution_note == "Talked to them."
    assert log() == [
        (
            "mod",
            "resolve",
            "report",
            "about the comment by author on “The Berlin Wall”",
            "Talked to them.",
        )
    ]
    html = client.get(QUEUE).content.decode()
    assert "No open reports." in html
    assert "The report is resolved." in html
    assert "mod resolved the report about the comment by author" in html


def test_resolving_twice_is_refused_clearly(client, moderator, report):
    client.force_login(moderator)
    client.post(f"/moderation/reports/{report.pk}/resolve/")

    client.post(f"/moderation/reports/{report.pk}/resolve/")

    assert "That report has already been resolved." in client.get(QUEUE).content.decode()
    assert len(log()) == 1


def test_a_note_is_limited(client, moderator, report):
    client.force_login(moderator)

    client.post(f"/moderation/reports/{report.pk}/resolve/", {"note": "n" * 1001})

    report.refresh_from_db()
    assert report.is_open and log() == []
    assert "at most 1000 characters" in client.get(QUEUE).content.decode()


def test_it_lists_proposed_subjects_and_topics(client, moderator, proposed):
    client.force_login(moderator)

    html = client.get(QUEUE).content.decode()

    assert "<h3>Astronomy</h3>" in html
    assert 'Stars <span class="meta">in Astronomy (also proposed' in html
    subject, topic = proposed
    assert f'action="/moderation/subjects/{subject.pk}/approve/"' in html
    assert f'action="/moderation/topics/{topic.pk}/reject/"' in html
    assert "Proposed by author" in html


def test_approving_a_topic_approves_its_proposed_subject(client, moderator, proposed):
    subject, topic = proposed
    client.force_login(moderator)

    client.post(f"/moderation/topics/{topic.pk}/approve/")

    subject.refresh_from_db()
    topic.refresh_from_db()
    assert subject.is_approved and topic.is_approved
    assert [row[:4] for row in log()] == [
        ("mod", "approve", "subject", "Astronomy"),
        ("mod", "approve", "topic", "Astronomy › Stars"),
    ]
    assert "No topics waiting." in client.get(QUEUE).content.decode()


def test_rejecting_an_unused_topic_deletes_it(client, moderator, proposed):
    subject, topic = proposed
    client.force_login(moderator)

    client.post(f"/moderation/topics/{topic.pk}/reject/", {"note": "Duplicate of Space."})

    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert log() == [("mod", "reject", "topic", "Astronomy › Stars", "Duplicate of Space.")]
    assert "is rejected and deleted" in client.get(QUEUE).content.decode()


def test_rejecting_a_topic_in_use_is_refused(client, moderator, proposed):
    subject, topic = proposed
    used = make_resource("Red Giants", subject="Astronomy", topic="Stars")
    assert used.topic == topic
    client.force_login(moderator)

    client.post(f"/moderation/topics/{topic.pk}/reject/")

    assert Topic.objects.filter(pk=topic.pk).exists()
    assert log() == []
    html = client.get(QUEUE).content.decode()
    assert "“Stars” can&#x27;t be rejected: it is in use by 1 resource." in html


def test_rejecting_a_subject_with_topics_is_refused_then_allowed(client, moderator, proposed):
    subject, topic = proposed
    client.force_login(moderator)

    client.post(f"/moderation/subjects/{subject.pk}/reject/")
    assert Subject.objects.filter(pk=subject.pk).exists()
    assert "it is in use by 1 topic" in client.get(QUEUE).content.decode()

    client.post(f"/moderation/topics/{topic.pk}/reject/")
    client.post(f"/moderation/subjects/{subject.pk}/reject/")

    assert not Subject.objects.filter(pk=subject.pk).exists()
    assert [row[1:3] for row in log()] == [("reject", "topic"), ("reject", "subject")]


def test_approving_a_subject(client, moderator, proposed):
    subject, _ = proposed
    client.force_login(moderator)

    client.post(f"/moderation/subjects/{subject.pk}/approve/")

    subject.refresh_from_db()
    assert subject.is_approved
    assert log() == [("mod", "approve", "subject", "Astronomy", "")]


def test_approved_subjects_cannot_be_rejected(client, moderator, resource):
    client.force_login(moderator)

    client.post(f"/moderation/subjects/{resource.subject.pk}/reject/")

    assert Subject.objects.filter(pk=resource.subject.pk).exists()
    assert "“History” is already approved." in client.get(QUEUE).content.decode()


def test_the_audit_log_outlives_what_it_names(client, moderator, proposed):
    _, topic = proposed
    client.force_login(moderator)
    client.post(f"/moderation/topics/{topic.pk}/reject/")

    html = client.get(QUEUE).content.decode()

    assert "mod rejected the topic Astronomy › Stars" in html


def test_moderation_is_post_only(client, moderator, comment):
    client.force_login(moderator)

    assert client.get(f"/moderation/comments/{comment.pk}/hide/").status_code == 405
    comment.refresh_from_db()
    assert not comment.is_hidden and log() == []


def test_next_must_stay_on_the_site(client, moderator, comment):
    client.force_login(moderator)

    response = client.post(
        f"/moderation/comments/{comment.pk}/hide/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == QUEUE
