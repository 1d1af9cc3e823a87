"""The editor's Check panel: check, accept a fix, ignore (remembered), confirm publishing."""

from __future__ import annotations

import json

import pytest

from recall.conftest import REFERENCE_PAGE
from recall.library.models import Resource, Status
from recall.library.tests.conftest import make_resource
from recall.library.tests.test_editor import editor_data
from recall.quality.models import IgnoredFinding

from .conftest import read_editor

pytestmark = pytest.mark.django_db

NEW = "/resources/new/"
TYPO_CARDS = (("Causes", "- There was a lot of greif.\n- A military alliance formed."),)


@pytest.fixture
def history(db):
    return make_resource("The Berlin Blockade")


def post(client, url, data, button=None):
    payload = dict(data)
    if button is not None:
        payload["action"] = button
    return client.post(url, payload)


def accept_buttons(reader, text=None):
    found = []
    for name, value, label in reader.buttons:
        if name == "action" and value.startswith("accept "):
            target = json.loads(value[len("accept ") :])
            if text is None or target["text"] == text:
                found.append((value, target, label.strip()))
    return found


def ignore_button(reader, text):
    for name, value, _ in reader.buttons:
        if (
            name == "action"
            and value.startswith("ignore ")
            and json.loads(value[7:])["text"] == text
        ):
            return value
    raise AssertionError(f"no Ignore button for {text!r}")


