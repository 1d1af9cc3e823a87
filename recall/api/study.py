"""Studying through the API: the due queue, answering a review, statistics, adding a
resource to one's studies. Thin: every write is a recall.study.actions function (the same
permission checks and transaction as the review page); everything here needs a token,
since a queue and its statistics are the token user's own."""

from __future__ import annotations

import datetime as dt
import secrets
from datetime import date, datetime
from typing import Literal

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from recall.lib.study import scheduling
from recall.library.models import Resource, Topic
from recall.study import decks, quizzes
from recall.study.actions import (
    MAX_CARD_TEXT,
    cards_due_for,
    exam_date_clear,
    exam_date_set,
    profile_zone,
    review_answer,
    study_item_add,
    study_item_edit,
    study_item_hide,
    study_item_revert,
    study_profile,
    study_resource_add,
)
from recall.study.models import ExamDate, ReviewState, StudyItem
from recall.study.stats import study_stats

from .errors import Conflict, Invalid, NotFound
from .library import SlugPath
from .operations import write
from .schemas import MAX_ID, SLUG_PATTERN, Id, Input, Text, text_field, whole_number

router = Router()

StateName = Literal["new", "learning", "review", "relearning"]
STATE_NAMES: dict[int, StateName] = {
    scheduling.LEARNING: "learning",
    scheduling.REVIEW: "review",
    scheduling.RELEARNING: "relearning",
}
ItemPath = Path(..., ge=1, le=MAX_ID, example=1, description="The study item's id.")
MAX_DURATION_MS = 24 * 3600 * 1000


class StudyResourceRef(Schema):
    slug: str
    title: str


class QueueItemOut(Schema):
    id: int = Field(description="The study item's id: answer it at /study/items/{id}/reviews.")
    kind: str = Field(description="cloze, heading or qa.")
    prompt: str = Field(description="The question; a cloze hides its answer as [...].")
    answer: str
    point: str = Field(description="The point of the notes the question comes from.")
    resource: StudyResourceRef
    state: StateName
    due: datetime | None = Field(description="When it came due (null for a new item).")


class QueueOut(Schema):
    items: list[QueueItemOut] = Field(description="Next first: due items, then new ones.")
    due_count: int = Field(description="Due items within today's answer limit.")
    new_count: int = Field(description="New items within today's new-item limit.")
    reviewed_today: int = Field(description="Answers since midnight in your time zone.")
    new_today: int


class QueueQuery(Schema):
    limit: int = Field(20, ge=1, le=50, description="At most this many items.")


class AnswerIn(Input):
    rating: whole_number(1, 4) = Field(description="1 Again, 2 Hard, 3 Good, 4 Easy.")
    duration_ms: whole_number(0, MAX_DURATION_MS) = Field(
        0, description="How long answering took, in milliseconds."
    )


class ReviewStateOut(Schema):
    item_id: int
    state: StateName
    due: datetime = Field(description="When FSRS schedules the next review.")
    stability: float | None = Field(description="Days until recall falls to 90%.")
    difficulty: float | None = Field(description="1 (easy) to 10 (hard).")
    reps: int
    lapses: int


class DayCount(Schema):
    day: date
    count: int


class StatsOut(Schema):
    total_reviews: int = Field(description="Answers over the last 30 days.")
    retention: float | None = Field(
        description="Of those answers on items seen before, the share not rated Again."
    )
    reviews_per_day: list[DayCount] = Field(description="The last 30 days, oldest first.")
    forecast: list[DayCount] = Field(
        description="Items due on each of the next 30 days (overdue ones today)."
    )
    cards_by_state: dict[StateName, int] = Field(
        description="Items in the resources you study, by FSRS state."
    )
    parameters_optimised_at: datetime | None = Field(
        description="When FSRS's parameters were last fitted to your reviews (null: defaults)."
    )


class StudiedOut(Schema):
    resource: StudyResourceRef
    item_count: int = Field(description="Questions the resource yields.")


