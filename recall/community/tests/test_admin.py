"""The admin lists the community's models read-only; changes go through the queue."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from recall.community import actions
from recall.community.models import ModerationAction, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-boss-1")


@pytest.mark.parametrize(
    "model, count",
    [
        ("comment", "1 comment"),
        ("rating", "1 rating"),
        ("report", "1 report"),
        ("moderationaction", "1 moderation action"),
    ],
)
def test_it_lists_each_model(client, admin_user, report, moderator, model, count):
    Rating.objects.create(resource=report.comment.resource, user=moderator, stars=3)
    actions.comment_set_hidden(moderator, report.comment, True)
    client.force_login(admin_user)

    response = client.get(f"/admin/community/{model}/")

    assert response.status_code == 200
    assert count in response.content.decode()
    assert client.get(f"/admin/community/{model}/add/").status_code == 403


def test_the_audit_trail_cannot_be_deleted(client, admin_user, comment, moderator):
    actions.comment_set_hidden(moderator, comment, True)
    client.force_login(admin_user)

    pk = ModerationAction.objects.get().pk
    assert client.get(f"/admin/community/moderationaction/{pk}/delete/").status_code == 403
