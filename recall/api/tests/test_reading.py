"""Reading without a token (and with one): subjects, topics, resources, cards, similar."""

from __future__ import annotations

import pytest

from recall.library.models import Resource, Status, Subject, Topic

from .conftest import error_of, make_resource, own

pytestmark = pytest.mark.django_db

REFERENCE = "/resources/the-rise-of-kruschev"


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]


def test_it_lists_subjects_with_their_readable_resources(api, library, draft):
    response = api.get("/subjects")

    assert response.status_code == 200
    assert response.json() == [
        {"slug": "biology", "name": "Biology", "resource_count": 1, "url": "/subjects/biology/"},
        # The draft is not counted.
        {"slug": "history", "name": "History", "resource_count": 4, "url": "/subjects/history/"},
    ]


def test_it_lists_a_subjects_approved_topics(api, library):
    Topic.objects.create(
        subject=Subject.objects.get(slug="history"), name="Pending", slug="p", is_approved=False
    )

    response = api.get("/subjects/history/topics")

    assert response.status_code == 200
    assert [(t["slug"], t["resource_count"]) for t in response.json()] == [
        ("nazi-germany", 1),
        ("the-cold-war", 3),
    ]
    assert response.json()[0]["subject"] == {"slug": "history", "name": "History"}


@pytest.mark.parametrize("path", ["/subjects/nothing/topics", "/subjects/not%20a%20slug/topics"])
def test_unknown_subjects_are_not_found(api, library, path):
    response = api.get(path)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_it_lists_readable_resources_newest_first(api, library, wall, draft):
    Resource.objects.filter(pk=library["cuba"].pk).update(is_hidden=True)

    response = api.get("/resources")

    assert response.status_code == 200
    assert slugs(response) == [
        "the-berlin-wall",
        "the-rise-of-kruschev",
        "the-weimar-republic",
        "the-berlin-blockade",
        "animal-cells",
    ]
    first = response.json()["items"][0]
    assert first["author"] == "author" and first["card_count"] == 2
    assert first["status"] == "published" and first["visible"] is True
    assert first["url"] == "/resources/the-berlin-wall/"
    assert response.json()["next_cursor"] is None


def test_a_token_adds_its_users_drafts_and_nobody_elses(api, library, draft, token, other_token):
    assert "draft-notes" in slugs(api.get("/resources", token=token))
    assert "draft-notes" not in slugs(api.get("/resources", token=other_token))


def test_moderators_also_read_hidden_resources(api, library, moderator_token):
    Resource.objects.filter(pk=library["cuba"].pk).update(is_hidden=True)

    assert "the-cuban-missile-crisis" in slugs(api.get("/resources", token=moderator_token))
    assert "the-cuban-missile-crisis" not in slugs(api.get("/resources"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("subject=biology", ["animal-cells"]),
        ("topic=nazi-germany", ["the-weimar-republic"]),
        ("level=gcse", ["the-berlin-blockade"]),
        ("level=a-level&subject=history", ["the-cuban-missile-crisis"]),
        ("kind=quiz", []),
        ("author=nobody", []),
    ],
)
def test_it_filters_resources(api, library, query, expected):
    response = api.get(f"/resources?{query}")

    assert response.status_code == 200
    assert slugs(response) == expected


def test_it_filters_by_author(api, library, wall):
    assert slugs(api.get("/resources?author=author")) == ["the-berlin-wall"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=expert", "level"),
        ("kind=essay", "kind"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("subject=not%20a%20slug", "subject"),
        ("author=%00", "author"),
        ("cursor=abc", "cursor"),
        ("cursor=" + "A" * 201, "cursor"),
    ],
)
def test_bad_filters_are_invalid(api, library, query, field):
    response = api.get(f"/resources?{query}")

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


