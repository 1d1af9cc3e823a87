"""Quiz mode: multiple-choice or typed questions over a resource or a topic.

A quiz is a seed: the questions, their order and their choices follow from it
(recall.lib.study.quiz), so the pages keep no state but the seed, the question number and
the score, in the URL and the forms. Answers are checked, never stored: a quiz is
practice and leaves the FSRS schedule alone (see README, Studying).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from recall.lib.study import cloze, quiz
from recall.library.models import Resource, Topic

from .models import StudyItem

QUIZ_LENGTH = 10
MAX_MATERIAL = 5000  # answers of the subject that distractors are drawn from
CHOICE, TYPED = "choice", "typed"
_FIELDS = ("id", "prompt", "answer", "span_kind", "resource__topic_id", "resource__subject_id")


def _quiz_items(resources) -> list[quiz.QuizItem]:
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


def _number(raw: str | None, default: int = 0, high: int = 10**12) -> int:
    if raw and raw.isascii() and raw.isdigit() and len(raw) < 13:
        return min(int(raw), high)
    return default


def _run(request: HttpRequest, title: str, back_url: str, resources, subject_id: int):
    params = request.POST if request.method == "POST" else request.GET
    mode = params.get("mode")
    context = {"title": title, "back_url": back_url, "path": request.path}
    if mode not in (CHOICE, TYPED) or not params.get("seed"):
        context["start"] = {
            CHOICE: urlencode({"mode": CHOICE, "seed": secrets.randbelow(10**9)}),
            TYPED: urlencode({"mode": TYPED, "seed": secrets.randbelow(10**9)}),
        }
        return _render(request, context)
    seed = _number(params.get("seed"))
    items = _quiz_items(resources)
    material = _material(request.user, subject_id) if mode == CHOICE else []
    questions = quiz.build_quiz(
        items, material, seed=seed, length=QUIZ_LENGTH, choice=mode == CHOICE
    )
    number = _number(params.get("n"), high=len(questions))
    score = _number(params.get("score"), high=number)
    context.update(mode=mode, seed=seed, total=len(questions), number=number, score=score)
    if number >= len(questions):
        context["finished"] = True
        context["again"] = urlencode({"mode": mode, "seed": secrets.randbelow(10**9)})
        return _render(request, context)
    question = questions[number]
    context["question"] = question
    # An answer to the question shown (the resource may have changed since: ask again).
    if request.method == "POST" and params.get("item") == str(question.item_id):
        given = params.get("answer", "")[:500]
        if question.is_choice:
            result = quiz.EXACT if quiz.is_right_choice(given, question) else quiz.WRONG
        else:
            result = quiz.check_typed(given, question.answer)
        score += result != quiz.WRONG
        context.update(given=given, result=result, score=score)
        context["next"] = urlencode({"mode": mode, "seed": seed, "n": number + 1, "score": score})
    return _render(request, context)


def _render(request: HttpRequest, context: dict) -> HttpResponse:
    if request.htmx:
        return render(request, "study/_quiz.html", context)
    return render(request, "study/quiz.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def quiz_resource(request: HttpRequest, slug: str) -> HttpResponse:
    resource = Resource.objects.select_related("subject", "topic").filter(slug=slug).first()
    if resource is None or not resource.is_visible_to(request.user):
        raise Http404("No such resource.")
    return _run(
        request,
        resource.title,
        resource.get_absolute_url(),
        Resource.objects.filter(pk=resource.pk),
        resource.subject_id,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def quiz_topic(request: HttpRequest, subject_slug: str, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.approved(), subject__slug=subject_slug, slug=topic_slug)
    return _run(
        request,
        f"{topic.name} ({topic.subject.name})",
        topic.get_absolute_url(),
        Resource.objects.visible().filter(topic=topic),
        topic.subject_id,
    )
