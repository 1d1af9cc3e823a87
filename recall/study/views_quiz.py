"""Quiz mode: multiple-choice or typed questions over a resource or a topic.

The quiz itself is recall.study.quizzes (shared with the JSON API): a seed gives the
questions, so the pages keep no state but the seed, the question number and the score, in
the URL and the forms. Answers are checked, never stored.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import quizzes
from .quizzes import CHOICE, TYPED


def _number(raw: str | None, default: int = 0, high: int = 10**12) -> int:
    if raw and raw.isascii() and raw.isdigit() and len(raw) < 13:
        return min(int(raw), high)
    return default


def _run(request: HttpRequest, scope: quizzes.Scope | None) -> HttpResponse:
    if scope is None:
        raise Http404("No such quiz.")
    params = request.POST if request.method == "POST" else request.GET
    mode = params.get("mode")
    context = {"title": scope.title, "back_url": scope.url, "path": request.path}
    if mode not in quizzes.MODES or not params.get("seed"):
        context["start"] = {
            CHOICE: urlencode({"mode": CHOICE, "seed": secrets.randbelow(10**9)}),
            TYPED: urlencode({"mode": TYPED, "seed": secrets.randbelow(10**9)}),
        }
        return _render(request, context)
    seed = _number(params.get("seed"))
    questions = quizzes.questions(request.user, scope, mode, seed)
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
        given = params.get("answer", "")[: quizzes.MAX_GIVEN]
        result = quizzes.check(question, given)
        score += result != quizzes.WRONG
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
    return _run(request, quizzes.resource_scope(request.user, slug))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def quiz_topic(request: HttpRequest, subject_slug: str, topic_slug: str) -> HttpResponse:
    return _run(request, quizzes.topic_scope(subject_slug, topic_slug))
