"""Quizzes over a resource's or a topic's study items, for the quiz pages and the JSON API.

A quiz is a seed: the questions, their order and their choices follow from it
(recall.lib.study.quiz, pure), so neither the pages nor the API keep any state but the
seed. Answers are checked, never stored: a quiz is practice and leaves the FSRS schedule
alone (see README, Studying).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from recall.lib.study import cloze, quiz
from recall.library.models import Resource, Topic

from .models import StudyItem

QUIZ_LENGTH = 10
MAX_MATERIAL = 5000  # answers of the subject that distractors are drawn from
MAX_GIVEN = 500  # characters of an answer that are checked
CHOICE, TYPED = "choice", "typed"
MODES = (CHOICE, TYPED)
EXACT, CLOSE, WRONG = quiz.EXACT, quiz.CLOSE, quiz.WRONG
_FIELDS = ("id", "prompt", "answer", "span_kind", "resource__topic_id", "resource__subject_id")


@dataclass(frozen=True)
class Scope:
    """What a quiz asks about: one resource, or a topic's published resources."""

    title: str
    url: str  # the resource's or the topic's page
    resources: QuerySet[Resource]
    subject_id: int  # distractors come from this subject's answers


def resource_scope(user: AbstractBaseUser | AnonymousUser, slug: str) -> Scope | None:
    """A resource the user may read (their own drafts too); None when there is none."""
    resource = Resource.objects.select_related("subject", "topic").filter(slug=slug).first()
    if resource is None or not resource.is_visible_to(user):
        return None
    return Scope(
        resource.title,
        resource.get_absolute_url(),
        Resource.objects.filter(pk=resource.pk),
        resource.subject_id,
    )


def topic_scope(subject_slug: str, topic_slug: str) -> Scope | None:
    """An approved topic's published resources; None when there is no such topic."""
    topic = (
        Topic.objects.approved()
        .select_related("subject")
        .filter(subject__slug=subject_slug, slug=topic_slug)
        .first()
    )
    if topic is None:
        return None
    return Scope(
        f"{topic.name} ({topic.subject.name})",
        topic.get_absolute_url(),
        Resource.objects.visible().filter(topic=topic),
        topic.subject_id,
    )


def _quiz_items(resources: QuerySet[Resource]) -> list[quiz.QuizItem]:
    rows = (
        StudyItem.objects.active()
        .filter(resource__in=resources, kind__in=[cloze.CLOZE, cloze.QA])
        .order_by("id")
        .values_list(*_FIELDS)
    )
    return [
        quiz.QuizItem(pk, prompt, answer, quiz.answer_type(answer, kind), topic, subject)
        for pk, prompt, answer, kind, topic, subject in rows
        if len(answer) <= quiz.MAX_QUIZ_ANSWER
    ]


def _material(user, subject_id: int) -> list[quiz.Material]:
    """The answers of the subject's questions the user may read: where distractors come from."""
    rows = (
        StudyItem.objects.active()
        .filter(
            resource__in=Resource.objects.visible_to(user).filter(subject_id=subject_id),
            kind__in=[cloze.CLOZE, cloze.QA],
        )
        .order_by("id")
        .values_list("answer", "span_kind", "resource__topic_id", "resource__subject_id")[
            :MAX_MATERIAL
        ]
    )
    return [
        quiz.Material(answer, quiz.answer_type(answer, kind), topic, subject)
        for answer, kind, topic, subject in rows
        if len(answer) <= quiz.MAX_QUIZ_ANSWER
    ]


def questions(user, scope: Scope, mode: str, seed: int) -> list[quiz.Question]:
    """The quiz the seed gives: up to QUIZ_LENGTH questions; in CHOICE mode each has the
    answer among distractors the user may read (one with none is asked typed)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    items = _quiz_items(scope.resources)
    material = _material(user, scope.subject_id) if mode == CHOICE else []
    return quiz.build_quiz(items, material, seed=seed, length=QUIZ_LENGTH, choice=mode == CHOICE)


def check(question: quiz.Question, given: str) -> str:
    """EXACT, CLOSE (a typed answer with a small typo, accepted) or WRONG. A choice must
    be the answer itself; a typed answer is forgiven small typos, never a wrong number."""
    given = given[:MAX_GIVEN]
    if question.is_choice:
        return EXACT if quiz.is_right_choice(given, question) else WRONG
    return quiz.check_typed(given, question.answer)