def test_a_cursor_pages_through_every_resource_once(api, library):
    for n in range(7):
        make_resource(f"Extra {n}", age_days=10 + n)
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/resources?limit=3" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200
        page = response.json()
        seen += [item["slug"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 4
    assert len(seen) == len(set(seen)) == 12
    assert seen == [r.slug for r in Resource.objects.order_by("-created_at", "-id")]


def test_a_cursor_is_stable_when_resources_are_added(api, library):
    first = api.get("/resources?limit=2").json()
    make_resource("Newer Than Everything")

    second = api.get(f"/resources?limit=2&cursor={first['next_cursor']}").json()

    assert slugs_of(first) + slugs_of(second) == [
        "the-rise-of-kruschev",
        "the-cuban-missile-crisis",
        "the-weimar-republic",
        "the-berlin-blockade",
    ]


def slugs_of(page: dict) -> list[str]:
    return [item["slug"] for item in page["items"]]


@pytest.mark.parametrize("cursor", ["WyJ4IiwxXQ", "WzFd", "bnVsbA", "WyIyMDI2LTAxLTAxIiwxXQ"])
def test_cursors_the_api_never_gave_are_invalid(api, library, cursor):
    response = api.get(f"/resources?cursor={cursor}")

    assert response.status_code == 422
    assert error_of(response)["fields"] == {
        "cursor": "Use the next_cursor of the previous page, unchanged."
    }


def test_it_reads_a_resource_with_its_cards(api, library):
    response = api.get(REFERENCE)

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "The Rise of Kruschev"
    assert body["subject"] == {"slug": "history", "name": "History"}
    assert body["topic"] == {"slug": "the-cold-war", "name": "The Cold War"}
    assert body["card_count"] == len(body["cards"]) == 3
    assert [card["position"] for card in body["cards"]] == [1, 2, 3]
    first = body["cards"][0]
    assert first["heading"] == "The Rise of Kruschev -Background"
    assert first["body"].startswith("- For many years the USSR pictured Stalin")
    assert first["body_html"].startswith("<ul>\n<li>For many years the USSR pictured Stalin")
    assert body["rating_average"] is None and body["rating_count"] == 0
    assert body["comment_count"] == 0
    assert body["version"] == 1


def test_reading_a_resource_takes_a_few_queries(api, library, django_assert_max_num_queries):
    # with the address's rate count (recall.api.admission)
    with django_assert_max_num_queries(5):
        assert api.get(REFERENCE).status_code == 200


def test_listing_resources_takes_a_few_queries(api, library, django_assert_max_num_queries):
    for n in range(10):
        make_resource(f"Extra {n}")
    with django_assert_max_num_queries(2):  # with the address's rate count
        assert api.get("/resources").status_code == 200


def test_it_reads_cards_one_by_one(api, library):
    cards = api.get(f"{REFERENCE}/cards").json()

    for card in cards:
        response = api.get(f"{REFERENCE}/cards/{card['position']}")
        assert response.status_code == 200
        assert response.json() == card
    assert [card["position"] for card in cards] == [1, 2, 3]


@pytest.mark.parametrize("position", ["0", "4", "99999999999999999999999", "x", "-1"])
def test_missing_cards_are_not_found(api, library, position):
    response = api.get(f"{REFERENCE}/cards/{position}")

    assert response.status_code in {404, 422}
    assert error_of(response)["code"] in {"not_found", "invalid"}


def test_unknown_resources_are_not_found(api, library):
    response = api.get("/resources/no-such-thing")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_drafts_are_the_authors_alone(api, draft, token, other_token):
    path = f"/resources/{draft.slug}"

    assert api.get(path).status_code == 404
    assert api.get(path, token=other_token).status_code == 404
    assert api.get(f"{path}/cards/1", token=other_token).status_code == 404
    response = api.get(path, token=token)
    assert response.status_code == 200
    assert response.json()["status"] == "draft" and response.json()["visible"] is False


def test_hidden_resources_are_their_authors_and_the_moderators(
    api, wall, token, other_token, moderator_token
):
    Resource.objects.filter(pk=wall.pk).update(is_hidden=True)
    path = f"/resources/{wall.slug}"

    assert api.get(path).status_code == 404
    assert api.get(path, token=other_token).status_code == 404
    assert api.get(path, token=token).json()["hidden"] is True
    assert api.get(path, token=moderator_token).status_code == 200


def test_resources_in_a_topic_awaiting_approval_are_not_readable(api, wall):
    Topic.objects.filter(pk=wall.topic_id).update(is_approved=False)

    assert api.get(f"/resources/{wall.slug}").status_code == 404
    assert api.get("/resources").json()["items"] == []


def test_it_lists_similar_resources_same_topic_first(api, library, draft):
    response = api.get(f"{REFERENCE}/similar")

    assert response.status_code == 200
    assert [r["slug"] for r in response.json()] == [
        "the-cuban-missile-crisis",
        "the-berlin-blockade",
        "the-weimar-republic",
    ]
    assert api.get(f"{REFERENCE}/similar?limit=1").json()[0]["slug"] == "the-cuban-missile-crisis"


def test_it_reads_published_drafts_of_nobody_else_through_similar(api, library, author):
    hidden = make_resource("Hidden Cold War")
    Resource.objects.filter(pk=hidden.pk).update(is_hidden=True)
    draft = own(make_resource("Cold War Draft"), author)
    Resource.objects.filter(pk=draft.pk).update(status=Status.DRAFT)

    similar = [r["slug"] for r in api.get(f"{REFERENCE}/similar?limit=20").json()]

    assert "hidden-cold-war" not in similar and "cold-war-draft" not in similar


def test_a_session_cookie_does_not_make_a_reader(api, client, draft, author):
    client.force_login(author)

    assert api.get(f"/resources/{draft.slug}").status_code == 404
