"""Subjects, topics, resources and their cards, imports and the Markdown preview.

Thin: look the resource up as this reader may see it, call the library's actions (which
check permissions, limits and conflicts and sanitise), and return the result.
"""

from __future__ import annotations

import json
from dataclasses import replace

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja.responses import Status

from recall.community.sections import resource_stats
from recall.lib.rendering import render_markdown
from recall.lib.resource_text import (
    MAX_FILE_BYTES,
    ParsedCard,
    ParsedResource,
    decode_resource_bytes,
    parse_resource_text,
)
from recall.library.actions import resource_delete, resource_import, resource_save
from recall.library.models import Resource, Subject
from recall.library.models import Status as PublishingStatus

from . import content
from .errors import BadRequest, Conflict, Invalid, NotFound, PayloadTooLarge, validated
from .operations import read, write
from .pagination import cursor_page
from .schemas import (
    MAX_ID,
    SLUG_PATTERN,
    CardNew,
    CardOut,
    CardPatch,
    ImportForm,
    ImportText,
    MarkdownIn,
    MarkdownOut,
    MeOut,
    ResourceDetail,
    ResourceFilters,
    ResourceIn,
    ResourcePage,
    ResourcePatch,
    ResourceSummary,
    SubjectOut,
    TopicOut,
)

router = Router()

EXAMPLE_SLUG = "the-rise-of-kruschev"
SlugPath = Path(
    ...,
    max_length=220,
    pattern=SLUG_PATTERN,
    example=EXAMPLE_SLUG,
    description="The resource's slug.",
)
PositionPath = Path(..., ge=1, le=MAX_ID, example=1, description="1 for the first card.")
# Resource rows the counts include: those everyone may read (see library.models.VISIBLE).
_VISIBLE_RESOURCES = Q(
    resources__status=PublishingStatus.PUBLISHED,
    resources__is_hidden=False,
    resources__topic__is_approved=True,
)


def _readable(request: HttpRequest):
    return Resource.objects.for_listing().visible_to(request.user)


def _resource(request: HttpRequest, slug: str) -> Resource:
    """The resource if this reader may see it: another's draft is as missing as no resource."""
    resource = _readable(request).filter(slug=slug).first()
    if resource is None:
        raise NotFound("There is no resource with that slug (or it is someone else's draft).")
    return resource


def _detail(request: HttpRequest, resource: Resource) -> Resource:
    """The resource as ResourceDetail shows it: fresh from the database, with its stats."""
    resource = _readable(request).prefetch_related("cards").get(pk=resource.pk)
    resource.stats = resource_stats(request.user, resource)
    return resource


def _card(resource: Resource, position: int):
    card = resource.cards.filter(position=position).first()
    if card is None:
        raise NotFound(f"“{resource.title}” has no card {position}.")
    return card


def _base_version(resource: Resource, sent: int | None) -> int:
    """The version a change is made against: the one the client read, else this one."""
    return resource.version if sent is None else sent


# --- reading ------------------------------------------------------------------------------


@router.get("/subjects", summary="List subjects", tags=["reading"], **read({200: list[SubjectOut]}))
def list_subjects(request: HttpRequest):
    """Every subject in the library, with how many resources everyone can read in it."""
    return (
        Subject.objects.filter(is_approved=True)
        .annotate(resource_count=Count("resources", filter=_VISIBLE_RESOURCES))
        .order_by("name")
    )


@router.get(
    "/subjects/{slug:subject}/topics",
    summary="List a subject's topics",
    tags=["reading"],
    **read({200: list[TopicOut]}, 404),
)
def list_topics(
    request: HttpRequest,
    subject: str = Path(
        ...,
        max_length=100,
        pattern=SLUG_PATTERN,
        example="history",
        description="A subject's slug.",
    ),
):
    found = Subject.objects.filter(slug=subject, is_approved=True).first()
    if found is None:
        raise NotFound("There is no subject with that slug.")
    return (
        found.topics.filter(is_approved=True)
        .select_related("subject")
        .annotate(resource_count=Count("resources", filter=_VISIBLE_RESOURCES))
        .order_by("name")
    )


