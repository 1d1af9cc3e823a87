"""Writing resources and cards with a token: the permission matrix, conflicts, limits,
sanitising, revisions and moderation, all through the library's actions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recall.api.models import ApiToken
from recall.lib.resource_text import MAX_CARD_LENGTH, MAX_CARDS, MAX_TITLE_LENGTH
from recall.library.models import Resource, Revision, Status, Subject, Topic

from .conftest import error_of

pytestmark = pytest.mark.django_db

NEW = {
    "title": "The Space Race",
    "subject": "History",
    "topic": "The Cold War",
    "level": "gcse",
    "exam_board": "AQA",
    "cards": [
        {"heading": "Sputnik", "body": "- Launched on 4 October 1957."},
        {"heading": "Apollo 11", "body": "- Landed on the Moon in July 1969."},
    ],
}


def test_it_creates_a_draft(api, token, library):
    response = api.post("/resources", NEW, token=token)

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "the-space-race" and body["status"] == "draft"
    assert body["author"] == "author" and body["version"] == 1
    assert [card["heading"] for card in body["cards"]] == ["Sputnik", "Apollo 11"]
    assert body["cards"][0]["body_html"] == "<ul>\n<li>Launched on 4 October 1957.</li>\n</ul>\n"
    resource = Resource.objects.get(slug="the-space-race")
    assert resource.author.username == "author" and resource.level == "gcse"
    assert Revision.objects.filter(resource=resource, number=1).exists()
    assert api.get("/resources/the-space-race").status_code == 404  # a draft


def test_it_creates_and_publishes(api, token, library):
    response = api.post("/resources", {**NEW, "publish": True}, token=token)

    assert response.json()["status"] == "published" and response.json()["visible"] is True
    assert api.get("/resources/the-space-race").status_code == 200


def test_a_new_subject_waits_for_a_moderator(api, token, library):
    body = {**NEW, "subject": "Astronomy", "topic": "Rockets", "publish": True}

    response = api.post("/resources", body, token=token)

    assert response.status_code == 201
    assert response.json()["visible"] is False
    assert Subject.objects.get(slug="astronomy").is_approved is False
    assert Topic.objects.get(slug="rockets").proposed_by.username == "author"


def test_it_normalises_titles_as_the_editor_does(api, token, library):
    body = {**NEW, "title": "  The\u00a0Space \n Race  ", "cards": [{"body": "\n- x\n\n"}]}

    response = api.post("/resources", body, token=token)

    assert response.json()["title"] == "The Space Race"
    assert response.json()["cards"][0]["body"] == "- x"


def test_card_html_is_sanitised(api, token, library):
    body = {
        **NEW,
        "cards": [
            {
                "body": "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
            }
        ],
    }

    html = api.post("/resources", body, token=token).json()["cards"][0]["body_html"]

    assert "<script" not in html and "href" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * (MAX_TITLE_LENGTH + 1)}, "title"),
        ({"title": "Nul\x00"}, "title"),
        ({"title": "\ud800"}, "title"),
        ({"title": 5}, "title"),
        ({"level": "expert"}, "level"),
        ({"kind": "essay"}, "kind"),
        ({"cards": []}, "cards"),
        ({"cards": [{"body": "   "}]}, "cards.0.body"),
        ({"cards": [{"body": "x" * (MAX_CARD_LENGTH + 1)}]}, "cards.0.body"),
        ({"cards": [{"body": "x"}] * (MAX_CARDS + 1)}, "cards"),
        ({"publish": "yes"}, "publish"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_resources_are_refused_with_the_field(api, token, library, change, field):
    response = api.post("/resources", {**NEW, **change}, token=token)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert not Resource.objects.filter(title__startswith="The Space").exists()


def test_a_title_of_spaces_is_refused_by_the_limits(api, token, library):
    response = api.post("/resources", {**NEW, "title": "\u200b \u3000"}, token=token)

    assert response.status_code == 422
    assert error_of(response)["message"] == "The resource has no title."


@pytest.mark.parametrize("body", ["{", "[1, 2", "\xff", "", "null", "[]", '"text"'])
def test_malformed_bodies_are_bad_requests_or_invalid(api, token, body):
    response = api.post("/resources", body, token=token)

    assert response.status_code in {400, 422}
    assert error_of(response)["code"] in {"bad_request", "invalid"}


# --- the permission matrix ---------------------------------------------------------------

WRITES = [
    ("post", "/resources", NEW),
    ("patch", "/resources/the-berlin-wall", {"title": "Changed"}),
    ("delete", "/resources/the-berlin-wall", None),
    ("post", "/resources/the-berlin-wall/cards", {"body": "- New"}),
    ("patch", "/resources/the-berlin-wall/cards/1", {"body": "- Changed"}),
    ("delete", "/resources/the-berlin-wall/cards/1", None),
    ("post", "/imports", {"text": "x"}),
    ("post", "/markdown", {"text": "x"}),
    ("get", "/me", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer rcl_not-a-token-at-all-000000000",
        "Token {token}",
        "Basic YXV0aG9yOnB3LWF1dGhvci0x",
        "Bearer {token}x",
    ],
)
def test_writes_without_a_valid_token_are_unauthorized(
    api, wall, token, method, path, body, header
):
    headers = {"Authorization": header.format(token=token)} if header else {}

    response = api.call(method, path, body, headers=headers)

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert Resource.objects.get(slug="the-berlin-wall").version == 1


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_revoked_tokens_are_unauthorized(api, wall, token, method, path, body):
    ApiToken.objects.update(revoked_at=timezone.now())

    assert api.call(method, path, body, token=token).status_code == 401


def test_tokens_of_deactivated_users_are_unauthorized(api, wall, token, author):
    author.is_active = False
    author.save()

    assert api.get("/me", token=token).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), WRITES[1:6])
def test_another_users_resource_is_forbidden(api, wall, other_token, method, path, body):
    response = api.call(method, path, body, token=other_token)

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert Resource.objects.get(slug="the-berlin-wall").version == 1


@pytest.mark.parametrize(("method", "path", "body"), WRITES[1:6])
def test_moderators_cannot_change_others_resources_either(
    api, wall, moderator_token, method, path, body
):
    assert api.call(method, path, body, token=moderator_token).status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), WRITES[1:6])
def test_another_users_draft_is_not_found(api, draft, other_token, method, path, body):
    path = path.replace("the-berlin-wall", draft.slug)

    assert api.call(method, path, body, token=other_token).status_code == 404


def test_a_session_cookie_cannot_write(api, client, author, wall):
    client.force_login(author)

    response = api.patch("/resources/the-berlin-wall", {"title": "Changed"})

    assert response.status_code == 401


# --- changing a resource -----------------------------------------------------------------


def test_it_changes_only_the_fields_sent(api, token, wall):
    response = api.patch(
        "/resources/the-berlin-wall", {"title": "The Wall", "level": "a-level"}, token=token
    )

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "The Wall" and body["level"] == "a-level"
    assert body["slug"] == "the-berlin-wall"  # links keep working
    assert body["subject"]["name"] == "History" and body["card_count"] == 2
    assert body["version"] == 2
    assert Revision.objects.filter(resource=wall).count() == 2


def test_it_replaces_every_card(api, token, wall):
    cards = [{"heading": "Only", "body": "- One card now."}]

    body = api.patch("/resources/the-berlin-wall", {"cards": cards}, token=token).json()

    assert [(c["position"], c["heading"]) for c in body["cards"]] == [(1, "Only")]


def test_it_unpublishes_and_publishes(api, token, wall):
    path = "/resources/the-berlin-wall"

    assert api.patch(path, {"publish": False}, token=token).json()["status"] == "draft"
    assert api.get(path).status_code == 404
    assert api.patch(path, {"publish": True}, token=token).json()["status"] == "published"
    assert api.get(path).status_code == 200


def test_a_change_against_an_old_version_is_a_conflict(api, token, wall):
    path = "/resources/the-berlin-wall"
    assert api.patch(path, {"title": "First", "version": 1}, token=token).status_code == 200

    response = api.patch(path, {"title": "Second", "version": 1}, token=token)

    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert "version 2" in error["message"]
    assert error["fields"] == {"version": "The current version is 2."}
    assert Resource.objects.get(pk=wall.pk).title == "First"
    # Sent against the current version, the change is made.
    assert api.patch(path, {"title": "Second", "version": 2}, token=token).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/cards", {"body": "- New", "version": 1}),
        ("patch", "/cards/1", {"body": "- Changed", "version": 1}),
        ("delete", "/cards/1?version=1", None),
    ],
)
def test_card_changes_against_an_old_version_are_conflicts(api, token, wall, method, path, body):
    api.patch("/resources/the-berlin-wall", {"title": "Saved since"}, token=token)

    response = api.call(method, f"/resources/the-berlin-wall{path}", body, token=token)

    assert response.status_code == 409
    assert Resource.objects.get(pk=wall.pk).version == 2


def test_it_deletes_a_resource(api, token, wall):
    response = api.delete("/resources/the-berlin-wall", token=token)

    assert response.status_code == 204
    assert response.content == b""
    assert not Resource.objects.filter(pk=wall.pk).exists()
    assert api.get("/resources/the-berlin-wall").status_code == 404


# --- cards -------------------------------------------------------------------------------


def headings(api, token) -> list[str]:
    cards = api.get("/resources/the-berlin-wall/cards", token=token).json()
    return [card["heading"] for card in cards]


def test_it_adds_a_card_at_the_end(api, token, wall):
    response = api.post(
        "/resources/the-berlin-wall/cards", {"heading": "Last", "body": "- End."}, token=token
    )

    assert response.status_code == 201
    assert response.json()["position"] == 3 and response.json()["heading"] == "Last"
    assert headings(api, token) == ["Part 1", "Part 2", "Last"]
    assert Resource.objects.get(pk=wall.pk).version == 2


def test_it_adds_a_card_at_a_position(api, token, wall):
    response = api.post(
        "/resources/the-berlin-wall/cards",
        {"heading": "First", "body": "- Start.", "position": 1},
        token=token,
    )

    assert response.json()["position"] == 1
    assert headings(api, token) == ["First", "Part 1", "Part 2"]


def test_a_position_past_the_end_adds_at_the_end(api, token, wall):
    response = api.post(
        "/resources/the-berlin-wall/cards", {"body": "- x", "position": 50}, token=token
    )

    assert response.json()["position"] == 3


def test_it_changes_a_card(api, token, wall):
    response = api.patch(
        "/resources/the-berlin-wall/cards/2", {"body": "**Bold** point."}, token=token
    )

    assert response.status_code == 200
    assert response.json() == {
        "position": 2,
        "heading": "Part 2",
        "body": "**Bold** point.",
        "body_html": "<p><strong>Bold</strong> point.</p>\n",
    }


def test_it_deletes_a_card(api, token, wall):
    response = api.delete("/resources/the-berlin-wall/cards/1", token=token)

    assert response.status_code == 204
    assert headings(api, token) == ["Part 2"]
    assert api.get("/resources/the-berlin-wall/cards/2").status_code == 404


def test_the_last_card_cannot_be_deleted(api, token, wall):
    api.delete("/resources/the-berlin-wall/cards/1", token=token)

    response = api.delete("/resources/the-berlin-wall/cards/1", token=token)

    assert response.status_code == 409
    assert "at least one card" in error_of(response)["message"]
    assert headings(api, token) == ["Part 2"]


@pytest.mark.parametrize(
    ("method", "path"), [("patch", "/cards/3"), ("delete", "/cards/3"), ("patch", "/cards/0")]
)
def test_missing_cards_cannot_be_changed(api, token, wall, method, path):
    body = {"body": "- x"} if method == "patch" else None

    response = api.call(method, f"/resources/the-berlin-wall{path}", body, token=token)

    assert response.status_code in {404, 422}


def test_a_resource_cannot_grow_past_the_card_limit(api, token, wall):
    cards = [{"body": f"- {n}"} for n in range(MAX_CARDS)]
    api.patch("/resources/the-berlin-wall", {"cards": cards}, token=token)

    response = api.post("/resources/the-berlin-wall/cards", {"body": "- one more"}, token=token)

    assert response.status_code == 422
    assert "the limit is 100" in error_of(response)["message"]


def test_the_markdown_preview_renders_as_a_card_would(api, token):
    response = api.post("/markdown", {"text": "## Head\n\n<b>x</b> *y*"}, token=token)

    assert response.status_code == 200
    assert response.json() == {"html": "<h2>Head</h2>\n<p>&lt;b&gt;x&lt;/b&gt; <em>y</em></p>\n"}


def test_me_names_the_tokens_user(api, token):
    body = api.get("/me", token=token).json()

    assert body["username"] == "author"
    assert body["token"]["name"] == "script" and token.startswith(body["token"]["prefix"])
    assert body["token"]["last_used_at"] is not None


def test_drafts_stay_drafts_when_changed(api, token, draft):
    api.patch(f"/resources/{draft.slug}", {"title": "Still a draft"}, token=token)

    assert Resource.objects.get(pk=draft.pk).status == Status.DRAFT
