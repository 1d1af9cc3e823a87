"""Authors edit their resource's study cards: add questions, reword, choose another span,
hide and restore; edits survive saves of unchanged points."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from recall.library.actions import resource_save
from recall.library.models import Resource, Subject, Topic
from recall.study.actions import (
    cards_due_for,
    study_item_add,
    study_item_choose_span,
    study_item_edit,
    study_item_hide,
    study_item_revert,
    study_resource_add,
)
from recall.study.models import StudyItem

from .conftest import HTMX, POINTS, content

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(author):
    """A draft of `author`'s with two points on its first card, in an approved topic."""
    resource = resource_save(author, content())
    Subject.objects.update(is_approved=True)
    Topic.objects.update(is_approved=True)
    return Resource.objects.get(pk=resource.pk)


def cloze_of(resource, starting: str) -> StudyItem:
    return StudyItem.objects.get(resource=resource, kind="cloze", point__startswith=starting)


def test_an_edit_survives_saves_while_its_point_is_unchanged(author, own):
    stalin = cloze_of(own, "Stalin died")
    assert (stalin.answer, stalin.span_kind) == ("1953", "date")
    study_item_edit(author, stalin, prompt="In which year did Stalin die?", answer="1953")
    resource_save(author, content(POINTS + "- A new point about Hungary in 1956.\n"), resource=own)
    stalin.refresh_from_db()
    assert stalin.prompt == "In which year did Stalin die?" and stalin.is_edited
    assert stalin.kind == "qa"  # no gap left: a question and answer
    assert stalin.retired_at is None
    assert stalin.generated["prompt"].startswith("Stalin died in [...]")

    study_item_revert(author, stalin)
    stalin.refresh_from_db()
    assert stalin.prompt.startswith("Stalin died in [...]") and not stalin.is_edited
    assert stalin.generated == {} and stalin.kind == "cloze"


def test_changing_the_point_retires_the_edit_with_its_item_until_the_point_returns(author, own):
    stalin = cloze_of(own, "Stalin died")
    study_item_edit(author, stalin, prompt="When did Stalin die?", answer="1953")
    changed = POINTS.replace("thirty years", "three decades")
    resource_save(author, content(changed), resource=own)
    stalin.refresh_from_db()
    assert stalin.retired_at is not None  # the edit went with its point
    fresh = StudyItem.objects.active().get(
        resource=own, kind="cloze", point__contains="three decades"
    )
    assert fresh.prompt.startswith("Stalin died in [...]") and not fresh.is_edited

    resource_save(author, content(), resource=own)  # the old point is back
    stalin.refresh_from_db()
    assert stalin.retired_at is None and stalin.prompt == "When did Stalin die?"


def test_choosing_another_span(author, own):
    pact = cloze_of(own, "In 1955")
    assert pact.answer == "Warsaw Pact" and "Poland" in pact.alternatives
    study_item_choose_span(author, pact, "Poland")
    pact.refresh_from_db()
    assert pact.prompt == "In 1955 Kruschev created the Warsaw Pact with [...]."
    assert (pact.answer, pact.span_kind, pact.is_edited) == ("Poland", "name", True)
    resource_save(author, content(POINTS + "- More.\n"), resource=own)
    pact.refresh_from_db()
    assert pact.answer == "Poland"
    study_item_choose_span(author, pact, "Warsaw Pact")  # the generated one: not an edit
    pact.refresh_from_db()
    assert pact.answer == "Warsaw Pact" and not pact.is_edited
    with pytest.raises(ValidationError):
        study_item_choose_span(author, pact, "Moscow")


def test_a_hidden_item_stays_hidden_and_leaves_the_queue(author, other, own):
    own = resource_save(author, content(), resource=own, publish=True)
    stalin = cloze_of(own, "Stalin died")
    study_item_hide(author, stalin)
    resource_save(author, content(POINTS + "- More about 1956 and Hungary.\n"), resource=own)
    stalin.refresh_from_db()
    assert stalin.is_hidden and stalin.retired_at is None
    study_resource_add(other, own)
    assert stalin not in cards_due_for(other).new
    study_item_hide(author, stalin, hidden=False)
    assert stalin in cards_due_for(other).new


def test_authored_questions_are_kept_by_saves_and_come_after_generated_ones(author, other, own):
    question = study_item_add(
        author,
        own,
        question="Who led the USSR after Stalin?",
        answer="Nikita Kruschev",
        card_position=9,
    )
    assert (question.kind, question.origin, question.card_position) == ("qa", "authored", 2)
    assert question.span_kind == "name"
    resource_save(author, content("- Something else entirely about 1962.\n"), resource=own)
    question.refresh_from_db()
    assert question.retired_at is None and question.prompt == "Who led the USSR after Stalin?"
    second = study_item_add(author, own, question="Q2?", answer="An answer of some words")
    assert second.position == question.position + 1 and second.span_kind == ""
    study_item_edit(author, question, prompt="Who came after Stalin?", answer="Kruschev")
    question.refresh_from_db()
    assert (question.prompt, question.point, question.is_edited) == (
        "Who came after Stalin?",
        "Who came after Stalin?",
        False,
    )
    ordered = list(StudyItem.objects.active().filter(resource=own).order_by("position"))
    assert ordered[-2:] == [question, second]


