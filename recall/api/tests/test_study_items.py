"""An author's study questions through the API: list, add, reword, hide, restore,
revert; only the resource's author may change them, and students' schedules stay."""

from __future__ import annotations

import pytest

from recall.lib.study.scheduling import GOOD
from recall.study.actions import review_answer, study_resource_add
from recall.study.models import ReviewState, StudyItem

from .conftest import error_of, own

pytestmark = pytest.mark.django_db

SLUG = "the-rise-of-kruschev"


@pytest.fixture
def mine(author, reference):
    """The reference page, written by `author` (the token's user)."""
    return own(reference, author)


def first_cloze(resource) -> StudyItem:
    return StudyItem.objects.filter(resource=resource, kind="cloze").order_by("position").first()


def test_it_lists_the_questions_in_reading_order(api, other_token, mine):
    response = api.get(f"/study/resources/{SLUG}/items", token=other_token)

    assert response.status_code == 200
    body = response.json()
    expected = StudyItem.objects.active().filter(resource=mine).order_by("position")
    assert [item["id"] for item in body] == [item.pk for item in expected]
    assert body[0]["origin"] == "generated" and body[0]["hidden"] is False


def test_the_author_adds_a_question(api, token, mine):
    response = api.post(
        f"/study/resources/{SLUG}/items",
        {"question": "Who followed Stalin?", "answer": "Khrushchev"},
        token=token,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["origin"], body["prompt"], body["answer"]) == (
        "qa",
        "authored",
        "Who followed Stalin?",
        "Khrushchev",
    )
    assert StudyItem.objects.get(pk=body["id"]).resource == mine


def test_another_user_may_read_but_not_change_them(api, other_token, mine):
    item = first_cloze(mine)
    added = api.post(
        f"/study/resources/{SLUG}/items", {"question": "Q", "answer": "A"}, token=other_token
    )
    changed = api.patch(f"/study/items/{item.pk}", {"hidden": True}, token=other_token)
    touched = api.patch(f"/study/items/{item.pk}", {}, token=other_token)

    assert (added.status_code, changed.status_code, touched.status_code) == (403, 403, 403)
    assert error_of(changed)["code"] == "forbidden"
    item.refresh_from_db()
    assert not item.is_hidden
    assert not StudyItem.objects.filter(resource=mine, origin="authored").exists()


def test_reword_then_revert_keeps_the_students_schedule(api, token, mine, other):
    item = first_cloze(mine)
    study_resource_add(other, mine)
    review_answer(other, item, GOOD)
    generated = (item.prompt, item.answer)

    reworded = api.patch(
        f"/study/items/{item.pk}", {"prompt": "Stalin died in the year [...]."}, token=token
    )
    assert reworded.status_code == 200, reworded.content
    assert reworded.json()["edited"] is True
    assert reworded.json()["prompt"] == "Stalin died in the year [...]."
    assert reworded.json()["answer"] == generated[1]

    reverted = api.patch(f"/study/items/{item.pk}", {"revert": True}, token=token)
    assert reverted.status_code == 200
    assert (reverted.json()["prompt"], reverted.json()["answer"]) == generated
    assert reverted.json()["edited"] is False
    assert ReviewState.objects.filter(user=other, item=item).exists()


def test_hide_and_restore(api, token, other_token, mine):
    item = first_cloze(mine)

    hidden = api.patch(f"/study/items/{item.pk}", {"hidden": True}, token=token)
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    seen_by_other = api.get(f"/study/resources/{SLUG}/items", token=other_token).json()
    seen_by_author = api.get(f"/study/resources/{SLUG}/items", token=token).json()
    assert item.pk not in [row["id"] for row in seen_by_other]
    assert item.pk in [row["id"] for row in seen_by_author]

    restored = api.patch(f"/study/items/{item.pk}", {"hidden": False}, token=token)
    assert restored.json()["hidden"] is False


def test_bad_input_is_refused_and_changes_nothing(api, token, mine):
    item = first_cloze(mine)
    before = (item.prompt, item.answer, item.is_hidden)

    blank = api.patch(f"/study/items/{item.pk}", {"prompt": "   "}, token=token)
    unknown = api.patch(f"/study/items/{item.pk}", {"colour": "red"}, token=token)
    missing = api.patch("/study/items/999999", {"hidden": True}, token=token)
    no_resource = api.post(
        "/study/resources/no-such-resource/items", {"question": "Q", "answer": "A"}, token=token
    )

    assert (blank.status_code, unknown.status_code) == (422, 422)
    assert (missing.status_code, no_resource.status_code) == (404, 404)
    item.refresh_from_db()
    assert (item.prompt, item.answer, item.is_hidden) == before


def test_a_token_is_required(api, mine):
    item = first_cloze(mine)
    assert api.get(f"/study/resources/{SLUG}/items").status_code == 401
    assert api.patch(f"/study/items/{item.pk}", {"hidden": True}).status_code == 401
