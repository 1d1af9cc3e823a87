"""Quizzes through the API: the same questions, choices and checks as the quiz pages
(recall.study.quizzes), the same visibility rules, and nothing written."""

from __future__ import annotations

import re

import pytest

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_import
from recall.library.models import Resource, Status
from recall.study.models import ReviewLog, ReviewState, StudyItem

from .conftest import error_of, own

pytestmark = pytest.mark.django_db


@pytest.fixture
def stalin(library):
    """One cloze, "Stalin died in [...] after thirty years in power." → 1953, and one
    asking for a name, among the library's Cold War resources."""
    parsed = ParsedResource(
        title="Stalin",
        subject="History",
        topic="The Cold War",
        cards=(
            ParsedCard("", "- Stalin died in 1953 after thirty years in power."),
            ParsedCard("", "- In 1956 the Secret Speech was given by Nikita Khrushchev."),
        ),
    )
    return resource_import(parsed, default_author="recall").resource


def quiz_url(resource) -> str:
    return f"/study/quiz/resources/{resource.slug}"


def cloze_1953(resource) -> StudyItem:
    return StudyItem.objects.get(resource=resource, kind="cloze", answer="1953")


def test_a_quiz_needs_a_token_and_a_readable_resource(api, token, other_token, stalin, draft):
    assert api.get(quiz_url(stalin)).status_code == 401
    assert api.post(f"{quiz_url(stalin)}/answers", {}).status_code == 401
    # author's draft: theirs to quiz, no one else's (as the page: 404).
    assert api.get(quiz_url(draft), token=token).status_code == 200
    hidden = api.get(quiz_url(draft), token=other_token)
    assert hidden.status_code == 404 and error_of(hidden)["code"] == "not_found"
    answer = {"mode": "typed", "seed": 1, "item_id": 1, "answer": "x"}
    assert api.post(f"{quiz_url(draft)}/answers", answer, token=other_token).status_code == 404
    missing = api.get("/study/quiz/topics/history/no-such-topic", token=other_token)
    assert missing.status_code == 404
    unknown = api.get(f"{quiz_url(stalin)}?mode=choice&seeed=3", token=other_token)
    assert unknown.status_code == 422 and "seeed" in error_of(unknown)["fields"]
    assert api.get(f"{quiz_url(stalin)}?mode=oral", token=other_token).status_code == 422


def test_multiple_choice_gives_what_the_quiz_page_gives(
    api, client, other, other_token, stalin, django_assert_num_queries
):
    # the token with its user, its last use, the token's rate count, the resource, the
    # questions, is-moderator (what the user may read), the subject's answers
    with django_assert_num_queries(7):
        response = api.get(f"{quiz_url(stalin)}?mode=choice&seed=5", token=other_token)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["mode"], body["seed"]) == ("Stalin", "choice", 5)
    questions = body["questions"]
    assert len(questions) == 2 and "answer" not in questions[0]
    by_item = {question["item_id"]: question for question in questions}
    date = by_item[cloze_1953(stalin).pk]
    assert date["prompt"] == "Stalin died in [...] after thirty years in power."
    assert date["type"] == "date" and len(date["choices"]) == 4 and "1953" in date["choices"]
    # The page with the same seed asks the first question with the same choices.
    client.force_login(other)
    page = client.get(f"/study/quiz/resources/{stalin.slug}/", {"mode": "choice", "seed": 5})
    shown = re.search(r'name="item" value="(\d+)"', page.content.decode()).group(1)
    assert int(shown) == questions[0]["item_id"]
    page_choices = re.findall(r'name="answer" value="([^"]+)"', page.content.decode())
    assert page_choices == questions[0]["choices"]
    assert api.get(f"{quiz_url(stalin)}?mode=choice&seed=5", token=other_token).json() == body


