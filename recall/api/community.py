"""Comments, ratings and reports on resources. Thin: find what the reader may see, call
community.actions (which check permissions, validate and sanitise), keep the per-user
limits the HTML views keep (sharing their counts), and return the result."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja.responses import Status

from recall.community import actions
from recall.community.models import Comment
from recall.community.sections import resource_stats
from recall.community.views import COMMENT_RATE, COMMENT_REFUSAL, REPORT_RATE, REPORT_REFUSAL
from recall.library.models import Resource

from .admission import limit_user_action
from .errors import NotFound
from .library import SlugPath
from .operations import read, write
from .pagination import cursor_page
from .schemas import (
    MAX_ID,
    CommentIn,
    CommentOut,
    CommentPage,
    CommentPatch,
    PageQuery,
    RatingIn,
    RatingOut,
    ReportIn,
    ReportOut,
)

router = Router()

CommentPath = Path(..., ge=1, le=MAX_ID, example=1, description="The comment's id.")


def _resource(request: HttpRequest, slug: str) -> Resource:
    """The resource if this reader may see it (another's draft is as missing as none)."""
    queryset = Resource.objects.select_related("subject", "topic__subject", "author")
    resource = queryset.visible_to(request.user).filter(slug=slug).first()
    if resource is None:
        raise NotFound("There is no resource with that slug (or it is someone else's draft).")
    return resource


def _comment(request: HttpRequest, pk: int) -> Comment:
    """The comment if this reader may see it and its resource."""
    comment = (
        Comment.objects.visible_to(request.user)
        .select_related(
            "author", "parent", "resource__subject", "resource__topic__subject", "resource__author"
        )
        .filter(pk=pk)
        .first()
    )
    if comment is None or not comment.resource.is_visible_to(request.user):
        raise NotFound("There is no comment with that id.")
    return comment


@router.get(
    "/resources/{slug:slug}/comments",
    summary="List a resource's comments",
    tags=["reading"],
    **read({200: CommentPage}, 404),
)
def list_comments(request: HttpRequest, page: Query[PageQuery], slug: str = SlugPath):
    """Oldest first; a reply names the comment it replies to in `parent`."""
    resource = _resource(request, slug)
    comments = (
        Comment.objects.filter(resource=resource).visible_to(request.user).select_related("author")
    )
    result = cursor_page(
        comments, field="created_at", cursor=page.cursor, limit=page.limit, newest_first=False
    )
    for comment in result.items:
        comment.resource = resource  # already loaded: no query per comment
    return result


@router.post(
    "/resources/{slug:slug}/comments",
    summary="Comment on a resource, or reply",
    tags=["writing"],
    **write({201: CommentOut}, 403, 404),
)
def create_comment(request: HttpRequest, payload: CommentIn, slug: str = SlugPath):
    """Comments open once a resource is published (403 before). A reply to a reply joins the
    thread of the comment it replies to. At most 10 comments a minute, as on the site."""
    resource = _resource(request, slug)
    parent = None
    if payload.parent is not None:
        parent = (
            Comment.objects.filter(pk=payload.parent, resource=resource)
            .select_related("parent", "author")
            .first()
        )
        if parent is None:
            raise NotFound(
                "The comment you replied to is not on this resource, or has been deleted.",
                fields={"parent": "No such comment on this resource."},
            )
    limit_user_action(request, "comment", COMMENT_RATE, COMMENT_REFUSAL)
    comment = actions.comment_create(request.user, resource, payload.body, parent)
    return Status(201, comment)


@router.patch(
    "/comments/{int:comment_id}",
    summary="Edit your comment",
    tags=["writing"],
    **write({200: CommentOut}, 403, 404),
)
def update_comment(request: HttpRequest, payload: CommentPatch, comment_id: int = CommentPath):
    return actions.comment_update(request.user, _comment(request, comment_id), payload.body)


@router.delete(
    "/comments/{int:comment_id}",
    summary="Delete your comment",
    tags=["writing"],
    **write({204: None}, 403, 404, body=False),
)
def delete_comment(request: HttpRequest, comment_id: int = CommentPath):
    """Its replies go with it."""
    actions.comment_delete(request.user, _comment(request, comment_id))
    return Status(204, None)


@router.put(
    "/resources/{slug:slug}/rating",
    summary="Rate a resource",
    tags=["writing"],
    **write({200: RatingOut}, 403, 404),
)
def rate_resource(request: HttpRequest, payload: RatingIn, slug: str = SlugPath):
    """1 to 5 stars; rating again changes your rating. Not your own resource (403)."""
    resource = _resource(request, slug)
    rating = actions.rating_set(request.user, resource, payload.stars)
    stats = resource_stats(request.user, resource)
    return {
        "stars": rating.stars,
        "rating_average": round(float(stats["rating_average"]), 2),
        "rating_count": stats["rating_count"],
    }


@router.post(
    "/resources/{slug:slug}/reports",
    summary="Report a resource to the moderators",
    tags=["writing"],
    **write({201: ReportOut}, 403, 404),
)
def report_resource(request: HttpRequest, payload: ReportIn, slug: str = SlugPath):
    """At most 20 reports an hour, as on the site."""
    resource = _resource(request, slug)
    limit_user_action(request, "report", REPORT_RATE, REPORT_REFUSAL)
    return Status(201, actions.report_resource(request.user, resource, payload.reason))


@router.post(
    "/comments/{int:comment_id}/reports",
    summary="Report a comment to the moderators",
    tags=["writing"],
    **write({201: ReportOut}, 403, 404),
)
def report_comment(request: HttpRequest, payload: ReportIn, comment_id: int = CommentPath):
    """At most 20 reports an hour, as on the site."""
    comment = _comment(request, comment_id)
    limit_user_action(request, "report", REPORT_RATE, REPORT_REFUSAL)
    return Status(201, actions.report_comment(request.user, comment, payload.reason))
