"""The study write views against every kind of user (as recall/community's matrix does):
anonymous users are sent to log in, users without the right get 403, neither changes
anything; the resource's author alone edits its study cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.utils import timezone

from recall.library.models import Resource
from recall.library.tests.conftest import make_resource
from recall.study.models import ExamDate, StudiedResource, StudyItem

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, LOGIN = "ok", "403", "login"
ROLES = ["anonymous", "other", "author", "moderator"]
AUTHOR_ONLY = {"anonymous": LOGIN, "other": FORBIDDEN, "author": OK, "moderator": FORBIDDEN}
ANY_READER = {"anonymous": LOGIN, "other": OK, "author": OK, "moderator": OK}


@dataclass
class World:
    resource: Resource
    item: StudyItem
    hidden: StudyItem
    edited: StudyItem
    span: str  # a candidate span of item
    exam: ExamDate
    day: date


@pytest.fixture
def world(author, other) -> World:
    """A published resource by `author` (one cloze hidden, one edited) and an exam date
    of `other`'s on it."""
    resource = make_resource("The Berlin Wall", cards=3)
    Resource.objects.filter(pk=resource.pk).update(author=author)
    resource.refresh_from_db()
    items = list(StudyItem.objects.filter(resource=resource, kind="cloze").order_by("position"))
    StudyItem.objects.filter(pk=items[1].pk).update(is_hidden=True)
    StudyItem.objects.filter(pk=items[2].pk).update(
        edited_at=timezone.now(),
        prompt="Edited?",
        generated={"prompt": items[2].prompt, "answer": items[2].answer, "span_kind": ""},
    )
    day = timezone.now().date() + timedelta(days=30)
    exam = ExamDate.objects.create(user=other, resource=resource, date=day)
    span = (items[0].alternatives or [items[0].answer])[0]
    return World(resource, items[0], items[1], items[2], span, exam, day)


def state() -> tuple:
    return (
        list(
            StudyItem.objects.order_by("id").values_list(
                "id", "prompt", "answer", "is_hidden", "edited_at"
            )
        ),
        list(ExamDate.objects.order_by("id").values_list("id", "user_id", "date")),
        list(StudiedResource.objects.order_by("id").values_list("user_id", "resource_id")),
    )


@dataclass
class Case:
    url: str  # formatted with the world
    data: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)


CARDS = "/study/resources/{w.resource.slug}/cards/"
CASES = {
    "add": Case("/study/resources/{w.resource.slug}/", {}, ANY_READER),
    "card_add": Case(CARDS + "add/", {"prompt": "Q?", "answer": "A"}, AUTHOR_ONLY),
    "card_edit": Case(CARDS + "{w.item.pk}/edit/", {"prompt": "Q?", "answer": "A"}, AUTHOR_ONLY),
    "card_span": Case(CARDS + "{w.item.pk}/span/", {"span": "{w.span}"}, AUTHOR_ONLY),
    "card_hide": Case(CARDS + "{w.item.pk}/hide/", {}, AUTHOR_ONLY),
    "card_restore": Case(CARDS + "{w.hidden.pk}/restore/", {}, AUTHOR_ONLY),
    "card_revert": Case(CARDS + "{w.edited.pk}/revert/", {}, AUTHOR_ONLY),
    "exam_resource": Case(
        "/study/exams/resources/{w.resource.slug}/", {"date": "{w.day}"}, ANY_READER
    ),
    "exam_topic": Case(
        "/study/exams/topics/{w.resource.subject.slug}/{w.resource.topic.slug}/",
        {"date": "{w.day}"},
        ANY_READER,
    ),
    "exam_clear": Case(
        "/study/exams/{w.exam.pk}/clear/",
        {},
        {"anonymous": LOGIN, "other": OK, "author": FORBIDDEN, "moderator": FORBIDDEN},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CASES)
def test_write_permissions(client, world, author, other, moderator, name, role):
    case = CASES[name]
    users = {"other": other, "author": author, "moderator": moderator}
    if role in users:
        client.force_login(users[role])
    url = case.url.format(w=world)
    data = {key: value.format(w=world) for key, value in case.data.items()}
    before = state()

    response = client.post(url, data)

    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert state() == before
    elif expected == FORBIDDEN:
        assert response.status_code == 403
        assert state() == before
    else:
        assert response.status_code in (200, 302), response.content[:500]
        assert state() != before, name


def test_every_study_write_of_this_area_is_in_the_matrix():
    from recall.study.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}
    mine = {name for name in names if name.startswith(("card_", "exam_"))} | {"add"}
    assert mine == set(CASES)


@pytest.mark.parametrize("role", ROLES)
def test_the_cards_page_is_for_the_author(client, world, author, other, moderator, role):
    users = {"other": other, "author": author, "moderator": moderator}
    if role in users:
        client.force_login(users[role])
    response = client.get(CARDS.format(w=world))
    expected = {"anonymous": 302, "other": 403, "author": 200, "moderator": 403}[role]
    assert response.status_code == expected


def test_get_never_writes(client, world, author):
    client.force_login(author)
    before = state()
    for case in CASES.values():
        client.get(case.url.format(w=world))
    assert state() == before
