"""The community sections cost a fixed number of queries, however many comments, replies
and ratings a resource has, for every kind of reader."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recall.community.models import Rating
from recall.library.tests.conftest import make_resource
from recall.search.models import SimilarResource

from .conftest import COMMENTS_URL, HTMX, URL, add_comment

pytestmark = pytest.mark.django_db


def add_discussion(resource, users, size: int) -> None:
    """`size` threads of two replies each, one hidden comment, and `size` ratings."""
    for n in range(size):
        writer = users[n % len(users)]
        top = add_comment(resource, writer, f"Comment {n}")
        add_comment(resource, users[(n + 1) % len(users)], f"Reply {n}a", parent=top)
        add_comment(resource, writer, f"Reply {n}b", parent=top)
        rater = get_user_model().objects.create_user(f"rater-{resource.pk}-{size}-{n}")
        Rating.objects.create(resource=resource, user=rater, stars=n % 5 + 1)
    hidden = add_comment(resource, users[0], "Hidden")
    hidden.is_hidden = True
    hidden.save()


def count_queries(client, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["anonymous", "other", "author", "moderator"])
@pytest.mark.parametrize("path", ["", "all/"])
def test_the_page_does_not_grow_with_the_discussion(
    client, author, other, moderator, resource, role, path, settings
):
    settings.RECALL_PAGE_CACHE_SECONDS = 0  # rendered each time (the cost measured here)
    users = {"other": other, "author": author, "moderator": moderator}
    if role in users:
        client.force_login(users[role])
    add_discussion(resource, [author, other, moderator], 2)
    client.get(URL + path)  # the first visit counts a view and saves the session

    few = count_queries(client, URL + path)
    add_discussion(resource, [author, other, moderator], 12)
    many = count_queries(client, URL + path)

    assert few == many
    html = client.get(URL + path).content.decode()
    assert html.count('<article class="comment') >= 42  # 14 threads of 3, all shown


@pytest.mark.parametrize("similar", [5, 0])
def test_the_exact_cost_for_a_logged_in_reader(
    client, other, author, resource, similar, django_assert_num_queries
):
    client.force_login(other)
    add_discussion(resource, [author, other], 5)
    for n in range(similar):
        found = make_resource(f"Cold War Notes {n}")
        SimilarResource.objects.update_or_create(
            resource=resource, other=found, defaults={"score": 1.0 - n / 10}
        )
    client.get(URL)
    # session, user, what this reader sees of the statistics (comment count, own rating)
    # and whether they moderate (one query), comments. The resource with its card and the
    # similar resources come from the cache, shared by every reader until the content
    # changes (one query more with the database cache, none with the tests' memory cache).
    with django_assert_num_queries(4):
        html = client.get(URL).content.decode()
    assert html.count("Cold War Notes") == similar


@pytest.mark.parametrize("similar", [5, 0])
def test_the_exact_cost_without_the_page_cache(
    client, other, author, resource, similar, settings, django_assert_num_queries
):
    settings.RECALL_PAGE_CACHE_SECONDS = 0
    client.force_login(other)
    add_discussion(resource, [author, other], 5)
    for n in range(similar):
        found = make_resource(f"Cold War Notes {n}")
        SimilarResource.objects.update_or_create(
            resource=resource, other=found, defaults={"score": 1.0 - n / 10}
        )
    client.get(URL)
    # session, user, the resource with its card, statistics (comment count, rating average
    # and count, own rating) and whether the reader moderates (one query), comments, similar
    # by content; and a fill-in by topic when fewer than five are similar by content
    with django_assert_num_queries(5 if similar else 6):
        html = client.get(URL).content.decode()
    assert html.count("Cold War Notes") == similar


def test_the_htmx_section_does_not_grow(client, author, other, resource):
    client.force_login(other)
    add_discussion(resource, [author, other], 2)

    with CaptureQueriesContext(connection) as few:
        client.post(COMMENTS_URL, {"body": "x" * 5001}, headers=HTMX)
    add_discussion(resource, [author, other], 10)
    with CaptureQueriesContext(connection) as many:
        client.post(COMMENTS_URL, {"body": "x" * 5001}, headers=HTMX)

    assert len(few) == len(many)
