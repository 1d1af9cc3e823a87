"""The resource editor: create, preview, paste, reorder, publish, edit, conflicts, limits."""

from __future__ import annotations

import pytest

from recall.conftest import REFERENCE_PAGE
from recall.library.models import Resource, Revision, Status, Subject, Topic

from .conftest import make_resource

pytestmark = pytest.mark.django_db

NEW = "/resources/new/"


def editor_data(cards=(("Causes", "- One\n- Two"),), action="save", version=None, **fields):
    data = {
        "title": "The Space Race",
        "subject": "History",
        "topic": "The Cold War",
        "kind": "notes",
        "level": "gcse",
        "exam_board": "AQA",
        "action": action,
        "cards-TOTAL_FORMS": str(len(cards)),
        "cards-INITIAL_FORMS": str(len(cards)),
        "cards-MIN_NUM_FORMS": "0",
        "cards-MAX_NUM_FORMS": "100",
        **fields,
    }
    if version is not None:
        data["version"] = str(version)
    for i, card in enumerate(cards):
        heading, body = card[0], card[1]
        data[f"cards-{i}-heading"] = heading
        data[f"cards-{i}-body"] = body
        data[f"cards-{i}-ORDER"] = str(card[2]) if len(card) > 2 else str(i + 1)
        if len(card) > 3 and card[3]:
            data[f"cards-{i}-DELETE"] = "on"
    return data


@pytest.fixture
def history(db):
    """An approved History › The Cold War, as the import leaves them."""
    return make_resource("The Berlin Blockade")


def test_it_asks_anonymous_users_to_log_in(client):
    response = client.get(NEW)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/resources/new/"
    assert client.post(NEW, editor_data()).status_code == 302
    assert not Resource.objects.filter(title="The Space Race").exists()