@router.get("/resources", summary="List resources", tags=["reading"], **read({200: ResourcePage}))
def list_resources(request: HttpRequest, filters: Query[ResourceFilters]):
    """Newest first, a page at a time; with a token, the token user's drafts are included."""
    resources = _readable(request)
    if filters.subject:
        resources = resources.filter(subject__slug=filters.subject)
    if filters.topic:
        resources = resources.filter(topic__slug=filters.topic)
    if filters.level:
        resources = resources.filter(level=filters.level)
    if filters.kind:
        resources = resources.filter(kind=filters.kind)
    if filters.author:
        resources = resources.filter(author__username=filters.author)
    return cursor_page(
        resources, field="created_at", cursor=filters.cursor, limit=filters.limit, newest_first=True
    )


@router.get(
    "/resources/{slug:slug}",
    summary="Read a resource with its cards",
    tags=["reading"],
    **read({200: ResourceDetail}, 404),
)
def get_resource(request: HttpRequest, slug: str = SlugPath):
    return _detail(request, _resource(request, slug))


@router.get(
    "/resources/{slug:slug}/cards",
    summary="List a resource's cards",
    tags=["reading"],
    **read({200: list[CardOut]}, 404),
)
def list_cards(request: HttpRequest, slug: str = SlugPath):
    return _resource(request, slug).cards.all()


@router.get(
    "/resources/{slug:slug}/cards/{int:position}",
    summary="Read one card",
    tags=["reading"],
    **read({200: CardOut}, 404),
)
def get_card(request: HttpRequest, slug: str = SlugPath, position: int = PositionPath):
    return _card(_resource(request, slug), position)


@router.get(
    "/resources/{slug:slug}/similar",
    summary="List similar resources",
    tags=["reading"],
    **read({200: list[ResourceSummary]}, 404),
)
def list_similar(
    request: HttpRequest,
    slug: str = SlugPath,
    limit: int = Query(5, ge=1, le=20, description="How many."),
):
    """Others in the same subject that everyone can read: the same topic first, newest first."""
    resource = _resource(request, slug)
    similar = (
        Resource.objects.similar_to(resource)
        .select_related("author")
        .annotate(card_count=Count("cards"))
    )
    return similar[:limit]


# --- writing ------------------------------------------------------------------------------


@router.post(
    "/resources",
    summary="Create a resource",
    tags=["writing"],
    **write({201: ResourceDetail}, 403),
)
def create_resource(request: HttpRequest, payload: ResourceIn):
    """A draft unless `publish` is true. New subjects and topics wait for a moderator."""
    parsed = ParsedResource(
        title=payload.title,
        subject=payload.subject,
        topic=payload.topic,
        kind=payload.kind,
        level=payload.level,
        exam_board=payload.exam_board,
        cards=tuple(ParsedCard(card.heading, card.body) for card in payload.cards),
    )
    resource = resource_save(request.user, parsed, publish=True if payload.publish else None)
    return Status(201, _detail(request, resource))


@router.patch(
    "/resources/{slug:slug}",
    summary="Change a resource",
    tags=["writing"],
    **write({200: ResourceDetail}, 403, 404, 409),
)
def update_resource(request: HttpRequest, payload: ResourcePatch, slug: str = SlugPath):
    """Only the fields sent change; `cards`, when sent, replaces every card."""
    resource = _resource(request, slug)
    changes = payload.model_dump(exclude_unset=True, exclude={"version", "publish", "cards"})
    changes = {name: value for name, value in changes.items() if value is not None}
    new = replace(content.current_content(resource), **changes)
    if payload.cards is not None:
        new = replace(
            new, cards=tuple(ParsedCard(card.heading, card.body) for card in payload.cards)
        )
    saved = resource_save(
        request.user,
        new,
        resource=resource,
        base_version=_base_version(resource, payload.version),
        publish=payload.publish,
    )
    return _detail(request, saved)


@router.delete(
    "/resources/{slug:slug}",
    summary="Delete a resource",
    tags=["writing"],
    **write({204: None}, 403, 404, body=False),
)
def delete_resource(request: HttpRequest, slug: str = SlugPath):
    resource_delete(request.user, _resource(request, slug))
    return Status(204, None)


