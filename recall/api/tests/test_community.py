"""Comments, ratings and reports through the API: community.actions' permissions and
validation, and the site's per-user limits (with the counts shared with the site)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from recall.community.models import Comment, Rating, Report
from recall.community.tests.conftest import add_comment
from recall.library.models import Resource

from .conftest import error_of

pytestmark = pytest.mark.django_db

COMMENTS = "/resources/the-berlin-wall/comments"


def test_it_lists_comments_oldest_first_with_replies(api, wall, author, other):
    first = add_comment(wall, other, "First *point*.")
    reply = add_comment(wall, author, "A reply.", parent=first)

    response = api.get(COMMENTS)

    assert response.status_code == 200
    items = response.json()["items"]
    assert [(c["id"], c["parent"], c["author"]) for c in items] == [
        (first.pk, None, "other"),
        (reply.pk, first.pk, "author"),
    ]
    assert items[0]["body_html"] == "<p>First <em>point</em>.</p>\n"
    assert items[0]["resource"] == "the-berlin-wall" and items[0]["edited"] is False


def test_comments_page_with_a_cursor(api, wall, other):
    for n in range(5):
        add_comment(wall, other, f"Comment {n}")

    first = api.get(f"{COMMENTS}?limit=3").json()
    second = api.get(f"{COMMENTS}?limit=3&cursor={first['next_cursor']}").json()

    bodies = [c["body"] for c in first["items"] + second["items"]]
    assert bodies == [f"Comment {n}" for n in range(5)]
    assert second["next_cursor"] is None


def test_hidden_comments_are_shown_to_their_author_only(api, wall, other, token, other_token):
    hidden = add_comment(wall, other, "Rude.")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)

    assert api.get(COMMENTS).json()["items"] == []
    assert api.get(COMMENTS, token=token).json()["items"] == []
    assert api.get(COMMENTS, token=other_token).json()["items"][0]["hidden"] is True


def test_listing_comments_takes_a_few_queries(api, wall, other, django_assert_max_num_queries):
    for n in range(10):
        add_comment(wall, other, f"Comment {n}")
    # two, and the address's rate count (recall.api.admission)
    with django_assert_max_num_queries(3):
        assert api.get(COMMENTS).status_code == 200


def test_it_posts_a_comment(api, wall, other_token):
    response = api.post(COMMENTS, {"body": "  Useful, **thanks**.  "}, token=other_token)

    assert response.status_code == 201
    body = response.json()
    assert body["author"] == "other" and body["body"] == "Useful, **thanks**."
    assert body["body_html"] == "<p>Useful, <strong>thanks</strong>.</p>\n"
    assert Comment.objects.get().author.username == "other"


def test_a_reply_to_a_reply_joins_the_thread(api, wall, author, other, other_token):
    first = add_comment(wall, author, "First.")
    reply = add_comment(wall, author, "Reply.", parent=first)

    response = api.post(COMMENTS, {"body": "Reply to reply", "parent": reply.pk}, token=other_token)

    assert response.status_code == 201
    assert response.json()["parent"] == first.pk


def test_a_reply_to_a_comment_elsewhere_is_not_found(api, wall, library, other, other_token):
    elsewhere = add_comment(library["cuba"], other, "Elsewhere.")

    response = api.post(COMMENTS, {"body": "x", "parent": elsewhere.pk}, token=other_token)

    assert response.status_code == 404
    assert list(error_of(response)["fields"]) == ["parent"]


def test_comment_html_is_sanitised(api, wall, other_token):
    body = "<script>alert(1)</script> [x](javascript:alert(1)) ## no heading"

    html = api.post(COMMENTS, {"body": body}, token=other_token).json()["body_html"]

    assert "<script" not in html and "href" not in html and "<h2" not in html


def test_drafts_take_no_comments(api, draft, token):
    response = api.post(f"/resources/{draft.slug}/comments", {"body": "x"}, token=token)

    assert response.status_code == 403
    assert error_of(response)["message"] == "Comments open once a resource is published."


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": ""}, "body"), ({"body": "x" * 5001}, "body"), ({"body": "a\x00"}, "body")],
)
def test_invalid_comments_are_refused(api, wall, other_token, body, field):
    response = api.post(COMMENTS, body, token=other_token)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_a_blank_comment_is_refused_by_the_action(api, wall, other_token):
    response = api.post(COMMENTS, {"body": " \n "}, token=other_token)

    assert response.status_code == 422
    assert error_of(response)["message"] == "Write a comment first."


def test_the_eleventh_comment_in_a_minute_is_refused_with_retry_after(api, wall, other_token):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for n in range(10):
            assert api.post(COMMENTS, {"body": f"C{n}"}, token=other_token).status_code == 201

        response = api.post(COMMENTS, {"body": "One too many"}, token=other_token)

        assert response.status_code == 429
        assert error_of(response)["code"] == "rate_limited"
        assert 1 <= int(response["Retry-After"]) <= 61
        assert Comment.objects.count() == 10
        traveller.shift(timedelta(minutes=1))
        assert api.post(COMMENTS, {"body": "Later"}, token=other_token).status_code == 201


def test_the_comment_limit_is_shared_with_the_site(api, client, wall, other, other_token):
    client.force_login(other)
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(10):
            client.post(f"{COMMENTS}/", {"body": f"C{n}"})  # the site's comment form
        assert Comment.objects.count() == 10

        response = api.post(COMMENTS, {"body": "Through the API"}, token=other_token)

    assert response.status_code == 429


def test_it_edits_and_deletes_your_comment(api, wall, other, other_token):
    comment = add_comment(wall, other, "Frist.")

    edited = api.patch(f"/comments/{comment.pk}", {"body": "First."}, token=other_token)
    assert edited.status_code == 200
    assert edited.json()["body"] == "First." and edited.json()["edited"] is True

    assert api.delete(f"/comments/{comment.pk}", token=other_token).status_code == 204
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("method", "body"), [("patch", {"body": "Mine now"}), ("delete", None)])
def test_anothers_comment_is_forbidden(api, wall, author, other_token, method, body):
    comment = add_comment(wall, author, "By the author.")

    response = api.call(method, f"/comments/{comment.pk}", body, token=other_token)

    assert response.status_code == 403
    assert Comment.objects.get().body == "By the author."


@pytest.mark.parametrize(
    ("method", "body"), [("patch", {"body": "x"}), ("delete", None), ("post", {"reason": "x"})]
)
def test_comment_writes_need_a_token(api, wall, author, method, body):
    comment = add_comment(wall, author, "By the author.")
    suffix = "/reports" if method == "post" else ""

    assert api.call(method, f"/comments/{comment.pk}{suffix}", body).status_code == 401


@pytest.mark.parametrize("path", ["/comments/999999", "/comments/99999999999999999999999999"])
def test_unknown_comments_are_not_found(api, token, path):
    assert api.patch(path, {"body": "x"}, token=token).status_code in {404, 422}


def test_comments_on_anothers_draft_are_not_found(api, draft, author, other_token):
    comment = add_comment(draft, author, "Note to self.")

    response = api.post(f"/comments/{comment.pk}/reports", {"reason": "x"}, token=other_token)

    assert response.status_code == 404


def test_it_rates_and_rerates(api, wall, other_token, moderator_token):
    path = "/resources/the-berlin-wall/rating"

    assert api.put(path, {"stars": 4}, token=other_token).json() == {
        "stars": 4,
        "rating_average": 4.0,
        "rating_count": 1,
    }
    assert api.put(path, {"stars": 2.0}, token=other_token).json()["stars"] == 2
    assert api.put(path, {"stars": 5}, token=moderator_token).json() == {
        "stars": 5,
        "rating_average": 3.5,
        "rating_count": 2,
    }
    assert Rating.objects.count() == 2
    assert api.get("/resources/the-berlin-wall").json()["rating_average"] == 3.5


def test_rating_your_own_resource_is_forbidden(api, wall, token):
    response = api.put("/resources/the-berlin-wall/rating", {"stars": 5}, token=token)

    assert response.status_code == 403
    assert error_of(response)["message"] == "You can't rate your own resource."


@pytest.mark.parametrize("stars", [0, 6, 2.5, "3", True, None])
def test_ratings_are_one_to_five_whole_stars(api, wall, other_token, stars):
    response = api.put("/resources/the-berlin-wall/rating", {"stars": stars}, token=other_token)

    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["stars"]


def test_it_reports_a_resource_and_a_comment(api, wall, author, other_token):
    comment = add_comment(wall, author, "Spam.")

    first = api.post("/resources/the-berlin-wall/reports", {"reason": "Copied."}, token=other_token)
    second = api.post(f"/comments/{comment.pk}/reports", {"reason": "Spam."}, token=other_token)

    assert (first.status_code, second.status_code) == (201, 201)
    assert [(r.resource_id, r.comment_id, r.reason) for r in Report.objects.all()] == [
        (wall.pk, None, "Copied."),
        (None, comment.pk, "Spam."),
    ]


def test_the_twenty_first_report_in_an_hour_is_refused(api, wall, other_token):
    path = "/resources/the-berlin-wall/reports"
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(20):
            assert api.post(path, {"reason": f"R{n}"}, token=other_token).status_code == 201

        response = api.post(path, {"reason": "One more"}, token=other_token)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert Report.objects.count() == 20


def test_reports_on_a_hidden_resource_are_not_found(api, wall, other_token):
    Resource.objects.filter(pk=wall.pk).update(is_hidden=True)

    response = api.post("/resources/the-berlin-wall/reports", {"reason": "x"}, token=other_token)

    assert response.status_code == 404
