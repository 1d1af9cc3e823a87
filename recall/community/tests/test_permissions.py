"""Every write view against every kind of user: anonymous readers are sent to log in,
users without the right get 403, and neither changes anything."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model

from recall.community.models import Comment, ModerationAction, Rating, Report
from recall.library.models import Resource, Subject, Topic

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, LOGIN = "ok", "403", "login"


@dataclass
class World:
    resource: Resource
    comment: Comment
    report: Report
    subject: Subject
    topic: Topic


@pytest.fixture
def world(author, other, resource, comment) -> World:
    """A resource and a comment by `author`, a report by `other`, and a proposed subject
    and topic (by `author`) that nothing uses."""
    return World(
        resource=resource,
        comment=comment,
        report=Report.objects.create(reporter=other, comment=comment, reason="Off topic."),
        subject=Subject.objects.create(
            name="Astronomy", slug="astronomy", is_approved=False, proposed_by=author
        ),
        topic=Topic.objects.create(
            subject=resource.subject,
            name="Space Race",
            slug="space-race",
            is_approved=False,
            proposed_by=author,
        ),
    )


def state() -> tuple:
    """Everything a community write could change."""
    return (
        list(Comment.objects.order_by("id").values_list("id", "body", "is_hidden", "parent_id")),
        list(Rating.objects.order_by("id").values_list("user_id", "stars")),
        list(Report.objects.order_by("id").values_list("id", "resolved_at", "resolution_note")),
        list(ModerationAction.objects.values_list("id", flat=True)),
        list(Resource.objects.order_by("id").values_list("id", "is_hidden")),
        list(Subject.objects.order_by("id").values_list("id", "is_approved")),
        list(Topic.objects.order_by("id").values_list("id", "is_approved")),
    )


@dataclass
class Case:
    url: str  # formatted with the world's objects
    data: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)  # role -> OK / FORBIDDEN / LOGIN
    hidden_first: str = ""  # "resource" or "comment": hide it first (to test restoring)


def moderators_only(url: str, data: dict | None = None, hidden_first: str = "") -> Case:
    expected = {"anonymous": LOGIN, "other": FORBIDDEN, "author": FORBIDDEN, "moderator": OK}
    return Case(url, data or {"note": "Checked."}, expected, hidden_first)


CASES = {
    "comment_create": Case(
        "/resources/{w.resource.slug}/comments/",
        {"body": "Hello"},
        {"anonymous": LOGIN, "other": OK, "author": OK, "moderator": OK},
    ),
    "comment_reply": Case(
        "/resources/{w.resource.slug}/comments/",
        {"body": "A reply", "parent": "{w.comment.pk}"},
        {"anonymous": LOGIN, "other": OK, "author": OK, "moderator": OK},
    ),
    "comment_edit": Case(
        "/comments/{w.comment.pk}/edit/",
        {"body": "Edited"},
        {"anonymous": LOGIN, "other": FORBIDDEN, "author": OK, "moderator": FORBIDDEN},
    ),
    "comment_delete": Case(
        "/comments/{w.comment.pk}/delete/",
        {},
        {"anonymous": LOGIN, "other": FORBIDDEN, "author": OK, "moderator": FORBIDDEN},
    ),
    "rate": Case(
        "/resources/{w.resource.slug}/rating/",
        {"stars": "4"},
        {"anonymous": LOGIN, "other": OK, "author": FORBIDDEN, "moderator": OK},
    ),
    "report_resource": Case(
        "/resources/{w.resource.slug}/report/",
        {"reason": "Wrong"},
        {"anonymous": LOGIN, "other": OK, "author": OK, "moderator": OK},
    ),
    "report_comment": Case(
        "/comments/{w.comment.pk}/report/",
        {"reason": "Rude"},
        {"anonymous": LOGIN, "other": OK, "author": OK, "moderator": OK},
    ),
    "resource_hide": moderators_only("/moderation/resources/{w.resource.slug}/hide/"),
    "resource_restore": moderators_only(
        "/moderation/resources/{w.resource.slug}/restore/", hidden_first="resource"
    ),
    "comment_hide": moderators_only("/moderation/comments/{w.comment.pk}/hide/"),
    "comment_restore": moderators_only(
        "/moderation/comments/{w.comment.pk}/restore/", hidden_first="comment"
    ),
    "report_resolve": moderators_only("/moderation/reports/{w.report.pk}/resolve/"),
    "subject_approve": moderators_only("/moderation/subjects/{w.subject.pk}/approve/"),
    "subject_reject": moderators_only("/moderation/subjects/{w.subject.pk}/reject/"),
    "topic_approve": moderators_only("/moderation/topics/{w.topic.pk}/approve/"),
    "topic_reject": moderators_only("/moderation/topics/{w.topic.pk}/reject/"),
}
ROLES = ["anonymous", "other", "author", "moderator"]


def test_every_write_view_is_in_the_matrix():
    from recall.community.urls import urlpatterns

    write_views = {pattern.name for pattern in urlpatterns} - {"moderation"}
    assert write_views == set(CASES) - {"comment_reply"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CASES)
def test_write_permissions(client, world, author, other, moderator, name, role):
    case = CASES[name]
    if case.hidden_first == "resource":
        Resource.objects.filter(pk=world.resource.pk).update(is_hidden=True)
    if case.hidden_first == "comment":
        Comment.objects.filter(pk=world.comment.pk).update(is_hidden=True)
    users = {"other": other, "author": author, "moderator": moderator}
    if role in users:
        client.force_login(users[role])
    url = case.url.format(w=world)
    data = {key: value.format(w=world) for key, value in case.data.items()}
    before = state()

    response = client.post(url, data)

    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert state() == before
    elif expected == FORBIDDEN:
        assert response.status_code == 403
        assert state() == before
    else:
        assert response.status_code in (200, 302), response.content[:500]
        assert state() != before


@pytest.mark.parametrize("role", ROLES)
def test_the_queue_is_for_moderators(client, author, other, moderator, role):
    users = {"other": other, "author": author, "moderator": moderator}
    if role in users:
        client.force_login(users[role])

    response = client.get("/moderation/")

    expected = {"anonymous": 302, "other": 403, "author": 403, "moderator": 200}[role]
    assert response.status_code == expected


def test_inactive_users_cannot_write(client, world):
    user = get_user_model().objects.create_user("gone", is_active=False)
    client.force_login(user)
    before = state()

    for name in ("comment_create", "rate", "report_resource"):
        case = CASES[name]
        response = client.post(case.url.format(w=world), case.data)
        assert response.status_code in (302, 403)

    assert state() == before


def test_get_never_writes(client, world, moderator):
    client.force_login(moderator)
    before = state()

    for case in CASES.values():
        client.get(case.url.format(w=world), case.data)

    assert state() == before
