"""The actions on their own, as the API and commands will call them: each checks its own
permissions and limits, whatever view (or none) is in front of it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from recall.community import actions
from recall.community.models import Comment, ModerationAction, Rating, Report
from recall.lib.rendering import render_comment_markdown
from recall.library.models import Resource, Status, Subject, Topic
from recall.library.tests.conftest import make_resource

from .conftest import add_comment

pytestmark = pytest.mark.django_db


def test_anonymous_users_cannot_write(resource, comment):
    anonymous = AnonymousUser()

    for call in (
        lambda: actions.comment_create(anonymous, resource, "Hi"),
        lambda: actions.rating_set(anonymous, resource, 3),
        lambda: actions.report_resource(anonymous, resource, "Bad"),
        lambda: actions.report_comment(anonymous, comment, "Bad"),
        lambda: actions.comment_update(anonymous, comment, "Changed"),
        lambda: actions.comment_delete(anonymous, comment),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Comment.objects.count() == 1
    assert not Rating.objects.exists() and not Report.objects.exists()


def test_limits_are_checked_by_the_action(other, resource):
    with pytest.raises(ValidationError, match="at most 5,000 characters"):
        actions.comment_create(other, resource, "x" * 5001)
    with pytest.raises(ValidationError, match="at most 1,000 characters"):
        actions.report_resource(other, resource, "x" * 1001)
    with pytest.raises(ValidationError):
        actions.comment_create(other, resource, "  ")
    with pytest.raises(ValidationError):
        actions.rating_set(other, resource, 0)

    assert not Comment.objects.exists() and not Report.objects.exists()


def test_a_reply_to_a_reply_joins_the_thread(author, other, resource, comment):
    reply = actions.comment_create(other, resource, "First reply", comment)

    second = actions.comment_create(author, resource, "Second reply", reply)

    assert reply.parent == comment and second.parent == comment


def test_hidden_comments_take_no_replies(other, moderator, resource, comment):
    actions.comment_set_hidden(moderator, comment, True)

    with pytest.raises(PermissionDenied):
        actions.comment_create(other, resource, "Reply", comment)
    with pytest.raises(PermissionDenied):
        actions.comment_create(moderator, resource, "Reply", comment)


def test_replies_stay_on_their_resource(other, comment):
    elsewhere = make_resource("The Space Race")

    with pytest.raises(PermissionDenied):
        actions.comment_create(other, elsewhere, "Reply", comment)


def test_comments_need_a_visible_resource(author, other, moderator, resource):
    Resource.objects.filter(pk=resource.pk).update(is_hidden=True)
    resource.refresh_from_db()

    for user in (author, other, moderator):
        with pytest.raises(PermissionDenied):
            actions.comment_create(user, resource, "Hello")
        with pytest.raises(PermissionDenied):
            actions.rating_set(user, resource, 3)


def test_comments_need_an_approved_topic(other, resource):
    Topic.objects.filter(pk=resource.topic_id).update(is_approved=False)
    resource = Resource.objects.select_related("topic", "subject").get(pk=resource.pk)

    with pytest.raises(PermissionDenied):
        actions.comment_create(other, resource, "Hello")


def test_an_author_cannot_rate_their_own(author, resource):
    with pytest.raises(PermissionDenied):
        actions.rating_set(author, resource, 5)


def test_a_rating_changes_in_place(other, resource):
    first = actions.rating_set(other, resource, 2)
    second = actions.rating_set(other, resource, 4)

    assert first.pk == second.pk
    assert list(Rating.objects.values_list("stars", flat=True)) == [4]


def test_only_authors_edit_and_delete(other, moderator, comment):
    for user in (other, moderator):
        with pytest.raises(PermissionDenied):
            actions.comment_update(user, comment, "Mine now")
        with pytest.raises(PermissionDenied):
            actions.comment_delete(user, comment)
    comment.refresh_from_db()
    assert comment.body == "The dates on card 2 are worth learning."


def test_an_unchanged_edit_is_not_marked_edited(author, comment):
    actions.comment_update(author, comment, comment.body)

    comment.refresh_from_db()
    assert not comment.is_edited


@pytest.mark.parametrize(
    "call",
    [
        lambda user, w: actions.resource_set_hidden(user, w["resource"], True),
        lambda user, w: actions.comment_set_hidden(user, w["comment"], True),
        lambda user, w: actions.report_resolve(user, w["report"]),
        lambda user, w: actions.subject_approve(user, w["subject"]),
        lambda user, w: actions.subject_reject(user, w["subject"]),
        lambda user, w: actions.topic_approve(user, w["topic"]),
        lambda user, w: actions.topic_reject(user, w["topic"]),
    ],
)
def test_moderation_needs_a_moderator(author, other, resource, comment, call):
    world = {
        "resource": resource,
        "comment": comment,
        "report": Report.objects.create(reporter=other, resource=resource, reason="x"),
        "subject": Subject.objects.create(name="Art", slug="art", is_approved=False),
        "topic": Topic.objects.create(
            subject=resource.subject, name="New", slug="new", is_approved=False
        ),
    }

    for user in (AnonymousUser(), author, other):
        with pytest.raises(PermissionDenied):
            call(user, world)
    assert not ModerationAction.objects.exists()


def test_a_refused_rejection_writes_nothing(moderator, resource):
    Topic.objects.filter(pk=resource.topic_id).update(is_approved=False)
    resource.topic.refresh_from_db()

    with pytest.raises(actions.ModerationRefused, match="in use by 1 resource"):
        actions.topic_reject(moderator, resource.topic)

    assert Topic.objects.filter(pk=resource.topic_id).exists()
    assert not ModerationAction.objects.exists()


def test_hiding_the_same_thing_twice_is_logged_twice(moderator, comment):
    actions.comment_set_hidden(moderator, comment, True)
    actions.comment_set_hidden(moderator, comment, True, note="Again")

    assert list(ModerationAction.objects.values_list("kind", "note")) == [
        ("hide", "Again"),
        ("hide", ""),
    ]


def test_hidden_resources_stay_reachable_for_their_author(author, moderator, resource):
    actions.resource_set_hidden(moderator, resource, True)

    assert resource in Resource.objects.visible_to(author)
    assert resource not in Resource.objects.visible()


def test_visibility_of_comments(author, other, moderator, resource, comment):
    add_comment(resource, other, "Shown reply", parent=comment)
    hidden = add_comment(resource, other, "Hidden reply", parent=comment)
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    top = add_comment(resource, other, "Top by other")
    add_comment(resource, author, "Under other's", parent=top)

    def seen(user) -> set[str]:
        return set(Comment.objects.visible_to(user).values_list("body", flat=True))

    everything = {comment.body, "Shown reply", "Hidden reply", "Top by other", "Under other's"}
    assert seen(AnonymousUser()) == everything - {"Hidden reply"}
    assert seen(other) == everything  # their own hidden reply, marked
    assert seen(author) == everything - {"Hidden reply"}

    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)

    # A hidden comment takes its replies with it, except for its own author.
    assert seen(AnonymousUser()) == {"Top by other", "Under other's"}
    assert seen(other) == {"Top by other", "Under other's"}
    assert seen(author) == everything - {"Hidden reply"}
    assert seen(moderator) == everything


def test_the_comment_markdown_subset():
    html = render_comment_markdown(
        "**bold** *it* ~~old~~ `code` [a](https://example.org)\n\n"
        "- one\n- two\n\n> quoted\n\n## no heading\n\n![no image](https://example.org/x.png)"
    )

    assert "<strong>bold</strong> <em>it</em> <s>old</s> <code>code</code>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">a</a>' in html
    assert "<ul>\n<li>one</li>" in html and "<blockquote>\n<p>quoted</p>" in html
    assert "<p>## no heading</p>" in html
    assert "<img" not in html and "<h2" not in html


def test_draft_resources_take_no_reports_from_others(other, resource):
    Resource.objects.filter(pk=resource.pk).update(status=Status.DRAFT)
    resource.refresh_from_db()

    with pytest.raises(PermissionDenied):
        actions.report_resource(other, resource, "Hm")