def test_only_the_author_may_change_cards(author, other, moderator, own):
    stalin = cloze_of(own, "Stalin died")
    for user in (other, moderator):
        with pytest.raises(PermissionDenied):
            study_item_add(user, own, question="Q?", answer="A")
        with pytest.raises(PermissionDenied):
            study_item_edit(user, stalin, prompt="Q?", answer="A")
        with pytest.raises(PermissionDenied):
            study_item_hide(user, stalin)
        with pytest.raises(PermissionDenied):
            study_item_choose_span(user, stalin, "Stalin")
        with pytest.raises(PermissionDenied):
            study_item_revert(user, stalin)
    stalin.refresh_from_db()
    assert not stalin.is_hidden and not stalin.is_edited
    with pytest.raises(ValidationError):
        study_item_add(author, own, question="  ", answer="A")


# --- the page ------------------------------------------------------------------------------


def test_the_resource_page_links_to_the_cards_page_for_its_author_only(client, author, other, own):
    published = resource_save(author, content(), resource=own, publish=True)
    url = published.get_absolute_url()
    client.force_login(author)
    cards_url = f"/study/resources/{published.slug}/cards/"
    assert cards_url in client.get(url).content.decode()
    client.force_login(other)
    html = client.get(url).content.decode()
    assert cards_url not in html and f"/study/quiz/resources/{published.slug}/" in html
    assert client.get(cards_url).status_code == 403


def test_the_cards_page_lists_items_and_adds_a_question(
    client, author, own, django_assert_num_queries
):
    client.force_login(author)
    url = f"/study/resources/{own.slug}/cards/"
    client.get(url)
    study_item_hide(author, cloze_of(own, "Stalin died"))
    with django_assert_num_queries(5):  # session, user, resource, items, is-moderator
        html = client.get(url).content.decode()
    assert "Stalin died in [...]" in html and "1 hidden" in html
    assert "Hide “Poland” instead" in html and ">Restore</button>" in html
    for n in range(5):
        study_item_add(author, own, question=f"Question {n}?", answer=f"Answer {n}")
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert "Question 4?" in html

    response = client.post(
        url + "add/", {"prompt": "What did Kruschev denounce?", "answer": "Stalin", "card": "1"}
    )
    assert response.status_code == 302 and response["Location"].startswith(url + "#item-")
    assert StudyItem.objects.filter(resource=own, prompt="What did Kruschev denounce?").exists()
    client.post(url + "add/", {"prompt": "", "answer": "x"})
    assert not StudyItem.objects.filter(resource=own, answer="x").exists()


def test_rows_change_with_and_without_htmx(client, author, own):
    client.force_login(author)
    stalin = cloze_of(own, "Stalin died")
    base = f"/study/resources/{own.slug}/cards/{stalin.pk}/"
    response = client.post(base + "hide/")
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{stalin.pk}")
    row = client.post(base + "restore/", headers=HTMX).content.decode()
    assert row.startswith(f'<li id="item-{stalin.pk}"') and ">Hide</button>" in row
    row = client.post(
        base + "edit/", {"prompt": "Stalin died when?", "answer": "1953"}, headers=HTMX
    )
    html = row.content.decode()
    assert "Stalin died when?" in html and "edited" in html and "Undo the edit" in html
    html = client.post(base + "revert/", headers=HTMX).content.decode()
    assert "Stalin died in [...]" in html and "Undo the edit" not in html
    pact = cloze_of(own, "In 1955")
    html = client.post(
        f"/study/resources/{own.slug}/cards/{pact.pk}/span/", {"span": "Poland"}, headers=HTMX
    ).content.decode()
    assert "Warsaw Pact with [...]" in html
    bad = client.post(base + "edit/", {"prompt": "", "answer": ""}, headers=HTMX).content.decode()
    assert "notice error" in bad
    other_resource = resource_save(author, content())
    assert (
        client.post(f"/study/resources/{other_resource.slug}/cards/{stalin.pk}/hide/").status_code
        == 404
    )


def test_hostile_questions_are_shown_as_text(client, author, own):
    from recall.tests.xss import audit_page, payloads

    vectors = payloads("owasp-xss-filter-evasion.json", sample=40)
    for n, vector in enumerate(vectors):
        study_item_add(author, own, question=f"{vector} {n}", answer=vector[:1999] or "x")
    client.force_login(author)
    html = client.get(f"/study/resources/{own.slug}/cards/").content.decode()
    assert audit_page(html) == []
    quiz = client.get(f"/study/quiz/resources/{own.slug}/", {"mode": "typed", "seed": "2"})
    assert audit_page(quiz.content.decode()) == []
    item = re.search(r'name="item" value="(\d+)"', quiz.content.decode()).group(1)
    answered = client.post(
        f"/study/quiz/resources/{own.slug}/",
        {"mode": "typed", "seed": "2", "n": "0", "item": item, "answer": vectors[0]},
    )
    assert "Not quite." in answered.content.decode() or "Right." in answered.content.decode()
    assert audit_page(answered.content.decode()) == []