def _known_parameters(request: HttpRequest, query: type[Schema]) -> None:
    """An unknown query parameter is a mistake (a misspelt `limit`): 422, not ignored."""
    unknown = sorted(set(request.GET) - set(query.model_fields))
    if unknown:
        raise Invalid(
            "Unknown query parameter.",
            fields={name[:100]: "Not a parameter of this operation." for name in unknown[:10]},
        )


def _state_out(state: ReviewState) -> dict:
    return {
        "item_id": state.item_id,
        "state": STATE_NAMES[state.state],
        "due": state.due,
        "stability": state.stability,
        "difficulty": state.difficulty,
        "reps": state.reps,
        "lapses": state.lapses,
    }


def _item_out(item: StudyItem, state: ReviewState | None) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "prompt": item.prompt,
        "answer": item.answer,
        "point": item.point,
        "resource": {"slug": item.resource.slug, "title": item.resource.title},
        "state": STATE_NAMES[state.state] if state else "new",
        "due": state.due if state else None,
    }


@router.get(
    "/study/queue",
    summary="Your due queue",
    tags=["study"],
    **write({200: QueueOut}, body=False),
)
def study_queue(request: HttpRequest, query: Query[QueueQuery]):
    """Across every resource you study: learning steps, then due items from the least
    likely to be remembered up, then new items in reading order, within your daily limits
    (counted from midnight in your time zone)."""
    _known_parameters(request, QueueQuery)
    queue = cards_due_for(request.user)
    items = [_item_out(state.item, state) for state in queue.due[: query.limit]]
    items += [_item_out(item, None) for item in queue.new[: query.limit - len(items)]]
    return {
        "items": items,
        "due_count": queue.due_count,
        "new_count": len(queue.new),
        "reviewed_today": queue.reviewed_today,
        "new_today": queue.new_today,
    }


@router.post(
    "/study/items/{int:item_id}/reviews",
    summary="Answer a review",
    tags=["study"],
    **write({200: ReviewStateOut}, 403, 404),
)
def answer_review(request: HttpRequest, payload: AnswerIn, item_id: int = ItemPath):
    """Rate your answer to an item: FSRS schedules its next review (with your own
    parameters once optimised) and the answer is logged. Refused (403) for an item of a
    resource you don't study or can no longer read, or no longer in its resource."""
    try:
        # review_answer reads the item itself (with its resource, in one query).
        state = review_answer(request.user, item_id, payload.rating, payload.duration_ms)
    except StudyItem.DoesNotExist:
        raise NotFound("There is no study item with that id.") from None
    return _state_out(state)