def test_answers_are_checked_as_the_page_checks_them_and_written_nowhere(api, other_token, stalin):
    item = cloze_1953(stalin).pk
    url = f"{quiz_url(stalin)}/answers"
    quiz = api.get(f"{quiz_url(stalin)}?mode=choice&seed=5", token=other_token).json()
    choices = next(q["choices"] for q in quiz["questions"] if q["item_id"] == item)
    wrong = next(choice for choice in choices if choice != "1953")
    choice = {"mode": "choice", "seed": 5, "item_id": item}

    response = api.post(url, {**choice, "answer": wrong}, token=other_token)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "item_id": item,
        "result": "wrong",
        "correct": False,
        "answer": "1953",
    }
    right = api.post(url, {**choice, "answer": "1953"}, token=other_token).json()
    assert (right["result"], right["correct"]) == ("exact", True)

    typed = {"mode": "typed", "seed": 1, "item_id": item}
    assert api.post(url, {**typed, "answer": "1935"}, token=other_token).json()["result"] == (
        "wrong"
    )
    assert api.post(url, {**typed, "answer": " 1953."}, token=other_token).json()["result"] == (
        "exact"
    )
    name = StudyItem.objects.get(resource=stalin, kind="cloze", answer="Nikita Khrushchev")
    close = api.post(
        url,
        {"mode": "typed", "seed": 1, "item_id": name.pk, "answer": "nikita kruschev"},
        token=other_token,
    ).json()
    assert (close["result"], close["correct"], close["answer"]) == (
        "close",
        True,
        "Nikita Khrushchev",
    )
    assert not ReviewLog.objects.exists() and not ReviewState.objects.exists()


def test_an_answer_to_a_question_not_in_the_quiz_is_a_conflict(api, other_token, stalin, wall):
    url = f"{quiz_url(stalin)}/answers"
    elsewhere = StudyItem.objects.filter(resource=wall).first().pk
    answer = {"mode": "typed", "seed": 1, "item_id": elsewhere, "answer": "1953"}
    response = api.post(url, answer, token=other_token)
    assert response.status_code == 409 and error_of(response)["code"] == "conflict"
    too_long = {**answer, "item_id": cloze_1953(stalin).pk, "answer": "x" * 501}
    assert api.post(url, too_long, token=other_token).status_code == 422


def test_without_a_seed_one_is_drawn_and_returned(api, other_token, stalin):
    body = api.get(f"{quiz_url(stalin)}?mode=typed", token=other_token).json()
    assert isinstance(body["seed"], int) and body["mode"] == "typed"
    assert all(question["choices"] == [] for question in body["questions"])
    again = api.get(f"{quiz_url(stalin)}?mode=typed&seed={body['seed']}", token=other_token)
    assert again.json() == body


def test_a_topic_quiz_asks_about_its_published_resources(api, other_token, author, stalin):
    hidden = own(
        resource_import(
            ParsedResource(
                title="Unpublished",
                subject="History",
                topic="The Cold War",
                cards=(ParsedCard("", "- The Sputnik satellite was launched in 1957."),),
            ),
            default_author="recall",
        ).resource,
        author,
    )
    Resource.objects.filter(pk=hidden.pk).update(status=Status.DRAFT)
    topic = stalin.topic
    base = f"/study/quiz/topics/{topic.subject.slug}/{topic.slug}"
    body = api.get(f"{base}?mode=choice&seed=3", token=other_token).json()
    assert body["title"] == "The Cold War (History)"
    items = StudyItem.objects.filter(pk__in=[q["item_id"] for q in body["questions"]])
    assert len(items) == len(body["questions"]) == 10
    assert {item.resource.topic_id for item in items} == {topic.pk}
    assert all(item.resource.status == Status.PUBLISHED for item in items)
    first = items.get(pk=body["questions"][0]["item_id"])
    answer = {"mode": "choice", "seed": 3, "item_id": first.pk, "answer": first.answer}
    result = api.post(f"{base}/answers", answer, token=other_token).json()
    assert result["correct"] is True and result["answer"] == first.answer
