"""Quiz pages: multiple choice and typed answers, with and without htmx; nothing is written."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from recall.lib.resource_text import ParsedCard, ParsedResource
from recall.library.actions import resource_import
from recall.study.models import ReviewLog, ReviewState, StudyItem

pytestmark = pytest.mark.django_db

QUIZ_HTMX = {"HX-Request": "true", "HX-Target": "quiz"}


@pytest.fixture
def stalin(library):
    """A resource with one cloze, "Stalin died in [...] ..." → 1953, among the library's."""
    parsed = ParsedResource(
        title="Stalin",
        subject="History",
        topic="The Cold War",
        cards=(ParsedCard("", "- Stalin died in 1953 after thirty years in power."),),
    )
    return resource_import(parsed, default_author="recall").resource


def url(resource) -> str:
    return f"/study/quiz/resources/{resource.slug}/"


def shown_item(page: str) -> str:
    return re.search(r'name="item" value="(\d+)"', page).group(1)


def prompt_of(page: str) -> str:
    found = re.search(r'<div class="study-prompt">(.*?)</div>', page, re.S)
    return html_lib.unescape(found.group(1).replace("<br>", "\n"))


def test_the_quiz_needs_a_login_and_a_readable_resource(client, other, author, stalin):
    assert client.get(url(stalin))["Location"].startswith("/accounts/login/")
    stalin.status = "draft"
    stalin.save()
    client.force_login(other)
    assert client.get(url(stalin)).status_code == 404
    assert client.get("/study/quiz/topics/history/no-such-topic/").status_code == 404


def test_choosing_how_to_answer(client, other, stalin):
    client.force_login(other)
    page = client.get(url(stalin)).content.decode()
    assert "Multiple choice" in page and "mode=choice&amp;seed=" in page
    assert "mode=typed&amp;seed=" in page


def test_multiple_choice_offers_dates_of_the_topic(
    client, other, stalin, django_assert_num_queries
):
    client.force_login(other)
    client.get(url(stalin))
    # session, user, resource, the questions, the subject's answers (and is-moderator)
    with django_assert_num_queries(6):
        page = client.get(url(stalin), {"mode": "choice", "seed": "5"}).content.decode()
    assert prompt_of(page) == "Stalin died in [...] after thirty years in power."
    choices = re.findall(r'name="answer" value="([^"]+)"', page)
    assert len(choices) == 4 and "1953" in choices
    assert all(re.fullmatch(r"(\w+ )?\d{4}", choice) for choice in choices)  # dates for a date
    again = client.get(url(stalin), {"mode": "choice", "seed": "5"}).content.decode()
    assert re.findall(r'name="answer" value="([^"]+)"', again) == choices  # the seed decides

    wrong = next(choice for choice in choices if choice != "1953")
    item = shown_item(page)
    data = {"mode": "choice", "seed": "5", "n": "0", "item": item}
    answered = client.post(url(stalin), {**data, "answer": wrong})
    text = answered.content.decode()
    assert "Not quite." in text and "The answer is “1953”" in text
    assert "n=1&amp;score=0" in text
    right = client.post(url(stalin), {**data, "answer": "1953"})
    assert "Right." in right.content.decode() and "n=1&amp;score=1" in right.content.decode()
    done = client.get(url(stalin), {"mode": "choice", "seed": "5", "n": "1", "score": "1"})
    assert "You got 1 of 1 right." in done.content.decode()
    assert not ReviewLog.objects.exists() and not ReviewState.objects.exists()


def test_typed_answers_forgive_typos_but_not_a_wrong_year(client, other, stalin):
    client.force_login(other)
    data = {"mode": "typed", "seed": "1", "n": "0", "score": "0"}
    page = client.get(url(stalin), data).content.decode()
    assert 'name="answer" type="text"' in page
    data["item"] = shown_item(page)
    assert "Not quite." in client.post(url(stalin), {**data, "answer": "1935"}).content.decode()
    assert "Right." in client.post(url(stalin), {**data, "answer": " 1953."}).content.decode()
    assert (
        "give or take a typo"
        not in client.post(url(stalin), {**data, "answer": "1953"}).content.decode()
    )


def test_htmx_swaps_the_quiz_alone(client, other, stalin):
    client.force_login(other)
    item = StudyItem.objects.get(resource=stalin, kind="cloze").pk
    data = {"mode": "typed", "seed": "1", "n": "0", "score": "0", "answer": "1953", "item": item}
    html = client.post(url(stalin), data, headers=QUIZ_HTMX).content.decode()
    assert html.startswith('<section id="quiz"') and "<html" not in html
    assert (
        'hx-get="/study/quiz/resources/stalin/?mode=typed&amp;seed=1&amp;n=1&amp;score=1"' in html
    )


def test_a_topic_quiz_asks_questions_of_its_resources(client, other, stalin):
    client.force_login(other)
    topic = stalin.topic
    base = f"/study/quiz/topics/{topic.subject.slug}/{topic.slug}/"
    assert f'href="{base}"' in client.get(topic.get_absolute_url()).content.decode()
    page = client.get(base, {"mode": "choice", "seed": "3"}).content.decode()
    assert "Question 1 of 10" in page
    prompt = prompt_of(page)
    item = StudyItem.objects.filter(prompt=prompt, resource__topic=topic).first()
    assert item is not None and item.kind in ("cloze", "qa")
    data = {"mode": "choice", "seed": "3", "n": "0", "item": item.pk, "answer": item.answer}
    result = client.post(base, data)
    assert "Right." in result.content.decode()
    stale = client.post(base, {**data, "item": "0"}).content.decode()  # not the question shown
    assert "Right." not in stale and 'name="item"' in stale