def test_check_lists_findings_without_saving(client, author, history):
    client.force_login(author)

    response = post(client, NEW, editor_data(cards=TYPO_CARDS, action="check"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="quality-panel"' in html and "<mark>greif</mark>" in html
    assert "1 finding, 1 likely mistake." in html
    reader = read_editor(html)
    ((_, target, label),) = accept_buttons(reader, "greif")[:1]
    assert label == "grief" and target["card"] == 0 and target["field"] == "body"
    assert reader.data["cards-0-body"] == TYPO_CARDS[0][1]  # the text is kept as typed
    assert not Resource.objects.filter(title="The Space Race").exists()


def test_a_clean_text_says_so(client, author, history):
    client.force_login(author)

    html = post(client, NEW, editor_data(action="check")).content.decode()

    assert "No findings." in html


def test_accepting_a_fix_replaces_that_range_and_checks_again(client, author, history):
    client.force_login(author)
    reader = read_editor(
        post(client, NEW, editor_data(cards=TYPO_CARDS, action="check")).content.decode()
    )
    value, _, _ = accept_buttons(reader, "greif")[0]

    response = post(client, NEW, reader.data, value)

    html = response.content.decode()
    after = read_editor(html)
    assert (
        after.data["cards-0-body"] == "- There was a lot of grief.\n- A military alliance formed."
    )
    assert "Replaced “greif” with “grief”." in html and "No findings." in html
    assert after.data["title"] == "The Space Race" and after.data["level"] == "gcse"
    assert not Resource.objects.filter(title="The Space Race").exists()


def test_a_fix_for_text_that_changed_is_refused(client, author, history):
    client.force_login(author)
    reader = read_editor(
        post(client, NEW, editor_data(cards=TYPO_CARDS, action="check")).content.decode()
    )
    value, _, _ = accept_buttons(reader, "greif")[0]
    reader.data["cards-0-body"] = "- Changed completely."

    html = post(client, NEW, reader.data, value).content.decode()

    assert "The text there has changed since the check" in html
    assert read_editor(html).data["cards-0-body"] == "- Changed completely."


@pytest.mark.parametrize(
    "value",
    [
        "accept not json",
        'accept {"card": 7, "field": "body", "start": 0, "end": 1, "text": "-", "fix": "x"}',
        'accept {"card": 0, "field": "secret", "start": 0, "end": 1, "text": "-", "fix": "x"}',
        'accept {"card": 0, "field": "body", "start": "0", "end": 1, "text": "-", "fix": "x"}',
        "ignore [1, 2]",
        'ignore {"id": "not hex!", "kind": "x", "text": "y"}',
    ],
)
def test_forged_buttons_change_nothing(client, author, history, value):
    client.force_login(author)
    data = editor_data(cards=TYPO_CARDS)

    response = post(client, NEW, data, value)

    assert response.status_code == 200
    assert read_editor(response.content.decode()).data["cards-0-body"] == TYPO_CARDS[0][1]
    assert not IgnoredFinding.objects.exists()


def test_the_title_can_be_fixed_too(client, author, history):
    client.force_login(author)
    data = editor_data(title="The Rise of Kruschev", action="check")
    reader = read_editor(post(client, NEW, data).content.decode())
    value, target, label = accept_buttons(reader, "Kruschev")[0]
    assert (target["card"], target["field"], label) == (None, "title", "Khrushchev")

    after = read_editor(post(client, NEW, reader.data, value).content.decode())

    assert after.data["title"] == "The Rise of Khrushchev"


def test_ignoring_in_an_unsaved_resource_is_kept_until_the_first_save(client, author, history):
    client.force_login(author)
    reader = read_editor(
        post(client, NEW, editor_data(cards=TYPO_CARDS, action="check")).content.decode()
    )

    html = post(client, NEW, reader.data, ignore_button(reader, "greif")).content.decode()

    assert "Ignored “greif” in this resource." in html and "No findings (1 ignored)." in html
    after = read_editor(html)
    assert json.loads(after.data["quality_ignored"])[0][2] == "greif"
    assert not IgnoredFinding.objects.exists()
    # Adding a card keeps the ignores; publishing doesn't ask about them; saving stores them.
    after = read_editor(post(client, NEW, after.data, "add_card").content.decode())
    response = post(client, NEW, after.data, "publish")
    resource = Resource.objects.get(title="The Space Race")
    assert response.status_code == 302 and resource.status == Status.PUBLISHED
    ignored = IgnoredFinding.objects.get()
    assert (ignored.resource, ignored.text, ignored.ignored_by) == (resource, "greif", author)


def test_ignoring_in_a_saved_resource_is_remembered(client, author, history):
    client.force_login(author)
    post(client, NEW, editor_data(cards=TYPO_CARDS, action="publish_anyway"))
    resource = Resource.objects.get(title="The Space Race")
    edit = f"/resources/{resource.slug}/edit/"
    reader = read_editor(client.get(edit, {"check": 1}).content.decode())

    post(client, edit, reader.data, ignore_button(reader, "greif"))

    assert IgnoredFinding.objects.get().text == "greif"
    html = client.get(edit, {"check": 1}).content.decode()
    assert "No findings (1 ignored)." in html


def test_publishing_with_likely_mistakes_asks_first(client, author, history):
    client.force_login(author)
    data = editor_data(cards=TYPO_CARDS, action="publish")

    response = client.post(NEW, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Publish with 1 likely mistake?" in html and 'value="publish_anyway"' in html
    assert not Resource.objects.filter(title="The Space Race").exists()
    response = post(client, NEW, read_editor(html).data, "publish_anyway")
    assert response.status_code == 302
    assert Resource.objects.get(title="The Space Race").status == Status.PUBLISHED


def test_saving_a_draft_with_mistakes_does_not_ask(client, author, history):
    client.force_login(author)

    response = client.post(NEW, editor_data(cards=TYPO_CARDS, action="save"))

    assert response.status_code == 302
    assert Resource.objects.get(title="The Space Race").status == Status.DRAFT


def test_low_confidence_findings_do_not_stop_publishing(client, author, history):
    client.force_login(author)
    cards = (
        ("Pacts", "- NATO was a military alliance.\n- The Warsaw Pact was a military allowance."),
    )

    response = client.post(NEW, editor_data(cards=cards, action="publish"))

    assert response.status_code == 302


def test_the_check_panel_opens_from_a_link(client, author, history):
    client.force_login(author)
    post(client, NEW, editor_data(cards=TYPO_CARDS, action="save"))
    resource = Resource.objects.get(title="The Space Race")

    html = client.get(f"/resources/{resource.slug}/edit/", {"check": 1}).content.decode()

    assert 'id="quality-panel"' in html and "<mark>greif</mark>" in html
    assert (
        'id="quality-panel"' not in client.get(f"/resources/{resource.slug}/edit/").content.decode()
    )


def test_the_reference_page_is_fixed_in_a_few_clicks(client, author, history):
    """The issue's story: paste the reference page, check, accept the first fixes."""
    client.force_login(author)
    data = editor_data(action="split", title="", subject="", topic="", level="", exam_board="")
    data.update({"cards-0-heading": "", "cards-0-body": "", "paste": REFERENCE_PAGE.read_text()})
    reader = read_editor(post(client, NEW, data).content.decode())
    reader = read_editor(post(client, NEW, reader.data, "check").content.decode())
    clicks = 0

    while accept_buttons(reader):
        value, _, _ = accept_buttons(reader)[0]  # the first suggestion of the first finding
        reader = read_editor(post(client, NEW, reader.data, value).content.decode())
        clicks += 1

    assert clicks == 15
    text = "\n".join(v for k, v in reader.data.items() if k.endswith(("-body", "-heading")))
    for fixed in (
        "Khrushchev",
        "grief",
        "coexistence",
        "independence",
        "astonishing",
        "hopeful",
        "He had defeated",
        "military alliance",
        "Marshal Tito",
    ):
        assert fixed in text
    for typo in (
        "Kruschev",
        "greif",
        "existance",
        "independance",
        "astonoshing",
        "hopefull",
        "allowance",
        "Marshall",
    ):
        assert typo not in text
    assert reader.data["title"] == "The Rise of Khrushchev"
    response = post(client, NEW, reader.data, "publish")
    assert response.status_code == 302