@router.get(
    "/study/stats",
    summary="Your study statistics",
    tags=["study"],
    **write({200: StatsOut}, body=False),
)
def study_statistics(request: HttpRequest):
    zone = profile_zone(study_profile(request.user))
    stats = study_stats(request.user, timezone.now(), zone)
    by_state = dict(
        ReviewState.objects.filter(user=request.user, item__retired_at__isnull=True)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {name: by_state.get(code, 0) for code, name in STATE_NAMES.items()}
    new = (
        StudyItem.objects.active()
        .filter(resource__in=request.user.studied_resources.values("resource_id"))
        .exclude(review_states__user=request.user)
        .count()
    )
    profile = study_profile(request.user)
    return {
        "total_reviews": stats.total_reviews,
        "retention": stats.retention,
        "reviews_per_day": [{"day": bar.day, "count": bar.count} for bar in stats.reviews],
        "forecast": [{"day": bar.day, "count": bar.count} for bar in stats.forecast],
        "cards_by_state": {"new": new, **counts},
        "parameters_optimised_at": profile.parameters_optimised_at,
    }


@router.post(
    "/study/resources/{slug:slug}",
    summary="Study a resource",
    tags=["study"],
    **write({201: StudiedOut}, 403, 404, body=False),
)
def study_add(request: HttpRequest, slug: str = SlugPath):
    """Add a resource you may read to the ones you study (as its Study button does); its
    questions join your queue. Adding it again changes nothing."""
    resource = Resource.objects.visible_to(request.user).filter(slug=slug).first()
    if resource is None:
        raise NotFound("There is no resource with that slug (or it is someone else's draft).")
    study_resource_add(request.user, resource)
    count = StudyItem.objects.active().filter(resource=resource).count()
    return Status(
        201, {"resource": {"slug": resource.slug, "title": resource.title}, "item_count": count}
    )


class DeckQuery(Schema):
    format: Literal["apkg", "csv"] = Field("apkg", description="An Anki package, or CSV.")
    resource: str | None = Field(
        None,
        max_length=220,
        pattern=SLUG_PATTERN,
        description="One resource you may read (its slug); else everything you study.",
    )


_DECK_CONTENT = {
    content_type: {"schema": {"type": "string", "format": "binary"}}
    for content_type in decks.CONTENT_TYPES.values()
}


def _with_file_response(operation: dict) -> dict:
    """Document the 200 answer as the deck file (ninja would document no body)."""
    operation["openapi_extra"]["responses"][200] = {
        "description": "The deck, as an attachment.",
        "content": _DECK_CONTENT,
    }
    return operation


@router.get(
    "/study/deck",
    summary="Export a deck",
    tags=["study"],
    **_with_file_response(write({200: None}, 404, body=False)),
)
def study_deck(request: HttpRequest, query: Query[DeckQuery]):
    """Everything you study, or one resource, as an Anki package (`.apkg`: note GUIDs from
    the study items' stable keys, so importing a newer export updates notes) or as CSV."""
    _known_parameters(request, DeckQuery)
    if query.resource is not None:
        resource = (
            Resource.objects.visible_to(request.user)
            .select_related("subject", "topic")
            .filter(slug=query.resource)
            .first()
        )
        if resource is None:
            raise NotFound("There is no resource with that slug (or it is someone else's draft).")
        resources, stem = [resource], resource.slug
    else:
        resources = decks.resources_studied_by(request.user)
        if not resources:
            raise NotFound("You study nothing yet: there is no deck to export.")
        stem = f"recall-{request.user.get_username()}"
    response = HttpResponse(
        decks.deck_bytes(resources, query.format), content_type=decks.CONTENT_TYPES[query.format]
    )
    name = decks.deck_filename(stem, query.format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- an author's study cards ----------------------------------------------------------


class StudyItemOut(Schema):
    id: int
    kind: str = Field(description="cloze, heading or qa.")
    prompt: str = Field(description="The question; a cloze hides its answer as [...].")
    answer: str
    point: str = Field(description="The point of the notes it comes from (or the question).")
    origin: Literal["generated", "authored"] = Field(
        description="Made from the notes, or written by the author."
    )
    edited: bool = Field(description="A generated question the author reworded.")
    hidden: bool = Field(description="Hidden by the author: no one is asked it.")
    alternatives: list[str] = Field(description="A cloze's other candidate spans.")


class StudyItemIn(Input):
    question: str = Field(min_length=1, max_length=MAX_CARD_TEXT)
    answer: str = Field(min_length=1, max_length=MAX_CARD_TEXT)


class StudyItemPatch(Input):
    prompt: str | None = Field(None, min_length=1, max_length=MAX_CARD_TEXT)
    answer: str | None = Field(None, min_length=1, max_length=MAX_CARD_TEXT)
    hidden: bool | None = Field(None, description="true hides the question, false restores it.")
    revert: bool | None = Field(
        None, description="true undoes the author's rewording of a generated question."
    )


def _study_item_out(item: StudyItem) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "prompt": item.prompt,
        "answer": item.answer,
        "point": item.point,
        "origin": item.origin,
        "edited": item.is_edited,
        "hidden": item.is_hidden,
        "alternatives": list(item.alternatives or []),
    }


def _readable_resource(request: HttpRequest, slug: str) -> Resource:
    resource = Resource.objects.visible_to(request.user).filter(slug=slug).first()
    if resource is None:
        raise NotFound("There is no resource with that slug (or it is someone else's draft).")
    return resource


@router.get(
    "/study/resources/{slug:slug}/items",
    summary="A resource's study questions",
    tags=["study"],
    **write({200: list[StudyItemOut]}, 404, body=False),
)
def study_items(request: HttpRequest, slug: str = SlugPath):
    """The questions a resource you may read yields, in reading order; its author also
    sees the ones they hid."""
    resource = _readable_resource(request, slug)
    items = StudyItem.objects.filter(resource=resource, retired_at__isnull=True)
    if not resource.can_edit(request.user):
        items = items.filter(is_hidden=False)
    return [_study_item_out(item) for item in items.order_by("position", "id")]


@router.post(
    "/study/resources/{slug:slug}/items",
    summary="Add a question to your resource",
    tags=["study"],
    **write({201: StudyItemOut}, 403, 404),
)
def study_item_create(request: HttpRequest, payload: StudyItemIn, slug: str = SlugPath):
    """A question and answer you write for a resource of yours; later saves of the
    resource keep it as written. Only the resource's author may add one (403)."""
    resource = _readable_resource(request, slug)
    item = study_item_add(request.user, resource, question=payload.question, answer=payload.answer)
    return Status(201, _study_item_out(item))


@router.patch(
    "/study/items/{int:item_id}",
    summary="Reword, hide, restore or revert a question",
    tags=["study"],
    **write({200: StudyItemOut}, 403, 404),
)
def study_item_change(request: HttpRequest, payload: StudyItemPatch, item_id: int = ItemPath):
    """Change a question of your resource: reword it (prompt and/or answer), hide it from
    everyone or restore it (hidden), or undo your rewording of a generated one (revert).
    Only the resource's author may (403); students' schedules are kept."""
    item = StudyItem.objects.select_related("resource").filter(pk=item_id).first()
    if item is None or not item.resource.is_visible_to(request.user):
        raise NotFound("There is no study item with that id.")
    with transaction.atomic():
        if payload.revert:
            item = study_item_revert(request.user, item)
        if payload.prompt is not None or payload.answer is not None:
            item = study_item_edit(
                request.user,
                item,
                prompt=payload.prompt if payload.prompt is not None else item.prompt,
                answer=payload.answer if payload.answer is not None else item.answer,
            )
        if payload.hidden is not None:
            item = study_item_hide(request.user, item, hidden=payload.hidden)
        if not payload.model_fields_set:
            study_item_hide(request.user, item, hidden=item.is_hidden)  # checks permission
    item.refresh_from_db()
    return _study_item_out(item)


# --- exam dates (cram mode) -----------------------------------------------------------

_NamePath = {"max_length": 100, "pattern": SLUG_PATTERN}


class ExamTopicRef(Schema):
    subject: str = Field(description="The subject's slug.")
    topic: str = Field(description="The topic's slug.")
    name: str


class ExamOut(Schema):
    id: int
    date: dt.date = Field(description="The exam day, in your time zone.")
    resource: StudyResourceRef | None = Field(description="The resource it is on, or null.")
    topic: ExamTopicRef | None = Field(description="The topic it is on, or null.")


class ExamIn(Input):
    date: dt.date = Field(
        strict=False, description="The exam day (YYYY-MM-DD): after today, within two years."
    )


def _exam_out(exam: ExamDate) -> dict:
    resource, topic = exam.resource, exam.topic
    return {
        "id": exam.pk,
        "date": exam.date,
        "resource": {"slug": resource.slug, "title": resource.title} if resource else None,
        "topic": (
            {"subject": topic.subject.slug, "topic": topic.slug, "name": topic.name}
            if topic
            else None
        ),
    }


@router.get(
    "/study/exams",
    summary="Your exam dates",
    tags=["study"],
    **write({200: list[ExamOut]}, body=False),
)
def study_exams(request: HttpRequest):
    """Your exams, soonest first. In the 14 days before one, the cards of its resource or
    topic that you might have forgotten by then come back into your queue (cram mode)."""
    exams = ExamDate.objects.filter(user=request.user).select_related("resource", "topic__subject")
    return [_exam_out(exam) for exam in exams]


@router.put(
    "/study/resources/{slug:slug}/exam",
    summary="Set your exam date on a resource",
    tags=["study"],
    **write({200: ExamOut}, 403, 404),
)
def study_exam_resource(request: HttpRequest, payload: ExamIn, slug: str = SlugPath):
    """Set (or move) your exam on a resource you may read; it joins your studies."""
    resource = _readable_resource(request, slug)
    exam = exam_date_set(request.user, payload.date, resource=resource)
    return _exam_out(exam)


@router.put(
    "/study/topics/{slug:subject}/{slug:topic}/exam",
    summary="Set your exam date on a topic",
    tags=["study"],
    **write({200: ExamOut}, 403, 404),
)
def study_exam_topic(
    request: HttpRequest,
    payload: ExamIn,
    subject: str = Path(..., **_NamePath, example="history", description="A subject's slug."),
    topic: str = Path(..., **_NamePath, example="the-cold-war", description="A topic's slug."),
):
    """Set (or move) your exam on a topic: it covers the topic's resources you study."""
    found = Topic.objects.approved().filter(slug=topic, subject__slug=subject).first()
    if found is None:
        raise NotFound("There is no topic with that subject and slug.")
    exam = exam_date_set(request.user, payload.date, topic=found)
    return _exam_out(exam)


@router.delete(
    "/study/exams/{int:exam_id}",
    summary="Forget an exam date",
    tags=["study"],
    **write({204: None}, 404, body=False),
)
def study_exam_delete(
    request: HttpRequest,
    exam_id: int = Path(..., ge=1, le=MAX_ID, example=1, description="The exam's id."),
):
    """Its cards go back to their ordinary schedule."""
    exam = ExamDate.objects.filter(pk=exam_id, user=request.user).first()
    if exam is None:
        raise NotFound("You have no exam with that id.")
    exam_date_clear(request.user, exam)
    return Status(204, None)


# --- quizzes (practice: never scheduled, never logged) ---------------------------------

QuizMode = Literal["choice", "typed"]
MAX_SEED = 10**12 - 1


class QuizQuery(Schema):
    mode: QuizMode = Field("choice", description="Multiple choice, or typed answers.")
    seed: int | None = Field(
        None,
        ge=0,
        le=MAX_SEED,
        description="The quiz's seed: the same seed gives the same questions in the same "
        "order with the same choices. Left out, one is drawn (and returned).",
    )


class QuizQuestionOut(Schema):
    item_id: int = Field(description="Send it back with your answer.")
    prompt: str = Field(description="The question; a cloze hides its answer as [...].")
    type: Literal["date", "number", "name", "term", "text"] = Field(
        description="The answer's type (the choices share it)."
    )
    choices: list[str] = Field(
        description="Pick one (the answer is among them); empty: type the answer."
    )


class QuizOut(Schema):
    title: str = Field(description="The resource's title, or the topic's name.")
    mode: QuizMode
    seed: int
    questions: list[QuizQuestionOut] = Field(
        description="Up to 10 questions, without their answers (answer each with a POST)."
    )


class QuizAnswerIn(Input):
    mode: QuizMode = Field(description="As in the quiz you were given.")
    seed: whole_number(0, MAX_SEED) = Field(description="As in the quiz you were given.")
    item_id: Id = Field(description="The question's item_id.")
    answer: Text = text_field(
        max_length=quizzes.MAX_GIVEN, description="Your answer: a choice's text, or typed."
    )


class QuizAnswerOut(Schema):
    item_id: int
    result: Literal["exact", "close", "wrong"] = Field(
        description="close: a typed answer with a small typo, counted right."
    )
    correct: bool = Field(description="exact or close.")
    answer: str = Field(description="The right answer, as written.")


def _quiz_scope(scope: quizzes.Scope | None) -> quizzes.Scope:
    if scope is None:
        raise NotFound("There is no such resource or topic (or it is someone else's draft).")
    return scope


def _quiz_out(request: HttpRequest, scope: quizzes.Scope | None, query: QuizQuery) -> dict:
    _known_parameters(request, QuizQuery)
    scope = _quiz_scope(scope)
    seed = query.seed if query.seed is not None else secrets.randbelow(10**9)
    questions = quizzes.questions(request.user, scope, query.mode, seed)
    return {
        "title": scope.title,
        "mode": query.mode,
        "seed": seed,
        "questions": [
            {
                "item_id": question.item_id,
                "prompt": question.prompt,
                "type": question.type,
                "choices": list(question.choices),
            }
            for question in questions
        ],
    }


def _quiz_answer(request: HttpRequest, scope: quizzes.Scope | None, payload: QuizAnswerIn):
    scope = _quiz_scope(scope)
    questions = quizzes.questions(request.user, scope, payload.mode, payload.seed)
    question = next((q for q in questions if q.item_id == payload.item_id), None)
    if question is None:
        raise Conflict(
            "That question is not in this quiz (its resource may have changed since): "
            "fetch the quiz again."
        )
    result = quizzes.check(question, payload.answer)
    return {
        "item_id": question.item_id,
        "result": result,
        "correct": result != quizzes.WRONG,
        "answer": question.answer,
    }


_QuizSubject = Path(..., **_NamePath, example="history", description="A subject's slug.")
_QuizTopic = Path(..., **_NamePath, example="the-cold-war", description="A topic's slug.")


@router.get(
    "/study/quiz/resources/{slug:slug}",
    summary="A quiz on a resource",
    tags=["study"],
    **write({200: QuizOut}, 404, body=False),
)
def quiz_resource(request: HttpRequest, query: Query[QuizQuery], slug: str = SlugPath):
    """Up to 10 questions on a resource you may read, as its quiz page asks them:
    multiple choice (distractors of the answer's type, from the same topic first) or
    typed. A quiz is practice: answers never touch your schedule and are not logged."""
    return _quiz_out(request, quizzes.resource_scope(request.user, slug), query)


@router.post(
    "/study/quiz/resources/{slug:slug}/answers",
    summary="Check a quiz answer (resource)",
    tags=["study"],
    **write({200: QuizAnswerOut}, 404, 409),
)
def quiz_resource_answer(request: HttpRequest, payload: QuizAnswerIn, slug: str = SlugPath):
    """Right or wrong, and the right answer. A typed answer is forgiven a small typo
    (close), never a wrong number; a choice must be the answer. 409 when the question is
    no longer in the quiz the seed gives (the resource changed)."""
    return _quiz_answer(request, quizzes.resource_scope(request.user, slug), payload)


@router.get(
    "/study/quiz/topics/{slug:subject}/{slug:topic}",
    summary="A quiz on a topic",
    tags=["study"],
    **write({200: QuizOut}, 404, body=False),
)
def quiz_topic(
    request: HttpRequest,
    query: Query[QuizQuery],
    subject: str = _QuizSubject,
    topic: str = _QuizTopic,
):
    """Up to 10 questions on the published resources of a topic, as its quiz page asks
    them. Answers never touch your schedule and are not logged."""
    return _quiz_out(request, quizzes.topic_scope(subject, topic), query)


@router.post(
    "/study/quiz/topics/{slug:subject}/{slug:topic}/answers",
    summary="Check a quiz answer (topic)",
    tags=["study"],
    **write({200: QuizAnswerOut}, 404, 409),
)
def quiz_topic_answer(
    request: HttpRequest,
    payload: QuizAnswerIn,
    subject: str = _QuizSubject,
    topic: str = _QuizTopic,
):
    """As for a resource's quiz: right or wrong, and the right answer."""
    return _quiz_answer(request, quizzes.topic_scope(subject, topic), payload)
