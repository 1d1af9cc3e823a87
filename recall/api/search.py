"""Searching the library: recall.search's service, as the /search/ page uses it."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from recall.library.models import Subject, Topic
from recall.search.backends import Filters
from recall.search.service import search_resources

from .operations import read
from .schemas import SearchPage, SearchQuery

router = Router()


@router.get("/search", summary="Search resources", tags=["reading"], **read({200: SearchPage}))
def search(request: HttpRequest, query: Query[SearchQuery]):
    """Published resources matching the words of `q`, best first, by title and card text;
    misspelt words are corrected unless `exact` is true. Filters narrow by subject, topic
    (slugs), level and kind. Only resources everyone can read are found."""
    filters = _filters(query)
    if filters is None:  # a subject or topic that doesn't exist: nothing is in it
        return {
            "query": query.q,
            "corrected": "",
            "total": 0,
            "total_exact": True,
            "page": query.page,
            "items": [],
        }
    outcome = search_resources(
        query.q,
        filters,
        offset=(query.page - 1) * query.limit,
        limit=query.limit,
        correct=not query.exact,
    )
    return {
        "query": query.q,
        "corrected": outcome.corrected,
        "total": outcome.total,
        "total_exact": outcome.total_exact,
        "page": query.page,
        "items": [
            {"resource": resource, "title_html": hit.title_html, "snippet_html": hit.snippet_html}
            for resource, hit in outcome.results
        ],
    }


def _filters(query: SearchQuery) -> Filters | None:
    subject_id = topic_id = None
    if query.subject:
        subject_id = (
            Subject.objects.filter(slug=query.subject, is_approved=True)
            .values_list("pk", flat=True)
            .first()
        )
        if subject_id is None:
            return None
    if query.topic:
        topics = Topic.objects.filter(slug=query.topic, is_approved=True)
        if subject_id is not None:
            topics = topics.filter(subject_id=subject_id)
        topic_id = topics.values_list("pk", flat=True).first()
        if topic_id is None:
            return None
    return Filters(
        subject_id=subject_id, topic_id=topic_id, level=query.level or "", kind=query.kind or ""
    )