def test_it_shows_an_empty_editor(client, author, history):
    client.force_login(author)

    html = client.get(NEW).content.decode()

    assert "<h1>New resource</h1>" in html
    assert 'name="cards-0-body"' in html and 'name="cards-1-body"' not in html
    assert '<option value="History">' in html and '<option value="The Cold War">' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_saving_a_draft_keeps_it_private(client, author, other, history):
    client.force_login(author)

    response = client.post(NEW, editor_data(action="save"))

    resource = Resource.objects.get(title="The Space Race")
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert resource.status == Status.DRAFT and resource.author == author
    assert (resource.subject, resource.topic) == (history.subject, history.topic)
    assert resource.cards.get().body_html == "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\n"
    assert "Draft: only you can see it" in client.get(resource.get_absolute_url()).content.decode()
    # Nobody else sees a draft, and it is in no list.
    client.force_login(other)
    assert client.get(resource.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(resource.get_absolute_url()).status_code == 404
    assert "The Space Race" not in client.get("/subjects/history/the-cold-war/").content.decode()
    assert "The Space Race" not in client.get("/").content.decode()


def test_publishing_shows_it_to_everyone(client, author, history):
    client.force_login(author)
    client.post(NEW, editor_data(action="publish"))
    resource = Resource.objects.get(title="The Space Race")

    client.logout()

    assert resource.status == Status.PUBLISHED and resource.published_at
    assert client.get(resource.get_absolute_url()).status_code == 200
    assert "The Space Race" in client.get("/subjects/history/the-cold-war/").content.decode()
    assert "The Space Race" in client.get(history.get_absolute_url()).content.decode()


def test_cards_are_kept_in_the_order_given_and_deleted_ones_dropped(client, author, history):
    client.force_login(author)
    cards = (("First", "- a", 3), ("Second", "- b", 1), ("Gone", "- c", 2, True), ("", "- d", 2))

    client.post(NEW, editor_data(cards=cards))

    resource = Resource.objects.get(title="The Space Race")
    assert list(resource.cards.values_list("position", "heading")) == [
        (1, "Second"),
        (2, ""),
        (3, "First"),
    ]


def test_adding_a_card_keeps_what_was_typed_and_saves_nothing(client, author, history):
    client.force_login(author)

    response = client.post(NEW, editor_data(action="add_card", title="Half written"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Half written"' in html
    assert 'name="cards-1-body"' in html and "- One\n- Two</textarea>" in html
    assert not Resource.objects.exists() or not Resource.objects.filter(title="Half written")


def test_preview_renders_the_cards_without_saving(client, author, history):
    client.force_login(author)

    response = client.post(NEW, editor_data(action="preview", cards=(("", "**Bold** point"),)))

    assert "<p><strong>Bold</strong> point</p>" in response.content.decode()
    assert not Resource.objects.filter(title="The Space Race").exists()


def test_live_preview_renders_one_card_sanitised(client, author):
    client.force_login(author)

    response = client.post(
        "/resources/preview/",
        {"cards-0-body": "- other card", "cards-1-body": "- *hi* <script>alert(1)</script>"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "cards-1-body"},
    )

    assert response.status_code == 200
    assert response.content.decode().strip() == (
        "<ul>\n<li><em>hi</em> &lt;script&gt;alert(1)&lt;/script&gt;</li>\n</ul>"
    )


def test_preview_without_htmx_reads_body(client, author):
    client.force_login(author)

    response = client.post("/resources/preview/", {"body": "plain"})

    assert response.content.decode().strip() == "<p>plain</p>"


def test_live_preview_needs_a_login_and_a_post(client, author):
    assert client.post("/resources/preview/", {"body": "x"}).status_code == 302
    client.force_login(author)
    assert client.get("/resources/preview/").status_code == 405


def test_pasting_the_reference_page_splits_it_into_cards(client, author, history):
    client.force_login(author)
    data = editor_data(action="split", title="", subject="", topic="", level="", exam_board="")
    data.update({"cards-0-heading": "", "cards-0-body": ""})
    data["paste"] = REFERENCE_PAGE.read_text()

    html = client.post(NEW, data).content.decode()

    assert 'value="The Rise of Kruschev"' in html
    assert 'value="History"' in html and 'value="The Cold War"' in html
    assert 'name="cards-2-heading"' in html and 'name="cards-3-heading"' not in html
    assert 'value="The Warsaw Pact"' in html
    assert "Split into 3 cards." in html
    assert not Resource.objects.filter(title="The Rise of Kruschev").exists()


def test_pasting_bullets_alone_works_too(client, author, history):
    client.force_login(author)
    data = editor_data(action="split")
    data["paste"] = "Causes\n• Rivalry\n• Fear\n"

    html = client.post(NEW, data).content.decode()

    # The blank form is filled in, the card already written is kept and the pasted one added.
    assert 'value="The Space Race"' in html
    assert 'name="cards-1-heading"' in html and 'value="Causes"' in html


def test_pasting_nothing_useful_explains_why(client, author):
    client.force_login(author)
    data = editor_data(action="split")
    data["paste"] = "   "

    response = client.post(NEW, data)

    assert response.status_code == 422
    assert "These notes can&#x27;t be split into cards: file is empty." in response.content.decode()


def test_a_new_topic_waits_for_a_moderator(client, author, history):
    client.force_login(author)

    client.post(NEW, editor_data(action="publish", subject="Astronomy", topic="Black Holes"))

    resource = Resource.objects.get(title="The Space Race")
    assert not resource.subject.is_approved and not resource.topic.is_approved
    assert resource.topic.proposed_by == author
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "Waiting for a moderator to approve" in html
    client.logout()
    assert client.get(resource.get_absolute_url()).status_code == 404
    assert client.get("/subjects/astronomy/").status_code == 404
    assert "Astronomy" not in client.get("/").content.decode()


def test_an_existing_subject_is_matched_whatever_its_case(client, author, history):
    client.force_login(author)

    client.post(NEW, editor_data(subject="history", topic="the cold war"))

    assert Subject.objects.count() == 1 and Topic.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"title": ""}, "This field is required"),
        ({"topic": ""}, "This field is required"),
        ({"cards-0-body": "y" * 20_001}, "Ensure this value has at most 20000 characters"),
        ({"cards-0-body": ""}, "A card needs some text under its heading."),
        ({"cards-0-heading": "", "cards-0-body": "  "}, "Write at least one card."),
        ({"kind": "poem"}, "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_form_error_and_saves_nothing(client, author, history, change, message):
    client.force_login(author)
    data = editor_data()
    data.update(change)

    response = client.post(NEW, data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Resource.objects.filter(author=author).exists()


def test_more_than_100_cards_is_refused(client, author, history):
    client.force_login(author)

    response = client.post(NEW, editor_data(cards=[("", f"- {n}") for n in range(101)]))

    assert response.status_code == 422
    assert "Please submit at most 100 forms." in response.content.decode()
    assert not Resource.objects.filter(author=author).exists()


def test_a_broken_management_form_is_an_error_not_a_crash(client, author, history):
    client.force_login(author)
    data = editor_data()
    data["cards-TOTAL_FORMS"] = "many"

    response = client.post(NEW, data)

    assert response.status_code == 422


@pytest.fixture
def own(client, author, history):
    client.force_login(author)
    client.post(NEW, editor_data(action="publish"))
    return Resource.objects.get(title="The Space Race")


def test_the_author_edits_and_every_save_keeps_a_revision(client, own, author):
    edit = f"/resources/{own.slug}/edit/"
    html = client.get(edit).content.decode()
    assert 'value="The Space Race"' in html and 'name="version" value="2"' not in html

    response = client.post(edit, editor_data(title="The Space Race 1957-1969", version=own.version))

    own.refresh_from_db()
    assert response.status_code == 302
    assert own.title == "The Space Race 1957-1969"
    assert own.slug == "the-space-race"  # links keep working after a new title
    assert own.status == Status.PUBLISHED
    assert list(own.revisions.values_list("number", flat=True)) == [2, 1]
    assert own.revisions.first().content["title"] == "The Space Race 1957-1969"
    assert own.revisions.first().saved_by == author


def test_a_stale_form_is_a_conflict_that_keeps_the_users_text(client, own, author):
    edit = f"/resources/{own.slug}/edit/"
    stale = own.version
    client.post(edit, editor_data(title="Saved first", version=stale))

    response = client.post(
        edit, editor_data(title="Saved second", version=stale, cards=(("Mine", "- my text"),))
    )

    html = response.content.decode()
    own.refresh_from_db()
    assert response.status_code == 409
    assert own.title == "Saved first"
    assert "Someone saved this resource while you were editing" in html
    assert 'value="Saved second"' in html and "- my text</textarea>" in html
    # Saving again, now knowingly over the newer version, goes through.
    retry = editor_data(title="Saved second", version=own.version, cards=(("Mine", "- my text"),))
    assert client.post(edit, retry).status_code == 302
    own.refresh_from_db()
    assert own.title == "Saved second"


def test_unpublishing_makes_it_a_draft_again(client, own):
    client.post(
        f"/resources/{own.slug}/edit/", editor_data(action="unpublish", version=own.version)
    )

    own.refresh_from_db()
    assert own.status == Status.DRAFT


def test_history_compare_and_restore(client, own):
    edit = f"/resources/{own.slug}/edit/"
    client.post(edit, editor_data(version=own.version, cards=(("Causes", "- One\n- Three"),)))

    history = client.get(f"/resources/{own.slug}/history/").content.decode()
    compare = client.get(f"/resources/{own.slug}/history/compare/", {"from": 1, "to": 2})
    restore = client.post(f"/resources/{own.slug}/history/1/restore/")

    assert "History of “The Space Race”" in history and "current" in history
    diff = compare.content.decode()
    assert (
        '<li class="diff-removed"><span class="visually-hidden">Removed: </span><del>- Two</del></li>'
        in diff
    )
    assert (
        '<li class="diff-added"><span class="visually-hidden">Added: </span><ins>- Three</ins></li>'
        in diff
    )
    assert restore.status_code == 302
    own.refresh_from_db()
    assert own.version == 3
    assert own.cards.get().body == "- One\n- Two"
    assert own.revisions.first().content == own.revisions.last().content


@pytest.mark.parametrize("query", [{}, {"from": 1}, {"from": 1, "to": 9}, {"from": "x", "to": 1}])
def test_comparing_unknown_revisions_is_not_found(client, own, query):
    assert client.get(f"/resources/{own.slug}/history/compare/", query).status_code == 404


def test_restoring_an_unknown_revision_is_not_found(client, own):
    assert client.post(f"/resources/{own.slug}/history/9/restore/").status_code == 404


def test_the_author_deletes_after_confirming(client, own):
    url = f"/resources/{own.slug}/delete/"

    assert "This can't be undone." in client.get(url).content.decode()
    assert Resource.objects.filter(pk=own.pk).exists()
    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == "/users/author/"
    assert not Resource.objects.filter(pk=own.pk).exists()
    assert not Revision.objects.filter(resource_id=own.pk).exists()


WRITES = [
    ("post", "/resources/{slug}/edit/", "edit"),
    ("post", "/resources/{slug}/delete/", "delete"),
    ("post", "/resources/{slug}/history/1/restore/", "restore"),
]


@pytest.mark.parametrize(("method", "url", "name"), WRITES)
@pytest.mark.parametrize("who", ["anonymous", "other", "moderator"])
def test_only_the_author_can_write(client, own, other, moderator, method, url, name, who):
    client.logout()
    if who == "other":
        client.force_login(other)
    elif who == "moderator":
        client.force_login(moderator)
    before = (own.title, own.version, Resource.objects.count(), Revision.objects.count())

    response = getattr(client, method)(
        url.format(slug=own.slug), editor_data(title="Taken over", version=own.version)
    )

    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403
    own.refresh_from_db()
    assert (own.title, own.version, Resource.objects.count(), Revision.objects.count()) == before


@pytest.mark.parametrize("who", ["other", "anonymous"])
def test_only_the_author_and_moderators_see_the_history(client, own, other, moderator, who):
    client.logout()
    if who == "other":
        client.force_login(other)
    url = f"/resources/{own.slug}/history/"

    assert client.get(url).status_code in {302, 403}
    client.force_login(moderator)
    assert client.get(url).status_code == 200


def test_imports_keep_revisions_too(history):
    revision = history.revisions.get()

    assert revision.number == 1 and revision.content["title"] == "The Berlin Blockade"
    assert len(revision.content["cards"]) == 2


def test_a_title_that_names_an_editor_page_gets_another_slug(client, author, history):
    client.force_login(author)

    client.post(NEW, editor_data(title="New"))

    assert Resource.objects.get(title="New").slug == "new-2"
