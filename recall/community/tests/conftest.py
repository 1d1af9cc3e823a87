"""Community fixtures: a published resource by `author`, its comments, reports and helpers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recall.community.models import Comment, Report
from recall.lib.rendering import render_comment_markdown
from recall.library.models import Resource
from recall.library.tests.conftest import library, make_resource, reference  # noqa: F401

URL = "/resources/the-berlin-wall/"
COMMENTS_URL = URL + "comments/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # The test users' passwords are never checked here (force_login): hash them cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def resource(author) -> Resource:
    """Published, visible, and written by `author`."""
    resource = make_resource("The Berlin Wall", cards=2)
    Resource.objects.filter(pk=resource.pk).update(author=author)
    resource.refresh_from_db()
    return resource


def add_comment(resource: Resource, user, body: str = "Useful notes.", parent=None) -> Comment:
    """A comment written straight to the database, as the action would leave it."""
    now = timezone.now()
    return Comment.objects.create(
        resource=resource,
        author=user,
        parent=parent,
        body=body,
        body_html=render_comment_markdown(body),
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def comment(resource, author) -> Comment:
    """A top-level comment by `author` on their own resource."""
    return add_comment(resource, author, "The dates on card 2 are worth learning.")


@pytest.fixture
def report(comment, other) -> Report:
    return Report.objects.create(reporter=other, comment=comment, reason="Off topic.")


def section(html: str) -> str:
    """The comments section of a page."""
    start = html.index('<section class="comments"')
    return html[start : html.index("</section>", start)]


def info(html: str) -> str:
    """The resource information of a page."""
    return html[html.index("<details") : html.index("</details>")]


def dd(html: str, label: str) -> str:
    """The <dd> after <dt>label</dt>."""
    after = html.split(f"<dt>{label}</dt>", 1)[1]
    return after[after.index("<dd") : after.index("</dd>") + 5]


HTMX = {"HX-Request": "true"}