@router.post(
    "/resources/{slug:slug}/cards",
    summary="Add a card",
    tags=["writing"],
    **write({201: CardOut}, 403, 404, 409),
)
def create_card(request: HttpRequest, payload: CardNew, slug: str = SlugPath):
    resource = _resource(request, slug)
    new = content.with_card_inserted(
        content.current_content(resource),
        ParsedCard(payload.heading, payload.body),
        payload.position,
    )
    saved = resource_save(
        request.user,
        new,
        resource=resource,
        base_version=_base_version(resource, payload.version),
    )
    position = min(payload.position or len(new.cards), len(new.cards))
    return Status(201, _card(saved, position))


@router.patch(
    "/resources/{slug:slug}/cards/{int:position}",
    summary="Change a card",
    tags=["writing"],
    **write({200: CardOut}, 403, 404, 409),
)
def update_card(
    request: HttpRequest, payload: CardPatch, slug: str = SlugPath, position: int = PositionPath
):
    resource = _resource(request, slug)
    _card(resource, position)
    new = content.with_card_changed(
        content.current_content(resource), position, payload.heading, payload.body
    )
    saved = resource_save(
        request.user,
        new,
        resource=resource,
        base_version=_base_version(resource, payload.version),
    )
    return _card(saved, position)


@router.delete(
    "/resources/{slug:slug}/cards/{int:position}",
    summary="Delete a card",
    tags=["writing"],
    **write({204: None}, 403, 404, 409, body=False),
)
def delete_card(
    request: HttpRequest,
    slug: str = SlugPath,
    position: int = PositionPath,
    version: int | None = Query(
        None, ge=1, le=MAX_ID, description="The resource's version you read (409 if older)."
    ),
):
    """The cards after it move down one. A resource keeps at least one card (409)."""
    resource = _resource(request, slug)
    _card(resource, position)
    if resource.card_count == 1:
        raise Conflict(
            "A resource keeps at least one card: delete the resource instead, or add a card first."
        )
    new = content.with_card_removed(content.current_content(resource), position)
    resource_save(
        request.user, new, resource=resource, base_version=_base_version(resource, version)
    )
    return Status(204, None)


IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "The file: UTF-8 text, at most 2 MB.",
                    },
                    "publish": {
                        "type": "boolean",
                        "default": True,
                        "description": "Publish at once (the default), or keep a draft.",
                    },
                },
            }
        },
        "application/json": {"schema": ImportText.model_json_schema()},
    },
}


@router.post(
    "/imports",
    summary="Import a file",
    tags=["writing"],
    **write({201: ResourceDetail, 200: ResourceDetail}, 403, request_body=IMPORT_BODY),
)
def import_file(request: HttpRequest):
    """A file in one of the import formats, as a multipart upload (`file`) or as JSON
    (`text`). It becomes your resource (an `author` the file names is not used), published
    unless `publish` is false. Importing the same source again (same subject, topic and
    title) updates your copy in place (200)."""
    if request.content_type == "multipart/form-data":
        data, publish = _uploaded_file(request)
    else:
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            raise BadRequest("The request body is neither JSON nor a multipart form.") from None
        payload = validated(ImportText, body)
        data, publish = payload.text.encode("utf-8"), payload.publish
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            f"The file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}.",
            fields={"file": f"At most {MAX_FILE_BYTES:,} bytes."},
        )
    parsed = parse_resource_text(decode_resource_bytes(data))
    result = resource_import(parsed, author=request.user, publish=publish)
    return Status(201 if result.created else 200, _detail(request, result.resource))


def _uploaded_file(request: HttpRequest) -> tuple[bytes, bool]:
    upload = request.FILES.get("file")
    if upload is None:
        raise Invalid("Send the file as the form field `file`.", fields={"file": "Required."})
    form = validated(ImportForm, {key: request.POST[key] for key in request.POST})
    return upload.read(MAX_FILE_BYTES + 1), form.publish


@router.post(
    "/markdown",
    summary="Preview Markdown",
    tags=["writing"],
    **write({200: MarkdownOut}),
)
def preview_markdown(request: HttpRequest, payload: MarkdownIn):
    """Render a card's Markdown to sanitised HTML, exactly as saving the card would."""
    return {"html": render_markdown(payload.text)}


@router.get("/me", summary="Who this token is", tags=["writing"], **write({200: MeOut}, body=False))
def me(request: HttpRequest):
    return {"username": request.user.get_username(), "token": request.auth}
